"""The bridge's folders are its layers, and a layer imports only from the layers below it.

The order is written once, in docs/architecture.md's numbered list; this test reads it there, so
the document, the layout and the imports cannot disagree.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.support.dockerd import REPO

PACKAGE = REPO / "hardware_bridge"
ARCHITECTURE = REPO / "docs" / "architecture.md"
# A layer's line: "3. `hardware`: ..." ("11. `cli`, `__main__`: ..." for a layer of two entries).
LAYER_LINE = re.compile(r"^\d+\. (?P<names>`\w+`(?:, `\w+`)*):")


def layers() -> list[list[str]]:
    """The layers, bottom first, each as the package's top-level entries it is made of."""
    lines = ARCHITECTURE.read_text().splitlines()
    matches = [LAYER_LINE.match(line) for line in lines]
    return [re.findall(r"`(\w+)`", match["names"]) for match in matches if match]


def levels() -> dict[str, int]:
    """Each top-level entry of the package (a folder, or a module without .py) to its layer."""
    return {name: level for level, names in enumerate(layers()) for name in names}


def entry(module: str) -> str:
    """The top-level entry a module of the package is in: hardware_bridge.power.soc -> power."""
    return module.split(".")[1]


def imported(path: Path) -> set[str]:
    """Every module of the package that ``path`` imports, in functions too."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "hardware_bridge":  # from hardware_bridge import x: a module x
                names.update(f"hardware_bridge.{alias.name}" for alias in node.names
                             if alias.name != "__version__")  # fmt: skip
            elif node.module.startswith("hardware_bridge."):
                names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("hardware_bridge."))
    return names


def upward_imports(package: Path) -> list[str]:
    """Each import of a module from a layer above the importer's, as 'importer -> imported'."""
    level = levels()
    found = []
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        if module == "hardware_bridge.__init__":  # the version: no layer
            continue
        found += [f"{module} -> {name}" for name in sorted(imported(path))
                  if level[entry(name)] > level[entry(module)]]  # fmt: skip
    return found


def test_the_list_names_every_folder_and_module_of_the_bridge_once():
    listed = [name for names in layers() for name in names]
    present = [path.stem for path in PACKAGE.glob("*.py") if path.name != "__init__.py"]
    present += [path.parent.name for path in PACKAGE.glob("*/__init__.py")]
    assert sorted(listed) == sorted(present)


def test_a_layer_imports_only_from_the_layers_below_it():
    assert upward_imports(PACKAGE) == []


def test_an_upward_import_is_found(tmp_path):
    # The check itself: a module of the lowest layer that imports the API, in a function.
    lowest = layers()[0][0]
    stray = tmp_path / "hardware_bridge" / lowest / "stray.py"
    stray.parent.mkdir(parents=True)
    stray.write_text("def later():\n    from hardware_bridge.api.app import PREFIX\n")
    found = upward_imports(tmp_path / "hardware_bridge")
    assert found == [f"hardware_bridge.{lowest}.stray -> hardware_bridge.api.app"]
