"""The worker's contract as docs/worker-contract.md writes it: its tables, read for the tests."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import Path

CONTRACT = Path(__file__).resolve().parents[2] / "docs" / "worker-contract.md"


@dataclass(frozen=True)
class Variable:
    """One row: a variable (or a family, ``IEXEC_SCONE_*``), required or not, its default."""

    pattern: str
    required: bool
    default: str

    def names(self, name: str) -> bool:
        return fnmatch.fnmatchcase(name, self.pattern)


def contract(release: str) -> list[Variable]:
    """The variables of a release's section (``9.x``, ``8.x``)."""
    text = CONTRACT.read_text()
    section = text.split(f"\n## {release}", 1)[1].split("\n## ", 1)[0]
    variables = []
    for row in section.splitlines():
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        if not row.startswith("| `") or len(cells) < 3:
            continue
        default = cells[2].strip("`")
        for name in re.findall(r"`([A-Z0-9_*]+)`", cells[0]):
            variables.append(Variable(name, cells[1] == "yes", default))
    return variables
