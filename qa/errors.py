"""Errors a user can act on; each message says what to do."""

from __future__ import annotations

from pathlib import Path


class QAError(Exception):
    """Base class of the errors this library raises on purpose."""


def _build_hint(index_dir: Path) -> str:
    return f"python -m qa index --index {index_dir}"


class IndexNotFound(QAError):
    def __init__(self, index_dir: Path):
        super().__init__(
            f"no index in {index_dir}/: build it with `{_build_hint(index_dir)}` "
            "(add --corpus DIR for a corpus folder other than corpus/)"
        )


class IndexMismatch(QAError):
    def __init__(self, index_dir: Path, reason: str):
        super().__init__(
            f"the index in {index_dir}/ cannot be used: {reason}. "
            f"Rebuild it with `{_build_hint(index_dir)} --full`"
        )


class IndexDamaged(QAError):
    def __init__(self, index_dir: Path, reason: str):
        super().__init__(
            f"the index in {index_dir}/ is damaged: {reason}. "
            f"Rebuild it with `{_build_hint(index_dir)} --full`"
        )


class IndexBusy(QAError):
    def __init__(self, index_dir: Path):
        super().__init__(
            f"another build is writing the index in {index_dir}/; try again when it has finished"
        )
