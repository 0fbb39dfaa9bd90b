"""The hardware as one object: drivers built from the config, sampled on their own intervals.

This is the bridge's library entry point. It reads each chip when its poll interval is due (the
Witty Pi slowly: its EEPROM wears with every changed measurement), feeds power accounting,
persists the energy counters after every sample, and turns chip failures into reported faults
instead of exceptions.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hardware_bridge.base.errors import BridgeError, ConfigError
from hardware_bridge.base.faults import FaultTracker
from hardware_bridge.base.store import JsonStore
from hardware_bridge.hardware.bus import I2CBus
from hardware_bridge.hardware.config import HardwareConfig, MonitorConfig
from hardware_bridge.hardware.drivers.ina2xx import Ina2xx
from hardware_bridge.hardware.drivers.ina219 import Ina219
from hardware_bridge.hardware.drivers.ina226 import Ina226
from hardware_bridge.hardware.drivers.max17048 import Max17048
from hardware_bridge.hardware.drivers.register_device import DEFAULT_RETRY, RetryPolicy
from hardware_bridge.hardware.drivers.witty_pi import WittyPi4, WittyPiIdentity
from hardware_bridge.hardware.host import HostReader
from hardware_bridge.hardware.readings import BatteryReading, Snapshot, SolarReading, WittyPiReading
from hardware_bridge.power.accounting import POWER_FILE, PowerAccounting

_LOGGER = logging.getLogger(__name__)

STATE_FILE = "power.json"
Clock = Callable[[], datetime]
T = TypeVar("T")


def rtc_zone(name: str) -> tzinfo:
    """The zone the Witty Pi's RTC keeps: "local" is this machine's, like UUGear's daemon."""
    if name == "local":
        local = datetime.now().astimezone().tzinfo
        assert local is not None  # astimezone() always attaches one
        return local
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise ConfigError(f"hardware.witty_pi.rtc_timezone: unknown time zone {name!r}") from err


def current_monitor(bus: I2CBus, config: MonitorConfig, retry: RetryPolicy) -> Ina2xx:
    """The INA219 or INA226 driver a monitor table names."""
    driver = Ina219 if config.chip == "ina219" else Ina226
    return driver(bus, config.address, config.shunt_ohms, config.max_current, retry=retry)


@dataclass
class _Schedule:
    """When a chip is next due."""

    interval: float
    next_due: float = float("-inf")

    def due(self, now: float, force: bool) -> bool:
        if not force and now < self.next_due:
            return False
        self.next_due = now + self.interval
        return True


