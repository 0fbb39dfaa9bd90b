"""The OpenAPI document's schemas are the bridge's typed documents, generated from them."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, make_dataclass
from datetime import datetime
from typing import Annotated, Literal

import pytest

from hardware_bridge.api import openapi
from hardware_bridge.base.wire import Doc
from hardware_bridge.power.counters import Energy
from tests.support.openapi import SPEC

REGENERATE = "hardware-bridge openapi --output hardware_bridge/api/openapi.json"


def test_the_committed_document_is_the_one_the_models_generate():
    done = subprocess.run(
        [sys.executable, "-m", "hardware_bridge", "openapi"],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    assert done.stdout == SPEC.read_text(), f"the models changed: run {REGENERATE}"


def test_a_field_added_to_a_model_alone_makes_the_document_disagree(monkeypatch):
    grown = make_dataclass("Energy", [("curtailed", float)], bases=(Energy,), frozen=True)
    monkeypatch.setitem(openapi.COMPONENTS, "Energy", grown)
    committed = openapi.committed()
    schema = openapi.generated(committed)["components"]["schemas"]["Energy"]
    assert schema["properties"]["curtailed"] == {"type": "number"}
    assert "curtailed" in schema["required"]
    assert openapi.text(openapi.generated(committed)) != SPEC.read_text()


def test_the_state_carries_no_errors_beside_degraded():
    state = openapi.committed()["components"]["schemas"]["State"]
    assert "errors" not in state["properties"]
    assert "degraded" in state["required"]


@dataclass(frozen=True)
class Sample:
    reading: Annotated[float | None, Doc("W", minimum=0)]
    when: datetime | None
    source: Literal["a", "b"] | None
    kind: Literal["only"]
    labels: dict[str, str]
    energy: Energy | None


def test_a_field_is_typed_nullable_and_bounded_as_its_annotation_says():
    properties = openapi.object_schema(Sample)["properties"]
    assert properties == {
        "reading": {"type": ["number", "null"], "minimum": 0, "description": "W"},
        "when": {"oneOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
        "source": {"enum": ["a", "b", None]},
        "kind": {"const": "only"},
        "labels": {"type": "object", "additionalProperties": {"type": "string"}},
        "energy": {"oneOf": [{"$ref": "#/components/schemas/Energy"}, {"type": "null"}]},
    }


@dataclass(frozen=True)
class Unnamed:
    value: float


@dataclass(frozen=True)
class Holder:
    inner: Unnamed


def test_a_model_inside_a_document_must_have_a_schema_of_its_own():
    with pytest.raises(TypeError, match="Unnamed is in a document but not in COMPONENTS"):
        openapi.object_schema(Holder)
