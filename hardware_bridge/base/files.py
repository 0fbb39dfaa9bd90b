"""The bridge's small state files: written so a power cut never leaves half of one.

A file is written to a temporary file in the same directory, fsynced, atomically renamed over
the old one, and the directory fsynced: after a crash or a power cut at any moment the file holds
either the previous content or the new one, never a mix, never nothing. The Pi runs on a battery
that can die mid-write, and on an SD card that can fill up.

A file that cannot be trusted anyway (a damaged card, a hand edit, a directory where the file
should be) is set aside as ``<name>.corrupt``, for a person to look at, rather than deleted.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

CORRUPT_SUFFIX = ".corrupt"


def temporary_prefix(path: Path) -> str:
    """What the temporary files of ``path`` are named with: hidden, and named for it."""
    return f".{path.name}."


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically and durably; the file is private (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=temporary_prefix(path), dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_directory(path.parent)


def set_aside(path: Path) -> Path:
    """Rename ``path`` (a file or a directory) to ``<name>.corrupt``, over any older one."""
    aside = path.with_name(path.name + CORRUPT_SUFFIX)
    if aside.is_dir() and not aside.is_symlink():
        shutil.rmtree(aside)
    else:
        aside.unlink(missing_ok=True)
    os.replace(path, aside)
    return aside


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
