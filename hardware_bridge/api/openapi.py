"""The OpenAPI document's schemas, generated from the bridge's typed documents.

``openapi.json`` is written by hand where it says what no model holds (the paths, the request
bodies, the event messages) and generated where it describes a document the bridge builds:
each schema in :data:`COMPONENTS` is its model, field for field, with the model's types,
nullability and :class:`~hardware_bridge.base.wire.Doc` bounds. ``hardware-bridge openapi --output``
rewrites the file; a test holds the committed file equal to the generated one, so a field added
to a model and not to the document (or the reverse) fails.
"""

from __future__ import annotations

import json
import types
import typing
from dataclasses import fields, is_dataclass
from datetime import datetime
from enum import Enum
from importlib import resources
from typing import Annotated, Any, Final

from hardware_bridge.base.wire import Doc
from hardware_bridge.hardware.readings import (
    BatteryReading,
    HostReading,
    SolarReading,
    Throttling,
    WittyPiReading,
)
from hardware_bridge.power.counters import Energy
from hardware_bridge.runtime.documents import (
    BatteryInfo,
    Chip,
    DeviceDocument,
    ErrorDocument,
    GuardsDocument,
    Health,
    LowVoltage,
    Schedule,
    StateDocument,
    WittyPiInfo,
)
from hardware_bridge.worker.status import WorkerStatus
from hardware_bridge.worker.supervisor import GuardHoldReport

Schema = dict[str, Any]

# components/schemas that are models, by name. A model inside another is referred to by its name
# here, so each one the documents hold must be listed.
COMPONENTS: Final[dict[str, type]] = {
    "Error": ErrorDocument,
    "Health": Health,
    "Chip": Chip,
    "WittyPiInfo": WittyPiInfo,
    "BatteryInfo": BatteryInfo,
    "Device": DeviceDocument,
    "Solar": SolarReading,
    "Battery": BatteryReading,
    "WittyPi": WittyPiReading,
    "Throttling": Throttling,
    "Host": HostReading,
    "Energy": Energy,
    "Worker": WorkerStatus,
    "GuardHold": GuardHoldReport,
    "Guards": GuardsDocument,
    "State": StateDocument,
    "Schedule": Schedule,
    "LowVoltage": LowVoltage,
}
_NAMES: Final = {model: name for name, model in COMPONENTS.items()}
_SCALARS: Final[dict[object, str]] = {
    float: "number",
    int: "integer",
    bool: "boolean",
    str: "string",
}


def committed() -> Schema:
    """The document as the package holds it (and ``/openapi.json`` serves it)."""
    document: Schema = json.loads(committed_text())
    return document


def committed_text() -> str:
    return resources.files("hardware_bridge.api").joinpath("openapi.json").read_text()


def generated(base: Schema) -> Schema:
    """``base`` with each model's schema generated afresh; the rest left as it is."""
    schemas = dict(base["components"]["schemas"])
    schemas.update({name: object_schema(model) for name, model in COMPONENTS.items()})
    return {**base, "components": {**base["components"], "schemas": schemas}}


def text(document: Schema) -> str:
    """The file's form: two-space indents, text as written (°C, not \\u00b0C)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def object_schema(model: type) -> Schema:
    """A model's schema: every field required (the bridge always sends it), no others."""
    hints = typing.get_type_hints(model, include_extras=True)
    schema: Schema = {"type": "object"}
    described: Doc | None = getattr(model, "wire_doc", None)
    if described is not None:
        schema.update(described.keywords())
    properties = {field.name: property_schema(hints[field.name]) for field in fields(model)}
    schema.update(properties=properties, required=list(properties), additionalProperties=False)
    return schema


def property_schema(hint: Any) -> Schema:
    """One field's schema from its annotation: its kind, whether it may be null, its Docs."""
    docs: list[Doc] = []
    if typing.get_origin(hint) is Annotated:
        hint, *extras = typing.get_args(hint)
        docs = [extra for extra in extras if isinstance(extra, Doc)]
    args = typing.get_args(hint)
    nullable = typing.get_origin(hint) in (typing.Union, types.UnionType) and type(None) in args
    if nullable:
        (hint,) = (arg for arg in args if arg is not type(None))
    values = next((doc.enum for doc in docs if doc.enum is not None), None) or _values(hint)
    schema = _choice(values, nullable) if values is not None else _kind(hint, nullable)
    for doc in docs:
        schema.update(doc.keywords())
    return schema


def _values(hint: Any) -> tuple[object, ...] | None:
    """The values a Literal or an enum allows; None for any other type."""
    if typing.get_origin(hint) is typing.Literal:
        return typing.get_args(hint)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return tuple(member.value for member in hint)
    return None


def _choice(values: tuple[object, ...], nullable: bool) -> Schema:
    if len(values) == 1 and not nullable:
        return {"const": values[0]}
    return {"enum": [*values, None] if nullable else list(values)}


def _kind(hint: Any, nullable: bool) -> Schema:
    """The schema of a type that is not a choice of values."""
    if isinstance(hint, type) and is_dataclass(hint):
        if hint not in _NAMES:
            raise TypeError(f"{hint.__name__} is in a document but not in COMPONENTS")
        ref = {"$ref": f"#/components/schemas/{_NAMES[hint]}"}
        return {"oneOf": [ref, {"type": "null"}]} if nullable else ref
    if hint is datetime:
        # Null beside a string, not in its type list: with the format on a list, Schemathesis
        # takes a null for a malformed time, and a schedule cleared with null would be "wrong".
        time = {"type": "string", "format": "date-time"}
        return {"oneOf": [time, {"type": "null"}]} if nullable else time
    if hint in _SCALARS:
        return {"type": _typed(_SCALARS[hint], nullable)}
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is dict and args == (str, str):
        return {"type": _typed("object", nullable), "additionalProperties": {"type": "string"}}
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return {"type": _typed("array", nullable), "items": _kind(args[0], nullable=False)}
    raise TypeError(f"no JSON schema for {hint!r}")


def _typed(kind: str, nullable: bool) -> str | list[str]:
    return [kind, "null"] if nullable else kind
