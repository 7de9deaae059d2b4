"""Export files: each written to a folder of its own (so that the download keeps its readable
name) inside one folder of this process, of which only the newest EXPORTS_KEPT are kept.

The page hands an export to Gradio, which copies it into its own cache (cleaned on its own), so an
export is not needed once served; the few newest are kept for downloads still being prepared. The
process's folder is removed when it exits.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
import threading
from collections import deque
from pathlib import Path

EXPORTS_KEPT = 16

_lock = threading.Lock()
_root: Path | None = None
_written: deque[Path] = deque()


def save_export(name: str, text: str) -> Path:
    """Write `text` as file `name` in a folder of its own; the folders of all but the newest
    EXPORTS_KEPT exports are removed."""
    with _lock:
        folder = Path(tempfile.mkdtemp(dir=_exports_root()))
        _written.append(folder)
        while len(_written) > EXPORTS_KEPT:
            shutil.rmtree(_written.popleft(), ignore_errors=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _exports_root() -> Path:
    """This process's folder of exports, made on first use (private to its user)."""
    global _root
    if _root is None or not _root.is_dir():
        _root = Path(tempfile.mkdtemp(prefix="briefing-qa-exports-"))
        atexit.register(shutil.rmtree, _root, ignore_errors=True)
    return _root
