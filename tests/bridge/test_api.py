"""The bridge's REST API, served by a real ``hardware-bridge serve --simulate`` process."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime, timedelta

import aiohttp
import pytest

from hardware_bridge.api.app import PREFIX, create_app
from hardware_bridge.hardware.drivers.witty_pi import DEFAULT_VOLTAGE_RANGE
from tests.support.bridge import BridgeProcess, write_config
from tests.support.openapi import assert_matches, response_schema, spec

pytestmark = pytest.mark.usefixtures("socket_enabled")
AUTHENTICATED = [
    ("GET", "/device"),
    ("GET", "/state"),
    ("GET", "/worker"),
    ("POST", "/worker/start"),
    ("POST", "/worker/stop"),
    ("GET", "/witty_pi/schedule"),
    ("PUT", "/witty_pi/schedule"),
    ("GET", "/witty_pi/low_voltage"),
    ("PUT", "/witty_pi/low_voltage"),
    ("GET", "/openapi.json"),
    ("GET", "/events"),
]


@pytest.fixture(scope="module")
def bridge(tmp_path_factory):
    """One bridge for the module; its Docker engine is absent on purpose."""
    tmp = tmp_path_factory.mktemp("api")
    config = write_config(tmp / "bridge.toml", docker_url=f"unix://{tmp}/no-engine.sock", tmp=tmp)
    process = BridgeProcess(tmp / "data", config=config).start()
    yield process
    process.stop()


async def call(bridge, method, path, *, token=..., body=None, raw=None):
    headers = {}
    token = bridge.token if token is ... else token
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession() as session,
        session.request(
            method,
            f"{bridge.url}{PREFIX}{path}",
            headers=headers,
            json=body if raw is None else None,
            data=raw,
        ) as reply,
    ):
        document = await reply.json(content_type=None)
        schema = response_schema(path, method, reply.status)
        if schema is not None:
            assert_matches(schema, document)
        return reply.status, document


async def test_health_needs_no_token(bridge):
    assert await call(bridge, "GET", "/health", token=None) == (
        200,
        {"status": "ok", "version": "0.1.0"},
    )


@pytest.mark.parametrize(("method", "path"), AUTHENTICATED)
@pytest.mark.parametrize("token", [None, "wrong", ""])
async def test_everything_else_needs_the_token(bridge, method, path, token):
    status, document = await call(bridge, method, path, token=token)
    assert status == 401
    assert document["error"] == "unauthorized"


async def test_a_token_of_another_bridge_is_refused(bridge):
    status, _ = await call(bridge, "GET", "/state", token=bridge.token[:-1] + "x")
    assert status == 401


async def test_the_token_file_is_private_and_printed_once(bridge, tmp_path):
    mode = stat.S_IMODE((bridge.data_dir / "token").stat().st_mode)
    assert mode == 0o600
    log = bridge.log.read_text()
    assert log.count(bridge.token) == 1
    assert "API token (shown once" in log


async def test_device_says_who_the_bridge_is(bridge):
    status, device = await call(bridge, "GET", "/device")
    assert status == 200
    assert len(device["device_id"]) == 16
    assert device["simulated"] is True
    assert device["scenario"] == "default"
    assert {(c["role"], c["chip"], c["address"]) for c in device["chips"]} == {
        ("solar", "ina219", 0x40),
        ("battery", "ina226", 0x41),
        ("witty_pi", "witty_pi_4", 0x08),
    }
    assert device["witty_pi"] == {
        "model": "Witty Pi 4",
        "firmware_id": 0x26,
        "firmware_revision": 7,
    }


async def test_state_has_every_reading_and_what_is_degraded(bridge):
    status, state = await call(bridge, "GET", "/state")
    assert status == 200
    assert state["battery"]["chip"] == "INA226@0x41"
    assert state["solar"]["chip"] == "INA219@0x40"
    assert state["witty_pi"]["model"] == "Witty Pi 4"
    assert state["worker"]["state"] == "error"  # no engine at that socket
    assert "Docker engine unreachable" in state["degraded"]["docker"]
    host = state["host"]  # the simulated Pi: every figure there, nothing throttled
    assert 20 < host["soc_temperature"] < 75
    assert host["cpu_percent"] == host["background_cpu_percent"]  # no worker runs
    assert host["throttling"]["bits"] == 0
    assert 0 < host["available_memory_bytes"] < host["total_memory_bytes"]


async def test_start_without_an_engine_is_a_503_that_says_so(bridge):
    status, document = await call(bridge, "POST", "/worker/start")
    assert status == 503
    assert document["error"] == "docker_unavailable"
    assert "no-engine.sock" in document["message"]


@pytest.mark.parametrize(
    ("method", "path", "raw", "message"),
    [
        ("POST", "/worker/stop", b"{not json", "not valid JSON"),
        ("POST", "/worker/stop", b"[1, 2]", "must be a JSON object"),
        ("POST", "/worker/stop", b'{"drain": "yes"}', "expected bool"),
        ("POST", "/worker/stop", b'{"timeout": 0}', "within 1..86400, got 0"),
        ("POST", "/worker/stop", b'{"timeout": "10"}', "expected a number"),
        ("POST", "/worker/stop", b'{"drain": true, "force": 1}', "extra keys not allowed"),
        ("POST", "/worker/start", b'{"image": "evil/miner"}', "extra keys not allowed"),
        ("PUT", "/witty_pi/schedule", b"{}", "required key not provided"),
        ("PUT", "/witty_pi/schedule", b'{"next_startup": "soon", "next_shutdown": null}',
         "not an ISO 8601 date-time"),
        ("PUT", "/witty_pi/schedule", b'{"next_startup": "2026-06-20T08:00:00", '
         b'"next_shutdown": null}', "needs a UTC offset"),
        ("PUT", "/witty_pi/schedule", b'{"next_startup": "2020-01-01T08:00:00+00:00", '
         b'"next_shutdown": null}', "must be after"),
        ("PUT", "/witty_pi/low_voltage", b'{"threshold": 99}', "within 2..25, got 99"),
        ("PUT", "/witty_pi/low_voltage", b'{"threshold": true}', "expected a number"),
    ],
)  # fmt: skip
async def test_a_malformed_body_is_a_400_with_a_clear_message(bridge, method, path, raw, message):
    status, document = await call(bridge, method, path, raw=raw)
    assert status == 400, document
    assert document["error"] in ("invalid_request", "invalid_setting")
    assert message in document["message"]


async def test_the_schedule_round_trips_through_the_witty_pi(bridge):
    _, state = await call(bridge, "GET", "/state")
    now = datetime.fromisoformat(state["witty_pi"]["rtc_time"])
    startup = (now + timedelta(days=2)).replace(microsecond=0).astimezone(UTC)
    shutdown = (now + timedelta(hours=5)).replace(microsecond=0).astimezone(UTC)
    status, schedule = await call(
        bridge,
        "PUT",
        "/witty_pi/schedule",
        body={"next_startup": startup.isoformat(), "next_shutdown": shutdown.isoformat()},
    )
    assert status == 200
    assert datetime.fromisoformat(schedule["next_startup"]) == startup
    assert datetime.fromisoformat(schedule["next_shutdown"]) == shutdown
    _, state = await call(bridge, "GET", "/state")
    assert datetime.fromisoformat(state["witty_pi"]["next_startup"]) == startup
    status, cleared = await call(
        bridge, "PUT", "/witty_pi/schedule", body={"next_startup": None, "next_shutdown": None}
    )
    assert (status, cleared) == (200, {"next_startup": None, "next_shutdown": None})


async def test_the_low_voltage_threshold_round_trips(bridge):
    status, settings = await call(
        bridge, "PUT", "/witty_pi/low_voltage", body={"threshold": 11.6, "recovery": 12.6}
    )
    assert (status, settings) == (200, {"threshold": 11.6, "recovery": 12.6})
    _, state = await call(bridge, "GET", "/state")
    assert state["witty_pi"]["low_voltage_threshold"] == 11.6
    status, settings = await call(bridge, "PUT", "/witty_pi/low_voltage", body={"threshold": None})
    assert (status, settings) == (200, {"threshold": None, "recovery": 12.6})


async def test_a_cut_above_the_battery_is_refused_with_the_reason(bridge):
    status, document = await call(bridge, "PUT", "/witty_pi/low_voltage", body={"threshold": 24})
    assert (status, document["error"]) == (400, "invalid_setting")
    assert "would shut the Pi down now" in document["message"]
    _, state = await call(bridge, "GET", "/state")
    assert state["witty_pi"]["low_voltage_threshold"] is None
    assert "low_voltage" not in state["guards"]["tripped"]


async def test_an_unknown_path_is_a_json_404(bridge):
    async with (
        aiohttp.ClientSession() as session,
        session.get(
            f"{bridge.url}{PREFIX}/nope", headers={"Authorization": f"Bearer {bridge.token}"}
        ) as reply,
    ):
        assert reply.status == 404
        assert (await reply.json())["error"] == "not_found"


async def test_the_served_openapi_document_is_the_one_in_the_repo(bridge):
    status, document = await call(bridge, "GET", "/openapi.json")
    assert status == 200
    assert document == spec()


@pytest.mark.parametrize("schema", ["LowVoltage", "LowVoltageRequest"])
def test_the_documented_low_voltage_range_is_the_drivers(schema):
    properties = spec()["components"]["schemas"][schema]["properties"]
    for key in ("threshold", "recovery"):
        bounds = (properties[key]["minimum"], properties[key]["maximum"])
        assert bounds == DEFAULT_VOLTAGE_RANGE


def test_every_route_is_documented_and_every_documented_path_exists():
    app = create_app(service=None, token="x")  # type: ignore[arg-type]
    served = {
        (route.method, route.resource.canonical)
        for route in app.router.routes()
        if route.method != "HEAD"
    }
    documented = {
        (method.upper(), path)
        for path, operations in spec()["paths"].items()
        for method in operations
    }
    assert served == documented


def test_the_device_id_is_stable_across_restarts(tmp_path):
    first = BridgeProcess(tmp_path / "data").start()
    device_id = (tmp_path / "data" / "device_id").read_text()
    token = first.token
    first.stop()
    second = BridgeProcess(tmp_path / "data").start()
    try:
        assert (tmp_path / "data" / "device_id").read_text() == device_id
        assert second.token == token
        assert json.dumps(token) not in second.log.read_text().split("stopped")[-1]
    finally:
        second.stop()


async def test_a_setting_the_board_does_not_take_is_a_400_that_names_the_board_and_writes_nothing(
    tmp_path, bridges
):
    # Before: the schema took 2-25 V for every board; on a Witty Pi 4 L3V7 the cut was written
    # before the recovery was refused: a 400, the board holding the new cut, GET the old one.
    config = write_config(tmp_path / "b.toml", docker_url=f"unix://{tmp_path}/none", tmp=tmp_path)
    l3v7 = BridgeProcess(tmp_path / "data", config=config, scenario="li_ion_gauge").start()
    bridges.append(l3v7)
    _, before = await call(l3v7, "GET", "/witty_pi/low_voltage")
    status, document = await call(
        l3v7, "PUT", "/witty_pi/low_voltage", body={"threshold": 3.2, "recovery": 5.0}
    )
    assert status == 400
    assert "within 3..4.2, got 5.0 (a Witty Pi 4 L3V7 takes 3-4.2 V)" in document["message"]
    _, after = await call(l3v7, "GET", "/witty_pi/low_voltage")
    assert after == before
