"""One small JSON document on disk, checked against its schema when it is read.

Writes are atomic and durable (``hardware_bridge.base.files``). A document that does not parse or
does not fit its schema is set aside as ``<name>.corrupt`` and reported, once, at ERROR and as a
fault the store's owner shows in ``degraded``; the owner starts afresh. A save that fails (a full
disk, no descriptor left) is a fault too, until a save works again. Neither ever raises: the
counters must not stop the bridge, and a silent reset would hide lost energy.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from typing import Any

import voluptuous as vol

from hardware_bridge.base import strict_json
from hardware_bridge.base.faults import FaultTracker
from hardware_bridge.base.files import set_aside, temporary_prefix, write_atomically

_LOGGER = logging.getLogger(__name__)
ANY_OBJECT = vol.Schema(dict)


# The values state files hold. JSON's true and false are never numbers here, though Python's are.
class JsonStore:
    """One JSON document on disk, of the shape ``schema`` accepts.

    ``faults`` is the owner's: a corrupt document shows under the file's name (until the bridge
    restarts), a failing save under ``<name>:save`` (until a save works again). A ``read_only``
    store, beside a running daemon that owns the file, never moves or deletes anything.
    """

    def __init__(
        self,
        path: Path,
        schema: vol.Schema = ANY_OBJECT,
        *,
        faults: FaultTracker | None = None,
        read_only: bool = False,
    ) -> None:
        self.path = path
        self.schema = schema
        self.read_only = read_only
        self.faults = faults if faults is not None else FaultTracker(_LOGGER)
        self.save_fault = f"{path.name}:save"

    def load(self) -> dict[str, Any] | None:
        """The stored document as the schema returns it; None when there is none (or was bad)."""
        if not self.read_only:
            self._remove_stale_temporaries()
        try:
            raw = self.path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as err:  # a directory where the file should be, or unreadable
            self._reject(err.strerror or str(err))
            return None
        try:
            document: dict[str, Any] = self.schema(strict_json.loads(raw))
        except strict_json.JsonError as err:
            self._reject(str(err))
            return None
        except vol.Invalid as err:
            self._reject(f"unexpected content: {err}")
            return None
        return document

    def save(self, document: dict[str, Any]) -> bool:
        """Replace the stored document atomically and durably; False (and a fault) if it failed."""
        payload = strict_json.dumps(document, sort_keys=True, separators=(",", ":")).encode()
        try:
            write_atomically(self.path, payload)
        except OSError as err:
            self.faults.failed(self.save_fault, f"cannot save {self.path}: {err.strerror or err}")
            return False
        self.faults.recovered(self.save_fault)
        return True

    def _reject(self, reason: str) -> None:
        if self.read_only:
            fate = "left in place (read-only)"
        else:
            try:
                fate = f"moved to {set_aside(self.path).name}"
            except OSError as err:
                fate = f"could not be moved aside ({err.strerror or err})"
        self.faults.failed(
            self.path.name,
            f"{self.path} is not a valid state file ({reason}); {fate}; started afresh",
            level=logging.ERROR,
        )

    def _remove_stale_temporaries(self) -> None:
        """Temporary files a crash left behind between writing and renaming."""
        for stale in self.path.parent.glob(f"{temporary_prefix(self.path)}*"):
            with contextlib.suppress(OSError):
                stale.unlink()
