"""The index on disk: vectors, passages, BM25 and a manifest, published atomically.

Layout of an index folder:

    CURRENT            name of the live version folder (replaced atomically)
    v-<stamp>/         one complete build: manifest.json, passages.jsonl, vectors.faiss,
                       owners.npy (vector row -> passage), bm25/, and for near-duplicates
                       signatures.npy (MinHash per passage) and groups.npy (group per passage)
    .lock              held (flock) by the build that is writing

A build writes a new version folder and only then points CURRENT at it, so a build that is
interrupted at any moment leaves the previous version live and loadable.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass, fields
from pathlib import Path

import faiss
import numpy as np

from .dense import build_vector_index
from .errors import IndexDamaged, IndexMismatch, IndexNotFound
from .lexical import LexicalIndex, read_tokens, tokenize

FORMAT_VERSION = 1
POINTER = "CURRENT"
VERSION_PREFIX = "v-"
BUILD_PREFIX = ".build-"


@dataclass(frozen=True)
class StoredPassage:
    """A paragraph as stored: where it is from, its text, and the text that was indexed for it.

    `page` is the page it starts on, for paged formats; the document's date, publisher and URL
    are in the manifest's entry for `source`.
    """

    source: str
    title: str
    paragraph: int
    text: str
    heading: str
    digest: str
    page: int | None = None

    @property
    def context(self) -> tuple[str, str, str]:
        """What `indexed_text` is made of; a cheap key for "was this exact text indexed before"."""
        return self.title, self.heading, self.text

    @property
    def indexed_text(self) -> str:
        """What is embedded and BM25-indexed: the paragraph in the context of its title and heading."""
        return join_context(self.context)


def join_context(context: tuple[str, str, str]) -> str:
    """The indexed text of a (title, heading, text) context: its non-empty parts, one a line."""
    return "\n".join(part for part in context if part)


_PASSAGE_FIELDS = tuple(field.name for field in fields(StoredPassage))
_JSON = json.JSONEncoder(ensure_ascii=False)  # one encoder: json.dumps with options makes one a call


@dataclass
class IndexStore:
    """A loaded (or freshly built) index: passages, their vectors, BM25 and the manifest."""

    manifest: dict
    passages: list[StoredPassage]
    vectors: faiss.Index
    owners: np.ndarray
    lexical: LexicalIndex | None  # None when loaded only to be reused by a build
    version: str = ""
    # Near-duplicates (qa.duplicates): a signature row and a group number per passage. An index
    # written before they existed has neither: each passage is then its own group.
    signatures: np.ndarray | None = None
    groups: np.ndarray | None = None

    def __post_init__(self):
        if self.groups is None:
            self.groups = np.arange(len(self.passages), dtype=np.int64)

    @classmethod
    def create(cls, manifest: dict, passages: list[StoredPassage], vectors: np.ndarray,
               owners: np.ndarray, tokens: list[list[str]] | None = None) -> "IndexStore":
        """An in-memory index over `passages`; `owners[i]` is the passage that vector i covers.

        `tokens` are the passages' indexed texts tokenised for BM25, when the caller has them.
        """
        index = build_vector_index(vectors, manifest["dimension"])
        if tokens is None:
            tokens = tokenize([passage.indexed_text for passage in passages])
        lexical = LexicalIndex.build(tokens)
        return cls(manifest, passages, index, np.asarray(owners, dtype=np.int64), lexical)

    def saved_tokens(self, index_dir: Path) -> list[list[str]] | None:
        """The BM25 tokens saved with this version, one list a passage (None if absent or off)."""
        tokens = read_tokens(index_dir / self.version / "bm25")
        return tokens if tokens is not None and len(tokens) == len(self.passages) else None

    def save(self, index_dir: Path) -> str:
        """Write a new version folder, point CURRENT at it, remove older versions; returns its name."""
        index_dir.mkdir(parents=True, exist_ok=True)
        staging = index_dir / f"{BUILD_PREFIX}{uuid.uuid4().hex[:8]}"
        staging.mkdir()
        try:
            self._write_files(staging)
            version = f"{VERSION_PREFIX}{time.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"
            os.replace(staging, index_dir / version)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _write_atomically(index_dir / POINTER, version)
        self.version = version
        remove_stale_versions(index_dir, keep=version)
        return version

    def _write_files(self, folder: Path) -> None:
        faiss.write_index(self.vectors, str(folder / "vectors.faiss"))
        np.save(folder / "owners.npy", self.owners)
        np.save(folder / "groups.npy", self.groups)
        if self.signatures is not None:
            np.save(folder / "signatures.npy", self.signatures)
        self.lexical.save(folder / "bm25")
        with open(folder / "passages.jsonl", "w", encoding="utf-8") as out:
            for passage in self.passages:
                record = {name: getattr(passage, name) for name in _PASSAGE_FIELDS}
                out.write(_JSON.encode(record) + "\n")
        # The manifest goes last: a version folder without one was never finished.
        (folder / "manifest.json").write_text(json.dumps(self.manifest, indent=1), encoding="utf-8")
        _sync_folder(folder)

    @classmethod
    def load(cls, index_dir: Path, model: str | None = None, lexical: bool = True) -> "IndexStore":
        """The live version in `index_dir`, checked for completeness and (if given) the model.

        `lexical=False` skips the BM25 index (a build reuses everything else, and re-indexes).
        Raises IndexNotFound, IndexMismatch (another model or format: rebuild) or IndexDamaged.
        """
        version = live_version(index_dir)
        folder = index_dir / version
        manifest = _read_manifest(folder)
        check_compatible(manifest, model, index_dir)
        try:
            passages = _read_passages(folder / "passages.jsonl")
            vectors = faiss.read_index(str(folder / "vectors.faiss"))
            owners = np.load(folder / "owners.npy")
            lexical_index = LexicalIndex.load(folder / "bm25", len(passages)) if lexical else None
            signatures, groups = _optional_array(folder / "signatures.npy"), _optional_array(folder / "groups.npy")
        except (OSError, ValueError, RuntimeError, KeyError, TypeError) as error:
            raise IndexDamaged(index_dir, f"a file of {version} cannot be read ({error})") from error
        store = cls(manifest, passages, vectors, owners, lexical_index, version, signatures, groups)
        store._check_consistent(index_dir)
        return store

    def _check_consistent(self, index_dir: Path) -> None:
        problems = []
        if len(self.passages) != self.manifest.get("passages"):
            problems.append("passage count differs from the manifest")
        if self.vectors.ntotal != len(self.owners) or self.vectors.ntotal != self.manifest.get("vectors"):
            problems.append("vector count differs from the manifest")
        if self.vectors.d != self.manifest.get("dimension"):
            problems.append("vector dimension differs from the manifest")
        if len(self.owners) and (self.owners.min() < 0 or self.owners.max() >= len(self.passages)):
            problems.append("vectors point at passages that do not exist")
        if len(self.groups) != len(self.passages) or (
                self.signatures is not None and len(self.signatures) != len(self.passages)):
            problems.append("near-duplicate records do not match the passages")
        if problems:
            raise IndexDamaged(index_dir, "; ".join(problems))


def live_manifest(index_dir: Path) -> dict:
    """The live version's manifest alone (what the index holds, without loading it); raises
    IndexNotFound, IndexDamaged or IndexMismatch (another format) like IndexStore.load."""
    manifest = _read_manifest(index_dir / live_version(index_dir))
    check_compatible(manifest, None, index_dir)
    return manifest


def live_version(index_dir: Path) -> str:
    """The name of the live version folder; IndexNotFound when there is none."""
    try:
        version = (index_dir / POINTER).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        raise IndexNotFound(index_dir) from None
    except OSError as error:
        raise IndexDamaged(index_dir, f"cannot read {POINTER}: {error}") from error
    if not version.startswith(VERSION_PREFIX) or not (index_dir / version).is_dir():
        raise IndexDamaged(index_dir, f"{POINTER} names a missing version {version!r}")
    return version


def check_compatible(manifest: dict, model: str | None, index_dir: Path) -> None:
    if manifest.get("format_version") != FORMAT_VERSION:
        raise IndexMismatch(
            index_dir, f"it has format version {manifest.get('format_version')}, this program "
            f"reads version {FORMAT_VERSION}")
    if model is not None and manifest.get("model") != model:
        raise IndexMismatch(
            index_dir, f"it was built with the model {manifest.get('model')!r}, not {model!r}")


def remove_stale_versions(index_dir: Path, keep: str) -> None:
    """Remove every version and unfinished build folder but `keep`, and stray pointer files
    (best effort; what a killed build left behind)."""
    for entry in index_dir.iterdir():
        stale_version = entry.name.startswith(VERSION_PREFIX) and entry.name != keep
        if entry.is_dir() and (stale_version or entry.name.startswith(BUILD_PREFIX)):
            shutil.rmtree(entry, ignore_errors=True)
        elif entry.name.startswith(f"{POINTER}.") and entry.name.endswith(".tmp"):
            entry.unlink(missing_ok=True)


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexDamaged(folder.parent, f"its manifest cannot be read ({error})") from error
    if not isinstance(manifest, dict):
        raise IndexDamaged(folder.parent, "its manifest is not a JSON object")
    return manifest


def _optional_array(path: Path) -> np.ndarray | None:
    return np.load(path) if path.exists() else None


def _read_passages(path: Path) -> list[StoredPassage]:
    with open(path, encoding="utf-8") as lines:
        return [StoredPassage(**json.loads(line)) for line in lines]


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_name(f"{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    with open(temporary, "w", encoding="utf-8") as out:
        out.write(text)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)
    _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    for path in [*folder.rglob("*"), folder]:
        flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
        descriptor = os.open(path, flags)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
