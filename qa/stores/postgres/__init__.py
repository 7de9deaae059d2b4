"""The PostgreSQL + pgvector store: `postgresql://` index locations (see backend.py)."""


def open_postgres(url: str):
    """The store at a `postgresql://` URL (imported on first use: psycopg is optional for files)."""
    from .backend import PostgresStore

    return PostgresStore(url)
