"""Connections to the index database, and the one-line errors for what can go wrong with them."""

from __future__ import annotations

from contextlib import contextmanager

import psycopg
from pgvector.psycopg import register_vector

from qa.index.stores.postgres.errors import DatabaseLost, DatabaseUnavailable, ExtensionMissing
from qa.index.stores.postgres.schema import migrate

CONNECT_TIMEOUT_S = 10
# HNSW candidate list for dense search, pgvector's maximum; readers lower it for a question
# without filters as the index's size allows (PostgresReader.dense_top), and iterative scans keep
# going past filtered-out rows.
HNSW_EF_SEARCH = 1000


def connect(url: str, *, autocommit: bool = True) -> psycopg.Connection:
    """A connection to `url` with the vector types registered and the schema up to date.

    Raises DatabaseUnavailable, ExtensionMissing or SchemaTooNew, each with a one-line message.
    """
    try:
        connection = psycopg.connect(url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S,
                                     application_name="briefing-qa")
    except psycopg.Error as error:
        raise DatabaseUnavailable(url, _first_line(error)) from None
    try:
        with lost_guard(url):
            _ensure_vector_extension(connection, url)
            register_vector(connection)
            migrate(connection)
            connection.execute(f"SET hnsw.ef_search = {HNSW_EF_SEARCH}")
            connection.execute("SET hnsw.iterative_scan = relaxed_order")
        connection.autocommit = autocommit
    except BaseException:
        connection.close()
        raise
    return connection


def _ensure_vector_extension(connection: psycopg.Connection, url: str) -> None:
    installed = connection.execute(
        "SELECT 1 FROM pg_extension WHERE extname = 'vector'").fetchone()
    if installed:
        return
    try:
        connection.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except (psycopg.errors.InsufficientPrivilege, psycopg.errors.FeatureNotSupported,
            psycopg.errors.UndefinedFile):
        raise ExtensionMissing(url) from None


@contextmanager
def lost_guard(url: str):
    """Turn a connection that breaks inside the block into DatabaseLost (one line)."""
    try:
        yield
    except psycopg.OperationalError as error:
        raise DatabaseLost(url, _first_line(error)) from None


def _first_line(error: Exception) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__
