"""Counters survive restarts and crashes: killed mid-write, the file is whole and current."""

import json
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from hardware_bridge.base.store import JsonStore
from hardware_bridge.power.accounting import PowerAccounting
from hardware_bridge.power.chemistry import LIFEPO4, BatteryPack
from hardware_bridge.power.soc import SocState

PACK = BatteryPack.from_nominal(LIFEPO4, 12.8, 20)

# A process that accounts one sample after another, each adding exactly 1 Wh of harvest, and says
# "<sample>" on stdout once that sample is persisted.
WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from hardware_bridge.power.chemistry import LIFEPO4, BatteryPack
    from hardware_bridge.power.accounting import PowerAccounting
    from hardware_bridge.base.store import JsonStore

    pack = BatteryPack.from_nominal(LIFEPO4, 12.8, 20)
    accounting = PowerAccounting(pack, JsonStore(Path(sys.argv[1])))
    print(f"start {accounting.counters.totals['solar_harvested']}", flush=True)
    sample = 0
    while True:
        accounting.account(sample, solar_w=3600.0, battery_w=0.0, solar_expected=True)
        print(sample, flush=True)
        sample += 1
    """
)


def test_save_then_load_round_trips(tmp_path):
    store = JsonStore(tmp_path / "power.json")
    store.save({"a": 1, "b": [1, 2]})
    assert store.load() == {"a": 1, "b": [1, 2]}


def test_missing_file_loads_as_nothing(tmp_path):
    assert JsonStore(tmp_path / "nope.json").load() is None


def test_a_corrupt_file_is_moved_aside_not_trusted(tmp_path, caplog):
    path = tmp_path / "power.json"
    path.write_text('{"energy": {"solar')
    assert JsonStore(path).load() is None
    assert (tmp_path / "power.json.corrupt").read_text() == '{"energy": {"solar'
    assert "not valid JSON" in caplog.text


def test_stale_temporaries_of_a_crash_are_cleaned_up(tmp_path):
    (tmp_path / ".power.json.abc123").write_text("half")
    JsonStore(tmp_path / "power.json").load()
    assert list(tmp_path.iterdir()) == []


def test_accounting_restores_counters_and_soc(tmp_path):
    store = JsonStore(tmp_path / "power.json")
    first = PowerAccounting(PACK, store)
    first.soc.state = SocState(42.0, "coulomb")
    first.account(0, solar_w=100.0, battery_w=60.0, solar_expected=True)
    first.account(36, solar_w=100.0, battery_w=60.0, solar_expected=True)

    again = PowerAccounting(PACK, store)
    assert again.counters.totals == pytest.approx(
        {"solar_harvested": 1.0, "consumed": 0.4, "battery_charged": 0.6, "battery_discharged": 0.0}
    )
    assert again.soc.state == SocState(42.0, "coulomb")


def test_read_only_accounting_never_writes(tmp_path):
    store = JsonStore(tmp_path / "power.json", read_only=True)
    PowerAccounting(PACK, store).account(0, solar_w=1.0, battery_w=0.0, solar_expected=True)
    assert not store.path.exists()


def test_a_failing_disk_is_logged_once(tmp_path, caplog):
    blocker = tmp_path / "file"
    blocker.write_text("")
    accounting = PowerAccounting(PACK, JsonStore(blocker / "power.json"))
    for second in range(5):
        accounting.account(second, solar_w=1.0, battery_w=0.0, solar_expected=True)
    assert caplog.text.count("cannot save") == 1


def _read_line(proc: subprocess.Popen[str]) -> str:
    line = proc.stdout.readline()
    assert line, proc.stderr.read()
    return line.strip()


def test_killed_at_random_moments_the_file_is_never_corrupt_and_loses_at_most_one_sample(tmp_path):
    path = tmp_path / "power.json"
    rng = random.Random(20261124)
    expected_wh = 0.0
    for _ in range(25):
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        start = _read_line(proc)
        # What a restart finds is what the last run confirmed, or one sample more.
        restored = float(start.split()[1])
        assert expected_wh <= restored <= expected_wh + 1
        # The kill lands while samples are being written, however slow the machine is to start
        # the writer: the random moment is counted from its first confirmed sample.
        first = int(_read_line(proc))
        time.sleep(rng.uniform(0.02, 0.25))
        proc.send_signal(signal.SIGKILL)
        confirmed = [first, *(int(line) for line in proc.stdout.read().split() if line.isdigit())]
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        # Sample 0 of each run only starts the integration; each later one adds 1 Wh.
        expected_wh = restored + confirmed[-1]

        document = json.loads(path.read_text())  # never corrupt: always parses
        saved = document["energy"]["solar_harvested"]
        assert expected_wh <= saved <= expected_wh + 1
        assert not (tmp_path / "power.json.corrupt").exists()
