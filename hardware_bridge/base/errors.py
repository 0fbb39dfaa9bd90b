"""Errors the bridge reports instead of crashing."""

from __future__ import annotations

import errno as errno_module
import os


class BridgeError(Exception):
    """Base of every error the bridge raises on purpose."""


class ReadingError(BridgeError):
    """A chip did not answer after the retries: names the chip and the register."""

    def __init__(self, chip: str, register: str, err: int | None, detail: str = "") -> None:
        self.chip = chip
        self.register = register
        self.errno = err
        reason = detail or (os.strerror(err) if err is not None else "unknown error")
        code = f" [{errno_module.errorcode.get(err, err)}]" if err is not None else ""
        super().__init__(f"{chip}: register {register}: {reason}{code}")


class NotSampledError(BridgeError):
    """The hardware has not been sampled yet: there is no state to show."""


class WriteVerifyError(ReadingError):
    """A register read back something other than what was written."""


class ConfigError(BridgeError):
    """A configuration or scenario file is invalid; the message says where and why."""


class InvalidSettingError(BridgeError, ValueError):
    """A requested setting is out of range or impossible; nothing was written."""
