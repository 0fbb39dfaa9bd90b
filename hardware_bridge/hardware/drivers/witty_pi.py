"""UUGear Witty Pi 4 (also Mini and L3V7): its MCU at 0x08 and the RTC and sensor behind it.

Facts from UUGear's Witty Pi 4 user manual (register map, "I2C registers") and its firmware
Rev 7 and ``utilities.sh``:
- the MCU answers one byte per read, so every register is read on its own (2 bytes for the
  temperature sensor's virtual registers);
- reading Vin, Vout, Iout or the power mode (the integer register) triggers a new measurement that
  refreshes the decimal register too: integer first, then decimal;
- every measurement that changed is written to EEPROM, which wears: the caller polls slowly;
- writes are verified by reading them back, as UUGear's own tools do;
- alarms are day-of-month plus time, in the RTC's zone; month and year are ignored.
"""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo
from typing import ClassVar, Final, Literal

from hardware_bridge.base.errors import InvalidSettingError, ReadingError
from hardware_bridge.hardware.bus import I2CBus
from hardware_bridge.hardware.drivers.bcd import from_bcd, to_bcd
from hardware_bridge.hardware.drivers.register_device import (
    DEFAULT_RETRY,
    RegisterDevice,
    RetryPolicy,
)

I2C_ID = 0
VOLTAGE_IN_I, VOLTAGE_IN_D = 1, 2
VOLTAGE_OUT_I, VOLTAGE_OUT_D = 3, 4
CURRENT_OUT_I, CURRENT_OUT_D = 5, 6
POWER_MODE = 7
LV_SHUTDOWN = 8
ALARM1_TRIGGERED = 9
ALARM2_TRIGGERED = 10
ACTION_REASON = 11
FW_REVISION = 12
CONF_LOW_VOLTAGE = 19
CONF_RECOVERY_VOLTAGE = 22
STARTUP_ALARM = (27, 28, 29, 30)  # second, minute, hour, day of month
SHUTDOWN_ALARM = (32, 33, 34, 35)
LM75B_TEMPERATURE = 50
RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAYS, RTC_WEEKDAYS, RTC_MONTHS, RTC_YEARS = range(58, 65)
RTC_OSCILLATOR_STOPPED = 0x80
VOLTAGE_DISABLED = 255

FIRMWARE_MODELS: Final = {0x26: "Witty Pi 4", 0x36: "Witty Pi 4 Mini", 0x37: "Witty Pi 4 L3V7"}
L3V7_FIRMWARE_ID: Final = 0x37
ACTION_REASONS: Final = {
    0x01: "startup_alarm",
    0x02: "shutdown_alarm",
    0x03: "button",
    0x04: "low_voltage",
    0x05: "voltage_restored",
    0x06: "over_temperature",
    0x07: "below_temperature",
    0x08: "startup_alarm_delayed",
    0x09: "usb_connected",
    0x0A: "power_connected",
    0x0B: "reboot",
    0x0C: "guaranteed_wake",
}
# The ranges UUGear's wittyPi.sh accepts for the low-voltage threshold (and the recovery).
VOLTAGE_RANGES: Final = {"Witty Pi 4 L3V7": (3.0, 4.2)}
DEFAULT_VOLTAGE_RANGE: Final = (2.0, 25.0)
# What powers the board, by its power mode.
PowerSource = Literal["dc_input", "usb_c", "battery"]


def voltage_range(model: str | None) -> tuple[float, float]:
    """The volts a board of ``model`` takes for its cut and recovery (None: the widest)."""
    return VOLTAGE_RANGES.get(model or "", DEFAULT_VOLTAGE_RANGE)


# An alarm stores only a day of month: further ahead than the shortest month is ambiguous.
MAX_SCHEDULE_AHEAD: Final = timedelta(days=27)


@dataclass(frozen=True)
class WittyPiIdentity:
    """Firmware id and revision; ``model`` is None for an unknown id (reported, not fatal)."""

    firmware_id: int
    revision: int

    @property
    def model(self) -> str | None:
        return FIRMWARE_MODELS.get(self.firmware_id)

    @property
    def known(self) -> bool:
        return self.model is not None


@dataclass(frozen=True)
class WittyPiPower:
    """The MCU's own measurements."""

    input_voltage: float
    output_voltage: float
    output_current: float
    power_mode: int
    power_source: PowerSource


