"""Load test of the chat: concurrent users of its HTTP API against a server on loopback.

    python bench/load.py --url http://127.0.0.1:7860/ --clients 20 --requests 10 [--pause 10]

Reports throughput, latency p50/p95 and errors for one client alone, then for all clients at once,
and the server's CPU seconds per request when `--server-pid` names its process. The request count
is fixed and every request has a timeout, so the run always ends.

Each user asks through Gradio's REST API (`POST /gradio_api/call/chat`, then the event stream of
its result), as any HTTP client would. gradio_client is not used: its own threads and event
handling cost about twice the server's CPU for each question, and on a 2-core machine that load
generator took most of the cores from the server it measured.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import threading
import time

QUESTIONS = [
    "Which countries committed troops?",
    "What did Lavrov say?",
    "Will Starmer travel to the White House?",
    "How many countries are ready to contribute to the security architecture?",
    "What is the 30-day ceasefire?",
]
TIMEOUT_S = 120


def run_load(url: str, clients: int, requests: int, expect: str | None = None, pause: float = 0.0) -> dict:
    """`clients` users each asking `requests` questions in turn, each `pause` seconds after its
    previous question was asked (at once when its answer takes longer; the users start spread
    over one pause); returns the figures.

    A reply counts as an error when the call fails or (with `expect`) the troops question's reply
    lacks `expect`.
    """
    import httpx

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    connections = [httpx.Client(base_url=url, timeout=TIMEOUT_S) for _ in range(clients)]

    def user(number: int, client) -> None:
        time.sleep(pause * number / max(clients, 1))
        for turn in range(requests):
            question = QUESTIONS[(number + turn) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                reply = ask(client, question)
                problem = None
                if expect and question == QUESTIONS[0] and expect not in reply:
                    problem = f"unexpected reply to {question!r}"
            except Exception as error:  # any failure is what a load test counts
                problem = f"{type(error).__name__}: {error}"
            with lock:
                latencies.append(time.perf_counter() - started)
                if problem:
                    errors.append(problem)
            time.sleep(max(0.0, pause - (time.perf_counter() - started)))

    threads = [threading.Thread(target=user, args=(n, c)) for n, c in enumerate(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_S * requests)
    wall = time.perf_counter() - started
    for client in connections:
        client.close()
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 100
    return {
        "clients": clients, "requests": len(latencies), "errors": errors, "seconds": round(wall, 2),
        "throughput": round(len(latencies) / wall, 2),
        "p50_ms": round(cuts[49] * 1000), "p95_ms": round(cuts[94] * 1000),
    }


def ask(client, question: str) -> str:
    """The chat's reply to `question`, through Gradio's REST API; raises when there is none."""
    call = client.post("gradio_api/call/chat", json={"data": [question, "", "", []]})
    call.raise_for_status()
    event = None
    with client.stream("GET", f"gradio_api/call/chat/{call.json()['event_id']}") as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                event = line[len("event: "):]
            elif line.startswith("data: ") and event in ("complete", "error"):
                if event == "error":
                    raise RuntimeError(f"the server answered with an error: {line[6:200]}")
                return json.loads(line[len("data: "):])[0]
    raise RuntimeError("the event stream ended without a result")


def cpu_seconds(pid: int) -> float:
    """User plus system CPU seconds the process `pid` has used (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def compare(url: str, clients: int, requests: int, expect: str | None = None,
            server_pid: int | None = None, pause: float = 0.0) -> dict:
    """One client alone, then `clients` at once: the figures and the throughput ratio, and with
    `server_pid` the server's CPU milliseconds per request of each run."""
    result = {}
    for label, users, asks in (("single", 1, max(requests, 5)), ("concurrent", clients, requests)):
        cpu_before = cpu_seconds(server_pid) if server_pid else 0.0
        result[label] = run_load(url, users, asks, expect, pause if users > 1 else 0.0)
        if server_pid:
            spent = cpu_seconds(server_pid) - cpu_before
            result[label]["server_cpu_ms"] = round(1000 * spent / max(result[label]["requests"], 1), 1)
    result["ratio"] = round(result["concurrent"]["throughput"] / result["single"]["throughput"], 2)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10, help="per client")
    parser.add_argument("--server-pid", type=int, default=None,
                        help="the server's process id, to report its CPU per request")
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds between one user's questions (0: ask again at once)")
    args = parser.parse_args(argv)
    result = compare(args.url, args.clients, args.requests, "UK and France", args.server_pid, args.pause)
    for label in ("single", "concurrent"):
        row = result[label]
        cpu = f" server CPU {row['server_cpu_ms']} ms/request |" if "server_cpu_ms" in row else ""
        print(f"| {row['clients']} client(s) | {row['requests']} requests | {row['throughput']} req/s | "
              f"p50 {row['p50_ms']} ms | p95 {row['p95_ms']} ms | {len(row['errors'])} errors |{cpu}")
    print(f"throughput ratio (concurrent / single): {result['ratio']}")
    for error in (result["single"]["errors"] + result["concurrent"]["errors"])[:5]:
        print("error:", error)


if __name__ == "__main__":
    main()
