"""``hardware-bridge scan``: probe the bus and name the chips we recognise."""

from __future__ import annotations

from dataclasses import dataclass

from hardware_bridge.base.errors import BridgeError
from hardware_bridge.hardware.bus import I2CBus
from hardware_bridge.hardware.config import MAX17048_ADDRESS, WITTY_PI_ADDRESS
from hardware_bridge.hardware.drivers.ina219 import Ina219
from hardware_bridge.hardware.drivers.ina226 import Ina226
from hardware_bridge.hardware.drivers.max17048 import Max17048
from hardware_bridge.hardware.drivers.register_device import RetryPolicy
from hardware_bridge.hardware.drivers.witty_pi import WittyPi4

# 7-bit addresses a probe may touch: 0x00-0x02 and 0x78-0x7F are reserved by the I2C spec.
FIRST_ADDRESS, LAST_ADDRESS = 0x03, 0x77
INA_ADDRESSES = range(0x40, 0x50)
# One attempt per transaction: an absent address NACKs, and retrying 117 of them is slow.
_PROBE_RETRY = RetryPolicy(attempts=1)


@dataclass(frozen=True)
class FoundDevice:
    """An address that answered, and what it seems to be."""

    address: int
    chip: str | None
    detail: str = ""

    def describe(self) -> str:
        name = self.chip or "unknown device"
        return f"0x{self.address:02x}  {name}{f' ({self.detail})' if self.detail else ''}"


def _answers(bus: I2CBus, address: int) -> bool:
    try:
        bus.read_byte(address)
    except OSError:
        return False
    return True


def identify(bus: I2CBus, address: int) -> FoundDevice:
    """Name the chip at an address that answered."""
    try:
        if address == WITTY_PI_ADDRESS:
            identity = WittyPi4(bus, address, retry=_PROBE_RETRY).identify()
            model = identity.model or f"Witty Pi (unknown firmware id 0x{identity.firmware_id:02x})"
            return FoundDevice(address, model, f"firmware revision {identity.revision}")
        if address in INA_ADDRESSES:
            if Ina226.probe(bus, address):
                return FoundDevice(address, "INA226")
            if Ina219.probe(bus, address):
                return FoundDevice(address, "INA219")
        if address == MAX17048_ADDRESS and Max17048.probe(bus, address):
            return FoundDevice(address, "MAX17048")
    except (BridgeError, OSError):
        pass
    return FoundDevice(address, None)


def scan(bus: I2CBus) -> list[FoundDevice]:
    """Every address that answers, identified where we can."""
    return [
        identify(bus, address)
        for address in range(FIRST_ADDRESS, LAST_ADDRESS + 1)
        if _answers(bus, address)
    ]
