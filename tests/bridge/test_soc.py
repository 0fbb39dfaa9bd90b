"""State of charge: voltage seed, coulomb counting, full-charge resync, rest re-anchor."""

import pytest

from hardware_bridge.power.chemistry import AGM, LIFEPO4, BatteryPack
from hardware_bridge.power.soc import SocEstimator, SocState

LFP = BatteryPack.from_nominal(LIFEPO4, 12.8, 20)


def test_first_sample_seeds_from_the_rested_voltage():
    estimator = SocEstimator(LFP)
    state = estimator.update(LFP.ocv(30), 0.0, 0.0)
    assert state == SocState(pytest.approx(30), "voltage")


def test_seed_takes_out_the_internal_resistance_drop():
    estimator = SocEstimator(LFP)
    current = 5.0
    state = estimator.update(LFP.ocv(30) + current * LFP.resistance_ohm, current, 0.0)
    assert state.soc == pytest.approx(30)


def test_discharge_is_coulomb_counted():
    estimator = SocEstimator(LFP, initial=SocState(50.0, "voltage"))
    state = estimator.update(13.0, -2.0, 3600)  # 2 Ah of 20 Ah
    assert state == SocState(pytest.approx(40.0), "coulomb")


def test_charge_counts_with_the_coulombic_efficiency():
    pack = BatteryPack.from_nominal(AGM, 12, 10)
    estimator = SocEstimator(pack, initial=SocState(20.0, "coulomb"))
    state = estimator.update(13.0, 1.0, 3600)
    assert state.soc == pytest.approx(20 + 10 * AGM.charge_efficiency)


def test_soc_stays_within_0_and_100():
    estimator = SocEstimator(LFP, initial=SocState(1.0, "coulomb"))
    assert estimator.update(12.0, -10.0, 3600).soc == 0.0
    assert estimator.update(13.4, 30.0, 3600).soc == 100.0


def test_full_charge_resyncs_to_100_after_the_hold_time():
    estimator = SocEstimator(LFP, initial=SocState(80.0, "coulomb"))
    tail = 0.01 * LFP.capacity_ah
    for _ in range(17):
        state = estimator.update(LFP.charged_voltage + 0.05, tail, 10)
    assert state.soc < 100
    state = estimator.update(LFP.charged_voltage + 0.05, tail, 10)
    assert state == SocState(100.0, "full")


def test_a_large_charge_current_at_high_voltage_is_not_full():
    estimator = SocEstimator(LFP, initial=SocState(80.0, "coulomb"))
    for _ in range(100):
        state = estimator.update(LFP.charged_voltage + 0.05, 5.0, 10)
    assert state.source == "coulomb"


def test_a_long_rest_reanchors_lead_acid_but_not_lifepo4():
    agm = BatteryPack.from_nominal(AGM, 12, 50)
    estimator = SocEstimator(agm, initial=SocState(90.0, "coulomb"))
    for _ in range(int(AGM.rest_seconds / 600)):
        state = estimator.update(agm.ocv(40), 0.0, 600)
    assert state == SocState(pytest.approx(40), "voltage")

    lfp = SocEstimator(LFP, initial=SocState(90.0, "coulomb"))
    for _ in range(48):
        state = lfp.update(LFP.ocv(40), 0.0, 3600)
    assert state == SocState(90.0, "coulomb")


def test_a_fuel_gauge_is_taken_at_its_word():
    estimator = SocEstimator(LFP)
    assert estimator.set_from_gauge(63.5) == SocState(63.5, "gauge")
