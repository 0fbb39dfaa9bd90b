"""How the bridge's typed documents travel: what a field means on the wire, and its JSON form.

A document is a frozen dataclass; a field that says more than its type (a unit, a bound, a
pattern) carries a :class:`Doc` in its annotation (``Annotated[float, Doc(...)]``). The OpenAPI
document's schemas are generated from these (``api/openapi.py``), and :func:`to_json` turns a
document into JSON at the edge, so the type, the schema and the JSON cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class Doc:
    """What the OpenAPI schema says of a field beyond its type. ``enum`` narrows a text field
    whose values are a table elsewhere (the chemistries)."""

    description: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    enum: tuple[str, ...] | None = None

    def keywords(self) -> dict[str, Any]:
        """The JSON Schema keywords this adds, bounds before the description."""
        found = {
            "minimum": self.minimum,
            "maximum": self.maximum,
            "pattern": self.pattern,
            "description": self.description,
        }
        return {key: value for key, value in found.items() if value is not None}


def to_json(value: Any) -> Any:
    """A document as JSON values: dataclasses as objects, datetimes as ISO 8601, enums as their
    values, all the way down."""
    if is_dataclass(value) and not isinstance(value, type):
        return {field.name: to_json(getattr(value, field.name)) for field in fields(value)}
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, Mapping):
        return {key: to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value
