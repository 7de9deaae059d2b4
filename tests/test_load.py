"""A short load test: 20 concurrent HTTP users against the app on loopback.

The full run (bench/load.py, figures in docs/benchmarks.md) also compares throughput with a single
client; here only behaviour is checked: every request is answered, correctly, with no error.
"""

from bench.load import run_load


def test_twenty_concurrent_clients_get_answers(served):
    result = run_load(served[0], clients=20, requests=2, expect="UK and France")
    assert result["requests"] == 40
    assert result["errors"] == []
