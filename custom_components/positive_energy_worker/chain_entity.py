"""The chain entities' base: what they read (``ChainView``) and where they sit (the worker).

The view joins the chain coordinator's state with the two things it weighs rewards against:
the bridge's consumed-energy counter and, if the user named one, the grid tariff entity.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from homeassistant.helpers.entity import EntityDescription
from homeassistant.helpers.update_coordinator import CoordinatorEntity

from .chain_coordinator import ChainCoordinator, ChainState
from .chain_data import RLC_DECIMALS
from .entity import WORKER, device_info, unique_id

NANO_RLC: Final = 10**RLC_DECIMALS
WEI: Final = 10**18
# Below a tenth of a watt-hour the ratio would be noise from the counters' rounding.
MIN_KWH: Final = 0.0001


@dataclass(frozen=True)
class ChainView:
    """The chain's state beside the energy that earned it."""

    state: ChainState
    consumed_wh: float | None  # the bridge's counter now
    tariff: float | None  # the grid's price per kWh now
    tariff_unit: str | None  # e.g. "EUR/kWh"

    def rlc(self, amount: int) -> float:
        return amount / NANO_RLC

    def kwh_since_start(self) -> float | None:
        start, now = self.state.ledger.consumed_wh_at_start, self.consumed_wh
        if start is None or now is None:
            return None
        return (now - start) / 1000

    def rlc_per_kwh(self) -> float | None:
        """Rewards since the scan began, per kWh the Pi consumed since then."""
        kwh = self.kwh_since_start()
        if kwh is None or kwh < MIN_KWH:
            return None
        return self.rlc(self.state.ledger.rewards) / kwh

    def break_even_price(self) -> float | None:
        """The RLC price at which a kWh's rewards pay what the grid asks for it."""
        earned = self.rlc_per_kwh()
        if self.tariff is None or not earned:
            return None
        return self.tariff / earned

    def price_unit(self) -> str | None:
        """The tariff's currency per RLC ("EUR/kWh" gives "EUR/RLC")."""
        if not self.tariff_unit:
            return None
        return f"{self.tariff_unit.split('/')[0].strip()}/RLC"


@dataclass(frozen=True, kw_only=True)
class ChainEntityDescription(EntityDescription):
    """An entity of the worker's economics; ``exists_fn`` sees the settings at setup."""

    exists_fn: Callable[[ChainCoordinator], bool] = lambda coordinator: True


class ChainEntity(CoordinatorEntity[ChainCoordinator]):
    """An entity of the worker's economics, on the worker's device."""

    _attr_has_entity_name = True

    def __init__(
        self,
        coordinator: ChainCoordinator,
        description: ChainEntityDescription,
    ) -> None:
        super().__init__(coordinator)
        self.entity_description = description
        data = coordinator.config_entry.runtime_data
        self._attr_unique_id = unique_id(data.device, WORKER, description.key)
        self._attr_device_info = device_info(data.device, WORKER, data.pi_device_id)

    @property
    def available(self) -> bool:
        return super().available and self.coordinator.data is not None

    def view(self) -> ChainView:
        """The chain's state with the energy counter and the tariff as they are now."""
        bridge = self.coordinator.config_entry.runtime_data.coordinator
        consumed = bridge.data.energy.consumed if bridge.data is not None else None
        tariff, unit = None, None
        if (entity_id := self.coordinator.settings.tariff) and (
            state := self.hass.states.get(entity_id)
        ):
            try:
                tariff = float(state.state)
            except ValueError:
                tariff = None  # unknown or unavailable: no break-even to show
            unit = state.attributes.get("unit_of_measurement")
        return ChainView(self.coordinator.data, consumed, tariff, unit)
