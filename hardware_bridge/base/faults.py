"""Faults logged once per episode, not once per sample.

A loose I2C wire fails every second; one warning when it starts and one line when it recovers
keep the log readable and the SD card alive, while the current faults stay visible in the state.
"""

from __future__ import annotations

import logging


class FaultTracker:
    """The faults in force, by key (a chip role, the Docker engine, ...)."""

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._active: dict[str, str] = {}

    def failed(self, key: str, error: BaseException | str, *, level: int = logging.WARNING) -> None:
        """``key`` is failing; logs (at ``level``) only when the fault is new or changes."""
        message = str(error)
        if self._active.get(key) != message:
            # The key in the template: the log throttle tells kinds apart by template, and two
            # faults are two kinds (the engine going away must not hide behind a worker fault).
            self._logger.log(level, key + ": %s", message)
        self._active[key] = message

    def recovered(self, key: str) -> None:
        """``key`` works again."""
        if self._active.pop(key, None) is not None:
            self._logger.info("%s: recovered", key)

    @property
    def active(self) -> dict[str, str]:
        return dict(self._active)