class Hardware:
    """Battery, solar panel and Witty Pi behind one ``sample()``."""

    def __init__(
        self,
        config: HardwareConfig,
        bus: I2CBus,
        *,
        clock: Clock,
        data_dir: Path | None = None,
        retry: RetryPolicy = DEFAULT_RETRY,
        simulated: bool = False,
        read_only: bool = False,
        before_sample: Callable[[], object] | None = None,
        worker_load: Callable[[float], None] | None = None,
        host: HostReader | None = None,
    ) -> None:
        self.config = config
        self.bus = bus
        self.clock = clock
        self.simulated = simulated
        # The simulation catches up with its clock here, so the chips answer for "now".
        self._before_sample = before_sample
        # The simulation's Pi draws more when the worker computes; a real Pi needs no telling.
        self._worker_load = worker_load
        self._worker_cpu_percent: float | None = None
        self._host = host
        self.faults = FaultTracker(_LOGGER)
        # A one-shot reader beside a running daemon shows the daemon's totals but never writes.
        store = (
            JsonStore(data_dir / STATE_FILE, POWER_FILE, faults=self.faults, read_only=read_only)
            if data_dir is not None
            else None
        )
        self.accounting = PowerAccounting(config.battery.pack, store)

        self._solar = current_monitor(bus, config.solar, retry) if config.solar else None
        monitor = config.battery.monitor
        self._battery_ina: Ina2xx | None = None
        self._gauge: Max17048 | None = None
        if monitor is not None and monitor.chip == "max17048":
            self._gauge = Max17048(bus, monitor.address, retry=retry)
        elif monitor is not None:
            self._battery_ina = current_monitor(bus, monitor, retry)
        witty = config.witty_pi
        self._witty = (
            WittyPi4(bus, witty.address, rtc_timezone=rtc_zone(witty.rtc_timezone), retry=retry)
            if witty
            else None
        )
        self._witty_identity: WittyPiIdentity | None = None

        self._schedules = {
            role: _Schedule(m.poll_interval) for role, m in config.monitors().items()
        }
        if witty:
            self._schedules["witty_pi"] = _Schedule(witty.poll_interval)
        self.solar: SolarReading | None = None
        self.battery: BatteryReading | None = None
        self.witty_pi: WittyPiReading | None = None

    def sample(self, *, force: bool = False) -> Snapshot:
        """Read what is due (everything with ``force``) and return the whole picture."""
        if self._before_sample is not None:
            self._before_sample()
        now = self.clock()
        ts = now.timestamp()
        due = {role: s.due(ts, force) for role, s in self._schedules.items()}
        if due.get("solar"):
            self.solar = self._attempt("solar", self._read_solar)
        if due.get("battery"):
            self.battery = self._attempt("battery", lambda: self._read_battery(ts))
        if due.get("solar") or due.get("battery"):
            self.accounting.account(
                ts,
                solar_w=self.solar.power if self.solar else None,
                battery_w=self.battery.power if self.battery else None,
                solar_expected=self._solar is not None,
            )
        if due.get("witty_pi"):
            self.witty_pi = self._attempt("witty_pi", lambda: self._read_witty_pi(now))
        return Snapshot(
            time=now,
            battery=self.battery,
            solar=self.solar,
            witty_pi=self.witty_pi,
            energy=self.accounting.counters.energy(),
            degraded=self.faults.active,
            simulated=self.simulated,
            host=self._host.read(self._worker_cpu_percent) if self._host else None,
        )

    def _attempt(self, role: str, read: Callable[[], T]) -> T | None:
        try:
            reading = read()
        except BridgeError as err:
            self.faults.failed(role, err)
            return None
        self.faults.recovered(role)
        return reading

    def _read_solar(self) -> SolarReading:
        assert self._solar is not None
        s = self._solar.read()
        return SolarReading(s.bus_voltage, s.current, s.power, s.overflow, self._solar.name)

    def _read_battery(self, ts: float) -> BatteryReading:
        config = self.config.battery
        if self._gauge is not None:
            g = self._gauge.read()
            # CRATE is %/h of capacity: the gauge's own estimate of the current.
            current = g.charge_rate / 100.0 * config.capacity_ah
            state = self.accounting.gauge_soc(g.soc)
            voltage, overflow, chip = g.cell_voltage, False, self._gauge.name
        elif self._battery_ina is not None:
            s = self._battery_ina.read()
            state = self.accounting.battery_soc(ts, s.bus_voltage, s.current)
            voltage, current, overflow = s.bus_voltage, s.current, s.overflow
            chip = self._battery_ina.name
        else:
            raise ConfigError("hardware.battery.monitor: no battery monitor configured")
        return BatteryReading(
            voltage=voltage,
            current=current,
            power=voltage * current,
            soc=state.soc,
            soc_source=state.source,
            chemistry=config.chemistry,
            capacity_ah=config.capacity_ah,
            overflow=overflow,
            chip=chip,
        )

    def _read_witty_pi(self, now: datetime) -> WittyPiReading:
        witty = self._witty
        assert witty is not None
        if self._witty_identity is None:
            self._witty_identity = witty.identify()
            if not self._witty_identity.known:
                _LOGGER.warning(
                    "%s reports unknown firmware id 0x%02x: reading it as a Witty Pi 4",
                    witty.name,
                    self._witty_identity.firmware_id,
                )
        identity = self._witty_identity
        power = witty.read_power()
        status = witty.read_status()
        rtc_time = witty.read_rtc()
        return WittyPiReading(
            model=identity.model,
            firmware_id=identity.firmware_id,
            firmware_revision=identity.revision,
            input_voltage=power.input_voltage,
            output_voltage=power.output_voltage,
            output_current=power.output_current,
            output_power=power.output_voltage * power.output_current,
            power_mode=power.power_mode,
            power_source=power.power_source,
            temperature=witty.read_temperature(),
            low_voltage_threshold=witty.get_low_voltage_threshold(),
            recovery_voltage=witty.get_recovery_voltage(),
            action_reason=status.action_reason,
            action_reason_name=status.action_reason_name,
            low_voltage_shutdown=status.low_voltage_shutdown,
            rtc_time=rtc_time,
            next_startup=witty.next_startup(rtc_time),
            next_shutdown=witty.next_shutdown(rtc_time),
            read_at=now,
        )

    # Commands, on the Witty Pi. Each refreshes its reading at the next sample.

    def _require_witty(self) -> WittyPi4:
        if self._witty is None:
            raise ConfigError("hardware.witty_pi: no Witty Pi is configured")
        return self._witty

    def schedule(self, *, startup: datetime | None, shutdown: datetime | None) -> None:
        """Set (or clear, with None) the next startup and shutdown."""
        self._require_witty().schedule(startup=startup, shutdown=shutdown)
        self._schedules["witty_pi"].next_due = float("-inf")

    def set_low_voltage(self, threshold: float | None, recovery: float | None) -> None:
        """The Witty Pi's low-voltage cut and recovery voltage (None disables)."""
        try:
            self._require_witty().set_low_voltage(threshold, recovery)
        finally:
            # Read again whatever happened: the state shows what the board holds now.
            self._schedules["witty_pi"].next_due = float("-inf")

    def report_worker_cpu(self, cpu_percent: float | None, quota: int | None = None) -> None:
        """The worker's CPU use as docker stats counts it (% of one core; None while it does not
        run): the host tells it apart from the rest of its load, and a simulated Pi draws more
        by the share of its ``quota`` of cores (one when unlimited) the worker uses."""
        self._worker_cpu_percent = cpu_percent
        if self._worker_load is not None:
            self._worker_load(min((cpu_percent or 0.0) / 100.0 / max(1, quota or 1), 1.0))

    def close(self) -> None:
        """Persist the counters and release the bus."""
        self.accounting.persist()
        self.bus.close()
