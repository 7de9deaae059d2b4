"""A build killed with SIGKILL (an OOM kill, a container stop, `kill -9`) leaves no process behind
and no lock: the next build runs, for either store (issue 29). The build reads its 300 briefings in
worker processes (qa.index.workers) and stalls at its first embedding, so it is killed while they run."""

from __future__ import annotations

import fcntl
import operator
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import psycopg
import pytest

import qa
from conftest import TINY, new_database, write_corpus
from qa.errors import IndexBusy
from qa.index.stores.owner import this_process
from qa.index.stores.postgres.writer import BUILD_LOCK, BUILDER
from qa.index.workers import WorkerDied, ordered_results

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")

STALLING_BUILD = textwrap.dedent("""
    import os, sys, time
    sys.path[:0] = [{root!r}, {tests!r}]
    from conftest import FakeEncoder
    import qa, qa.index.build
    from qa.index.encoder import register_encoder

    class Stalling(FakeEncoder):
        def encode(self, texts, progress=False):
            print("embedding", flush=True)
            time.sleep(3600)

    register_encoder(Stalling())
    os.environ["QA_MODEL"] = "fake-hash-encoder"
    qa.index.build.BATCH_PASSAGES = 8  # the first batch is embedded while the workers still read
    qa.build_index(sys.argv[1], sys.argv[2], progress=False)
""")


def briefings(folder: Path, count: int = 300) -> Path:
    return write_corpus(folder, {f"note-{n:03d}.txt": f"Note {n}\n\nThe harbour handled {n} ships today.\n"
                                 for n in range(count)})


def living_in_group(group: int) -> list[int]:
    """The processes of process group `group` that still run (zombies aside)."""
    alive = []
    for entry in Path("/proc").iterdir():
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if entry.name.isdigit() and int(fields[2]) == group and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


def kill_mid_build(corpus: Path, index) -> list[int]:
    """Start a build of `corpus` into `index`, SIGKILL it while its workers read, and return
    the processes of it still running a few seconds later (none, when nothing outlives it)."""
    script = STALLING_BUILD.format(root=str(ROOT), tests=str(ROOT / "tests"))
    build = subprocess.Popen([sys.executable, "-c", script, str(corpus), str(index)],
                             stdout=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert build.stdout.readline().strip() == "embedding"
        assert len(living_in_group(build.pid)) > 1  # the build and its workers
        build.send_signal(signal.SIGKILL)
        build.wait()
        deadline = time.monotonic() + 20
        while living_in_group(build.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        return living_in_group(build.pid)
    finally:
        try:
            os.killpg(build.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        build.stdout.close()


def test_a_killed_build_of_a_files_index_leaves_nothing_behind(tmp_path, fake_encoder):
    corpus = briefings(tmp_path / "corpus")
    assert kill_mid_build(corpus, tmp_path / "index") == []
    report = qa.build_index(corpus, tmp_path / "index", progress=False)
    assert report.documents == 300


def test_a_killed_build_of_a_postgres_index_leaves_nothing_behind(tmp_path, fake_encoder, pg_server):
    corpus = briefings(tmp_path / "corpus")
    with new_database(pg_server) as url:
        assert kill_mid_build(corpus, url) == []
        report = qa.build_index(corpus, url, progress=False)
        assert report.documents == 300


def test_workers_answer_in_order_and_their_errors_are_raised_here():
    assert list(ordered_results(operator.add, [(n, 1) for n in range(50)], 2)) == list(range(1, 51))
    assert list(ordered_results(print, [("noise",)] * 3, 2)) == [None] * 3  # what they print is no result
    with pytest.raises(ValueError, match="invalid literal"):
        list(ordered_results(int, [("1",), ("x",)], 2))
    with pytest.raises(WorkerDied, match="exit status 3"):  # as one killed for memory would
        list(ordered_results(os._exit, [(3,)] * 5, 1))


# -- a lock whose build has died is taken over ---------------------------------------------------

def ended_process() -> str:
    """The owner name (qa.index.stores.owner) of a process that has ended."""
    code = "from qa.index.stores.owner import this_process; print(this_process())"
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_a_files_lock_held_for_a_dead_build_is_taken_over(tmp_path, fake_encoder, caplog):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    index.mkdir()
    with open(index / ".lock", "w") as leftover:  # as a dead build's orphaned workers hold it
        leftover.write(ended_process())
        leftover.flush()
        fcntl.flock(leftover, fcntl.LOCK_EX)
        assert qa.build_index(corpus, index, progress=False).documents == 2
        assert "locked by a build that died" in caplog.text
        assert qa.build_index(corpus, index, progress=False).documents == 2  # and released


def test_a_files_lock_of_a_running_build_stays_busy(tmp_path, fake_encoder):
    corpus, index = write_corpus(tmp_path / "corpus", TINY), tmp_path / "index"
    index.mkdir()
    with open(index / ".lock", "w") as held:
        held.write(this_process())
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(IndexBusy, match=f"process {os.getpid()} on this machine"):
            qa.build_index(corpus, index, progress=False)


def hold_build_lock(url: str, owner: str) -> psycopg.Connection:
    """A connection holding the build lock in an open transaction, named as `owner`'s build."""
    connection = psycopg.connect(url, application_name=BUILDER + owner)
    connection.execute("SELECT pg_advisory_xact_lock(%s)", (BUILD_LOCK,))
    return connection


def test_a_postgres_lock_held_for_a_dead_build_is_taken_over(fake_encoder, pg_server, tmp_path, caplog):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    with new_database(pg_server) as url:
        qa.build_index(corpus, url, progress=False)
        leftover = hold_build_lock(url, ended_process())
        try:
            (corpus / "gamma.txt").write_text("Gamma\n\nRail freight resumed.\n", encoding="utf-8")
            assert qa.build_index(corpus, url, progress=False).documents == 3
            assert "locked by a build that died" in caplog.text
            with pytest.raises(psycopg.OperationalError):  # its connection was ended
                leftover.execute("SELECT 1")
        finally:
            leftover.close()


def test_a_postgres_lock_of_a_running_build_stays_busy(fake_encoder, pg_server, tmp_path):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    with new_database(pg_server) as url:
        holder = hold_build_lock(url, this_process())
        try:
            with pytest.raises(IndexBusy, match=f"process {os.getpid()} on this machine"):
                qa.build_index(corpus, url, progress=False)
        finally:
            holder.close()
