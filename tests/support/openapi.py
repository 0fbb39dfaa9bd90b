"""Check documents against the bridge's OpenAPI 3.1 schemas (JSON Schema 2020-12)."""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from hardware_bridge.api.app import PREFIX
from tests.support.dockerd import REPO

SPEC = REPO / "hardware_bridge" / "api" / "openapi.json"


@cache
def spec() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(SPEC.read_text())
    return document


def assert_matches(schema_name: str, document: Any) -> None:
    """Raise jsonschema's ValidationError, with the path, when ``document`` does not fit."""
    root = {**spec(), "$ref": f"#/components/schemas/{schema_name}"}
    Draft202012Validator(root, format_checker=FormatChecker()).validate(document)


def response_schema(path: str, method: str, status: int) -> str | None:
    """The component a documented response refers to, or None for an undocumented status."""
    operation = spec()["paths"][f"{PREFIX}{path}"][method.lower()]
    response = operation["responses"].get(str(status))
    if response is None:
        raise AssertionError(f"{method} {path} answered {status}, which the spec does not list")
    content = response.get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref")
    return ref.rsplit("/", 1)[-1] if ref else None
