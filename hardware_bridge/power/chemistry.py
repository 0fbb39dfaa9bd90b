"""Battery chemistries: open-circuit-voltage curves and charging facts, per cell.

Shared by the simulation (which turns a state of charge into a terminal voltage) and by power
accounting (which seeds a state of charge from a rested voltage), so both speak the same curve.
Sources: BCI's flooded lead-acid table, Polaris's AGM charging recommendations, marinehowto's
Victron settings for LiFePO4, and TI SLUAAA1 for coulomb counting.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Chemistry:
    """Per-cell facts of one battery chemistry."""

    name: str
    nominal_cell_voltage: float
    # (state of charge %, rested open-circuit volts per cell), both strictly increasing.
    ocv_curve: tuple[tuple[float, float], ...]
    absorption_cell_voltage: float
    float_cell_voltage: float
    # Coulombic efficiency: the share of charge put in that can be taken out again.
    charge_efficiency: float
    # Internal resistance per cell times capacity (ohm * Ah): a bigger cell is stiffer.
    resistance_ohm_ah: float
    # Whether a rested voltage says much about the charge (LiFePO4's curve is too flat).
    voltage_tells_soc: bool
    # How long the battery must rest before its voltage is an open-circuit voltage.
    rest_seconds: float

    @property
    def charged_cell_voltage(self) -> float:
        """Above this, with a small tail current, the battery counts as full (Victron-style)."""
        return self.absorption_cell_voltage - 0.2 / (12.0 / self.nominal_cell_voltage)

    def cell_ocv(self, soc_percent: float) -> float:
        """Open-circuit volts per cell at a state of charge (linear between table points)."""
        socs = [p[0] for p in self.ocv_curve]
        volts = [p[1] for p in self.ocv_curve]
        return _interpolate(socs, volts, soc_percent)

    def soc_from_cell_ocv(self, cell_volts: float) -> float:
        """State of charge (%) of a rested cell at ``cell_volts``; clamped to 0..100."""
        socs = [p[0] for p in self.ocv_curve]
        volts = [p[1] for p in self.ocv_curve]
        return _interpolate(volts, socs, cell_volts)


def _interpolate(xs: list[float], ys: list[float], x: float) -> float:
    """Piecewise-linear y(x) over increasing ``xs``, flat beyond the ends."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    i = bisect_left(xs, x)
    x0, x1, y0, y1 = xs[i - 1], xs[i], ys[i - 1], ys[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


LEAD_ACID: Final = Chemistry(
    name="lead_acid",
    nominal_cell_voltage=2.0,
    # BCI table for a 12 V flooded battery at 26.7 °C, divided by six cells.
    ocv_curve=((0, 11.89 / 6), (25, 12.06 / 6), (50, 12.24 / 6), (75, 12.45 / 6), (100, 12.65 / 6)),
    absorption_cell_voltage=14.4 / 6,
    float_cell_voltage=13.5 / 6,
    charge_efficiency=0.85,
    resistance_ohm_ah=0.08,
    voltage_tells_soc=True,
    rest_seconds=6 * 3600,
)

AGM: Final = Chemistry(
    name="agm",
    nominal_cell_voltage=2.0,
    # Polaris AGM bands (12 V), taking the middle of each band.
    ocv_curve=((0, 11.8 / 6), (25, 12.15 / 6), (50, 12.45 / 6), (75, 12.7 / 6), (100, 12.9 / 6)),
    absorption_cell_voltage=14.4 / 6,
    float_cell_voltage=13.3 / 6,
    charge_efficiency=0.92,
    resistance_ohm_ah=0.06,
    voltage_tells_soc=True,
    rest_seconds=4 * 3600,
)

LIFEPO4: Final = Chemistry(
    name="lifepo4",
    nominal_cell_voltage=3.2,
    # Vendor table for a 4S 12.8 V pack, per cell. Flat between 20 and 90 %.
    ocv_curve=(
        (0, 2.50),
        (10, 3.00),
        (20, 3.20),
        (30, 3.225),
        (50, 3.275),
        (70, 3.32),
        (90, 3.35),
        (100, 3.40),
    ),
    absorption_cell_voltage=3.55,
    float_cell_voltage=3.375,
    charge_efficiency=0.99,
    resistance_ohm_ah=0.1,
    voltage_tells_soc=False,
    rest_seconds=3600,
)

LI_ION: Final = Chemistry(
    name="li_ion",
    nominal_cell_voltage=3.7,
    # Linux sc27xx-fgu binding example, 20 °C.
    ocv_curve=(
        (0, 3.400),
        (5, 3.605),
        (10, 3.680),
        (15, 3.724),
        (20, 3.752),
        (25, 3.765),
        (30, 3.770),
        (35, 3.773),
        (40, 3.777),
        (45, 3.787),
        (50, 3.805),
        (55, 3.835),
        (60, 3.864),
        (65, 3.889),
        (70, 3.917),
        (75, 3.949),
        (80, 3.983),
        (85, 4.022),
        (90, 4.066),
        (95, 4.113),
        (100, 4.185),
    ),
    absorption_cell_voltage=4.2,
    float_cell_voltage=4.1,
    charge_efficiency=0.995,
    resistance_ohm_ah=0.12,
    voltage_tells_soc=True,
    rest_seconds=3600,
)

CHEMISTRIES: Final[dict[str, Chemistry]] = {c.name: c for c in (LEAD_ACID, AGM, LIFEPO4, LI_ION)}


@dataclass(frozen=True)
class BatteryPack:
    """A pack of identical cells in series."""

    chemistry: Chemistry
    cells: int
    capacity_ah: float

    @classmethod
    def from_nominal(
        cls, chemistry: Chemistry, nominal_voltage: float, capacity_ah: float
    ) -> BatteryPack:
        """The pack whose cell count gives ``nominal_voltage`` (12.8 V LiFePO4: 4 cells)."""
        cells = max(1, round(nominal_voltage / chemistry.nominal_cell_voltage))
        return cls(chemistry, cells, capacity_ah)

    @property
    def nominal_voltage(self) -> float:
        return self.cells * self.chemistry.nominal_cell_voltage

    @property
    def capacity_wh(self) -> float:
        return self.capacity_ah * self.nominal_voltage

    @property
    def resistance_ohm(self) -> float:
        return self.chemistry.resistance_ohm_ah * self.cells / self.capacity_ah

    @property
    def absorption_voltage(self) -> float:
        return self.cells * self.chemistry.absorption_cell_voltage

    @property
    def float_voltage(self) -> float:
        return self.cells * self.chemistry.float_cell_voltage

    @property
    def charged_voltage(self) -> float:
        return self.cells * self.chemistry.charged_cell_voltage

    def ocv(self, soc_percent: float) -> float:
        """Open-circuit voltage of the pack."""
        return self.cells * self.chemistry.cell_ocv(soc_percent)

    def soc_from_ocv(self, volts: float) -> float:
        """State of charge of the rested pack."""
        return self.chemistry.soc_from_cell_ocv(volts / self.cells)
