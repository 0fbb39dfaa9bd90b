"""Power accounting: energy counters and state of charge, restored at start, saved every sample."""

from __future__ import annotations

import logging
from typing import Any

from hardware_bridge.chemistry import BatteryPack
from hardware_bridge.power.counters import EnergyCounters
from hardware_bridge.power.soc import SocEstimator, SocState
from hardware_bridge.power.store import JsonStore

_LOGGER = logging.getLogger(__name__)
DOCUMENT_VERSION = 1


class PowerAccounting:
    """The counters and the SoC estimator, kept on disk so a restart loses at most one sample."""

    def __init__(
        self, pack: BatteryPack, store: JsonStore | None, *, read_only: bool = False
    ) -> None:
        self.store = store
        # A one-shot reader beside a running daemon shows the daemon's totals but never writes.
        self.read_only = read_only
        saved = store.load() if store is not None else None
        saved = saved if saved and saved.get("version") == DOCUMENT_VERSION else {}
        self.counters = EnergyCounters.restore(saved.get("energy") or {})
        self.soc = SocEstimator(pack, initial=_restore_soc(saved.get("soc")))
        self._last_battery_ts: float | None = None
        self._save_failing = False
        if saved:
            _LOGGER.debug("Restored power accounting from %s", store.path if store else None)

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
        if self.store is None or self.read_only:
            return
        try:
            self.store.save(self.document())
        except OSError as err:
            if not self._save_failing:  # once per episode: a full disk fails every sample
                _LOGGER.error("Cannot save power accounting to %s: %s", self.store.path, err)
            self._save_failing = True
            return
        if self._save_failing:
            _LOGGER.info("Saving power accounting to %s works again", self.store.path)
        self._save_failing = False


def _restore_soc(saved: Any) -> SocState | None:
    if not isinstance(saved, dict):
        return None
    soc, source = saved.get("soc"), saved.get("source")
    if (
        isinstance(soc, int | float)
        and 0 <= soc <= 100
        and source in ("voltage", "coulomb", "full", "gauge")
    ):
        return SocState(float(soc), source)
    return None
