"""Index stores: `open_store(location)` picks the backend for a location.

A folder path (str or Path) is the files backend (qa.index.stores.files.store). A URL whose scheme a backend
registered with `register_scheme` goes to that backend's factory; "postgresql://" and
"postgres://" import qa.index.stores.postgres on first use, which registers itself.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Callable

from qa.index.stores.base import (AllowedSet, DocumentRecord, NewPassages, SkippedRecord, Store, StoreInfo,
                   StoredPassage, StoreReader, StoreWriter, join_context)

_factories: dict[str, Callable[[str], Store]] = {}
# Backends imported on first use of their scheme; importing one calls register_scheme.
_BACKEND_MODULES = {"postgresql": "qa.index.stores.postgres", "postgres": "qa.index.stores.postgres"}


def register_scheme(scheme: str, factory: Callable[[str], Store]) -> None:
    """Make `open_store("<scheme>://...")` return `factory(location)`."""
    _factories[scheme.lower()] = factory


def index_location(location) -> str | Path:
    """An index location as given: a URL ("scheme://...", str) stays text, since a Path would fold
    its //; anything else (str or Path) is a folder Path."""
    if isinstance(location, Path) or "://" not in str(location):
        return Path(location)
    return str(location)


def open_store(location) -> Store:
    """The store at `location`: a registered URL scheme's backend, else a folder (files backend).

    Raises ValueError for a URL whose scheme no backend registered.
    """
    location = index_location(location)
    if isinstance(location, str):
        scheme = location.partition("://")[0]
        if scheme.lower() not in _factories and scheme.lower() in _BACKEND_MODULES:
            try:
                importlib.import_module(_BACKEND_MODULES[scheme.lower()])
            except ModuleNotFoundError as error:
                if error.name != _BACKEND_MODULES[scheme.lower()]:
                    raise ValueError(f"the {scheme}:// backend needs {error.name}: {error}") from error
        factory = _factories.get(scheme.lower())
        if factory is None:
            raise ValueError(f"no index backend for {scheme}:// locations; use a folder path"
                             + (f" or one of {', '.join(sorted(_factories))}" if _factories else ""))
        return factory(location)
    from qa.index.stores.files.store import FileStore

    return FileStore(location)


__all__ = ["AllowedSet", "DocumentRecord", "NewPassages", "SkippedRecord", "Store", "StoreInfo",
           "StoredPassage", "StoreReader", "StoreWriter", "index_location", "join_context", "open_store",
           "register_scheme"]
