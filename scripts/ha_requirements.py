"""The pip requirements of Home Assistant integrations and all they depend on, as Home Assistant
itself would install them at start: read from the manifests of the installed release.

    python ha_requirements.py DOMAIN_OR_MANIFEST...

prints one requirement a line. A name is a built-in integration's domain; a path is a custom
integration's manifest.json; ``defaults`` stands for what Home Assistant sets up on every start
whatever the configuration says (its bootstrap's default integrations: recent releases set up
every base entity platform, text-to-speech and cameras included). Run with the Python of the
Home Assistant to read.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import homeassistant.components
from homeassistant import bootstrap


def _manifest(domain: str) -> dict[str, Any]:
    builtin = Path(homeassistant.components.__path__[0]) / domain / "manifest.json"
    loaded: dict[str, Any] = json.loads(builtin.read_text())
    return loaded


def requirements(names: list[str]) -> list[str]:
    """Every requirement of ``names`` and of the integrations they depend on."""
    domains = [n for n in names if not n.endswith(".json") and n != "defaults"]
    if "defaults" in names:
        domains += sorted(_started_by_default())
    todo = [json.loads(Path(n).read_text()) for n in names if n.endswith(".json")]
    todo += [_manifest(domain) for domain in domains]
    seen: set[str] = set()
    found: list[str] = []
    while todo:
        manifest = todo.pop()
        domain = str(manifest["domain"])
        if domain in seen:
            continue
        seen.add(domain)
        found += [r for r in manifest.get("requirements", []) if r not in found]
        for dependency in manifest.get("dependencies", []) + manifest.get("after_dependencies", []):
            todo.append(_manifest(dependency))
    return found


def _started_by_default() -> set[str]:
    """What bootstrap sets up without being configured (the supervisor's and discovery's only
    where they are configured or found: not here)."""
    return {
        *bootstrap.CORE_INTEGRATIONS,
        *bootstrap.LOGGING_AND_HTTP_DEPS_INTEGRATIONS,
        *bootstrap.FRONTEND_INTEGRATIONS,
        *bootstrap.DEFAULT_INTEGRATIONS,
        "recorder",
    }


if __name__ == "__main__":
    print("\n".join(requirements(sys.argv[1:])))
