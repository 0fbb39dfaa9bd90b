"""The repository itself: what a fresh clone gets must work on any machine."""

from __future__ import annotations

import subprocess
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_no_tracked_link_points_outside_the_clone():
    # A worktree's link to another checkout's venv, committed by mistake, made a fresh clone's
    # setup install into that checkout and a later checkout there delete its venv.
    listing = subprocess.run(
        ["git", "ls-files", "-s"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    links = [line.split("\t", 1)[1] for line in listing.splitlines() if line.startswith("120000")]
    outside = [path for path in links if not (ROOT / path).resolve().is_relative_to(ROOT.resolve())]
    assert outside == []
    assert not {".venv", ".venv311"} & set(links)
