"""One bridge per data directory.

Two bridges on one data directory each count the energy and each save ``power.json`` over the
other's: a counter ends up with half of what went through it, and the worker has two owners.
The first bridge holds a lock on ``DATA_DIR/bridge.lock`` for as long as it lives (the kernel
lets it go when the process ends, however it ends) and writes its pid in it; a second one
stops at once, naming the first.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

from hardware_bridge.base.errors import BridgeError

LOCK_FILE = "bridge.lock"


class DataDirLock:
    """The lock on a data directory, held until ``release`` (or the end of a ``with``)."""

    def __init__(self, data_dir: Path) -> None:
        path = data_dir / LOCK_FILE
        try:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        except OSError as err:
            raise BridgeError(f"cannot open {path}: {err.strerror or err}") from err
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip() or "unknown"
            os.close(fd)
            raise BridgeError(
                f"{data_dir} is in use by another bridge (pid {holder}): one bridge per data "
                "directory, or both would count the same energy and save over each other"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd: int | None = fd

    def __enter__(self) -> DataDirLock:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # the lock goes with the descriptor
            self._fd = None
