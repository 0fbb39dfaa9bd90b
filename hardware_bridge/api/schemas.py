"""Request bodies, validated with voluptuous: a malformed body is a 400 that says what is wrong."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import voluptuous as vol


def aware_datetime(value: Any) -> datetime:
    """An ISO 8601 date-time with a UTC offset."""
    if not isinstance(value, str):
        raise vol.Invalid("expected an ISO 8601 date-time string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as err:
        raise vol.Invalid(f"not an ISO 8601 date-time: {value!r}") from err
    if moment.tzinfo is None:
        raise vol.Invalid("the date-time needs a UTC offset (e.g. +02:00 or Z)")
    return moment


def _number(low: float, high: float) -> vol.All:
    return vol.All(
        vol.Any(int, float, msg="expected a number"),
        vol.Range(min=low, max=high),
    )


WORKER_STOP = vol.Schema(
    {
        vol.Optional("drain", default=True): bool,
        vol.Optional("timeout"): _number(1, 86400),
    }
)
WORKER_START = vol.Schema({})
SCHEDULE = vol.Schema(
    {
        vol.Required("next_startup"): vol.Any(None, aware_datetime),
        vol.Required("next_shutdown"): vol.Any(None, aware_datetime),
    }
)
LOW_VOLTAGE = vol.Schema(
    {
        vol.Required("threshold"): vol.Any(None, _number(2.0, 25.0)),
        vol.Optional("recovery"): vol.Any(None, _number(2.0, 25.0)),
    }
)


def validate(schema: vol.Schema, body: Any) -> dict[str, Any]:
    """The validated body; raises vol.Invalid with a readable message."""
    if not isinstance(body, dict):
        raise vol.Invalid("the body must be a JSON object")
    result: dict[str, Any] = schema(body)
    return result
