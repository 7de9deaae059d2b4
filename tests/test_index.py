"""Building, storing and reloading the index (plumbing: the fake encoder)."""

import json
import os
import time

import numpy as np
import pytest

import qa
from qa.index import build as build_module
from qa.index import derive
from qa.index.stores.files import writer as file_writer
from qa.api import searcher_for
from qa.index.status import index_status
from qa.index.stores import open_store

from conftest import TINY, write_corpus


def test_build_then_retrieve_round_trip(tiny_corpus, tmp_path, fake_encoder):
    report = qa.build_index(tiny_corpus, tmp_path / "index", progress=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (4, 0, 0, 0)
    assert report.documents == 2 and isinstance(report.seconds, float)
    [best] = qa.retrieve("tuna catch fishermen", k=1, index_dir=tmp_path / "index")
    assert best.source == "alpha.txt" and best.paragraph == 2
    assert best.title == "Alpha Briefing"
    assert best.citation == "Alpha Briefing, ¶2"
    store = open_store(tmp_path / "index")
    with store.reader() as reader:
        assert reader.info().model == fake_encoder.name and reader.info().built_at
        assert set(reader.documents()) == {"alpha.txt", "beta.md"}
    assert store.manifest()["format_version"] == 3


def test_incremental_add_edit_delete(tiny_corpus, tmp_path, fake_encoder):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    unchanged = qa.build_index(tiny_corpus, index, progress=False)
    assert (unchanged.added, unchanged.updated, unchanged.removed, unchanged.unchanged) == (0, 0, 0, 4)
    assert unchanged.embedded == 0

    (tiny_corpus / "gamma.txt").write_text("Gamma\n\nA brand new paragraph about volcanoes.", encoding="utf-8")
    (tiny_corpus / "beta.md").write_text(
        TINY["beta.md"].replace("12 million", "15 million"), encoding="utf-8")
    fake_encoder.encoded.clear()
    report = qa.build_index(tiny_corpus, index, progress=False)
    assert (report.added, report.updated, report.removed, report.unchanged) == (1, 1, 0, 3)
    assert report.embedded == 2
    assert any("volcanoes" in text for text in fake_encoder.encoded)
    assert not any("tuna" in text for text in fake_encoder.encoded)

    (tiny_corpus / "alpha.txt").unlink()
    report = qa.build_index(tiny_corpus, index, progress=False)
    assert (report.added, report.removed, report.unchanged) == (0, 2, 3)
    sources = {p.source for p in qa.retrieve("tuna harbour Valletta", k=10, index_dir=index)}
    assert "alpha.txt" not in sources


def test_full_rebuild_embeds_everything(tiny_corpus, tmp_path, fake_encoder):
    qa.build_index(tiny_corpus, tmp_path / "index", progress=False)
    report = qa.build_index(tiny_corpus, tmp_path / "index", full=True, progress=False)
    assert report.embedded == 4


def test_long_paragraph_gets_windows_and_its_end_is_found(tmp_path, fake_encoder):
    filler = " ".join(f"filler{i}" for i in range(60))
    corpus = write_corpus(tmp_path / "c", {
        "long.txt": f"Long\n\n{filler} the zeppelin landed in Oslo.",
        "other.txt": "Other\n\nNothing about airships here at all.",
    })
    qa.build_index(corpus, tmp_path / "index", progress=False)
    with open_store(tmp_path / "index").reader() as reader:
        passages = reader.passages(reader.passage_ids())
        windows = reader.vectors_by_context([p.context for p in passages])
        assert sum(len(w) for w in windows.values()) > len(passages)
    [best] = qa.retrieve("zeppelin Oslo", k=1, index_dir=tmp_path / "index", mode="dense")
    assert best.source == "long.txt"


def test_dense_search_matches_numpy_brute_force(tmp_path, fake_encoder):
    rng = np.random.default_rng(7)
    words = [f"w{i}" for i in range(300)]
    files = {f"doc{d}.txt": f"Doc {d}\n\n" + "\n\n".join(
        " ".join(rng.choice(words, 8)) + "." for _ in range(10)) for d in range(12)}
    corpus = write_corpus(tmp_path / "c", files)
    qa.build_index(corpus, tmp_path / "index", progress=False)
    searcher = searcher_for(tmp_path / "index")
    passages = searcher.store.passages(searcher.store.passage_ids())
    windows = [fake_encoder.encode(fake_encoder.windows([p.indexed_text]).texts) for p in passages]
    for question in ["w1 w2 w3", "w100 w200", "w42"]:
        query = fake_encoder.encode([question])[0]
        best_per_passage = np.array([float((w @ query).max()) for w in windows])
        expected = np.argsort(-best_per_passage, kind="stable")[:10]
        got = searcher.search(question, 10, mode="dense")
        assert np.allclose([p.score for p in got], best_per_passage[expected], atol=1e-5)
        distinct = [i for i in expected if np.sum(np.isclose(best_per_passage, best_per_passage[i])) == 1]
        got_texts = [p.text for p in got]
        assert all(passages[i].text in got_texts for i in distinct)


def test_interrupted_build_leaves_previous_index(tiny_corpus, tmp_path, fake_encoder, monkeypatch):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    before = open_store(index).version()
    segments = sorted(p.name for p in (index / "segments").iterdir())
    (tiny_corpus / "gamma.txt").write_text("Gamma\n\nNew text about comets.", encoding="utf-8")

    def explode(*args, **kwargs):
        raise RuntimeError("simulated crash mid-build")

    with monkeypatch.context() as patched:
        patched.setattr(file_writer, "write_segment", explode)
        with pytest.raises(RuntimeError):
            qa.build_index(tiny_corpus, index, progress=False)
    assert open_store(index).version() == before
    assert not [p for p in index.iterdir() if p.name.startswith(".build-")]
    assert sorted(p.name for p in (index / "segments").iterdir()) == segments
    assert qa.retrieve("tuna catch", k=1, index_dir=index)[0].source == "alpha.txt"
    report = qa.build_index(tiny_corpus, index, progress=False)
    assert report.added == 1


def test_crash_during_embedding_leaves_previous_index(tiny_corpus, tmp_path, fake_encoder, monkeypatch):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    (tiny_corpus / "gamma.txt").write_text("Gamma\n\nNew text about comets.", encoding="utf-8")
    monkeypatch.setattr(fake_encoder, "encode", lambda *a, **k: (_ for _ in ()).throw(MemoryError()))
    with pytest.raises(MemoryError):
        qa.build_index(tiny_corpus, index, progress=False)
    with open_store(index).reader() as reader:
        assert reader.info().passages == 4


def test_model_mismatch_is_detected(tiny_corpus, tmp_path, fake_encoder, monkeypatch):
    qa.build_index(tiny_corpus, tmp_path / "index", progress=False)
    monkeypatch.setenv("QA_MODEL", "some-other-model")
    with pytest.raises(qa.IndexMismatch, match="--full"):
        qa.retrieve("tuna", index_dir=tmp_path / "index")


def test_a_build_with_nothing_to_embed_never_loads_the_model(tiny_corpus, tmp_path, fake_encoder,
                                                            monkeypatch):
    qa.build_index(tiny_corpus, tmp_path / "index", progress=False)
    (tiny_corpus / "alpha.txt").touch()  # read again, same text: nothing to embed

    def no_model(self):
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(type(fake_encoder), "dimension", property(no_model))
    report = qa.build_index(tiny_corpus, tmp_path / "index", progress=False)
    assert report.embedded == 0 and report.unchanged > 0


def test_a_model_that_changed_its_dimension_under_the_same_name_is_refused(tiny_corpus, tmp_path,
                                                                           fake_encoder, monkeypatch):
    qa.build_index(tiny_corpus, tmp_path / "index", progress=False)
    version = open_store(tmp_path / "index").version()
    monkeypatch.setattr(type(fake_encoder), "DIMENSION", 32)
    (tiny_corpus / "new.txt").write_text("Gamma\n\nA new paragraph about the harbour.\n")
    with pytest.raises(qa.IndexMismatch, match="64-dimensional.*gives 32"):
        qa.build_index(tiny_corpus, tmp_path / "index", progress=False)
    assert open_store(tmp_path / "index").version() == version
    (tiny_corpus / "new.txt").unlink()  # nothing to embed: the build cannot tell, a question can
    qa.build_index(tiny_corpus, tmp_path / "index", progress=False)
    with pytest.raises(qa.IndexMismatch, match="64-dimensional.*gives 32"):
        qa.retrieve("harbour", index_dir=tmp_path / "index")
    (tiny_corpus / "new.txt").write_text("Gamma\n\nA new paragraph about the harbour.\n")
    report = qa.build_index(tiny_corpus, tmp_path / "index", full=True, progress=False)
    assert report.embedded > 0 and qa.retrieve("harbour", index_dir=tmp_path / "index")


def test_format_version_mismatch_is_detected(tiny_corpus, tmp_path, fake_encoder):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    manifest_path = index / f"{open_store(index).version()}.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["format_version"] = 999
    manifest_path.write_text(json.dumps(manifest))
    with pytest.raises(qa.IndexMismatch, match="rebuild|Rebuild"):
        open_store(index).reader()


@pytest.mark.parametrize("damage", ["truncate_vectors", "drop_passage", "bad_manifest", "bad_pointer"])
def test_damaged_index_is_detected(tiny_corpus, tmp_path, fake_encoder, damage):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    [folder] = (index / "segments").iterdir()
    if damage == "truncate_vectors":
        data = (folder / "vectors.npy").read_bytes()
        (folder / "vectors.npy").write_bytes(data[: len(data) // 2])
    elif damage == "drop_passage":
        lines = (folder / "passages.jsonl").read_text().splitlines()
        (folder / "passages.jsonl").write_text("\n".join(lines[:-1]) + "\n")
    elif damage == "bad_manifest":
        (index / f"{open_store(index).version()}.json").write_text("{not json")
    else:
        (index / "CURRENT").write_text("g-missing")
    with pytest.raises(qa.IndexDamaged, match="Rebuild"):
        open_store(index).reader()
    report = qa.build_index(tiny_corpus, index, progress=False)  # a build repairs it
    assert report.added == 4
    assert qa.retrieve("tuna", k=1, index_dir=index)


def test_an_index_of_format_version_2_still_loads_and_updates(tiny_corpus, tmp_path, fake_encoder):
    """Version 2 is version 3 plus sentence vectors in every segment: they are left unread."""
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    [old] = (index / "segments").iterdir()
    assert not list(old.glob("sentence_*"))
    manifest_path = index / f"{open_store(index).version()}.json"
    manifest_path.write_text(json.dumps({**json.loads(manifest_path.read_text()), "format_version": 2}))
    for name, array in (("sentence_starts", np.array([0, 1, 2, 3, 4], np.int64)),
                        ("sentence_spans", np.zeros((4, 2), np.int32)),
                        ("sentence_vectors", np.zeros((4, 8), np.float16))):
        np.save(old / f"{name}.npy", array)
    [best] = qa.retrieve("tuna catch fishermen", k=1, index_dir=index)
    assert best.source == "alpha.txt"
    (tiny_corpus / "gamma.txt").write_text("Gamma\n\nA brand new paragraph about volcanoes.", encoding="utf-8")
    assert qa.build_index(tiny_corpus, index, progress=False).added == 1
    assert qa.retrieve("volcanoes", k=1, index_dir=index)[0].source == "gamma.txt"
    assert open_store(index).manifest()["format_version"] == 3
    written = [folder for folder in (index / "segments").iterdir() if folder.name != old.name]
    assert written and not [path for folder in written for path in folder.glob("sentence_*")]


def test_missing_index_says_how_to_build(tmp_path, fake_encoder):
    with pytest.raises(qa.IndexNotFound, match="python -m qa index"):
        qa.retrieve("anything", index_dir=tmp_path / "nowhere")


def test_concurrent_build_fails_clearly(tiny_corpus, tmp_path, fake_encoder):
    import fcntl

    index = tmp_path / "index"
    index.mkdir()
    with open(index / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(qa.IndexBusy):
            qa.build_index(tiny_corpus, index, progress=False)
    assert qa.build_index(tiny_corpus, index, progress=False).added == 4


def test_retrieve_validates_arguments(tiny_corpus, tmp_path, fake_encoder):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    for bad in ["", "   \n\t"]:
        with pytest.raises(ValueError, match="empty"):
            qa.retrieve(bad, index_dir=index)
    for bad_k in [0, -1, 2.5, True]:
        with pytest.raises(ValueError, match="k must"):
            qa.retrieve("tuna", k=bad_k, index_dir=index)
    assert len(qa.retrieve("tuna", k=100, index_dir=index)) == 4


def test_retrieve_reloads_after_rebuild(tiny_corpus, tmp_path, fake_encoder):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    assert all("volcano" not in p.text for p in qa.retrieve("volcano", k=10, index_dir=index))
    (tiny_corpus / "gamma.txt").write_text("Gamma\n\nThe volcano erupted.", encoding="utf-8")
    qa.build_index(tiny_corpus, index, progress=False)
    assert qa.retrieve("volcano", k=1, index_dir=index)[0].source == "gamma.txt"


def test_no_two_passages_share_text(tmp_path, fake_encoder):
    corpus = write_corpus(tmp_path / "c", {
        "a.txt": "A\n\nThe same wire paragraph about grain exports.\n\nOnly in a.",
        "b.txt": "B\n\nThe same wire paragraph about grain exports.\n\nOnly in b.",
    })
    qa.build_index(corpus, tmp_path / "index", progress=False)
    texts = [p.text for p in qa.retrieve("grain exports wire", k=10, index_dir=tmp_path / "index")]
    assert len(texts) == len(set(texts)) == 3


def test_rebuild_tokenises_only_new_text(tiny_corpus, tmp_path, fake_encoder, monkeypatch):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    tokenised = []
    original = derive.tokenize
    monkeypatch.setattr(derive, "tokenize", lambda texts: tokenised.extend(texts) or original(texts))
    (tiny_corpus / "gamma.txt").write_text("Gamma\n\nThe volcano erupted at dawn.", encoding="utf-8")
    qa.build_index(tiny_corpus, index, progress=False)
    assert len(tokenised) == 1 and "volcano" in tokenised[0]
    assert qa.retrieve("volcano dawn", k=1, index_dir=index, mode="bm25")[0].source == "gamma.txt"
    assert qa.retrieve("tuna catch", k=1, index_dir=index, mode="bm25")[0].source == "alpha.txt"


def test_files_unchanged_since_the_last_build_are_not_read_again(tiny_corpus, tmp_path, fake_encoder,
                                                                 monkeypatch):
    from qa.ingest import changes

    # A file changed within ten minutes of being read is read again, however long a build takes.
    monkeypatch.setattr(changes, "CLOCK_SLACK_NS", 600 * 10**9)
    an_hour_ago = time.time() - 3600
    for path in tiny_corpus.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago))
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    read, real_read = [], build_module.read_indexable
    monkeypatch.setattr(build_module, "read_indexable",
                        lambda path, source: read.append(source) or real_read(path, source))
    (tiny_corpus / "gamma.txt").write_text("Gamma\n\nThe ferry timetable changed in May.", encoding="utf-8")
    report = qa.build_index(tiny_corpus, index, progress=False)
    assert read == ["gamma.txt"]
    assert (report.added, report.unchanged) == (1, 4)
    [passage] = qa.retrieve("tuna catch", k=1, index_dir=index)
    assert passage.citation == "Alpha Briefing, ¶2"
    os.utime(tiny_corpus / "alpha.txt", (an_hour_ago + 60, an_hour_ago + 60))  # touched: read again
    qa.build_index(tiny_corpus, index, progress=False)
    assert read == ["gamma.txt", "alpha.txt", "gamma.txt"]  # gamma is too recent to trust


def test_named_files_are_updated_without_listing_the_corpus(tiny_corpus, tmp_path, fake_encoder,
                                                            monkeypatch):
    from qa.ingest import changes

    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    monkeypatch.setattr(changes, "corpus_sources", lambda folder: pytest.fail("the corpus was listed"))
    gamma = tiny_corpus / "gamma.txt"
    gamma.write_text("Gamma\n\nComets were seen over Malta.", encoding="utf-8")
    (tiny_corpus / "delta.txt").write_text("Delta\n\nNot named, so not read.", encoding="utf-8")
    report = qa.build_index(tiny_corpus, index, progress=False, only=[gamma])
    assert (report.added, report.removed, report.unchanged, report.documents) == (1, 0, 4, 3)
    sources = {p.source for p in qa.retrieve("comets over Malta", k=10, index_dir=index)}
    assert "gamma.txt" in sources and "delta.txt" not in sources

    (tiny_corpus / "alpha.txt").unlink()
    report = qa.build_index(tiny_corpus, index, progress=False, only=[str(tiny_corpus / "alpha.txt")])
    assert (report.added, report.removed, report.unchanged) == (0, 2, 3)
    with open_store(index).reader() as reader:
        assert set(reader.documents()) == {"beta.md", "gamma.txt"}


def test_naming_files_with_no_index_to_update_builds_the_whole_corpus(tiny_corpus, tmp_path, fake_encoder):
    gamma = write_corpus(tiny_corpus, {"gamma.txt": "Gamma\n\nComets were seen over Malta."}) / "gamma.txt"
    report = qa.build_index(tiny_corpus, tmp_path / "index", progress=False, only=[gamma])
    assert (report.added, report.documents) == (5, 3)
    with open_store(tmp_path / "index").reader() as reader:
        assert set(reader.documents()) == {"alpha.txt", "beta.md", "gamma.txt"}


@pytest.mark.parametrize("name, problem", [
    ("../outside.txt", "not in the corpus folder"),
    (".hidden.txt", "hidden"),
    ("never-there.txt", "nor a briefing in the index"),
])
def test_a_named_file_the_corpus_would_not_list_is_refused(tiny_corpus, tmp_path, fake_encoder, name,
                                                           problem):
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    before = open_store(index).manifest()
    (tmp_path / "outside.txt").write_text("Outside\n\nSecret text.", encoding="utf-8")
    (tiny_corpus / ".hidden.txt").write_text("Hidden\n\nSecret text.", encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        qa.build_index(tiny_corpus, index, progress=False, only=[tiny_corpus / name])
    assert open_store(index).manifest() == before


def test_a_named_link_out_of_the_corpus_is_refused(tiny_corpus, tmp_path, fake_encoder):
    (tmp_path / "outside.txt").write_text("Outside\n\nSecret text.", encoding="utf-8")
    (tiny_corpus / "link.txt").symlink_to(tmp_path / "outside.txt")
    with pytest.raises(ValueError, match="links outside"):
        qa.build_index(tiny_corpus, tmp_path / "index", progress=False, only=[tiny_corpus / "link.txt"])


def segment_files(index):
    """Each segment file's (name, inode, mtime): unchanged when a build did not touch it."""
    return {(p.relative_to(index).as_posix(), p.stat().st_ino, p.stat().st_mtime_ns)
            for p in (index / "segments").rglob("*") if p.is_file()}


def test_adding_or_removing_a_briefing_writes_only_what_is_new(tiny_corpus, tmp_path, fake_encoder,
                                                               monkeypatch):
    from qa.index.stores.files import merging

    monkeypatch.setattr(merging, "EXPUNGE_SHARE", 0.9)  # removing half of this tiny segment: no rewrite
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    before = segment_files(index)
    (tiny_corpus / "gamma.txt").write_text("Gamma\n\nComets were seen over Malta.", encoding="utf-8")
    qa.build_index(tiny_corpus, index, progress=False)
    after = segment_files(index)
    assert before < after
    [new_segment] = {name.split("/")[1] for name, _, _ in after - before}
    manifest = open_store(index).manifest()
    assert {"name": new_segment, "passages": 1} in manifest["segments"]
    (tiny_corpus / "alpha.txt").unlink()
    qa.build_index(tiny_corpus, index, progress=False)
    assert segment_files(index) == after  # a removal writes no segment, only the generation
    assert sum(len(ids) for ids in open_store(index).manifest()["deleted"].values()) == 2
    assert "alpha.txt" not in {p.source for p in qa.retrieve("tuna catch", k=10, index_dir=index)}


def test_merged_segments_answer_like_a_full_build(tmp_path, fake_encoder, monkeypatch):
    from qa.index.stores.files import merging

    monkeypatch.setattr(merging, "FACTOR", 2)
    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(60)]
    corpus = tmp_path / "corpus"
    texts = {f"doc{d:02d}.txt": f"Doc {d}\n\n" + "\n\n".join(
        " ".join(rng.choice(words, 9)) + "." for _ in range(4)) for d in range(16)}
    texts["doc03.txt"] += "\n\nThe same wire paragraph about grain exports from the Black Sea ports."
    texts["doc12.txt"] += "\n\nThe same wire paragraph about grain exports from the Black Sea ports."
    for number, (name, text) in enumerate(texts.items()):
        write_corpus(corpus, {name: text})
        if number in (7, 13):
            (corpus / f"doc0{number // 3}.txt").unlink()
        if number == 10:
            write_corpus(corpus, {"doc04.txt": texts["doc04.txt"] + "\n\nAn added paragraph w7 w7."})
        qa.build_index(corpus, tmp_path / "index", progress=False)
    assert len(open_store(tmp_path / "index").manifest()["segments"]) <= 5
    qa.build_index(corpus, tmp_path / "fresh", full=True, progress=False)
    for question in ["w1 w2 w3", "w40 w41", "grain exports", "w7"]:
        for mode in ["hybrid", "bm25", "dense"]:
            incremental = qa.retrieve(question, k=8, index_dir=tmp_path / "index", mode=mode)
            fresh = qa.retrieve(question, k=8, index_dir=tmp_path / "fresh", mode=mode)
            assert [(p.source, p.paragraph, p.also_in) for p in incremental] == \
                   [(p.source, p.paragraph, p.also_in) for p in fresh]
            assert np.allclose([p.score for p in incremental], [p.score for p in fresh], atol=1e-5)


def test_skipped_files_are_remembered_until_they_change(tmp_path, fake_encoder, monkeypatch):
    corpus = write_corpus(tmp_path / "corpus", TINY)
    (corpus / "bomb.docx").write_bytes(b"PK\x03\x04" + os.urandom(2048))
    an_hour_ago = time.time() - 3600
    for path in corpus.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago))
    index = tmp_path / "index"
    first = qa.build_index(corpus, index, progress=False)
    assert [s.source for s in first.skipped] == ["bomb.docx"]
    read, real_read = [], build_module.read_indexable
    monkeypatch.setattr(build_module, "read_indexable",
                        lambda path, source: read.append(source) or real_read(path, source))
    again = qa.build_index(corpus, index, progress=False)
    assert read == [] and again.skipped == []
    assert [s.split(":")[0] for s in index_status(corpus, index).skipped] == ["bomb.docx"]
    os.utime(corpus / "bomb.docx", (an_hour_ago + 60, an_hour_ago + 60))  # changed: tried again
    assert "bomb.docx" in index_status(corpus, index).new
    changed = qa.build_index(corpus, index, progress=False)
    assert read == ["bomb.docx"] and [s.source for s in changed.skipped] == ["bomb.docx"]


