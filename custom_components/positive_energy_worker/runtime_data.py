"""What a loaded config entry holds: the bridge's client, its coordinators and the window.

Its own module so that every part may name the typed entry without importing the parts that
fill it (the chain's coordinator and the compute window import the bridge's coordinator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from homeassistant.config_entries import ConfigEntry

if TYPE_CHECKING:
    from .chain_coordinator import ChainCoordinator
    from .client import BridgeClient
    from .compute_window import ComputeWindow
    from .coordinator import PEWCoordinator
    from .models import BridgeDevice


@dataclass
class PEWData:
    """What a config entry holds while it is loaded."""

    client: BridgeClient
    coordinator: PEWCoordinator
    device: BridgeDevice
    window: ComputeWindow
    pi_device_id: str  # the Pi's device registry id: the device its parts belong to
    chain: ChainCoordinator | None = None  # when the options name a chain and a wallet


PEWConfigEntry = ConfigEntry[PEWData]
