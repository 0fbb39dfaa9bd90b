"""The bridge's own safety rules. They act without Home Assistant and nothing overrides them.

Each guard trips at one threshold and clears only past another (hysteresis), so a battery that
hovers at its floor does not start and stop the worker every few seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from hardware_bridge.base.errors import BridgeError, InvalidSettingError
from hardware_bridge.base.wire import Doc
from hardware_bridge.hardware.readings import Snapshot

BATTERY_LOW = "battery_low"
OVER_TEMPERATURE = "over_temperature"
LOW_VOLTAGE = "low_voltage"


class GuardRefusalError(BridgeError):
    """A command a guard forbids right now; the message gives the reason."""


@dataclass(frozen=True, kw_only=True)
class GuardLimits:
    """The guards' limits, as the ``[guards]`` table sets them and the state shows them."""

    battery_floor: float = 20.0  # % SoC: below it the worker drains and stops
    battery_resume: float = 30.0  # % SoC: the worker may run again from here
    # °C at the SoC, which throttles compute (a Pi 4's firmware at 80 soft, 85 hard); at the
    # Witty Pi's sensor when the SoC's is not there.
    max_temperature: Annotated[
        float,
        Doc(
            "°C at the SoC (host.soc_temperature; the Witty Pi's sensor when the SoC's is "
            "unavailable): above it the worker drains and stops"
        ),
    ] = 75.0
    resume_temperature: Annotated[float, Doc("°C: the worker may run again from here down")] = 65.0
    # Volts above the Witty Pi's low-voltage cut at which the Pi shuts down cleanly first.
    low_voltage_margin: float = 0.2
    drain_timeout: float = 120.0  # how long a guard lets the running task finish


@dataclass(frozen=True, kw_only=True)
class GuardConfig(GuardLimits):
    """The ``[guards]`` table."""

    shutdown_command: tuple[str, ...] = ("systemctl", "poweroff")


@dataclass(frozen=True)
class GuardChange:
    """What one evaluation changed."""

    tripped: tuple[str, ...]
    cleared: tuple[str, ...]

    @property
    def shutdown(self) -> bool:
        return LOW_VOLTAGE in self.tripped


class Guards:
    """The guards in force, evaluated on every snapshot."""

    def __init__(self, config: GuardConfig) -> None:
        self.config = config
        self.tripped: dict[str, str] = {}

    def evaluate(self, snapshot: Snapshot) -> GuardChange:
        """Trip or clear each guard from the latest readings."""
        before = set(self.tripped)
        self._battery(snapshot)
        self._temperature(snapshot)
        self._low_voltage(snapshot)
        after = set(self.tripped)
        return GuardChange(tuple(sorted(after - before)), tuple(sorted(before - after)))

    def refusal(self) -> str | None:
        """Why the worker may not start now, or None."""
        if not self.tripped:
            return None
        return "; ".join(f"{name}: {reason}" for name, reason in sorted(self.tripped.items()))

    def check_start(self, *, wanted: bool) -> None:
        """Refuse a start while a guard is in force, saying what becomes of the owner's wish.

        A refusal changes nothing of what is wanted: a worker that was wanted (and stopped by
        the guard) starts again when the guard clears; one that was not stays stopped.
        """
        if (reason := self.refusal()) is not None:
            if wanted:
                then = "the worker stays wanted and starts when the guard clears"
            else:
                then = "the worker is not wanted: start it again once the guard clears"
            raise GuardRefusalError(f"refused by a guard: {reason}; {then}")

    def _set(self, name: str, trip: bool, clear: bool, reason: str) -> None:
        if trip:
            self.tripped[name] = reason
        elif clear:
            self.tripped.pop(name, None)
        elif name in self.tripped:
            self.tripped[name] = reason  # still in force: keep the figures current

    def _battery(self, snapshot: Snapshot) -> None:
        battery = snapshot.battery
        if battery is None or battery.soc is None:
            return
        c = self.config
        self._set(
            BATTERY_LOW,
            trip=battery.soc < c.battery_floor,
            clear=battery.soc >= c.battery_resume,
            reason=f"state of charge {battery.soc:.1f} % (floor {c.battery_floor:g} %): "
            f"the worker may run again from {c.battery_resume:g} %",
        )

    def _temperature(self, snapshot: Snapshot) -> None:
        host, witty = snapshot.host, snapshot.witty_pi
        if host is not None and host.soc_temperature is not None:
            sensor, celsius = "SoC", host.soc_temperature
        elif witty is not None and witty.temperature is not None:
            sensor, celsius = "Witty Pi", witty.temperature
        else:
            return
        c = self.config
        self._set(
            OVER_TEMPERATURE,
            trip=celsius > c.max_temperature,
            clear=celsius <= c.resume_temperature,
            reason=f"{sensor} temperature {celsius:.1f} °C (ceiling {c.max_temperature:g} °C): "
            f"the worker may run again at {c.resume_temperature:g} °C",
        )

    def _low_voltage(self, snapshot: Snapshot) -> None:
        witty = snapshot.witty_pi
        if witty is None:
            return  # no reading: what was last known holds
        if witty.low_voltage_threshold is None:
            self.tripped.pop(LOW_VOLTAGE, None)  # the cut is off: nothing to shut down before
            return
        volts = supply_volts(snapshot)
        if volts is None:
            return
        threshold = witty.low_voltage_threshold
        margin = self.config.low_voltage_margin
        resume = witty.recovery_voltage or threshold + 3 * margin
        self._set(
            LOW_VOLTAGE,
            trip=volts < threshold + margin,
            clear=volts >= resume,
            reason=f"battery {volts:.2f} V (Witty Pi cut {threshold:g} V, margin {margin:g} V): "
            f"the worker may run again from {resume:g} V",
        )


def supply_volts(snapshot: Snapshot | None) -> float | None:
    """The voltage the Witty Pi's cut compares: the battery's, else the board's input."""
    if snapshot is None:
        return None
    if snapshot.battery is not None:
        return snapshot.battery.voltage
    return snapshot.witty_pi.input_voltage if snapshot.witty_pi else None


def check_low_voltage_setting(
    threshold: float | None, recovery: float | None, battery_volts: float | None, margin: float
) -> None:
    """Refuse a cut that would power the Pi off at once, or a recovery at or below the cut."""
    if threshold is None:
        return
    if battery_volts is not None and battery_volts < threshold + margin:
        raise InvalidSettingError(
            f"a cut at {threshold:g} V would shut the Pi down now: the battery is at "
            f"{battery_volts:.2f} V and the bridge shuts down {margin:g} V above the cut; "
            f"choose a cut below {battery_volts - margin:.2f} V"
        )
    if recovery is not None and recovery <= threshold:
        raise InvalidSettingError(
            f"the recovery voltage ({recovery:g} V) must be above the cut ({threshold:g} V): "
            "give a recovery voltage above the cut with it"
        )
