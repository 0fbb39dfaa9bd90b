"""State files that cannot be trusted are set aside and reported: never a crash, never a silent
reset, never a value of the wrong type believed, never non-standard JSON served."""

from __future__ import annotations

import json
import logging

import aiohttp
import pytest

from hardware_bridge.base.faults import FaultTracker
from hardware_bridge.base.store import JsonStore
from hardware_bridge.power.accounting import POWER_FILE
from hardware_bridge.worker.persisted import WORKER_SCHEMA
from tests.support.bridge import bridge_without_docker

DIRECTORY = object()  # a directory where the file should be
COUNTERS = '"battery_charged":1.0,"battery_discharged":2.0,"consumed":3.0'
POWER = '{"version":1,"energy":{%s,"solar_harvested":%s},"soc":null}'
WORKER = '{"desired_running":%s,"tasks_started":1,"tasks_completed":1,"log_cursor":%s}'
SCHEMAS = {"power.json": POWER_FILE, "worker.json": WORKER_SCHEMA}

# (file, what is in it, what the report says)
CORRUPTIONS = [
    ("power.json", b"\xff\xfe{}", "not UTF-8"),
    ("power.json", DIRECTORY, "Is a directory"),
    ("power.json", '{"version": 1, "energy": {"solar', "not valid JSON"),
    ("power.json", POWER % (COUNTERS, "Infinity"), "Infinity is not a JSON number"),
    ("power.json", POWER % (COUNTERS, "NaN"), "NaN is not a JSON number"),
    ("power.json", POWER % (COUNTERS, "1" + "0" * 400), "integer out of range"),
    ("power.json", POWER % (COUNTERS, "1e400"), "number out of range"),
    ("power.json", POWER % (COUNTERS, '"12.5"'), "expected a number at least 0"),
    ("power.json", POWER % (COUNTERS, "-1"), "expected a number at least 0"),
    ("power.json", POWER % (COUNTERS, "true"), "expected a number at least 0"),
    ("power.json", POWER.replace('"version":1', '"version":2') % (COUNTERS, "1"), "version 1"),
    ("power.json", '{"version":1,"energy":{"solar_harvested":1},"soc":null}', "required key"),
    ("power.json", "[" * 10000 + "]" * 10000, "nested deeper than"),
    ("power.json", "[]", "expected a dictionary"),
    ("worker.json", b"\xff\xfe{}", "not UTF-8"),
    ("worker.json", DIRECTORY, "Is a directory"),
    ("worker.json", WORKER % ('"no"', "null"), "expected bool"),
    ("worker.json", WORKER % ("true", "[1]"), "[container id, nanoseconds]"),
    ("worker.json", WORKER % ("true", '["abc", -5]'), "expected a whole number at least 0"),
    ("worker.json", WORKER % ("1", "null"), "expected bool"),
]


def corrupt(path, content):
    if content is DIRECTORY:
        path.mkdir()
        (path / "inside").write_text("x")
    else:
        path.write_bytes(content.encode() if isinstance(content, str) else content)


def strict(text):
    """Parse as RFC 8259 JSON: NaN and Infinity are not numbers."""

    def refuse(constant):
        raise ValueError(f"non-standard JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize(("name", "content", "reason"), CORRUPTIONS)
def test_a_corrupt_state_file_is_set_aside_reported_once_and_not_believed(
    tmp_path, caplog, name, content, reason
):
    path = tmp_path / name
    corrupt(path, content)
    faults = FaultTracker(logging.getLogger("test"))
    store = JsonStore(path, SCHEMAS[name], faults=faults)

    assert store.load() is None
    assert store.load() is None  # and the second start finds nothing to complain about

    aside = tmp_path / f"{name}.corrupt"
    assert aside.is_dir() if content is DIRECTORY else aside.exists()
    assert not path.exists()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert reason in errors[0].getMessage()
    assert "Traceback" not in caplog.text
    assert reason in faults.active[name]
    assert f"moved to {name}.corrupt" in faults.active[name]


def test_the_last_file_set_aside_replaces_an_older_one(tmp_path):
    (tmp_path / "power.json.corrupt").mkdir()
    (tmp_path / "power.json").write_text("{")
    JsonStore(tmp_path / "power.json", POWER_FILE).load()
    assert (tmp_path / "power.json.corrupt").read_text() == "{"


def test_a_read_only_store_leaves_a_corrupt_file_where_it_is(tmp_path):
    (tmp_path / "power.json").write_text("{")
    store = JsonStore(tmp_path / "power.json", POWER_FILE, read_only=True)
    assert store.load() is None
    assert (tmp_path / "power.json").read_text() == "{"
    assert "left in place" in store.faults.active["power.json"]


def test_what_the_bridge_writes_it_reads_back(tmp_path):
    store = JsonStore(tmp_path / "worker.json", WORKER_SCHEMA)
    saved = {
        "desired_running": True,
        "tasks_started": 3,
        "tasks_completed": 2,
        "log_cursor": ["0123abcd", 1_790_000_000_123_456_789],  # nanoseconds: past 2**53
    }
    assert store.save(saved)
    assert store.load() == saved


def test_a_save_that_fails_is_a_fault_until_one_works(tmp_path):
    store = JsonStore(tmp_path / "power.json")
    store.path.mkdir()
    assert not store.save({"a": 1})
    assert "cannot save" in store.faults.active["power.json:save"]
    store.path.rmdir()
    assert store.save({"a": 1})
    assert store.faults.active == {}


def test_nan_is_never_written(tmp_path):
    store = JsonStore(tmp_path / "power.json")
    with pytest.raises(ValueError, match="not JSON compliant"):
        store.save({"a": float("nan")})


# At start-up, a real bridge: the corruptions that crashed it, reset it silently, or were served.
AT_START = [
    ("power.json", b"\xff\xfe{}", "not UTF-8"),
    ("power.json", DIRECTORY, "Is a directory"),
    ("power.json", POWER % (COUNTERS, "Infinity"), "Infinity"),
    ("power.json", POWER % (COUNTERS, '"12.5"'), "expected a number"),
    ("worker.json", b"\xff\xfe{}", "not UTF-8"),
    ("worker.json", WORKER % ("true", "[1]"), "[container id, nanoseconds]"),
    ("worker.json", WORKER % ('"no"', "null"), "expected bool"),
]


@pytest.mark.usefixtures("socket_enabled")
@pytest.mark.parametrize(("name", "content", "reason"), AT_START)
async def test_a_bridge_starts_on_a_corrupt_state_file_and_says_so(
    tmp_path, bridges, name, content, reason
):
    data = tmp_path / "data"
    data.mkdir()
    corrupt(data / name, content)
    bridge = bridge_without_docker(tmp_path)
    bridges.append(bridge)
    headers = {"Authorization": f"Bearer {bridge.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.get(f"{bridge.url}/api/v1/state") as reply,
    ):
        assert reply.status == 200
        state = strict(await reply.text())
    assert reason in state["degraded"][name]
    assert f"{name}.corrupt" in state["degraded"][name]
    assert (data / f"{name}.corrupt").exists()
    assert state["worker"]["desired_running"] is False
    assert state["worker"]["tasks_started"] == 0
    assert all(isinstance(wh, float) for wh in state["energy"].values())
    log = bridge.log.read_text()
    assert "Traceback" not in log
    assert log.count("ERROR hardware_bridge.") == 1
