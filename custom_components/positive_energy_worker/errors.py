"""The bridge client's errors: what went wrong talking to a bridge, from the caller's side.

Pure Python."""

from __future__ import annotations


class BridgeClientError(Exception):
    """Base of the client's errors."""


class BridgeConnectionError(BridgeClientError):
    """The bridge does not answer (down, rebooting, wrong address)."""


class BridgeAuthError(BridgeClientError):
    """The token was refused."""


class NotABridgeError(BridgeClientError):
    """Something answered, but it is not a hardware bridge."""


class BridgeDocumentError(NotABridgeError):
    """A document lacks a field of the contract, or has it with the wrong type."""


class BridgeRefusedError(BridgeClientError):
    """The bridge understood and refused (a guard, a bad value, the worker's state)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
