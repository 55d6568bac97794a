"""Write-then-rename: a reader, or a run killed at any moment, sees the old file or the new
one, never part of one. Every file graphkit writes for later reading goes through here
(configs, metrics, results, checkpoints, embedding and pair caches, trust records)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import IO, Callable


def write_atomic(path: Path, write: Callable[[IO], None], binary: bool = True) -> None:
    """Calls ``write(file)`` on a temporary file beside ``path`` (same file system, so the
    final rename is atomic), then renames it to ``path``; the temporary file is removed on
    any failure (a full disk included) and the error is raised."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb" if binary else "w") as f:
            write(f)
        os.replace(tmp, path)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        if e.filename is None:  # a failed write() names no file: name the one being written
            raise OSError(e.errno, e.strerror, str(path)) from None
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_text_atomic(path: Path, text: str) -> None:
    """``path`` holds ``text`` after the call, written atomically (:func:`write_atomic`)."""
    write_atomic(path, lambda f: f.write(text), binary=False)
