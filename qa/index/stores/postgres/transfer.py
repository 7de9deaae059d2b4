"""Copy an index from one store to another without embedding anything again: typically a file
index into PostgreSQL when a deployment outgrows one machine.

    python -m qa.index.stores.postgres.transfer index postgresql://user@host/dbname

Everything is read through the source's published version and written in one build of the
target (replacing what it held), so the target's passages, vectors, BM25 statistics and
near-duplicate groups are those of the source.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np

from qa.errors import QAError
from qa.index.stores import NewPassages, StoreReader, StoreWriter, open_store

DOCUMENTS_PER_READ = 256


def copy_index(source, target) -> tuple[int, float]:
    """Copy the published index at `source` to `target`; returns (passages copied, seconds)."""
    started = time.perf_counter()
    copied = 0
    with open_store(source).reader() as reader:
        info = reader.info()
        with open_store(target).writer(info.model, info.dimension, fresh=True) as writer:
            records = reader.documents()
            sources = sorted(records)
            for start in range(0, len(sources), DOCUMENTS_PER_READ):
                copied += _copy_documents(reader, writer, records, sources[start:start + DOCUMENTS_PER_READ])
            writer.set_skipped(reader.skipped())
            writer.publish()
    return copied, time.perf_counter() - started


def _copy_documents(reader: StoreReader, writer: StoreWriter, records: dict, sources: list[str]) -> int:
    ids = reader.passage_ids(sources)
    passages = reader.passages(ids)
    contexts = [passage.context for passage in passages]
    texts = [passage.text for passage in passages]
    vectors = reader.vectors_by_context(contexts)
    tokens = reader.tokens_by_context(contexts)
    signatures = reader.signatures_by_text(texts)
    by_source: dict[str, list] = {}
    for passage in passages:
        by_source.setdefault(passage.source, []).append(passage)
    for source in sources:
        group = by_source.get(source, [])  # in id order: the order they were added
        if not group:
            continue
        windows = [vectors[passage.context] for passage in group]
        writer.add_document(records[source], NewPassages(
            passages=group, vectors=np.concatenate(windows).astype(np.float32),
            owners=np.repeat(np.arange(len(group)), [len(w) for w in windows]),
            tokens=[tokens[passage.context] for passage in group],
            signatures=np.array([signatures[passage.text] for passage in group], dtype=np.uint32)))
    return len(passages)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m qa.index.stores.postgres.transfer",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("source", help="index folder or URL to copy from")
    parser.add_argument("target", help="index folder or URL to copy to (replaced)")
    args = parser.parse_args(argv)
    try:
        copied, seconds = copy_index(args.source, args.target)
    except QAError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(f"copied {copied} passages in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
