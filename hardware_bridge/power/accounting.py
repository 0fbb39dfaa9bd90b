"""Power accounting: energy counters and state of charge, restored at start, saved every sample."""

from __future__ import annotations

import logging
from typing import Any, get_args

import voluptuous as vol

from hardware_bridge.base.store import JsonStore
from hardware_bridge.base.validators import number
from hardware_bridge.power.chemistry import BatteryPack
from hardware_bridge.power.counters import COUNTERS, EnergyCounters
from hardware_bridge.power.soc import SocEstimator, SocSource, SocState

AMOUNT = number(at_least=0)

_LOGGER = logging.getLogger(__name__)
DOCUMENT_VERSION = 1


def _version(value: Any) -> int:
    if isinstance(value, bool) or value != DOCUMENT_VERSION:
        raise vol.Invalid(f"expected version {DOCUMENT_VERSION}, got {value!r}")
    return DOCUMENT_VERSION


def _percent(value: Any) -> float:
    soc = AMOUNT(value)
    if soc > 100:
        raise vol.Invalid(f"expected a percentage, got {value!r}")
    return soc


# power.json, as ``PowerAccounting.document`` writes it.
POWER_FILE = vol.Schema(
    {
        vol.Required("version"): _version,
        vol.Required("energy"): {vol.Required(name): AMOUNT for name in COUNTERS},
        vol.Required("soc"): vol.Any(
            None,
            {vol.Required("soc"): _percent, vol.Required("source"): vol.In(get_args(SocSource))},
        ),
    }
)


class PowerAccounting:
    """The counters and the SoC estimator, kept on disk so a restart loses at most one sample."""

    def __init__(self, pack: BatteryPack, store: JsonStore | None) -> None:
        """``store`` holds power.json (``POWER_FILE``); a read-only one is never written."""
        self.store = store
        saved = store.load() if store is not None else None
        self.counters = EnergyCounters.restore(saved["energy"] if saved else {})
        soc = saved["soc"] if saved else None
        self.soc = SocEstimator(pack, initial=SocState(soc["soc"], soc["source"]) if soc else None)
        self._last_battery_ts: float | None = None
        if saved and store is not None:
            _LOGGER.debug("Restored power accounting from %s", store.path)

    def battery_soc(self, ts: float, voltage: float, current: float) -> SocState:
        """Coulomb count a battery sample taken at ``ts``."""
        last = self._last_battery_ts
        self._last_battery_ts = ts
        seconds = ts - last if last is not None and 0 < ts - last <= self.counters.max_gap else 0.0
        return self.soc.update(voltage, current, seconds)

    def gauge_soc(self, soc: float) -> SocState:
        """A fuel gauge's own SoC."""
        return self.soc.set_from_gauge(soc)

    def account(
        self, ts: float, *, solar_w: float | None, battery_w: float | None, solar_expected: bool
    ) -> None:
        """Integrate one sample's powers (battery positive when charging) and persist."""
        counters = self.counters
        for name, watts in (
            ("solar_harvested", solar_w),
            ("battery_charged", battery_w),
            ("battery_discharged", -battery_w if battery_w is not None else None),
        ):
            if watts is None:
                counters.forget(name)
            else:
                counters.add_sample(name, ts, watts)
        # What the system draws is what comes in minus what goes into the battery. Without a
        # panel monitor only the battery's discharge is known.
        if battery_w is not None and (solar_w is not None or not solar_expected):
            counters.add_sample("consumed", ts, (solar_w or 0.0) - battery_w)
        else:
            counters.forget("consumed")
        self.persist()

    def document(self) -> dict[str, Any]:
        state = self.soc.state
        return {
            "version": DOCUMENT_VERSION,
            "energy": self.counters.snapshot(),
            "soc": {"soc": state.soc, "source": state.source} if state else None,
        }

    def persist(self) -> None:
        """Save the document; a failure is the store's fault to report, once per episode."""
        if self.store is not None and not self.store.read_only:
            self.store.save(self.document())
