"""Which changes are worth a push: each quantity moves by more than its deadband.

Values are compared with the last ones *sent*, so a slow drift is pushed once it adds up. Times
that change on every sample (the sample time, uptime, the RTC) never cause a push by themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

# One name and one default per deadband, end to end: these are the names a SubscribeMessage
# sends, and openapi.json states them with these defaults (a test holds the two equal). Power,
# voltage and state of charge are what Home Assistant records: coarse enough that a day of sun
# is a few hundred recorder rows, fine enough for the Energy dashboard (bench/state_writes.py).
DEFAULT_DEADBANDS: Final[Mapping[str, float]] = {
    "voltage": 0.05,  # V
    "current": 0.01,  # A
    "power": 0.5,  # W
    "soc": 0.5,  # %
    "temperature": 0.5,  # °C
    "energy": 0.1,  # Wh
    "cpu_percent": 5.0,  # % (the worker's of one core, the host's of all)
    "memory_bytes": 1_048_576,
    "disk_bytes": 100_000_000,  # a log-writing Pi would otherwise push every second
}
IGNORED: Final = frozenset({"time", "sampled_at", "uptime", "rtc_time", "read_at"})


def flatten(document: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"battery": {"soc": 50}}`` -> ``{"battery.soc": 50}``."""
    flat: dict[str, Any] = {}
    for key, value in document.items():
        path = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            flat.update(flatten(value, f"{path}."))
        else:
            flat[path] = value
    return flat


def quantity(path: str) -> str | None:
    """The deadband a leaf belongs to, by its name; None for exact comparison."""
    leaf = path.rsplit(".", 1)[-1]
    if path.startswith("energy."):
        return "energy"
    if leaf in DEFAULT_DEADBANDS:
        return leaf
    for name in DEFAULT_DEADBANDS:
        if leaf.endswith(f"_{name}"):
            return name
    return None


def changed(
    sent: Mapping[str, Any], new: Mapping[str, Any], deadbands: Mapping[str, float]
) -> list[str]:
    """The paths in ``new`` that differ from ``sent`` by more than their deadband."""
    paths = []
    for path, value in new.items():
        if path.rsplit(".", 1)[-1] in IGNORED:
            continue
        old = sent.get(path)
        kind = quantity(path)
        numeric = isinstance(value, int | float) and isinstance(old, int | float)
        if kind is not None and numeric and not isinstance(value, bool):
            if abs(value - old) > deadbands.get(kind, 0.0):
                paths.append(path)
        elif path not in sent or old != value:
            paths.append(path)
    paths.extend(path for path in sent if path not in new)
    return paths
