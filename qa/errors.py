"""Errors a user can act on; each message says what to do."""

from __future__ import annotations

import errno
import functools
import re
from pathlib import Path
from typing import Callable


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
    def __init__(self, index_dir: Path, holder: str = ""):
        holder = f" ({holder})" if holder else ""
        super().__init__(
            f"another build{holder} is writing the index in {index_dir}/; try again when it has finished"
        )


class BuildCancelled(QAError):
    """A build was cancelled (qa.index.cancellation) before it published: the index is as it was."""

    def __init__(self):
        super().__init__("the build was cancelled; the index is as it was before it")


class IndexNotWritable(QAError):
    """The index folder cannot be written: the disk is full, or the folder is read-only.

    The previous index, if any, is still in place and still answers questions.
    """

    def __init__(self, index_dir: Path, reason: str):
        super().__init__(f"cannot write the index in {index_dir}/: {reason}")
        self.read_only = reason == _READ_ONLY


_DISK_FULL = "the disk is full; free some space, then rebuild (the previous index is still in use)"
_READ_ONLY = ("the folder is read-only; make it writable, or choose a writable folder with "
              "--index DIR")
_DISK_FULL_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY_ERRNOS = {errno.EROFS, errno.EACCES, errno.EPERM}
# What numpy and FAISS say for a short write, having no errno: "38976 requested and 17376
# written" (numpy), "... fwrite ... 17376 != 38976 ..." or "... No space left on device" (FAISS).
_SHORT_WRITE = re.compile(r"requested and \d+ written|No space left on device|fwrite|write error",
                          re.IGNORECASE)


def write_error(index_dir: Path, error: BaseException) -> IndexNotWritable | None:
    """The IndexNotWritable that `error`, met while building `index_dir`, stands for: a full disk
    or a read-only folder; None when it is neither."""
    code = getattr(error, "errno", None)
    if code in _DISK_FULL_ERRNOS:
        return IndexNotWritable(index_dir, _DISK_FULL)
    if code in _READ_ONLY_ERRNOS and _names_within(error, index_dir):
        return IndexNotWritable(index_dir, _READ_ONLY)
    if isinstance(error, (OSError, RuntimeError)) and _SHORT_WRITE.search(str(error)):
        return IndexNotWritable(index_dir, _DISK_FULL)
    return None


def _names_within(error: BaseException, folder: Path) -> bool:
    """Whether the file an OSError names (if it names one) lies in `folder`."""
    name = getattr(error, "filename", None)
    if name is None:
        return True
    path, folder = Path(str(name)).resolve(), folder.resolve()
    return path == folder or folder in path.parents


def explaining_write_errors(build: Callable) -> Callable:
    """Decorate a `build(corpus_dir, index_dir, ...)` so that a full disk or a read-only index
    folder raise IndexNotWritable (one line, no server paths) instead of raw OS or FAISS errors."""

    @functools.wraps(build)
    def wrapper(corpus_dir="corpus", index_dir="index", *args, **kwargs):
        try:
            return build(corpus_dir, index_dir, *args, **kwargs)
        except (OSError, RuntimeError) as error:
            explained = write_error(Path(index_dir), error)
            if explained is None:
                raise
            raise explained from error

    return wrapper
