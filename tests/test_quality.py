"""Retrieval quality regression: a fixed scifact slice through the real build and retrieve path.

60 queries with their gold abstracts plus 1,000 other abstracts from ../shared/bench/scifact.
The floor is the nDCG@10 measured when this test was written (see docs/benchmarks.md) minus a small
margin; a change that costs more than that fails here.
"""

import pytest

from conftest import SHARED
from bench.evaluate import evaluate_set, load_beir, with_distractors

SCIFACT = SHARED / "bench" / "scifact"
MEASURED_NDCG10 = {"hybrid": 0.9315, "dense": 0.8948, "bm25": 0.8852}  # 2026-11-25
MARGIN = 0.02

pytestmark = pytest.mark.skipif(not SCIFACT.is_dir(), reason="../shared/bench/scifact is not here")


@pytest.fixture(scope="module")
def scifact_slice():
    return with_distractors(load_beir(SCIFACT, limit=60), 1000)


@pytest.mark.parametrize("mode", ["hybrid", "dense", "bm25"])
def test_ndcg_does_not_regress(scifact_slice, tmp_path_factory, mode):
    cache = tmp_path_factory.getbasetemp() / "quality-cache"
    result = evaluate_set(scifact_slice, "scifact-slice", mode=mode, cache_dir=cache, progress=False)
    print(mode, result.metrics)
    assert result.metrics["nDCG@10"] >= MEASURED_NDCG10[mode] - MARGIN


def test_hybrid_beats_both_halves(scifact_slice, tmp_path_factory):
    cache = tmp_path_factory.getbasetemp() / "quality-cache"
    scores = {mode: evaluate_set(scifact_slice, "scifact-slice", mode=mode, cache_dir=cache,
                                 progress=False).metrics["nDCG@10"] for mode in ("hybrid", "dense", "bm25")}
    assert scores["hybrid"] > max(scores["dense"], scores["bm25"])