@dataclass(frozen=True)
class WittyPiStatus:
    """Why the Pi last started or stopped, and the alarm flags."""

    action_reason: int
    low_voltage_shutdown: bool
    startup_alarm_triggered: bool
    shutdown_alarm_triggered: bool

    @property
    def action_reason_name(self) -> str | None:
        return ACTION_REASONS.get(self.action_reason)


@dataclass(frozen=True)
class Alarm:
    """A Witty Pi alarm: a day of month and a time of day, in the RTC's zone."""

    day: int
    hour: int
    minute: int
    second: int

    @classmethod
    def at(cls, moment: datetime) -> Alarm:
        return cls(moment.day, moment.hour, moment.minute, moment.second)

    def next_after(self, now: datetime) -> datetime | None:
        """The first moment at or after ``now`` (aware, in the RTC's zone) the alarm matches."""
        year, month = now.year, now.month
        for _ in range(13):
            if self.day <= monthrange(year, month)[1]:
                candidate = now.replace(
                    month=month,
                    year=year,
                    day=self.day,
                    hour=self.hour,
                    minute=self.minute,
                    second=self.second,
                    microsecond=0,
                )
                if candidate >= now.replace(microsecond=0):
                    return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return None


def power_source(firmware_id: int, mode: int) -> PowerSource:
    """What powers the board: the L3V7 numbers its modes differently."""
    if firmware_id == L3V7_FIRMWARE_ID:
        return "battery" if mode == 2 else "usb_c"
    return "dc_input" if mode == 1 else "usb_c"


