"""Emulated Witty Pi 4 MCU: its registers, EEPROM, measurements, RTC, alarms and power logic.

Modelled on UUGear's firmware (Rev 7, and the user manual's register map): one byte per read
(0xFF after it), two for the temperature sensor; reading an integer measurement register takes a
new ADC measurement (61 mV and 21.5 mA steps) and stores it through EEPROM.update, which is what
wears the EEPROM; alarms compare day of month and time of day only; low-voltage cut and recovery.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, tzinfo

from hardware_bridge.emulated.chip import EmulatedChip

EEPROM_SIZE = 50
VIRTUAL_END = 72
RTC_BASE = 54
RTC_SECONDS, RTC_YEARS = 58, 64
TEMPERATURE_REGISTERS = range(50, 54)
STARTUP_ALARM, SHUTDOWN_ALARM = (27, 28, 29, 30), (32, 33, 34, 35)
VOLTAGE_STEP = 0.061290322580645  # 57 * 1.1 V / 1023
CURRENT_STEP = 0.001075268817204 / 0.05
LV_GRACE_SECONDS = 180  # the firmware leaves a just-started Pi alone this long
L3V7 = 0x37
REASON_STARTUP_ALARM, REASON_SHUTDOWN_ALARM = 0x01, 0x02
REASON_LOW_VOLTAGE, REASON_VOLTAGE_RESTORED = 0x04, 0x05


def _bcd(value: int) -> int:
    return (value // 10) << 4 | value % 10


def _from_bcd(byte: int) -> int:
    return (byte >> 4) * 10 + (byte & 0x0F)


def _defaults(firmware_id: int, revision: int, address: int) -> bytearray:
    eeprom = bytearray(EEPROM_SIZE)
    eeprom[0] = firmware_id
    eeprom[12] = revision
    eeprom[16] = address
    eeprom[18] = 4  # pulse interval, s
    eeprom[19] = 31 if firmware_id == L3V7 else 255  # low-voltage threshold x10, 255 = off
    eeprom[20] = 100  # LED blink, ms
    eeprom[21] = 70  # power-cut delay x10 s
    eeprom[22] = 255  # recovery voltage x10, 255 = off
    eeprom[24] = eeprom[25] = 20  # Vin/Vout calibration offsets x100
    eeprom[38] = 1  # RTC temperature compensation
    eeprom[44], eeprom[46] = 0x4B, 0x50
    return eeprom


class WittyPi4Emulator(EmulatedChip):
    """A Witty Pi 4 (or Mini, L3V7 by ``firmware_id``) powering a Pi, on a clock."""

    def __init__(
        self,
        clock: Callable[[], datetime],
        address: int = 0x08,
        *,
        firmware_id: int = 0x26,
        revision: int = 7,
        rtc_timezone: tzinfo = UTC,
    ) -> None:
        super().__init__(address)
        self.clock = clock
        self.rtc_timezone = rtc_timezone
        self.eeprom = bytearray(_defaults(firmware_id, revision, address))
        self.eeprom_writes = 0
        self.index = 0
        self.rtc_offset = timedelta()
        self.input_voltage = 0.0
        self.output_voltage = 0.0
        self.output_current = 0.0
        self.temperature = 25.0
        self.pi_powered = True
        self.powered_since = clock()
        self._last_tick = clock()

    # The physical side

    def set_inputs(
        self, input_voltage: float, output_voltage: float, output_current: float, temperature: float
    ) -> None:
        """What the board's ADC and sensor would see."""
        self.input_voltage = input_voltage
        self.output_voltage = output_voltage
        self.output_current = output_current
        self.temperature = temperature

    def rtc_now(self) -> datetime:
        """The RTC's wall time, in its zone."""
        return (self.clock() + self.rtc_offset).astimezone(self.rtc_timezone)

    def tick(self) -> None:
        """Run the firmware's periodic work up to now: alarms, low-voltage cut and recovery."""
        now = self.clock()
        elapsed = max(2.0, (now - self._last_tick).total_seconds())
        self._last_tick = now
        rtc = self.rtc_now()
        if self._alarm_due(STARTUP_ALARM, 9, rtc, elapsed) and not self.pi_powered:
            self._power(True, REASON_STARTUP_ALARM)
        if self._alarm_due(SHUTDOWN_ALARM, 10, rtc, elapsed) and self.pi_powered:
            self._power(False, REASON_SHUTDOWN_ALARM)
        threshold, recovery = self.eeprom[19], self.eeprom[22]
        dc_mode = self._power_mode() != 0
        if (
            self.pi_powered
            and dc_mode
            and threshold != 255
            and (now - self.powered_since).total_seconds() >= LV_GRACE_SECONDS
            and self.input_voltage < threshold / 10
        ):
            self.eeprom[8] = 1
            self._power(False, REASON_LOW_VOLTAGE)
        elif (
            not self.pi_powered
            and dc_mode
            and (self.eeprom[8] == 1 or threshold == 255)
            and recovery != 255
            and self.input_voltage >= recovery / 10
        ):
            self._power(True, REASON_VOLTAGE_RESTORED)

    def _power(self, on: bool, reason: int) -> None:
        self.pi_powered = on
        self.eeprom[11] = reason
        if on:
            self.powered_since = self.clock()
            self.eeprom[8] = 0  # the Pi's daemon reports SYS_UP, which clears the flag

    def _alarm_due(
        self, registers: tuple[int, ...], flag: int, rtc: datetime, window: float
    ) -> bool:
        second, minute, hour, day = (_from_bcd(self.eeprom[r]) for r in registers)
        alarm = day * 86400 + hour * 3600 + minute * 60 + second
        if alarm == 0 or self.eeprom[flag]:
            return False
        now = rtc.day * 86400 + rtc.hour * 3600 + rtc.minute * 60 + rtc.second
        if not 0 <= now - alarm < window:
            return False
        self.eeprom[flag] = 1
        self.eeprom[flag + 30] = 1  # CONF_FLAG_ALARMx (39, 40)
        return True

    # The wire

    def receive(self, data: bytes) -> None:
        if not data:
            return
        self.index = data[0]
        if len(data) >= 2:
            self._write(self.index, data[1])

    def send(self, length: int) -> bytes:
        if self.index in TEMPERATURE_REGISTERS:
            first = self._temperature_bytes() if self.index == 50 else bytes((0, 0))
        else:
            first = bytes((self._read(self.index),))
        return (first + b"\xff" * length)[:length]

    def _read(self, index: int) -> int:
        if index in (1, 3, 5, 7):
            self._measure(index)
        if index < EEPROM_SIZE:
            return self.eeprom[index]
        if RTC_BASE <= index < VIRTUAL_END:
            return self._rtc_register(index)
        return 0xFF

    def _write(self, index: int, value: int) -> None:
        if 16 <= index < EEPROM_SIZE:
            self._update(index, value)
            if index in STARTUP_ALARM:
                self.eeprom[9] = 0  # writing an alarm re-arms it
            elif index in SHUTDOWN_ALARM:
                self.eeprom[10] = 0
        elif RTC_SECONDS <= index <= RTC_YEARS:
            self._set_rtc_field(index, _from_bcd(value & 0x7F))
        # Writes to read-only registers are ignored: the read-back shows it.

    def _update(self, index: int, value: int) -> None:
        """EEPROM.update: a cell is written (and worn) only when its value changes."""
        if self.eeprom[index] != value:
            self.eeprom[index] = value
            self.eeprom_writes += 1

    def _power_mode(self) -> int:
        if self.eeprom[0] == L3V7:
            return 2 if self.input_voltage < 4.35 else 0
        return 1 if self.input_voltage > 5.25 else 0

    def _measure(self, index: int) -> None:
        if index == 7:
            self._update(7, self._power_mode())
            return
        value, step, offset = {
            1: (self.input_voltage, VOLTAGE_STEP, self.eeprom[24]),
            3: (self.output_voltage, VOLTAGE_STEP, self.eeprom[25]),
            5: (self.output_current, CURRENT_STEP, self.eeprom[26]),
        }[index]
        # The board is calibrated: ADC counts plus the offset give back the true value.
        adjust = (offset - 256 if offset > 127 else offset) / 100
        counts = max(0, round((value - adjust) / step))
        centi = max(0, round((counts * step + adjust) * 100))
        self._update(index, min(centi // 100, 255))
        self._update(index + 1, centi % 100)

    def _temperature_bytes(self) -> bytes:
        raw = (round(self.temperature / 0.125) & 0x7FF) << 5
        return bytes((raw >> 8, raw & 0xFF))

    def _rtc_register(self, index: int) -> int:
        now = self.rtc_now()
        fields = {
            58: now.second,
            59: now.minute,
            60: now.hour,
            61: now.day,
            62: now.isoweekday() % 7,
            63: now.month,
            64: now.year % 100,
        }
        return _bcd(fields[index]) if index in fields else 0

    def _set_rtc_field(self, index: int, value: int) -> None:
        now = self.rtc_now()
        year, month, day = now.year, now.month, now.day
        hour, minute, second = now.hour, now.minute, now.second
        if index == 58:
            second = value
        elif index == 59:
            minute = value
        elif index == 60:
            hour = value
        elif index == 61:
            day = value
        elif index == 63:
            month = value
        elif index == 64:
            year = 2000 + value
        month = min(max(month, 1), 12)
        day = min(max(day, 1), calendar.monthrange(year, month)[1])
        wanted = datetime(year, month, day, hour % 24, minute % 60, second % 60,
                          tzinfo=self.rtc_timezone)  # fmt: skip
        self.rtc_offset += wanted - now.replace(microsecond=0)
