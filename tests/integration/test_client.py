"""The client's models are the bridge's OpenAPI schemas; a document that does not fit says where."""

from __future__ import annotations

import copy
import types
import typing
from collections.abc import Iterator, Mapping
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

import pytest

from custom_components.positive_energy_worker.errors import BridgeDocumentError, NotABridgeError
from custom_components.positive_energy_worker.models import (
    BridgeDevice,
    BridgeState,
    Health,
    LowVoltage,
    Schedule,
    WorkerStatus,
    parse,
)
from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request
from tests.support.openapi import spec

JSON_TYPES = {float: "number", int: "integer", str: "string", bool: "boolean", datetime: "string"}


def resolved(schema: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """A property's schema without ``$ref`` and null alternatives, and whether it may be null."""
    if "$ref" in schema:
        schema = spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    if "oneOf" in schema:
        others = [s for s in schema["oneOf"] if s != {"type": "null"}]
        return resolved(others[0])[0], len(others) < len(schema["oneOf"])
    kinds = schema.get("type", [])
    nullable = "null" in kinds or None in schema.get("enum", [])
    return schema, nullable


def mismatches(model: type, schema: dict[str, Any], path: str) -> list[str]:
    """Where ``model`` and the schema disagree: a field missing, optional, nullable or typed
    otherwise."""
    found = []
    hints = typing.get_type_hints(model)
    for field in fields(model):
        where = f"{path}.{field.name}"
        if field.name not in schema.get("required", []):
            found.append(f"{where}: not a required property of the schema")
            continue
        prop, nullable = resolved(schema["properties"][field.name])
        hint, args = hints[field.name], typing.get_args(hints[field.name])
        optional = typing.get_origin(hint) is types.UnionType and type(None) in args
        if optional:
            (hint,) = (a for a in args if a is not type(None))
        if optional != nullable:
            found.append(f"{where}: nullable {nullable} in the schema, optional {optional} here")
        if is_dataclass(hint):
            found += mismatches(hint, prop, where)
        elif typing.get_origin(hint) is Mapping:
            if prop.get("additionalProperties", {}).get("type") != "string":
                found.append(f"{where}: not an object of strings in the schema")
        elif "enum" not in prop and "const" not in prop:
            kinds = prop["type"] if isinstance(prop["type"], list) else [prop["type"]]
            if JSON_TYPES[hint] not in kinds:
                found.append(f"{where}: {kinds} in the schema, {hint.__name__} here")
            if hint is datetime and prop.get("format") != "date-time":
                found.append(f"{where}: no date-time in the schema")
    return found


@pytest.mark.parametrize(
    ("model", "schema"),
    [
        (Health, "Health"),
        (BridgeDevice, "Device"),
        (BridgeState, "State"),
        (WorkerStatus, "Worker"),
        (Schedule, "Schedule"),
        (LowVoltage, "LowVoltage"),
    ],
)
def test_each_model_is_its_openapi_schema_field_for_field(model: type, schema: str) -> None:
    assert mismatches(model, spec()["components"]["schemas"][schema], schema) == []


@pytest.fixture(scope="module")
def one_bridge(tmp_path_factory) -> Iterator[BridgeProcess]:
    """One bridge for the module: its documents are read, never changed."""
    tmp = tmp_path_factory.mktemp("client")
    config = write_config(tmp / "b.toml", docker_url=f"unix://{tmp}/none", tmp=tmp)
    process = BridgeProcess(tmp / "data", config=config).start()
    yield process
    process.stop()


@pytest.fixture
async def state_document(one_bridge) -> dict[str, Any]:
    status, document = await request(one_bridge, "GET", "/state")
    assert status == 200
    return document


@pytest.mark.usefixtures("socket_enabled")
async def test_a_real_state_parses_into_the_model(state_document) -> None:
    state = parse(BridgeState, state_document, "state")
    assert state.battery is not None
    assert state.battery.soc == state_document["battery"]["soc"]
    assert state.witty_pi is not None
    assert isinstance(state.witty_pi.rtc_time, datetime)
    assert state.worker.state == state_document["worker"]["state"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["battery"].pop("soc"), "state.battery.soc: missing"),
        (
            lambda d: d["battery"].update(voltage="13.2"),
            "state.battery.voltage: expected a number, got str '13.2'",
        ),
        (
            lambda d: d["worker"].update(tasks_running=True),
            "state.worker.tasks_running: expected an integer, got bool True",
        ),
        (
            lambda d: d["witty_pi"].update(next_startup="tomorrow"),
            "state.witty_pi.next_startup: expected an ISO 8601 time, got 'tomorrow'",
        ),
        (lambda d: d.update(energy=None), "state.energy: expected an object, got null"),
        (
            lambda d: d["guards"].update(tripped={"battery_low": 3}),
            "state.guards.tripped: expected an object of text",
        ),
        (
            lambda d: d["worker"].update(state="sleeping"),
            "state.worker.state: expected one of not_created, starting, running, draining, "
            "stopped, error, got str 'sleeping'",
        ),
    ],
)
@pytest.mark.usefixtures("socket_enabled")
async def test_a_document_that_does_not_fit_names_the_field(
    state_document, change, message
) -> None:
    document = copy.deepcopy(state_document)
    change(document)
    with pytest.raises(BridgeDocumentError) as refused:
        parse(BridgeState, document, "state")
    assert str(refused.value).startswith(message)
    assert isinstance(refused.value, NotABridgeError)  # the config flow says "not a bridge"
