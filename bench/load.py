"""Load test of the chat: concurrent gradio_client users against a server on loopback.

    python bench/load.py --url http://127.0.0.1:7860/ --clients 20 --requests 10

Reports throughput, latency p50/p95 and errors for one client alone, then for all clients at once.
The request count is fixed and every request has a timeout, so the run always ends.
"""

from __future__ import annotations

import argparse
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


def run_load(url: str, clients: int, requests: int, expect: str | None = None) -> dict:
    """`clients` users each asking `requests` questions in turn; returns the figures.

    A reply counts as an error when the call fails or (with `expect`) the troops question's reply
    lacks `expect`.
    """
    from gradio_client import Client

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    connections = [Client(url, verbose=False) for _ in range(clients)]

    def user(number: int, client) -> None:
        for turn in range(requests):
            question = QUESTIONS[(number + turn) % len(QUESTIONS)]
            started = time.perf_counter()
            try:
                job = client.submit(question, api_name="/chat")
                reply = job.result(timeout=TIMEOUT_S)
                problem = None
                if expect and question == QUESTIONS[0] and expect not in reply:
                    problem = f"unexpected reply to {question!r}"
            except Exception as error:  # any failure is what a load test counts
                problem = f"{type(error).__name__}: {error}"
            with lock:
                latencies.append(time.perf_counter() - started)
                if problem:
                    errors.append(problem)

    threads = [threading.Thread(target=user, args=(n, c)) for n, c in enumerate(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_S * requests)
    wall = time.perf_counter() - started
    cuts = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 100
    return {
        "clients": clients, "requests": len(latencies), "errors": errors, "seconds": round(wall, 2),
        "throughput": round(len(latencies) / wall, 2),
        "p50_ms": round(cuts[49] * 1000), "p95_ms": round(cuts[94] * 1000),
    }


def compare(url: str, clients: int, requests: int, expect: str | None = None) -> dict:
    """One client alone, then `clients` at once: the figures and the throughput ratio."""
    single = run_load(url, 1, max(requests, 5), expect)
    crowd = run_load(url, clients, requests, expect)
    return {"single": single, "concurrent": crowd,
            "ratio": round(crowd["throughput"] / single["throughput"], 2)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860/")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=10, help="per client")
    args = parser.parse_args(argv)
    result = compare(args.url, args.clients, args.requests, expect="UK and France")
    for label in ("single", "concurrent"):
        row = result[label]
        print(f"| {row['clients']} client(s) | {row['requests']} requests | {row['throughput']} req/s | "
              f"p50 {row['p50_ms']} ms | p95 {row['p95_ms']} ms | {len(row['errors'])} errors |")
    print(f"throughput ratio (concurrent / single): {result['ratio']}")
    for error in (result["single"]["errors"] + result["concurrent"]["errors"])[:5]:
        print("error:", error)


if __name__ == "__main__":
    main()
