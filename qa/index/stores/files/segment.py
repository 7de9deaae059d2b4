"""One immutable segment of the files backend: a folder of arrays written once and memory-mapped.

A segment holds whole documents. Its passages have ascending ids; passage `row` (0-based within the
segment) owns vector rows window_starts[row]:window_starts[row + 1].

    ids.npy              int64 (n,) passage ids, ascending
    passages.jsonl       one StoredPassage a line; passage_offsets.npy int64 (n + 1,) byte offsets
    documents.jsonl      one DocumentRecord a line with "first" (row) and "count" (passages)
    document_of.npy      int32 (n,) line of documents.jsonl of each passage
    vectors.npy          float32 (windows, d); window_starts.npy int64 (n + 1,)
    vectors.faiss        an HNSW graph over vectors.npy, only past the ANN threshold (qa.index.stores.files.dense.needs_graph)
    tokens.txt           BM25 tokens, one line a passage; token_offsets.npy int64 (n + 1,)
    terms.txt            the segment's vocabulary, sorted, one a line
    postings_*.npy       per term (CSC): rows, counts; term_starts int64 (terms + 1,)
    lengths.npy          int32 (n,) tokens per passage
    signatures.npy       uint32 (n, HASHES) MinHash; bands_keys/bands_rows.npy (BANDS, n) sorted
    groups.npy           int64 (n,) near-duplicate group key (a passage id) when written
    text_keys.npy / text_rows.npy, context_keys.npy / context_rows.npy: sorted 64-bit hashes of
                         each text and indexed text, for reuse lookups
    done                 written last: a segment folder without it was never finished

Segments of format version 2 (qa.index.stores.files.store) also hold sentence_starts.npy, sentence_spans.npy
and sentence_vectors.npy; they are left unread.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import mmap
import os
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, fields
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np

from qa.index.stores.files.dense import build_vector_index, needs_graph
from qa.search.duplicates import BANDS, HASHES, ROWS, band_keys
from qa.index.stores.base import DocumentRecord, StoredPassage

_JSON = json.JSONEncoder(ensure_ascii=False)
_DECODE = json.JSONDecoder().decode  # json.loads less its per-call checks: ~20 passages a result
_PASSAGE_FIELDS = tuple(field.name for field in fields(StoredPassage))
_RECORD_FIELDS = tuple(field.name for field in fields(DocumentRecord))
# Arrays at most this large are read into memory; larger ones are memory-mapped.
_MAP_BYTES = 1 << 20
# Arrays of older segments that nothing reads any more (see the module's docstring).
_UNREAD = frozenset({"sentence_starts", "sentence_spans", "sentence_vectors"})


def key_of(text: str) -> int:
    """A 64-bit hash of a text (lookups confirm a hit by comparing the text itself)."""
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "little")


@dataclass
class SegmentData:
    """A segment's contents in memory, before it is written (a flush or a merge)."""

    ids: np.ndarray
    passages: list[StoredPassage]
    documents: list[tuple[DocumentRecord, int, int]]  # (record, first row, passage count)
    vectors: np.ndarray
    window_starts: np.ndarray
    tokens: list[list[str]]
    signatures: np.ndarray
    groups: np.ndarray


def write_segment(folder: Path, data: SegmentData, dimension: int, index_count: int = 0) -> None:
    """Write `data` into the new folder `folder` (its `done` file last), as a segment of an index
    of `index_count` vectors (which decides whether it has a graph: qa.index.stores.files.dense.needs_graph)."""
    folder.mkdir(parents=True)
    save = lambda name, array: np.save(folder / f"{name}.npy", np.ascontiguousarray(array))
    save("ids", data.ids.astype(np.int64))
    save("passage_offsets", _write_lines(folder / "passages.jsonl", (
        _JSON.encode({name: getattr(p, name) for name in _PASSAGE_FIELDS}) for p in data.passages)))
    _write_lines(folder / "documents.jsonl", (
        _JSON.encode({**asdict(record), "first": first, "count": count})
        for record, first, count in data.documents))
    document_of = np.zeros(len(data.passages), dtype=np.int32)
    for line, (_, first, count) in enumerate(data.documents):
        document_of[first:first + count] = line
    save("document_of", document_of)
    save("vectors", data.vectors.astype(np.float32).reshape(-1, dimension))
    save("window_starts", data.window_starts.astype(np.int64))
    if needs_graph(len(data.vectors), dimension, index_count):
        faiss.write_index(build_vector_index(data.vectors, dimension, index_count), str(folder / "vectors.faiss"))
    _write_lexical(folder, data.tokens, save)
    save("signatures", data.signatures.astype(np.uint32).reshape(-1, HASHES))
    keys = np.stack([band_keys(data.signatures[:, b * ROWS:(b + 1) * ROWS]) for b in range(BANDS)]) \
        if len(data.passages) else np.zeros((BANDS, 0), np.uint64)
    order = np.argsort(keys, axis=1, kind="stable")
    save("bands_keys", np.take_along_axis(keys, order, axis=1))
    save("bands_rows", order.astype(np.int32))
    save("groups", data.groups.astype(np.int64))
    _save_keys(save, "text", [p.text for p in data.passages])
    _save_keys(save, "context", [p.indexed_text for p in data.passages])
    (folder / "done").write_text("1", encoding="utf-8")


