"""Secrets and names kept in the data directory: the API token and the device id.

Each is one line in a private file (0600), written atomically: a disk that fills up or a power
cut while it is written leaves no file rather than an empty one. A file that is there but holds
no usable value (empty, not UTF-8, a directory, malformed, cut short) is set aside as
``<name>.corrupt`` and
a new value is made and announced. If that cannot be written either, the bridge does not start:
it never serves without a token, and never under an empty name.
"""

from __future__ import annotations

import logging
import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from hardware_bridge.base.errors import BridgeError
from hardware_bridge.base.files import set_aside, write_atomically
from hardware_bridge.runtime.documents import DEVICE_ID_PATTERN

_LOGGER = logging.getLogger(__name__)
TOKEN_FILE = "token"  # noqa: S105  (the file name, not the token)
DEVICE_ID_FILE = "device_id"


@dataclass(frozen=True)
class IdentityFile:
    """A value kept in a file of the data directory: its form, and how a new one is made."""

    file: str
    what: str
    pattern: re.Pattern[str]
    make: Callable[[], str]
    # Exactly what ``make`` makes. The bridge writes a value with its end of line: a value
    # without one is whole only in this form, otherwise it was cut short (a copy that stopped
    # halfway, a damaged card) and would be used, wrong, without a word.
    made: re.Pattern[str]


# RFC 6750's b64token, long enough to be worth guessing at: what secrets.token_urlsafe makes.
API_TOKEN = IdentityFile(
    TOKEN_FILE,
    "API token",
    re.compile(r"[A-Za-z0-9._~+/-]{16,512}=*"),
    lambda: secrets.token_urlsafe(32),
    re.compile(r"[A-Za-z0-9_-]{43}"),
)
# It names the bridge in mDNS (``pew-<id>.local.``): letters, digits and hyphens.
DEVICE_ID = IdentityFile(
    DEVICE_ID_FILE,
    "device id",
    re.compile(DEVICE_ID_PATTERN),
    lambda: uuid.uuid4().hex[:16],
    re.compile(r"[0-9a-f]{16}"),
)


def load_or_create_token(data_dir: Path) -> tuple[str, bool]:
    """The API token; True when it was just made (first start, or the old one was unusable)."""
    return load_or_create(data_dir, API_TOKEN)


def load_or_create_device_id(data_dir: Path) -> str:
    """A stable id for this bridge: Home Assistant's unique id for it."""
    return load_or_create(data_dir, DEVICE_ID)[0]


def load_or_create(data_dir: Path, kept: IdentityFile) -> tuple[str, bool]:
    """The value in ``secret``'s file, or a new one written there; True when it is new."""
    path = data_dir / kept.file
    value, problem = _read(path, kept)
    if value is not None:
        _make_private(path)
        return value, False
    value = kept.make()
    try:
        if problem is not None:
            aside = set_aside(path)
            _LOGGER.error("%s: %s; set aside as %s, made a new %s", path, problem, aside, kept.what)
        write_atomically(path, f"{value}\n".encode())
    except OSError as err:
        raise BridgeError(
            f"cannot write the {kept.what} to {path}: {err.strerror or err}; "
            "the bridge does not start without one"
        ) from err
    return value, True


def _make_private(path: Path) -> None:
    """Tighten a file someone copied in with looser rights."""
    try:
        path.chmod(0o600)
    except OSError as err:
        _LOGGER.warning("%s: cannot make it private (%s)", path, err.strerror or err)


def _read(path: Path, kept: IdentityFile) -> tuple[str | None, str | None]:
    """(the value, None), or (None, what is wrong with the file), or (None, None): no file."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, None
    except OSError as err:
        return None, f"unreadable ({err.strerror or err})"
    return _value(raw, kept)


def _value(raw: bytes, kept: IdentityFile) -> tuple[str | None, str | None]:
    try:
        value = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return None, "not UTF-8 text"
    problem = None
    if not value:
        problem = "empty"
    elif not kept.pattern.fullmatch(value):
        problem = f"not a valid {kept.what}"
    elif not raw.endswith(b"\n") and not kept.made.fullmatch(value):
        problem = "cut short (no end of line, and not as long as the bridge makes one)"
    return (None, problem) if problem else (value, None)
