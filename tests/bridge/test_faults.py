"""Faults are logged once per episode."""

import logging

from hardware_bridge.base.faults import FaultTracker


def test_a_fault_is_logged_once_and_its_recovery_once(caplog):
    caplog.set_level(logging.INFO)
    faults = FaultTracker(logging.getLogger("test"))
    for _ in range(100):
        faults.failed("solar", "INA219@0x40: register 0x02 BUS_VOLTAGE: Remote I/O error")
    assert faults.active == {"solar": "INA219@0x40: register 0x02 BUS_VOLTAGE: Remote I/O error"}
    faults.recovered("solar")
    faults.recovered("solar")
    assert faults.active == {}
    assert [r.getMessage() for r in caplog.records] == [
        "solar: INA219@0x40: register 0x02 BUS_VOLTAGE: Remote I/O error",
        "solar: recovered",
    ]


def test_a_changed_fault_is_logged_again(caplog):
    faults = FaultTracker(logging.getLogger("test"))
    faults.failed("battery", "NACK")
    faults.failed("battery", "bus error")
    assert len(caplog.records) == 2
