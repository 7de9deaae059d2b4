"""Where the library looks when no folder is given: $QA_CORPUS and $QA_INDEX when set, else the
working directory's ./corpus and ./index. The command line and the web app share these defaults."""

from __future__ import annotations

import os


def default_corpus() -> str:
    """The corpus folder when none is given: $QA_CORPUS, else ./corpus."""
    return os.environ.get("QA_CORPUS") or "corpus"


def default_index() -> str:
    """The index folder when none is given: $QA_INDEX, else ./index."""
    return os.environ.get("QA_INDEX") or "index"
