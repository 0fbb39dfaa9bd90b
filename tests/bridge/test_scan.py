"""``scan`` names the chips on a bus and leaves the rest unnamed."""

from datetime import UTC, datetime

from hardware_bridge.emulated.bus import EmulatedBus
from hardware_bridge.emulated.chip import WordRegisterChip
from hardware_bridge.emulated.ina219 import Ina219Emulator
from hardware_bridge.emulated.ina226 import Ina226Emulator
from hardware_bridge.emulated.max17048 import Max17048Emulator
from hardware_bridge.emulated.witty_pi import WittyPi4Emulator
from hardware_bridge.hardware.scan import scan


class _Eeprom(WordRegisterChip):
    """Something we do not know, at an address of its own."""


def test_scan_names_every_supported_chip():
    clock = lambda: datetime(2026, 6, 1, tzinfo=UTC)  # noqa: E731
    bus = EmulatedBus(
        [
            WittyPi4Emulator(clock, firmware_id=0x36, revision=6),
            Ina219Emulator(0x40, 0.1),
            Ina226Emulator(0x45, 0.002),
            Max17048Emulator(),
            _Eeprom(0x50),
        ]
    )
    found = {device.address: (device.chip, device.detail) for device in scan(bus)}
    assert found == {
        0x08: ("Witty Pi 4 Mini", "firmware revision 6"),
        0x36: ("MAX17048", ""),
        0x40: ("INA219", ""),
        0x45: ("INA226", ""),
        0x50: (None, ""),
    }


def test_scan_reports_an_unknown_witty_pi_firmware():
    clock = lambda: datetime(2026, 6, 1, tzinfo=UTC)  # noqa: E731
    bus = EmulatedBus([WittyPi4Emulator(clock, firmware_id=0x00)])
    (device,) = scan(bus)
    assert device.chip == "Witty Pi (unknown firmware id 0x00)"
    assert device.describe() == "0x08  Witty Pi (unknown firmware id 0x00) (firmware revision 7)"


def test_scan_of_an_empty_bus_finds_nothing():
    assert scan(EmulatedBus()) == []
