"""The battery and its charge controller: where the panel's power goes, second by second.

The controller feeds the Pi's load first and charges the battery with the rest, within its
current limit; near full it holds the absorption (then float) voltage by tapering the current,
and whatever the panel could give beyond that is curtailed. Charge goes in at the chemistry's
coulombic efficiency; the terminal voltage is the open-circuit voltage plus the IR drop.
"""

from __future__ import annotations

from dataclasses import dataclass

from hardware_bridge.power.chemistry import BatteryPack


@dataclass(frozen=True)
class ChargeController:
    """An MPPT (converts power) or PWM (connects the panel at battery voltage) controller."""

    kind: str = "mppt"
    max_charge_current: float = 8.0  # A at the battery side
    efficiency: float = 0.95


@dataclass(frozen=True)
class Flow:
    """One step's currents and powers (charging positive)."""

    battery_current: float
    battery_voltage: float
    panel_power: float  # what the panel actually delivered
    panel_voltage: float
    panel_current: float
    curtailed_power: float
    load_power: float


class Battery:
    """A pack at a state of charge, charged and discharged by ``step``."""

    def __init__(self, pack: BatteryPack, soc: float, controller: ChargeController) -> None:
        self.pack = pack
        self.soc = min(max(soc, 0.0), 100.0)
        self.controller = controller

    def _charge_limit(self, ocv: float) -> float:
        """The most current the controller may push before the voltage passes its set point."""
        target = self.pack.float_voltage if self.soc >= 99.9 else self.pack.absorption_voltage
        return max(0.0, (target - ocv) / self.pack.resistance_ohm)

    def _room_ah(self) -> float:
        """The charge the pack can still hold (Ah)."""
        return (100.0 - self.soc) / 100.0 * self.pack.capacity_ah

    def step(
        self, seconds: float, panel_power: float, panel_voltage: float, load_watts: float
    ) -> Flow:
        """Advance ``seconds`` with the panel able to give ``panel_power`` at ``panel_voltage``."""
        ocv = self.pack.ocv(self.soc)
        load_current = load_watts / ocv if load_watts > 0 else 0.0
        if self.soc <= 0.0:
            load_current = 0.0  # an empty pack: the Witty Pi should have cut the load already
        ctl = self.controller
        limit = min(ctl.max_charge_current, load_current + self._charge_limit(ocv))
        if panel_power <= 0 or panel_voltage <= 0:
            wanted = 0.0
        elif ctl.kind == "pwm":
            # The panel is pulled down to battery voltage: roughly its MPP current, no gain.
            wanted = panel_power / panel_voltage
        else:
            wanted = panel_power * ctl.efficiency / ocv
        out_current = min(wanted, limit)
        # A full pack takes no more charge whatever its voltage allows (a lead-acid pack's set
        # point is far above its rest voltage): what it cannot hold is curtailed, not lost.
        room_ah = self._room_ah() / self.pack.chemistry.charge_efficiency
        if room_ah <= 0.0 or seconds > 0:  # an instant's reading (0 s) of a full pack: no room
            room_a = room_ah * 3600.0 / seconds if seconds > 0 else 0.0
            out_current = min(out_current, load_current + room_a)
        battery_current = out_current - load_current
        voltage = ocv + battery_current * self.pack.resistance_ohm
        available = panel_power
        if ctl.kind == "pwm" and wanted > 0:
            # Pulled down to the battery's voltage the panel gives its current at that voltage,
            # not its maximum power: the rest is never made (not curtailed, not lost in heat).
            available = min(panel_power, wanted * voltage)
        used = available
        if out_current < wanted:  # the set point holds the current back: the rest is curtailed
            used = min(available, available * out_current / wanted)
        amp_hours = battery_current * seconds / 3600.0
        if amp_hours > 0:
            amp_hours *= self.pack.chemistry.charge_efficiency
        self.soc = min(max(self.soc + 100.0 * amp_hours / self.pack.capacity_ah, 0.0), 100.0)
        panel_v = panel_voltage if ctl.kind == "mppt" or used <= 0 else voltage
        return Flow(
            battery_current=battery_current,
            battery_voltage=voltage,
            panel_power=used,
            panel_voltage=panel_v if panel_power > 0 else 0.0,
            panel_current=used / panel_v if used > 0 and panel_v > 0 else 0.0,
            curtailed_power=max(0.0, available - used),
            load_power=load_watts if load_current > 0 else 0.0,
        )
