"""The index in PostgreSQL + pgvector, behind the store contract (qa.index.stores.base).

`open_store("postgresql://user:password@host:5432/dbname")` makes a PostgresStore; the schema is
created or migrated on first use (qa.index.stores.postgres.schema). Many processes on many machines may
share one database: each reads a published version through its own snapshot, and builds take
turns (qa.index.stores.postgres.writer).
"""

from __future__ import annotations

import threading

import psycopg

from qa.errors import IndexMismatch, IndexNotFound
from qa.index.stores.base import Store
from qa.index.stores.postgres.connection import connect, lost_guard
from qa.index.stores.postgres.errors import DatabaseLost, redacted
from qa.index.stores.postgres.reader import PostgresReader
from qa.index.stores.postgres.writer import PostgresWriter

SCHEMES = ("postgresql", "postgres")


class PostgresStore(Store):
    """The index in the database at `url` (a libpq connection URL)."""

    def __init__(self, url: str):
        self.url = url
        self._connection: psycopg.Connection | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"PostgresStore({redacted(self.url)!r})"

    def version(self) -> str:
        generation = self._meta().get("generation", 0)
        if not generation:
            raise IndexNotFound(redacted(self.url))
        return f"g{generation}"

    def reader(self, model: str | None = None) -> PostgresReader:
        connection = connect(self.url)
        try:
            with lost_guard(self.url):
                connection.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                meta = _read_meta(connection)
            if not meta.get("generation"):
                raise IndexNotFound(redacted(self.url))
            if model is not None and meta.get("model") != model:
                raise IndexMismatch(redacted(self.url), f"it was built with the model "
                                    f"{meta.get('model')!r}, not {model!r}")
        except BaseException:
            connection.close()
            raise
        meta["version"] = f"g{meta['generation']}"
        return PostgresReader(connection, self.url, meta)

    def live_model(self) -> tuple[str, int] | None:
        meta = self._meta()
        model, dimension = meta.get("model"), meta.get("dimension")
        if not meta.get("generation") or not isinstance(model, str) or not isinstance(dimension, int):
            return None
        return model, dimension

    def writer(self, model: str, dimension: int, *, fresh: bool = False) -> PostgresWriter:
        meta = self._meta()
        fresh = fresh or meta.get("model") != model or meta.get("dimension") != dimension
        previous = None if fresh or not meta.get("generation") else self.reader(model)
        try:
            return PostgresWriter(connect(self.url, autocommit=True), self.url, model, dimension,
                                  fresh, previous)
        except BaseException:
            if previous is not None:
                previous.close()
            raise

    def _meta(self) -> dict:
        """qa_meta as a dict, through this store's own connection: opened once, and opened again
        (once) when the server dropped it since the last call."""
        with self._lock:
            for attempt in (1, 2):
                if self._connection is None or self._connection.closed:
                    self._connection = connect(self.url)
                try:
                    with lost_guard(self.url):
                        return _read_meta(self._connection)
                except DatabaseLost:
                    self._connection.close()
                    if attempt == 2:
                        raise


def _read_meta(connection) -> dict:
    return dict(connection.execute("SELECT key, value FROM qa_meta").fetchall())
