"""Two chat servers (two `app.py` processes) over one PostgreSQL index: an upload through one is
answered by the other without a restart; then load on one server alone and on both at once.

    python bench/pg_two_servers.py --database postgresql://... [--clients 20] [--requests 5]

Both serve a copy of the sample corpus folder (servers that build must see the same corpus
folder: a build makes the index match the folder it reads). Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STARTUP_TIMEOUT_S = 300
UPLOAD_TEXT = ("# Arctic Shipping\n\nIcebreakers escorted 42 tankers through the Northern Sea Route "
               "in August.\n")
UPLOAD_QUESTION = "How many tankers went through the Northern Sea Route?"
EXPECT = "UK and France"  # in the reply to the load's troops question


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_app(corpus: Path, index: str, port: int, log: Path) -> subprocess.Popen:
    """`python app.py` on 127.0.0.1:`port` (its output in `log`)."""
    with open(log, "w") as out:
        return subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--corpus", str(corpus),
                                 "--index", index, "--port", str(port)],
                                stdout=out, stderr=subprocess.STDOUT, cwd=ROOT)


def wait_ready(url: str, process: subprocess.Popen, log: Path) -> None:
    """Return once `url` answers; RuntimeError with the log's end if the app exits or times out."""
    import urllib.request

    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"app exited: {log.read_text()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"app did not start in {STARTUP_TIMEOUT_S} s: {log.read_text()[-2000:]}")


def upload_then_ask_other(first: str, second: str, folder: Path) -> tuple[str, str]:
    """(upload report from `first`, `second`'s reply to the uploaded briefing's question)."""
    from gradio_client import Client, handle_file

    upload = folder / "arctic shipping.md"
    upload.write_text(UPLOAD_TEXT, encoding="utf-8")
    report = Client(first, verbose=False).predict([handle_file(str(upload))], api_name="/upload")
    reply = Client(second, verbose=False).predict(UPLOAD_QUESTION, api_name="/chat")
    return report, reply


def load_both(urls: list[str], clients: int, requests: int) -> dict:
    """run_load on every url at once; the aggregate throughput and every server's figures."""
    from bench.load import run_load

    results: dict[str, dict] = {}
    threads = [threading.Thread(target=lambda u=url: results.__setitem__(
        u, run_load(u, clients, requests, EXPECT))) for url in urls]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    total = sum(result["requests"] for result in results.values())
    return {"servers": results, "requests": total, "seconds": round(seconds, 1),
            "throughput_per_s": round(total / seconds, 2),
            "errors": sum(len(result["errors"]) for result in results.values())}


def main() -> int:
    from bench.load import run_load

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=5, help="per client")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        shutil.copytree(ROOT / "corpus", folder / "corpus")
        ports = [free_port(), free_port()]
        urls = [f"http://127.0.0.1:{port}/" for port in ports]
        processes = []
        try:
            for number, (port, url) in enumerate(zip(ports, urls)):
                log = folder / f"app{number}.log"
                processes.append(start_app(folder / "corpus", args.database, port, log))
                wait_ready(url, processes[-1], log)
            report, reply = upload_then_ask_other(urls[0], urls[1], folder)
            out = {"upload_through_first": report, "second_replies": reply.splitlines()[0],
                   "answered_by_second": "42 tankers" in reply.splitlines()[0]}
            out["one_server"] = run_load(urls[0], args.clients, args.requests, EXPECT)
            out["two_servers"] = load_both(urls, args.clients, args.requests)
        finally:
            for process in processes:
                process.terminate()
                process.wait(timeout=30)
    print(json.dumps(out, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
