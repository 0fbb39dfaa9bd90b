"""Request bodies, validated with voluptuous: a malformed body is a 400 that says what is wrong."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import voluptuous as vol

from hardware_bridge.base.validators import number
from hardware_bridge.hardware.drivers.witty_pi import voltage_range


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


def or_null(validator: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``null`` (clear or disable) or what ``validator`` accepts, with its message."""

    def check(value: Any) -> Any:
        return None if value is None else validator(value)

    return check


WORKER_STOP = vol.Schema(
    {
        vol.Optional("drain", default=True): bool,
        vol.Optional("timeout"): number(at_least=1, at_most=86400),
    }
)
WORKER_START = vol.Schema({})
SCHEDULE = vol.Schema(
    {
        vol.Required("next_startup"): or_null(aware_datetime),
        vol.Required("next_shutdown"): or_null(aware_datetime),
    }
)


def low_voltage(model: str | None) -> vol.Schema:
    """A low-voltage setting for the board the bridge has: a Witty Pi 4 L3V7 (one Li-ion cell)
    takes 3.0-4.2 V, the others 2-25 V; an unknown board, the widest range."""
    low, high = voltage_range(model)
    volts = number(at_least=low, at_most=high)
    board = model or "Witty Pi 4"

    def for_the_board(value: Any) -> Any:
        try:
            return or_null(volts)(value)
        except vol.Invalid as err:
            raise vol.Invalid(f"{err.msg} (a {board} takes {low:g}-{high:g} V)") from None

    return vol.Schema(
        {vol.Required("threshold"): for_the_board, vol.Optional("recovery"): for_the_board}
    )


def validate(schema: vol.Schema, body: Any) -> dict[str, Any]:
    """The validated body; raises vol.Invalid with a readable message."""
    if not isinstance(body, dict):
        raise vol.Invalid("the body must be a JSON object")
    result: dict[str, Any] = schema(body)
    return result