class WittyPi4(RegisterDevice):
    """The Witty Pi 4 MCU. ``rtc_timezone`` is the zone its RTC keeps wall time in."""

    chip: ClassVar[str] = "WittyPi4"
    register_names: ClassVar[dict[int, str]] = {
        I2C_ID: "I2C_ID",
        VOLTAGE_IN_I: "VOLTAGE_IN_I",
        VOLTAGE_IN_D: "VOLTAGE_IN_D",
        VOLTAGE_OUT_I: "VOLTAGE_OUT_I",
        VOLTAGE_OUT_D: "VOLTAGE_OUT_D",
        CURRENT_OUT_I: "CURRENT_OUT_I",
        CURRENT_OUT_D: "CURRENT_OUT_D",
        POWER_MODE: "POWER_MODE",
        LV_SHUTDOWN: "LV_SHUTDOWN",
        ALARM1_TRIGGERED: "ALARM1_TRIGGERED",
        ALARM2_TRIGGERED: "ALARM2_TRIGGERED",
        ACTION_REASON: "ACTION_REASON",
        FW_REVISION: "FW_REVISION",
        CONF_LOW_VOLTAGE: "CONF_LOW_VOLTAGE",
        CONF_RECOVERY_VOLTAGE: "CONF_RECOVERY_VOLTAGE",
        27: "CONF_SECOND_ALARM1",
        28: "CONF_MINUTE_ALARM1",
        29: "CONF_HOUR_ALARM1",
        30: "CONF_DAY_ALARM1",
        32: "CONF_SECOND_ALARM2",
        33: "CONF_MINUTE_ALARM2",
        34: "CONF_HOUR_ALARM2",
        35: "CONF_DAY_ALARM2",
        LM75B_TEMPERATURE: "LM75B_TEMP",
        RTC_SECONDS: "RTC_SECONDS",
        RTC_MINUTES: "RTC_MINUTES",
        RTC_HOURS: "RTC_HOURS",
        RTC_DAYS: "RTC_DAYS",
        RTC_WEEKDAYS: "RTC_WEEKDAYS",
        RTC_MONTHS: "RTC_MONTHS",
        RTC_YEARS: "RTC_YEARS",
    }

    def __init__(
        self,
        bus: I2CBus,
        address: int = 0x08,
        *,
        rtc_timezone: tzinfo = UTC,
        retry: RetryPolicy = DEFAULT_RETRY,
    ) -> None:
        super().__init__(bus, address, retry=retry)
        self.rtc_timezone = rtc_timezone
        self._firmware_id: int | None = None

    # Identity and measurements

    def identify(self) -> WittyPiIdentity:
        """Firmware id (which board) and revision."""
        identity = WittyPiIdentity(self.read_u8(I2C_ID), self.read_u8(FW_REVISION))
        self._firmware_id = identity.firmware_id
        return identity

    def _measurement(self, integer_register: int) -> float:
        # The integer read triggers the measurement that the decimal read then belongs to.
        integer = self.read_u8(integer_register)
        decimal = self.read_u8(integer_register + 1)
        return integer + decimal / 100.0

    def read_power(self) -> WittyPiPower:
        """Vin, Vout, Iout and the power mode."""
        if self._firmware_id is None:
            self.identify()
        assert self._firmware_id is not None
        vin = self._measurement(VOLTAGE_IN_I)
        vout = self._measurement(VOLTAGE_OUT_I)
        iout = self._measurement(CURRENT_OUT_I)
        mode = self.read_u8(POWER_MODE)
        return WittyPiPower(vin, vout, iout, mode, power_source(self._firmware_id, mode))

    def read_temperature(self) -> float:
        """The LM75B-compatible sensor: 11 bits, 0.125 °C each, high byte first."""
        raw = self.read_s16_be(LM75B_TEMPERATURE)
        return (raw >> 5) * 0.125

    def read_status(self) -> WittyPiStatus:
        """Action reason and flags."""
        return WittyPiStatus(
            action_reason=self.read_u8(ACTION_REASON),
            low_voltage_shutdown=self.read_u8(LV_SHUTDOWN) == 1,
            startup_alarm_triggered=self.read_u8(ALARM1_TRIGGERED) == 1,
            shutdown_alarm_triggered=self.read_u8(ALARM2_TRIGGERED) == 1,
        )

    # Voltage settings (EEPROM): written only when they change

    def _voltage_setting(self, register: int) -> float | None:
        raw = self.read_u8(register)
        return None if raw == VOLTAGE_DISABLED else raw / 10.0

    def _voltage_raw(self, volts: float | None, what: str) -> int:
        """The register value for ``volts``; refused when the board does not take it."""
        if volts is None:
            return VOLTAGE_DISABLED
        if self._firmware_id is None:
            self.identify()
        model = FIRMWARE_MODELS.get(self._firmware_id or 0)
        low, high = voltage_range(model)
        if not low <= volts <= high:
            raise InvalidSettingError(
                f"{what} {volts} V is outside {low}-{high} V for a {model or 'Witty Pi 4'}"
            )
        return round(volts * 10)

    def _write_voltage_setting(self, register: int, raw: int) -> None:
        if self.read_u8(register) != raw:
            self.write_u8_verified(register, raw)

    def _set_voltage_setting(self, register: int, volts: float | None, what: str) -> None:
        self._write_voltage_setting(register, self._voltage_raw(volts, what))

    def set_low_voltage(self, threshold: float | None, recovery: float | None) -> None:
        """Set (or disable, with None) the cut and the recovery voltage together: both are
        checked before either is written, so a refused pair leaves the board as it was."""
        cut = self._voltage_raw(threshold, "low-voltage threshold")
        back = self._voltage_raw(recovery, "recovery voltage")
        self._write_voltage_setting(CONF_LOW_VOLTAGE, cut)
        self._write_voltage_setting(CONF_RECOVERY_VOLTAGE, back)

    def get_low_voltage_threshold(self) -> float | None:
        """Below this input voltage the board shuts the Pi down; None when disabled."""
        return self._voltage_setting(CONF_LOW_VOLTAGE)

    def set_low_voltage_threshold(self, volts: float | None) -> None:
        """Set (0.1 V steps) or disable (None) the low-voltage shutdown."""
        self._set_voltage_setting(CONF_LOW_VOLTAGE, volts, "low-voltage threshold")

    def get_recovery_voltage(self) -> float | None:
        """Above this input voltage the board powers the Pi on again; None when disabled."""
        return self._voltage_setting(CONF_RECOVERY_VOLTAGE)

    def set_recovery_voltage(self, volts: float | None) -> None:
        """Set or disable the recovery voltage."""
        self._set_voltage_setting(CONF_RECOVERY_VOLTAGE, volts, "recovery voltage")

    # The RTC

    def _read_rtc_fields(self) -> tuple[int, ...]:
        registers = (RTC_SECONDS, RTC_MINUTES, RTC_HOURS, RTC_DAYS, RTC_MONTHS, RTC_YEARS)
        raw = [self.read_u8(register) for register in registers]
        raw[0] &= ~RTC_OSCILLATOR_STOPPED & 0xFF
        try:
            return tuple(from_bcd(byte) for byte in raw)
        except ValueError as err:
            raise ReadingError(self.name, "0x3a-0x40 RTC", None, str(err)) from err

    def read_rtc(self) -> datetime | None:
        """The RTC's time (aware); None when it has never been set (year register 0)."""
        fields = self._read_rtc_fields()
        if fields[0] > self.read_u8(RTC_SECONDS) & 0x7F:
            # The seconds wrapped while we read byte by byte: the minutes may be stale.
            fields = self._read_rtc_fields()
        second, minute, hour, day, month, year = fields
        if year == 0:
            return None
        try:
            return datetime(2000 + year, month, day, hour, minute, second, tzinfo=self.rtc_timezone)
        except ValueError as err:
            raise ReadingError(self.name, "0x3a-0x40 RTC", None, f"invalid time: {err}") from err

    def write_rtc(self, moment: datetime) -> None:
        """Set the RTC to ``moment`` (aware), in the RTC's zone."""
        local = moment.astimezone(self.rtc_timezone)
        # Largest field first, so no moment in between is a date like 31 June.
        values = {
            RTC_YEARS: local.year % 100,
            RTC_MONTHS: local.month,
            RTC_DAYS: local.day,
            RTC_WEEKDAYS: local.isoweekday() % 7,  # the PCF85063 counts Sunday as 0
            RTC_HOURS: local.hour,
            RTC_MINUTES: local.minute,
        }
        for register, value in values.items():
            self.write_u8_verified(register, to_bcd(value))
        # Seconds tick while we read back: written unverified, then checked to within a second.
        self.write_u8(RTC_SECONDS, to_bcd(local.second))
        written = self.read_rtc()
        if written is None or abs((written - local).total_seconds()) > 2:
            raise ReadingError(self.name, "0x3a-0x40 RTC", None, f"RTC reads {written} after set")

    # Alarms

    def _read_alarm(self, registers: tuple[int, ...]) -> Alarm | None:
        raw = [self.read_u8(register) for register in registers]
        if not any(raw):
            return None
        try:
            second, minute, hour, day = (from_bcd(byte) for byte in raw)
        except ValueError as err:
            label = f"0x{registers[0]:02x}-0x{registers[-1]:02x} alarm"
            raise ReadingError(self.name, label, None, str(err)) from err
        return Alarm(day, hour, minute, second)

    def _write_alarm(self, registers: tuple[int, ...], alarm: Alarm | None) -> None:
        values = (0, 0, 0, 0)
        if alarm is not None:
            values = (alarm.second, alarm.minute, alarm.hour, alarm.day)
        for register, value in zip(registers, values, strict=True):
            self.write_u8_verified(register, to_bcd(value))

    def get_startup_alarm(self) -> Alarm | None:
        return self._read_alarm(STARTUP_ALARM)

    def set_startup_alarm(self, alarm: Alarm | None) -> None:
        self._write_alarm(STARTUP_ALARM, alarm)

    def get_shutdown_alarm(self) -> Alarm | None:
        return self._read_alarm(SHUTDOWN_ALARM)

    def set_shutdown_alarm(self, alarm: Alarm | None) -> None:
        self._write_alarm(SHUTDOWN_ALARM, alarm)

    def next_startup(self, now: datetime | None = None) -> datetime | None:
        """When the startup alarm fires next (``now``: the RTC's time, read if not given)."""
        return self._next(self.get_startup_alarm(), now)

    def next_shutdown(self, now: datetime | None = None) -> datetime | None:
        """When the shutdown alarm fires next."""
        return self._next(self.get_shutdown_alarm(), now)

    def _next(self, alarm: Alarm | None, now: datetime | None) -> datetime | None:
        if alarm is None:
            return None
        now = now or self.read_rtc()
        return alarm.next_after(now.astimezone(self.rtc_timezone)) if now else None

    def schedule(
        self, *, startup: datetime | None, shutdown: datetime | None, now: datetime | None = None
    ) -> None:
        """Set both alarms (None clears one). Each must lie ahead, within 27 days."""
        now = now or self.read_rtc()
        for what, moment in (("startup", startup), ("shutdown", shutdown)):
            if moment is None:
                continue
            if moment.tzinfo is None:
                raise InvalidSettingError(f"{what} time {moment} has no time zone")
            if now is not None and not now < moment <= now + MAX_SCHEDULE_AHEAD:
                raise InvalidSettingError(
                    f"{what} time {moment.isoformat()} must be after {now.isoformat()} "
                    "and at most 27 days ahead (an alarm keeps only the day of month)"
                )
        zone = self.rtc_timezone
        self.set_startup_alarm(Alarm.at(startup.astimezone(zone)) if startup else None)
        self.set_shutdown_alarm(Alarm.at(shutdown.astimezone(zone)) if shutdown else None)