def _write_lines(path: Path, lines) -> np.ndarray:
    """Write each line (plus a newline); returns the byte offsets of their starts and the end."""
    offsets = [0]
    with open(path, "wb") as out:
        for line in lines:
            encoded = line.encode("utf-8") + b"\n"
            out.write(encoded)
            offsets.append(offsets[-1] + len(encoded))
    return np.asarray(offsets, dtype=np.int64)


def _write_lexical(folder: Path, tokens: list[list[str]], save) -> None:
    """Token lines, the vocabulary and per-term postings (rows, counts) of the segment."""
    save("token_offsets", _write_lines(folder / "tokens.txt", (" ".join(t) for t in tokens)))
    terms = sorted(set(itertools.chain.from_iterable(tokens)))
    number = {term: i for i, term in enumerate(terms)}
    lengths = np.fromiter(map(len, tokens), dtype=np.int64, count=len(tokens))
    flat = np.fromiter(map(number.__getitem__, itertools.chain.from_iterable(tokens)),
                       dtype=np.int64, count=int(lengths.sum()))
    rows = np.repeat(np.arange(len(tokens), dtype=np.int64), lengths)
    pairs, counts = np.unique(flat * max(1, len(tokens)) + rows, return_counts=True)
    term_of, row_of = pairs // max(1, len(tokens)), pairs % max(1, len(tokens))
    _write_lines(folder / "terms.txt", terms)
    save("term_starts", np.concatenate([[0], np.cumsum(np.bincount(term_of, minlength=len(terms)))]))
    save("postings_rows", row_of.astype(np.int32))
    save("postings_counts", counts.astype(np.int32))
    save("lengths", lengths.astype(np.int32))


def _save_keys(save, name: str, texts: list[str]) -> None:
    keys = np.fromiter((key_of(text) for text in texts), dtype=np.uint64, count=len(texts))
    order = np.argsort(keys, kind="stable")
    save(f"{name}_keys", keys[order])
    save(f"{name}_rows", order.astype(np.int32))


def open_segment(folder: Path) -> "Segment":
    """The segment written in `folder`, opened once per process and shared.

    Segments never change once written, so every reader and build of this process that opens the
    same segment (each update of a large index opens them all) gets the same object. Keyed by the
    folder and the identity, size and time of each of its files, so a file changed behind the
    program's back is opened (and checked) again; `forget` drops a removed segment.
    """
    with os.scandir(folder) as entries:
        files = sorted((entry.name, entry.inode(), *_size_and_time(entry)) for entry in entries)
    key = (str(folder), tuple(files))
    with _OPENED_LOCK:
        if key in _OPENED:
            _OPENED.move_to_end(key)
            return _OPENED[key]
    segment = Segment(folder)
    with _OPENED_LOCK:
        segment = _OPENED.setdefault(key, segment)
        while len(_OPENED) > _OPENED_SEGMENTS:
            _OPENED.popitem(last=False)
    return segment


def _size_and_time(entry: os.DirEntry) -> tuple[int, int]:
    status = entry.stat()
    return status.st_size, status.st_mtime_ns


def forget(folder: Path) -> None:
    """Drop the segment in `folder` from the shared ones (it was removed; its users keep it)."""
    with _OPENED_LOCK:
        for key in [key for key in _OPENED if key[0] == str(folder)]:
            del _OPENED[key]


