"""Secrets and names kept in the data directory: the API token and the device id."""

from __future__ import annotations

import os
import secrets
import uuid
from pathlib import Path

TOKEN_FILE = "token"  # noqa: S105  (the file name, not the token)
DEVICE_ID_FILE = "device_id"


def _create_private(path: Path, content: str) -> bool:
    """Write ``content`` to a new file only the owner can read; False if it already exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(content + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return True


def load_or_create_token(data_dir: Path) -> tuple[str, bool]:
    """The API token, generated on first start; True when it was just created."""
    path = data_dir / TOKEN_FILE
    created = _create_private(path, secrets.token_urlsafe(32))
    path.chmod(0o600)  # also tightens a token file someone copied in with looser rights
    return path.read_text(encoding="utf-8").strip(), created


def load_or_create_device_id(data_dir: Path) -> str:
    """A stable id for this bridge: Home Assistant's unique id for it."""
    path = data_dir / DEVICE_ID_FILE
    _create_private(path, uuid.uuid4().hex[:16])
    return path.read_text(encoding="utf-8").strip()