def test_status_reads_only_sizes_and_times(tiny_corpus, tmp_path, fake_encoder, monkeypatch):
    import builtins
    import io

    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    (tiny_corpus / "gamma.txt").write_text("Gamma\n\nNew.", encoding="utf-8")
    (tiny_corpus / "alpha.txt").unlink()
    (tiny_corpus / "beta.md").write_text(TINY["beta.md"] + "\n\nOne more.", encoding="utf-8")
    real_open = io.open

    def guarded_open(file, *args, **kwargs):
        if str(tiny_corpus) in str(file):
            raise AssertionError(f"status read {file}")
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", guarded_open)
    monkeypatch.setattr(io, "open", guarded_open)
    status = index_status(tiny_corpus, index)
    assert (status.new, status.changed, status.removed) == (["gamma.txt"], ["beta.md"], ["alpha.txt"])
    assert status.briefings == 2 and status.paragraphs == 4


def test_a_loaded_index_keeps_answering_while_builds_merge_its_segments_away(tiny_corpus, tmp_path,
                                                                             fake_encoder, monkeypatch):
    from qa.index.stores.files import merging

    monkeypatch.setattr(merging, "FACTOR", 2)
    index = tmp_path / "index"
    qa.build_index(tiny_corpus, index, progress=False)
    searcher = searcher_for(index)
    before = searcher.search("tuna catch fishermen", 3)
    first_segments = {p.name for p in (index / "segments").iterdir()}
    for number in range(3):
        write_corpus(tiny_corpus, {f"extra{number}.txt": f"Extra {number}\n\nVolcanoes erupted {number} times."})
        qa.build_index(tiny_corpus, index, progress=False)
    assert not first_segments & {p.name for p in (index / "segments").iterdir()}  # merged away
    assert searcher.search("tuna catch fishermen", 3) == before
    assert searcher_for(index) is not searcher
    assert qa.retrieve("volcanoes erupted", k=1, index_dir=index)[0].source.startswith("extra")


@pytest.mark.parametrize("sizes, deleted, expected", [
    ([2500, 9], [0, 0], None),  # different tiers: nothing to merge
    ([2500, 9], [0, 9], (1, 2)),  # a removed briefing's segment goes alone, its big neighbour stays
    ([2500, 9], [1000, 0], (0, 1)),  # 40 % deleted: rewritten alone
    ([5, 9, 7, 3, 8, 9, 4, 6, 2], [0] * 9, (0, 8)),  # FACTOR neighbours in one tier
    ([20000, 9000] + [9] * 8, [0] * 10, (2, 10)),
])
def test_merge_policy(sizes, deleted, expected):
    from qa.index.stores.files.merging import next_merge

    assert next_merge(sizes, deleted) == expected
