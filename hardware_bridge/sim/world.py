"""The simulated world: sun, panel, battery and Pi, wired to emulated chips on an emulated bus.

``advance()`` catches the physics up with the clock in steps of at most a minute, then writes
what the chips would measure into them, so the drivers read the simulation exactly as they read
real hardware.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from hardware_bridge.emulated.bus import EmulatedBus
from hardware_bridge.emulated.chip import EmulatedChip
from hardware_bridge.emulated.ina219 import Ina219Emulator
from hardware_bridge.emulated.ina226 import Ina226Emulator
from hardware_bridge.emulated.max17048 import Max17048Emulator
from hardware_bridge.emulated.witty_pi import L3V7, WittyPi4Emulator
from hardware_bridge.hardware.config import MonitorConfig
from hardware_bridge.hardware.drivers.register_device import DEFAULT_RETRY, RetryPolicy
from hardware_bridge.hardware.sampler import Hardware, rtc_zone
from hardware_bridge.sim.battery import Battery, Flow
from hardware_bridge.sim.clock import Clock
from hardware_bridge.sim.host import SimulatedHost
from hardware_bridge.sim.load import supply_volts
from hardware_bridge.sim.scenario import Scenario
from hardware_bridge.sim.solar import SolarDay, solar_day

MAX_STEP_SECONDS = 60.0
# A Pi in a box in the sun runs warmer than the air around it.
ENCLOSURE_RISE_C = 8.0


@dataclass(frozen=True)
class Totals:
    """Energy (Wh) since the simulation started."""

    solar: float = 0.0
    load: float = 0.0
    battery_in: float = 0.0
    battery_out: float = 0.0
    curtailed: float = 0.0

    def plus(self, flow: Flow, seconds: float) -> Totals:
        hours = seconds / 3600.0
        battery_w = flow.battery_current * flow.battery_voltage
        return Totals(
            solar=self.solar + flow.panel_power * hours,
            load=self.load + flow.load_power * hours,
            battery_in=self.battery_in + max(battery_w, 0.0) * hours,
            battery_out=self.battery_out + max(-battery_w, 0.0) * hours,
            curtailed=self.curtailed + flow.curtailed_power * hours,
        )


@dataclass(frozen=True)
class Truth:
    """The simulated physical state now, and the energy totals."""

    time: datetime
    soc: float
    battery_voltage: float
    battery_current: float
    solar_power: float
    solar_voltage: float
    solar_current: float
    load_power: float
    curtailed_power: float
    air_temperature: float
    enclosure_temperature: float
    pi_powered: bool
    pi_supply_voltage: float  # the 5 V rail; it sags when the battery cannot hold it
    cpu_share: float  # 0..1 of all cores busy with the worker
    energy: Totals


def _monitor_chip(monitor: MonitorConfig) -> Ina219Emulator | Ina226Emulator | Max17048Emulator:
    if monitor.chip == "max17048":
        return Max17048Emulator(monitor.address)
    chip = Ina219Emulator if monitor.chip == "ina219" else Ina226Emulator
    return chip(monitor.address, monitor.shunt_ohms)


class Simulation:
    """A scenario running on a clock."""

    def __init__(self, scenario: Scenario, clock: Clock) -> None:
        self.scenario = scenario
        self.clock = clock
        hardware = scenario.hardware
        self.battery = Battery(
            hardware.battery.pack, scenario.initial_soc, scenario.charge_controller
        )
        self.cpu_share = 0.0
        self._day: SolarDay | None = None
        chips: list[EmulatedChip] = []
        self.solar_chip = _monitor_chip(hardware.solar) if hardware.solar else None
        monitor = hardware.battery.monitor
        self.battery_chip = _monitor_chip(monitor) if monitor else None
        self.witty: WittyPi4Emulator | None = None
        if hardware.witty_pi is not None:
            self.witty = WittyPi4Emulator(
                clock.now,
                hardware.witty_pi.address,
                firmware_id=scenario.witty_pi_firmware_id,
                # The zone the driver will read the RTC in, so the two agree.
                rtc_timezone=rtc_zone(hardware.witty_pi.rtc_timezone),
            )
        chips.extend(c for c in (self.solar_chip, self.battery_chip, self.witty) if c)
        self.bus = EmulatedBus(chips)
        now = clock.now()
        self._last = now
        self.truth = self._settle(now, self._flow(now, 0.0), Totals())

    def hardware(
        self,
        *,
        data_dir: Path | None = None,
        read_only: bool = False,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> Hardware:
        """The bridge's hardware on this world's chips, catching the world up before each sample."""
        return Hardware(
            self.scenario.hardware,
            self.bus,
            clock=self.clock.now,
            data_dir=data_dir,
            retry=retry,
            simulated=True,
            read_only=read_only,
            before_sample=self.advance,
            worker_load=self.set_worker_cpu,
            host=SimulatedHost(lambda: self.truth, self.scenario.thermal),
        )

    def set_worker_cpu(self, share: float) -> None:
        """The worker's CPU use, 0..1 of all cores: the Pi draws more."""
        self.cpu_share = min(max(share, 0.0), 1.0)

    @property
    def pi_powered(self) -> bool:
        return self.witty.pi_powered if self.witty else True

    def _solar(self, moment: datetime) -> tuple[float, float, float]:
        utc = moment.astimezone(UTC)
        day: date = utc.date()
        if self._day is None or self._day.day != day:
            s = self.scenario
            self._day = solar_day(s.site, s.panel, s.weather, day)
        return self._day.at(utc)

    def _flow(self, moment: datetime, seconds: float) -> Flow:
        power, voltage, _ = self._solar(moment)
        load = self.scenario.load.watts(self.cpu_share, self.pi_powered)
        return self.battery.step(seconds, power, voltage, load)

    def advance(self) -> Truth:
        """Run the physics up to the clock's now and update every chip."""
        now = self.clock.now()
        totals = self.truth.energy
        while (gap := (now - self._last).total_seconds()) > 0:
            seconds = min(gap, MAX_STEP_SECONDS)
            moment = self._last + (now - self._last) * (seconds / gap)
            middle = self._last + (moment - self._last) / 2
            totals = totals.plus(self._flow(middle, seconds), seconds)
            self._last = moment
            if self.witty:
                self.witty.tick()
        self.truth = self._settle(now, self._flow(now, 0.0), totals)
        return self.truth

    def _settle(self, now: datetime, flow: Flow, totals: Totals) -> Truth:
        """Publish the instantaneous state to the chips and to ``truth``."""
        _, _, air = self._solar(now)
        enclosure = air + ENCLOSURE_RISE_C
        boost = self.scenario.witty_pi_firmware_id == L3V7
        supply = supply_volts(flow.battery_voltage, boost=boost) if self.pi_powered else 0.0
        if isinstance(self.solar_chip, Ina219Emulator | Ina226Emulator):
            self.solar_chip.set_inputs(flow.panel_voltage, flow.panel_current)
        if isinstance(self.battery_chip, Ina219Emulator | Ina226Emulator):
            self.battery_chip.set_inputs(flow.battery_voltage, flow.battery_current)
        elif isinstance(self.battery_chip, Max17048Emulator):
            pack = self.battery.pack
            rate = 100.0 * flow.battery_current / pack.capacity_ah
            self.battery_chip.set_inputs(flow.battery_voltage / pack.cells, self.battery.soc, rate)
        if self.witty:
            current = flow.load_power / supply if supply > 0 else 0.0
            self.witty.set_inputs(flow.battery_voltage, supply, current, enclosure)
        return Truth(
            time=now,
            soc=self.battery.soc,
            battery_voltage=flow.battery_voltage,
            battery_current=flow.battery_current,
            solar_power=flow.panel_power,
            solar_voltage=flow.panel_voltage,
            solar_current=flow.panel_current,
            load_power=flow.load_power,
            curtailed_power=flow.curtailed_power,
            air_temperature=air,
            enclosure_temperature=enclosure,
            pi_powered=self.pi_powered,
            pi_supply_voltage=supply,
            cpu_share=self.cpu_share,
            energy=totals,
        )
