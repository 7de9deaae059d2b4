"""The files backend: an index folder of immutable segments (store.py) read by reader.py and
written by writer.py; segment.py, segment_bm25.py, dense.py and merging.py are its pieces."""

from qa.index.stores.files.store import FileStore

__all__ = ["FileStore"]
