"""The policy and surplus modules stand alone: no Home Assistant, importable on their own."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "custom_components" / "positive_energy_worker"
PURE = ("policy.py", "surplus.py")


@pytest.mark.parametrize("name", PURE)
def test_imports_only_the_standard_library(name: str):
    tree = ast.parse((PACKAGE / name).read_text())
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "no relative imports: the module must load alone"
            imported.add((node.module or "").split(".")[0])
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


CHILD = """
import importlib.util, sys
from pathlib import Path
for path in sys.argv[1:]:
    name = Path(path).stem
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
loaded = [m for m in sys.modules if m.startswith("homeassistant")]
print(loaded or "ok")
"""


def test_loads_without_home_assistant():
    paths = [str(PACKAGE / name) for name in PURE]
    result = subprocess.run(
        [sys.executable, "-c", CHILD, *paths], capture_output=True, text=True, check=False
    )
    assert result.stdout.strip() == "ok", result.stderr