class Segment:
    """A written segment, opened read-only: every file is opened (mapped) at once, so the segment
    stays readable even if a later publish removes its folder. Its maps are closed when the last
    user drops it (segments are shared: see open_segment)."""

    def __init__(self, folder: Path):
        if not (folder / "done").exists():
            raise FileNotFoundError(f"segment {folder.name} is incomplete")
        self.name = folder.name
        # Plain arrays over the maps: indexing a numpy.memmap costs microseconds more a call.
        arrays = {path.stem: np.asarray(_load(path)) for path in folder.glob("*.npy")
                  if path.stem not in _UNREAD}
        self.__dict__.update(arrays)
        self._passages = _map(folder / "passages.jsonl")
        self._tokens = _map(folder / "tokens.txt")
        self.documents = _json_lines(folder / "documents.jsonl")
        self._records = [record_from(entry) for entry in self.documents]
        self._terms = _map(folder / "terms.txt")  # decoded on the first lexical lookup
        self._vocabulary: dict[str, int] | None = None
        faiss_path = folder / "vectors.faiss"
        self.graph = faiss.read_index(str(faiss_path), faiss.IO_FLAG_MMAP) if faiss_path.exists() else None
        self._check(folder)

    def _check(self, folder: Path) -> None:
        """ValueError when the segment's files disagree with each other (a damaged segment)."""
        rows = len(self.ids)
        problems = [
            len(self.passage_offsets) != rows + 1 or len(self.window_starts) != rows + 1,
            (folder / "passages.jsonl").stat().st_size != self.passage_offsets[-1],
            (folder / "tokens.txt").stat().st_size != self.token_offsets[-1],
            len(self.vectors) != self.window_starts[-1],
            len(self.signatures) != rows or len(self.groups) != rows or len(self.lengths) != rows,
            self.graph is not None and self.graph.ntotal != len(self.vectors),
        ]
        if any(problems):
            raise ValueError(f"segment {self.name}: its files disagree")

    def __len__(self) -> int:
        return len(self.ids)

    @cached_property
    def owners(self) -> np.ndarray:
        """The row of each window (vector)."""
        return np.repeat(np.arange(len(self.ids)), np.diff(np.asarray(self.window_starts)))

    def records(self) -> list[DocumentRecord]:
        return self._records

    @cached_property
    def records_by_source(self) -> dict[str, DocumentRecord]:
        """Each stored document's record by source (whether or not it is deleted since)."""
        return {record.source: record for record in self._records}

    @cached_property
    def places(self) -> dict[str, tuple[Segment, int, int]]:
        """(this segment, first row, passage count) of each stored document, by source."""
        return {entry["source"]: (self, entry["first"], entry["count"]) for entry in self.documents}

    def passage(self, row: int) -> StoredPassage:
        return StoredPassage(**_DECODE(_slice(self._passages, self.passage_offsets, row).decode("utf-8")))

    def tokens(self, row: int) -> list[str]:
        return _slice(self._tokens, self.token_offsets, row).decode("utf-8").split()

    def windows(self, row: int) -> np.ndarray:
        return np.asarray(self.vectors[self.window_starts[row]:self.window_starts[row + 1]], np.float32)

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(rows, counts) of the passages holding `term`."""
        if self._vocabulary is None:
            text = self._terms[:].decode("utf-8") if self._terms is not None else ""
            self._vocabulary = {t: i for i, t in enumerate(text.split("\n")[:-1])}
        number = self._vocabulary.get(term)
        if number is None:
            return np.zeros(0, np.int32), np.zeros(0, np.int32)
        start, end = self.term_starts[number], self.term_starts[number + 1]
        return np.asarray(self.postings_rows[start:end]), np.asarray(self.postings_counts[start:end])

    def rows_with_keys(self, kind: str, keys: np.ndarray) -> list[np.ndarray]:
        """For each of `keys` (uint64), the rows whose text ("text") or indexed text ("context")
        hashes to it."""
        stored, rows = getattr(self, f"{kind}_keys"), getattr(self, f"{kind}_rows")
        starts, ends = np.searchsorted(stored, keys, "left"), np.searchsorted(stored, keys, "right")
        return [np.asarray(rows[start:end]) for start, end in zip(starts.tolist(), ends.tolist())]


# Segments opened by this process (see open_segment): a few dozen at most are live in an index.
_OPENED: OrderedDict[tuple, Segment] = OrderedDict()
_OPENED_SEGMENTS = 64
_OPENED_LOCK = threading.Lock()


def _json_lines(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as lines:
        return json.loads("[" + ",".join(line for line in lines if line.strip()) + "]")


def record_from(entry: dict) -> DocumentRecord:
    """The DocumentRecord written as `entry` (extra keys ignored)."""
    values = {name: entry[name] for name in _RECORD_FIELDS if name in entry}
    values["paragraphs"] = tuple(values.get("paragraphs", ()))
    return DocumentRecord(**values)


def _load(path: Path) -> np.ndarray:
    return np.load(path, mmap_mode="r" if path.stat().st_size > _MAP_BYTES else None)


def _map(path: Path) -> mmap.mmap | None:
    with open(path, "rb") as file:
        return mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) if path.stat().st_size else None


def _slice(mapped: mmap.mmap | None, offsets: np.ndarray, row: int) -> bytes:
    return mapped[int(offsets[row]):int(offsets[row + 1]) - 1] if mapped is not None else b""
