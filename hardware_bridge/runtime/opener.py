"""Open the hardware, real or simulated, the way every command needs it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from hardware_bridge.base.errors import BridgeError
from hardware_bridge.hardware.bus import open_bus
from hardware_bridge.hardware.config import HardwareConfig
from hardware_bridge.hardware.host import LinuxHost
from hardware_bridge.hardware.sampler import Hardware


@dataclass(frozen=True)
class Simulate:
    """What ``--simulate`` asks for: a scenario, and a clock start or speed that override its."""

    scenario: str = "default"
    start: datetime | None = None
    speed: float | None = None


@contextmanager
def open_hardware(
    *,
    wiring: HardwareConfig,
    simulate: Simulate | None,
    data_dir: Path | None,
    read_only: bool = False,
) -> Iterator[Hardware]:
    """A ready ``Hardware`` on ``wiring``; with ``simulate``, the scenario's own chips and clock."""
    if simulate is not None:
        # Imported here: the simulation pulls pvlib, numpy and pandas, which a Pi never needs.
        from hardware_bridge.sim.clock import ScaledClock  # noqa: PLC0415
        from hardware_bridge.sim.scenario import load_scenario, with_clock  # noqa: PLC0415
        from hardware_bridge.sim.world import Simulation  # noqa: PLC0415

        scenario = with_clock(load_scenario(simulate.scenario), simulate.start, simulate.speed)
        start = scenario.clock.start or datetime.now(scenario.zone)
        clock = ScaledClock(start, scenario.clock.speed)
        hardware = Simulation(scenario, clock).hardware(data_dir=data_dir, read_only=read_only)
    else:
        try:
            bus = open_bus(wiring.bus)
        except OSError as err:
            raise BridgeError(
                f"cannot open /dev/i2c-{wiring.bus}: {err.strerror or err} "
                "(enable I2C with dtparam=i2c_arm=on, or use --simulate)"
            ) from err
        hardware = Hardware(
            wiring,
            bus,
            clock=lambda: datetime.now(UTC),
            data_dir=data_dir,
            read_only=read_only,
            host=LinuxHost(disk=data_dir or Path("/")),
        )
    try:
        yield hardware
    finally:
        hardware.close()
