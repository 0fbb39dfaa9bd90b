"""Battery chemistries: OCV curves invert, packs scale by cell count."""

import pytest

from hardware_bridge.power.chemistry import CHEMISTRIES, LEAD_ACID, LIFEPO4, BatteryPack


@pytest.mark.parametrize("chemistry", CHEMISTRIES.values(), ids=CHEMISTRIES.keys())
def test_ocv_curve_round_trips(chemistry):
    for soc in range(0, 101, 5):
        assert chemistry.soc_from_cell_ocv(chemistry.cell_ocv(soc)) == pytest.approx(soc, abs=1e-6)


@pytest.mark.parametrize("chemistry", CHEMISTRIES.values(), ids=CHEMISTRIES.keys())
def test_ocv_curve_is_strictly_increasing(chemistry):
    socs = [p[0] for p in chemistry.ocv_curve]
    volts = [p[1] for p in chemistry.ocv_curve]
    assert socs == sorted(set(socs))
    assert volts == sorted(set(volts))


def test_soc_clamps_outside_the_curve():
    assert LEAD_ACID.soc_from_cell_ocv(1.0) == 0
    assert LEAD_ACID.soc_from_cell_ocv(3.0) == 100


def test_pack_from_nominal_voltage_counts_cells():
    pack = BatteryPack.from_nominal(LIFEPO4, 12.8, 20)
    assert pack.cells == 4
    assert pack.capacity_wh == pytest.approx(256)
    assert pack.ocv(100) == pytest.approx(13.6)
    assert pack.soc_from_ocv(pack.ocv(50)) == pytest.approx(50)


def test_bci_table_for_a_12_volt_lead_acid_battery():
    pack = BatteryPack.from_nominal(LEAD_ACID, 12, 100)
    assert pack.ocv(100) == pytest.approx(12.65)
    assert pack.ocv(50) == pytest.approx(12.24)
    assert pack.charged_voltage == pytest.approx(14.2)
