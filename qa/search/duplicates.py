"""Near-duplicate paragraphs: the same wire text reused across briefings with small differences.

Two paragraphs are near-duplicates when their words, case and punctuation aside, are the same, or
when both have at least MIN_WORDS words and their word sequences agree to MIN_SIMILARITY (difflib's
ratio: one changed word in ten is 0.9). Candidates are found with MinHash over word 3-grams and
locality-sensitive hashing (BANDS bands of ROWS hashes), then checked exactly; groups are the
connected pairs. Signatures depend only on a paragraph's text, so a build reuses them.
"""

from __future__ import annotations

import re
import zlib
from difflib import SequenceMatcher

import numpy as np

MIN_WORDS = 8
MIN_SIMILARITY = 0.9
BANDS, ROWS = 16, 4
HASHES = BANDS * ROWS
SHINGLE = 3
_rng = np.random.default_rng(20251125)
_MULTIPLIERS = _rng.integers(0, 2**64 - 1, HASHES, dtype=np.uint64, endpoint=True) | np.uint64(1)
_OFFSETS = _rng.integers(0, 2**64 - 1, HASHES, dtype=np.uint64, endpoint=True)
_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    """The words of `text`, case-folded, punctuation dropped."""
    return _WORD.findall(text.casefold())


def signature(text: str) -> np.ndarray:
    """The MinHash signature (HASHES uint32 values) of the text's word 3-grams."""
    tokens = words(text)
    shingles = [" ".join(tokens[i:i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))]
    hashes = np.array([zlib.crc32(shingle.encode("utf-8")) for shingle in shingles], dtype=np.uint64)
    # Multiply-shift hashing: with random 64-bit a and b, the high half of a*x + b (mod 2^64) is a
    # universal hash of x; the wrap-around is what makes the HASHES functions independent.
    mixed = (hashes[:, None] * _MULTIPLIERS + _OFFSETS) >> np.uint64(32)
    return mixed.min(axis=0).astype(np.uint32)


def signatures(texts: list[str]) -> np.ndarray:
    """One signature row per text."""
    if not texts:
        return np.zeros((0, HASHES), dtype=np.uint32)
    return np.stack([signature(text) for text in texts])


def near_duplicate_groups(texts: list[str], rows: np.ndarray) -> np.ndarray:
    """A group number for each text (its signature is `rows[i]`): equal numbers mark near-duplicates.

    A text alone in its group gets its own position as its number.
    """
    parents = np.arange(len(texts))
    words_of = _cached_words(texts)

    for first, second in _candidate_pairs(rows):
        if _find(parents, first) == _find(parents, second):
            continue
        if _similar(words_of(first), words_of(second)):
            _union(parents, first, second)
    return np.array([_find(parents, i) for i in range(len(texts))], dtype=np.int64)


def _candidate_pairs(rows: np.ndarray) -> list[tuple[int, int]]:
    """Pairs of rows (lower first) that agree on all ROWS hashes of at least one band.

    Each member of a bucket is paired with the bucket's first member and with its predecessor,
    not with every other member: a big bucket of look-alikes stays linear, and groups still connect.
    """
    pairs = []
    for band in range(BANDS):
        keys = band_keys(rows[:, band * ROWS:(band + 1) * ROWS])
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        same_as_previous = np.concatenate([[False], ordered[1:] == ordered[:-1]])
        run_start = np.maximum.accumulate(np.where(same_as_previous, 0, np.arange(len(keys))))
        members = np.flatnonzero(same_as_previous)
        pairs.append(np.stack([order[run_start[members]], order[members]], axis=1))
        pairs.append(np.stack([order[members - 1], order[members]], axis=1))
    if not pairs:
        return []
    unique = np.unique(np.sort(np.concatenate(pairs), axis=1), axis=0)
    return [(int(a), int(b)) for a, b in unique if a != b]


def band_keys(band: np.ndarray) -> np.ndarray:
    """One 64-bit key per row of a band (a collision only costs one extra exact check)."""
    keys = np.zeros(len(band), dtype=np.uint64)
    for column in range(band.shape[1]):
        keys = keys * np.uint64(0x9E3779B97F4A7C15) + band[:, column].astype(np.uint64)
    return keys


def _similar(first: list[str], second: list[str]) -> bool:
    if first == second:
        return True
    if min(len(first), len(second)) < MIN_WORDS:
        return False
    shorter, longer = sorted((len(first), len(second)))
    if 2 * shorter / (shorter + longer) < MIN_SIMILARITY:  # the best ratio the lengths allow
        return False
    matcher = SequenceMatcher(None, first, second, autojunk=False)
    return matcher.quick_ratio() >= MIN_SIMILARITY and matcher.ratio() >= MIN_SIMILARITY


def _find(parents: np.ndarray, item: int) -> int:
    while parents[item] != item:
        parents[item] = parents[parents[item]]
        item = parents[item]
    return int(item)


def _union(parents: np.ndarray, first: int, second: int) -> None:
    root_first, root_second = _find(parents, first), _find(parents, second)
    if root_first != root_second:
        parents[max(root_first, root_second)] = min(root_first, root_second)


def grouped_with(texts: list[str], rows: np.ndarray, ids: np.ndarray,
                 neighbours: list[tuple[int, int, str]]) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Group keys for new texts (signatures `rows`, passage ids `ids`, ascending) joining groups
    already stored, and the links that join stored groups to each other.

    `neighbours` are candidate pairs (new position, stored group key, stored text) found by LSH;
    each is checked exactly. A new text's key is the smallest stored key its group joined, else the
    smallest id of its new group; a link (key, into) records that stored group `key` is now `into`.
    """
    parents = np.arange(len(texts))
    words_of = _cached_words(texts)

    for first, second in _candidate_pairs(rows):
        if _find(parents, first) != _find(parents, second) and _similar(words_of(first), words_of(second)):
            _union(parents, first, second)
    roots = np.array([_find(parents, i) for i in range(len(texts))], dtype=np.int64)
    joined: dict[int, set[int]] = {}
    for position, key, text in neighbours:
        root = int(roots[position])
        if key not in joined.get(root, ()) and _similar(words_of(position), words(text)):
            joined.setdefault(root, set()).add(key)
    keys = np.asarray(ids, dtype=np.int64)[roots]
    links = []
    for root, stored in joined.items():
        into = min(stored)
        keys[roots == root] = into
        links += [(key, into) for key in sorted(stored) if key != into]
    return keys, links


def _cached_words(texts: list[str]):
    """A function giving the words of `texts[position]`, each text split once."""
    sequences: dict[int, list[str]] = {}

    def words_of(position: int) -> list[str]:
        if position not in sequences:
            sequences[position] = words(texts[position])
        return sequences[position]

    return words_of
