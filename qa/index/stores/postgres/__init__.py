"""The PostgreSQL + pgvector store: `postgresql://` index locations (see backend.py)."""

import threading

_stores: dict = {}
_lock = threading.Lock()


def open_postgres(url: str):
    """The store at a `postgresql://` URL, one per URL per process (it keeps a connection open).

    Imported on first use: psycopg is needed only for `postgresql://` locations.
    """
    try:
        from qa.index.stores.postgres.backend import PostgresStore
    except ImportError as error:
        from qa.errors import QAError

        raise QAError(f"{error.name or 'psycopg'} is not installed, and `postgresql://` indexes need "
                      "it: pip install -r requirements-postgres.txt") from None
    with _lock:
        if url not in _stores:
            _stores[url] = PostgresStore(url)
        return _stores[url]


def _register() -> None:
    from qa.index.stores import register_scheme

    for scheme in ("postgresql", "postgres"):
        register_scheme(scheme, open_postgres)


_register()
