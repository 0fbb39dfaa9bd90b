"""The README a newcomer follows: every relative link and image it shows exists, and every
``#anchor`` names one of its headings."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

REPO = Path(__file__).resolve().parents[1]
README = REPO / "README.md"
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)


def _prose() -> str:
    """The README without its code: what a reader sees as links."""
    return CODE.sub("", FENCE.sub("", README.read_text()))


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _targets() -> list[str]:
    return [target for target in LINK.findall(_prose()) if not re.match(r"[a-z]+:", target)]


def test_the_readme_has_relative_links_and_images() -> None:
    assert any(target.startswith("docs/screenshots/") for target in _targets())
    assert any(target.startswith("#") for target in _targets())


@pytest.mark.parametrize("target", [t for t in _targets() if not t.startswith("#")])
def test_a_relative_link_or_image_exists(target: str) -> None:
    assert (REPO / unquote(target.split("#", maxsplit=1)[0])).exists(), target


@pytest.mark.parametrize("target", [t for t in _targets() if t.startswith("#")])
def test_an_anchor_names_a_heading(target: str) -> None:
    headings = {_slug(heading) for heading in HEADING.findall(FENCE.sub("", README.read_text()))}
    assert target[1:] in headings, f"{target}: no such heading"
