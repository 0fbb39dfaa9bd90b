"""Crash-safe persistence of a small JSON document.

Written to a temporary file in the same directory, fsynced, atomically renamed over the old one,
and the directory fsynced: after a crash or a power cut at any moment the file holds either the
previous document or the new one, never a mix. The Pi runs on a battery that can die mid-write.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

_LOGGER = logging.getLogger(__name__)


class JsonStore:
    """One JSON document on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> dict[str, Any] | None:
        """The stored document, or None when there is none (or it cannot be read)."""
        self._remove_stale_temporaries()
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as err:
            _LOGGER.error("Cannot read %s: %s", self.path, err)
            return None
        try:
            data = json.loads(text)
        except ValueError as err:
            # Atomic writes make this unreachable short of disk damage; keep the evidence aside.
            aside = self.path.with_name(self.path.name + ".corrupt")
            _LOGGER.error("%s is not valid JSON (%s); moved to %s", self.path, err, aside)
            with contextlib.suppress(OSError):
                self.path.replace(aside)
            return None
        return data if isinstance(data, dict) else None

    def _remove_stale_temporaries(self) -> None:
        """Temporary files a crash left behind between writing and renaming."""
        for stale in self.path.parent.glob(f".{self.path.name}.*"):
            with contextlib.suppress(OSError):
                stale.unlink()

    def save(self, document: dict[str, Any]) -> None:
        """Replace the stored document atomically and durably."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(payload)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_directory(self.path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
