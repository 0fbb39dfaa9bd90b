"""The Witty Pi 4 driver against the emulated MCU: registers, RTC, alarms, EEPROM wear."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hardware_bridge.base.errors import InvalidSettingError, ReadingError, WriteVerifyError
from hardware_bridge.emulated.bus import EmulatedBus
from hardware_bridge.emulated.witty_pi import WittyPi4Emulator
from hardware_bridge.hardware.drivers.register_device import RetryPolicy
from hardware_bridge.hardware.drivers.witty_pi import Alarm, WittyPi4
from hardware_bridge.sim.clock import ManualClock

START = datetime(2026, 6, 21, 12, 0, 0, tzinfo=UTC)


@pytest.fixture
def clock():
    return ManualClock(START)


def board(clock, firmware_id=0x26, zone=UTC):
    chip = WittyPi4Emulator(clock, firmware_id=firmware_id, rtc_timezone=zone)
    chip.set_inputs(12.6, 5.1, 0.55, 31.25)
    bus = EmulatedBus([chip])
    driver = WittyPi4(bus, rtc_timezone=zone, retry=RetryPolicy(sleep=lambda _: None))
    return chip, bus, driver


@pytest.fixture
def witty(clock):
    return board(clock)


def run_firmware(chip, clock, minutes):
    for _ in range(minutes):
        clock.advance(60)
        chip.tick()


def written(bus):
    return [data for _, kind, data in bus.wire if kind == "write" and len(data) > 1]


@pytest.mark.parametrize(
    ("firmware_id", "model"),
    [(0x26, "Witty Pi 4"), (0x36, "Witty Pi 4 Mini"), (0x37, "Witty Pi 4 L3V7"), (0x00, None)],
)
def test_identify_names_the_board(clock, firmware_id, model):
    _, _, driver = board(clock, firmware_id)
    identity = driver.identify()
    assert (identity.firmware_id, identity.revision, identity.model) == (firmware_id, 7, model)
    assert identity.known is (model is not None)


def test_power_is_read_integer_then_decimal_one_byte_at_a_time(witty):
    chip, bus, driver = witty
    power = driver.read_power()
    pointers = [data[0] for _, kind, data in bus.wire if kind == "write"]
    assert pointers == [0, 12, 1, 2, 3, 4, 5, 6, 7]
    assert all(len(data) == 1 for _, kind, data in bus.wire if kind == "read")
    # The ADC has 61 mV and 21.5 mA steps behind the 0.01 registers.
    assert power.input_voltage == pytest.approx(12.6, abs=0.031)
    assert power.output_voltage == pytest.approx(5.1, abs=0.031)
    assert power.output_current == pytest.approx(0.55, abs=0.011)
    assert (power.power_mode, power.power_source) == (1, "dc_input")
    assert chip.eeprom[1] == int(power.input_voltage)


def test_the_decimal_register_alone_is_the_previous_measurement(witty):
    chip, bus, driver = witty
    driver.read_power()
    chip.set_inputs(11.3, 5.1, 0.55, 31.25)
    stale = bus.read_byte_data(0x08, 2)
    assert stale == chip.eeprom[2]
    assert driver.read_power().input_voltage == pytest.approx(11.3, abs=0.031)


def test_the_mcu_answers_one_byte_then_ff(witty):
    _, bus, _ = witty
    assert bus.read_i2c_block_data(0x08, 0, 4) == [0x26, 0xFF, 0xFF, 0xFF]


def test_power_source_of_the_l3v7(clock):
    chip, _, driver = board(clock, 0x37)
    chip.set_inputs(3.9, 5.1, 0.4, 25.0)
    assert driver.read_power().power_source == "battery"
    chip.set_inputs(5.0, 5.1, 0.4, 25.0)
    assert driver.read_power().power_source == "usb_c"


@pytest.mark.parametrize(
    ("celsius", "wire"), [(31.25, b"\x1f\x40"), (0.0, b"\x00\x00"), (-5.5, b"\xfa\x80")]
)
def test_temperature_is_the_lm75b_word_high_byte_first(witty, celsius, wire):
    chip, bus, driver = witty
    chip.set_inputs(12.6, 5.1, 0.55, celsius)
    assert driver.read_temperature() == celsius
    assert bus.wire[-1] == (0x08, "read", wire)


def test_status_reads_reason_and_flags(witty):
    chip, _, driver = witty
    chip.eeprom[11], chip.eeprom[8] = 0x04, 1
    status = driver.read_status()
    assert (status.action_reason, status.action_reason_name) == (4, "low_voltage")
    assert status.low_voltage_shutdown
    assert not status.startup_alarm_triggered


def test_low_voltage_threshold_round_trip_is_verified(witty):
    chip, bus, driver = witty
    assert driver.get_low_voltage_threshold() is None  # 255: disabled
    driver.set_low_voltage_threshold(11.5)
    assert chip.eeprom[19] == 115
    assert driver.get_low_voltage_threshold() == 11.5
    assert b"\x13\x73" in written(bus)
    driver.set_low_voltage_threshold(None)
    assert chip.eeprom[19] == 255


def test_an_unchanged_setting_is_not_written_again(witty):
    chip, bus, driver = witty
    driver.set_recovery_voltage(12.8)
    writes_before = chip.eeprom_writes
    bus.wire.clear()
    driver.set_recovery_voltage(12.8)
    assert written(bus) == []
    assert chip.eeprom_writes == writes_before
    assert driver.get_recovery_voltage() == 12.8


@pytest.mark.parametrize(("firmware_id", "volts"), [(0x26, 1.5), (0x26, 25.5), (0x37, 11.5)])
def test_a_threshold_out_of_range_is_refused_and_nothing_written(clock, firmware_id, volts):
    chip, bus, driver = board(clock, firmware_id)
    before = bytes(chip.eeprom)
    with pytest.raises(InvalidSettingError, match="outside"):
        driver.set_low_voltage_threshold(volts)
    assert bytes(chip.eeprom) == before
    assert written(bus) == []


def test_a_write_that_does_not_stick_is_a_verify_error(witty):
    _, _, driver = witty
    with pytest.raises(WriteVerifyError, match="wrote 0x05, read back 0x0c"):
        driver.write_u8_verified(1, 5)  # Vin is read-only: the MCU ignores the write


def test_the_rtc_reads_the_clock_in_its_zone(clock):
    zone = ZoneInfo("Europe/Paris")
    _, bus, driver = board(clock, zone=zone)
    assert driver.read_rtc() == START
    assert driver.read_rtc().utcoffset() == timedelta(hours=2)
    # 14:00 local (12:00 UTC) in BCD on register 60
    assert bus.read_byte_data(0x08, 60) == 0x14


def test_writing_the_rtc_sets_it(witty, clock):
    chip, _, driver = witty
    target = datetime(2027, 1, 31, 23, 59, 30, tzinfo=UTC)
    driver.write_rtc(target)
    assert driver.read_rtc() == target
    clock.advance(45)
    assert driver.read_rtc() == target + timedelta(seconds=45)
    assert chip.rtc_now().year == 2027


def test_a_read_across_a_second_wrap_is_read_again(witty, clock):
    _, bus, driver = witty
    clock.set(datetime(2026, 6, 21, 12, 59, 59, 990000, tzinfo=UTC))
    original = bus.read_byte_data

    def slow_read(address, register):
        if register == 64:  # the year is read last: the clock ticks past the minute meanwhile
            clock.set(datetime(2026, 6, 21, 13, 0, 0, 10000, tzinfo=UTC))
        return original(address, register)

    bus.read_byte_data = slow_read
    assert driver.read_rtc() == datetime(2026, 6, 21, 13, 0, 0, tzinfo=UTC)


def test_an_unset_rtc_reads_as_none(witty):
    _, bus, driver = witty
    bus.write_byte_data(0x08, 64, 0x00)  # what a board with a flat RTC battery shows
    assert driver.read_rtc() is None
    assert driver.next_startup() is None


def test_alarm_round_trip_through_the_firmware(witty, clock):
    chip, _, driver = witty
    shutdown = START + timedelta(minutes=10)
    startup = START + timedelta(hours=1, seconds=30)
    driver.schedule(startup=startup, shutdown=shutdown)
    # BCD: second, minute, hour, day
    assert [chip.eeprom[r] for r in (27, 28, 29, 30)] == [0x30, 0x00, 0x13, 0x21]
    assert [chip.eeprom[r] for r in (32, 33, 34, 35)] == [0x00, 0x10, 0x12, 0x21]
    assert driver.get_startup_alarm() == Alarm(21, 13, 0, 30)
    assert driver.next_startup() == startup
    assert driver.next_shutdown() == shutdown

    run_firmware(chip, clock, minutes=12)
    assert not chip.pi_powered
    assert driver.read_status().action_reason_name == "shutdown_alarm"
    assert driver.read_status().shutdown_alarm_triggered
    run_firmware(chip, clock, minutes=50)
    assert chip.pi_powered
    assert driver.read_status().action_reason_name == "startup_alarm"


def test_clearing_the_schedule_zeroes_the_alarms(witty):
    chip, _, driver = witty
    driver.schedule(startup=START + timedelta(hours=2), shutdown=START + timedelta(hours=1))
    driver.schedule(startup=None, shutdown=None)
    assert all(chip.eeprom[r] == 0 for r in (27, 28, 29, 30, 32, 33, 34, 35))
    assert driver.next_startup() is None
    assert driver.next_shutdown() is None


@pytest.mark.parametrize(
    ("startup", "message"),
    [
        (START - timedelta(minutes=1), "must be after"),
        (START + timedelta(days=28), "at most 27 days ahead"),
        (datetime(2026, 6, 22, 8, 0), "no time zone"),
    ],
)
def test_an_impossible_schedule_is_refused_before_any_write(witty, startup, message):
    _, bus, driver = witty
    with pytest.raises(InvalidSettingError, match=message):
        driver.schedule(startup=startup, shutdown=None)
    assert written(bus) == []


def test_an_alarm_on_the_31st_skips_shorter_months():
    alarm = Alarm(31, 6, 0, 0)
    assert alarm.next_after(datetime(2026, 6, 15, tzinfo=UTC)) == datetime(
        2026, 7, 31, 6, tzinfo=UTC
    )


def test_a_corrupt_alarm_register_is_a_reading_error(witty):
    chip, _, driver = witty
    chip.eeprom[30] = 0xFA
    with pytest.raises(ReadingError, match="not BCD"):
        driver.get_startup_alarm()


def test_low_voltage_cut_and_recovery(witty, clock):
    chip, _, driver = witty
    driver.set_low_voltage_threshold(11.8)
    driver.set_recovery_voltage(12.6)
    chip.set_inputs(11.5, 5.1, 0.5, 20.0)
    chip.tick()
    assert chip.pi_powered  # not within three minutes of power-on
    clock.advance(180)
    chip.tick()
    assert not chip.pi_powered
    status = driver.read_status()
    assert status.low_voltage_shutdown
    assert status.action_reason_name == "low_voltage"
    chip.set_inputs(12.4, 0.0, 0.0, 20.0)
    run_firmware(chip, clock, minutes=1)
    assert not chip.pi_powered  # below the recovery voltage
    chip.set_inputs(12.7, 0.0, 0.0, 20.0)
    run_firmware(chip, clock, minutes=1)
    assert chip.pi_powered
    assert driver.read_status().action_reason_name == "voltage_restored"


def test_a_nack_burst_from_the_busy_mcu_is_retried(witty):
    _, bus, driver = witty
    bus.inject_errors(0x08, 3)
    assert driver.identify().model == "Witty Pi 4"


def poll_for_an_hour(clock, interval):
    chip, _, driver = board(clock)
    noise = random.Random(7)
    for second in range(0, 3600, 2):
        # A battery under a varying load: Vin wanders by a few ADC steps.
        chip.set_inputs(12.6 + noise.gauss(0, 0.08), 5.1, 0.5 + noise.gauss(0, 0.05), 25.0)
        if second % interval == 0:
            driver.read_power()
        clock.advance(2)
    return chip.eeprom_writes


def test_fast_polling_wears_the_eeprom_slow_polling_spares_it(clock):
    fast = poll_for_an_hour(clock, 2)
    slow = poll_for_an_hour(ManualClock(START), 60)
    assert slow <= 4 * 60  # at most the four measurement cells per poll
    assert fast > 10 * slow
