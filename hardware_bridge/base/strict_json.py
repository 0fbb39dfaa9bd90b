"""JSON as RFC 8259 defines it, within bounds, both ways.

What the bridge reads from a client (a request body, a WebSocket message) or from its own state
files is checked before anything looks at it: UTF-8 text, nested at most ``MAX_DEPTH`` deep,
integers of at most 64 bits, finite numbers, no ``NaN`` or ``Infinity``. Python's json
module takes all of those (and recurses until the interpreter gives up), so a hostile or damaged
document would otherwise fail deep inside whatever uses it. What the bridge writes is standard
JSON too: ``dumps`` refuses NaN and Infinity instead of writing them.
"""

from __future__ import annotations

import functools
import json
import math
import re
from typing import Any, Final

MAX_DEPTH: Final = 32
# A signed 64-bit integer: what JSON libraries commonly hold as an integer, and room for the
# nanosecond timestamps of the worker's log cursor.
MAX_INTEGER: Final = 2**63 - 1
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")

dumps = functools.partial(json.dumps, allow_nan=False)


class JsonError(ValueError):
    """The text is not JSON the bridge takes; the message says why."""


def loads(data: str | bytes) -> Any:
    """The JSON value in ``data``; raises JsonError with a reason a person can act on."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as err:
            raise JsonError(f"not UTF-8 text: {err.reason} at byte {err.start}") from None
    if _depth(data) > MAX_DEPTH:
        raise JsonError(f"nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(
            data,
            parse_int=_integer,
            parse_float=_finite,
            parse_constant=_no_constant,
        )
    except JsonError:
        raise
    except ValueError as err:
        raise JsonError(f"not valid JSON: {err}") from None


def loads_object(data: str | bytes) -> dict[str, Any]:
    """The JSON object in ``data``; JsonError for anything else."""
    value = loads(data)
    if not isinstance(value, dict):
        raise JsonError(f"expected a JSON object, got {type(value).__name__}")
    return value


def _depth(text: str) -> int:
    """How deep arrays and objects nest, outside strings (stops counting past the limit)."""
    depth = deepest = 0
    for bracket in _BRACKET.finditer(_STRING.sub("", text)):
        if bracket.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        else:
            depth -= 1
    return deepest


def _shown(literal: str) -> str:
    return literal if len(literal) <= 24 else f"{literal[:20]}... ({len(literal)} characters)"


def _integer(literal: str) -> int:
    # The length first: converting thousands of digits is slow by itself.
    if len(literal.lstrip("-")) > len(str(MAX_INTEGER)) or abs(int(literal)) > MAX_INTEGER:
        raise JsonError(f"integer out of range (more than 64 bits): {_shown(literal)}")
    return int(literal)


def _finite(literal: str) -> float:
    value = float(literal)
    if not math.isfinite(value):
        raise JsonError(f"number out of range: {_shown(literal)}")
    return value


def _no_constant(literal: str) -> Any:
    raise JsonError(f"{literal} is not a JSON number")
