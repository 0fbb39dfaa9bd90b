"""The checks every file the bridge reads and every request body it takes share.

Each check says what it expected and what it got. A bool is never a number: TOML and JSON both
have true and false, and Python would otherwise take True for 1.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import voluptuous as vol

from hardware_bridge.base.errors import ConfigError

T = TypeVar("T")
Check = Callable[[Any], T]

# voluptuous's own words for the mistakes it finds itself, in the words of a TOML file.
_MESSAGES = {
    "expected a dictionary": "expected a table",
    "required key not provided": "required",
}
_UNKNOWN_KEY = "extra keys not allowed"


def _bounds(
    above: float | None, at_least: float | None, below: float | None, at_most: float | None
) -> str:
    if at_least is not None and at_most is not None:
        return f" within {at_least:g}..{at_most:g}"
    words = [
        f"{word} {bound:g}"
        for word, bound in (
            ("greater than", above),
            ("at least", at_least),
            ("less than", below),
            ("at most", at_most),
        )
        if bound is not None
    ]
    return (" " + " and ".join(words)) if words else ""


def number(
    *,
    above: float | None = None,
    at_least: float | None = None,
    below: float | None = None,
    at_most: float | None = None,
) -> Check[float]:
    """A finite number (an integer reads as a float) within the bounds given."""
    expected = f"expected a number{_bounds(above, at_least, below, at_most)}"

    def check(value: Any) -> float:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or (above is not None and value <= above)
            or (at_least is not None and value < at_least)
            or (below is not None and value >= below)
            or (at_most is not None and value > at_most)
        ):
            raise vol.Invalid(f"{expected}, got {value!r}")
        return float(value)

    return check


def whole(*, at_least: int | None = None, at_most: int | None = None) -> Check[int]:
    """An integer within the bounds given."""
    expected = f"expected a whole number{_bounds(None, at_least, None, at_most)}"

    def check(value: Any) -> int:
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or (at_least is not None and value < at_least)
            or (at_most is not None and value > at_most)
        ):
            raise vol.Invalid(f"{expected}, got {value!r}")
        return value

    return check


def i2c_address(value: Any) -> int:
    """A 7-bit address outside the ranges I2C reserves."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0x03 <= value <= 0x77:
        raise vol.Invalid(f"expected a 7-bit I2C address 0x03..0x77, got {value!r}")
    return value


def one_of(choices: Iterable[str]) -> Check[str]:
    """One of a few names."""
    names = tuple(choices)

    def check(value: Any) -> str:
        if value not in names:
            raise vol.Invalid(f"expected one of {', '.join(names)}, got {value!r}")
        return str(value)

    return check


def boolean(value: Any) -> bool:
    """true or false; a number is not a bool (``enabled = 0`` is a mistake, not "off")."""
    if not isinstance(value, bool):
        raise vol.Invalid(f"expected true or false, got {value!r}")
    return value


def text(value: Any) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value:
        raise vol.Invalid(f"expected a non-empty string, got {value!r}")
    return value


def path(value: Any) -> Path:
    """A file or directory name."""
    return Path(text(value))


def text_list(value: Any) -> tuple[str, ...]:
    """A non-empty list of strings (image names, an argv)."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise vol.Invalid(f"expected a list of strings, got {value!r}")
    return tuple(value)


def text_table(value: Any) -> dict[str, str]:
    """A table of strings (environment variables)."""
    if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
        raise vol.Invalid(f"expected a table of strings, got {value!r}")
    return dict(value)


def http_url(value: Any) -> str:
    """An http:// or https:// URL with a host."""
    parts = urlsplit(value) if isinstance(value, str) else None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise vol.Invalid(f"expected an http(s) URL, got {value!r}")
    return str(value)


_ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}")
ZERO_ADDRESS = "0x" + "0" * 40


def eth_address(value: Any) -> str:
    """An account or contract address (0x and 40 hex digits), not the zero address: that is
    the real worker's "not filled in" (its default ``0x0``)."""
    if not isinstance(value, str) or not _ADDRESS.fullmatch(value) or value == ZERO_ADDRESS:
        raise vol.Invalid(f"expected an address (0x and 40 hex digits, not zero), got {value!r}")
    return value


def time_zone(*, local: bool) -> Check[str]:
    """An IANA zone name; with ``local``, also "local" (this machine's zone)."""

    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise vol.Invalid(f"expected a zone name, got {value!r}")
        if local and value == "local":
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as err:
            raise vol.Invalid(f"unknown time zone {value!r}") from err
        return value

    return check


def date_time(value: Any) -> datetime:
    """A TOML date-time (a bare date is its midnight); naive when the file gives no offset."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time())
    if not isinstance(value, datetime):
        raise vol.Invalid(f"expected a TOML date-time, got {value!r}")
    return value


def table(keys: Mapping[Any, Any]) -> vol.Schema:
    """A table that holds only the keys given: a misspelt key is an error, not ignored."""
    return vol.Schema(dict(keys), extra=vol.PREVENT_EXTRA)


def check_file(schema: vol.Schema, document: Any, source: str) -> Any:
    """``document`` through ``schema``; a ConfigError names ``source`` and each key's path."""
    try:
        return schema(document)
    except vol.MultipleInvalid as err:
        raise ConfigError(f"{source}: {describe(err.errors)}") from None


def describe(errors: Sequence[vol.Invalid]) -> str:
    """One line: each mistake after its dotted key path, unknown keys grouped by table."""
    found: list[str] = []
    unknown: dict[str, list[str]] = {}
    for error in errors:
        where = ".".join(str(key) for key in error.path)
        if error.error_message == _UNKNOWN_KEY and error.path:
            parent = ".".join(str(key) for key in error.path[:-1])
            unknown.setdefault(parent, []).append(str(error.path[-1]))
            continue
        found.append(_at(where, _MESSAGES.get(error.error_message, error.error_message)))
    found += [
        _at(where, f"unknown key(s) {', '.join(sorted(keys))}") for where, keys in unknown.items()
    ]
    return "; ".join(sorted(found))


def _at(where: str, message: str) -> str:
    return f"{where}: {message}" if where else message
