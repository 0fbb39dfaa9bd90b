"""What the browser tests share: where their screenshots go."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """``PEW_SCREENSHOTS`` if set (``docs/screenshots`` refreshes the README's), else tmp_path."""
    folder = Path(os.environ.get("PEW_SCREENSHOTS", tmp_path / "screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder
