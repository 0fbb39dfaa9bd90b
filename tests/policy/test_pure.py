"""Every module of the integration that says "Pure Python" is: the standard library and other
pure modules only, and it loads with neither Home Assistant nor any other package installed.

The policy, the surplus arithmetic, the settings, the idle rules, the documents and the ledger
are pure so that the benchmark and the tests run the very code a home runs, without a Home
Assistant: a claim in a docstring is held here, module by module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "custom_components" / "positive_energy_worker"
CLAIM = "Pure Python"


def _docstring(path: Path) -> str:
    return ast.get_docstring(ast.parse(path.read_text())) or ""


PURE = tuple(sorted(path.stem for path in PACKAGE.glob("*.py") if CLAIM in _docstring(path)))


def _imports(name: str) -> tuple[set[str], set[str]]:
    """The top-level packages ``name`` imports, and the sibling modules it imports."""
    tree = ast.parse((PACKAGE / f"{name}.py").read_text())
    packages, siblings = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            packages |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level:
            siblings.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            packages.add((node.module or "").split(".")[0])
    return packages, siblings


def test_the_claim_is_made_where_it_is_relied_on():
    """The benchmark imports these without Home Assistant: their claim must stay."""
    assert {
        "policy",
        "surplus",
        "settings",
        "idle",
        "models",
        "errors",
        "chain_ledger",
        "reserve",
    } <= set(PURE)


@pytest.mark.parametrize("name", PURE)
def test_imports_only_the_standard_library_and_pure_siblings(name: str):
    packages, siblings = _imports(name)
    # _typeshed exists only for the type checker (imported under TYPE_CHECKING).
    assert packages <= set(sys.stdlib_module_names) | {"__future__", "_typeshed"}, packages
    assert siblings <= set(PURE), f"{name} imports {sorted(siblings - set(PURE))}, not pure"


# Loads the pure modules as a package whose __init__ never runs (the real one sets Home
# Assistant up), with every import outside the standard library refused.
CHILD = """
import importlib.abc, importlib.machinery, sys, types

class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        top = name.split(".")[0]
        if top == "pure" or top in sys.stdlib_module_names:
            return None
        raise ImportError(f"not the standard library: {name}")

sys.meta_path.insert(0, Refuse())
package = types.ModuleType("pure")
package.__path__ = [sys.argv[1]]
sys.modules["pure"] = package
for name in sys.argv[2:]:
    importlib.import_module(f"pure.{name}")
print("ok")
"""


def test_they_load_with_nothing_but_the_standard_library():
    result = subprocess.run(
        [sys.executable, "-I", "-c", CHILD, str(PACKAGE), *PURE],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.strip() == "ok", result.stderr


def test_the_check_refuses_a_module_that_is_not_pure(tmp_path: Path):
    """The loader above fails on a third-party import (else the test could not fail)."""
    (tmp_path / "impure.py").write_text('"""Pure Python."""\nimport voluptuous\n')
    result = subprocess.run(
        [sys.executable, "-I", "-c", CHILD, str(tmp_path), "impure"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "not the standard library: voluptuous" in result.stderr
