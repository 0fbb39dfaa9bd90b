"""The event WebSocket: state on connect, changes pushed as they happen, deadbands, heartbeats."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from hardware_bridge.api.app import PREFIX
from hardware_bridge.api.deadband import DEFAULT_DEADBANDS, changed, flatten, quantity
from tests.support.bridge import BridgeProcess, write_config
from tests.support.machine import patience
from tests.support.openapi import assert_matches


@pytest.fixture(scope="module")
def bridge(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("events")
    config = write_config(
        tmp / "bridge.toml",
        docker_url=f"unix://{tmp}/no-engine.sock",
        tmp=tmp,
        server={"heartbeat": 0.5},
    )
    process = BridgeProcess(tmp / "data", config=config).start()
    yield process
    process.stop()


def headers(bridge):
    return {"Authorization": f"Bearer {bridge.token}"}


async def messages(ws, count, seconds=10.0):
    received = []
    async with asyncio.timeout(seconds):
        while len(received) < count:
            received.append(await ws.receive_json())
    return received


@pytest.mark.usefixtures("socket_enabled")
async def test_the_socket_needs_the_token(bridge):
    async with aiohttp.ClientSession() as session:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await session.ws_connect(f"{bridge.url}{PREFIX}/events")
    assert refused.value.status == 401


@pytest.mark.usefixtures("socket_enabled")
async def test_the_state_comes_first_then_changes_as_they_happen(bridge):
    async with (
        aiohttp.ClientSession(headers=headers(bridge)) as session,
        session.ws_connect(f"{bridge.url}{PREFIX}/events") as ws,
    ):
        first = await ws.receive_json()
        assert first["type"] == "state"
        assert_matches("StateMessage", first)
        # The simulated sun keeps moving (60x real time): changes arrive without asking.
        updates = [m for m in await messages(ws, 6) if m["type"] == "state"]
        assert updates
        for update in updates:
            assert_matches("StateMessage", update)
            assert update["changed"]
            assert not {"time", "sampled_at"} & {p.rsplit(".", 1)[-1] for p in update["changed"]}


@pytest.mark.usefixtures("socket_enabled")
async def test_a_change_is_pushed_to_a_subscriber_without_asking(bridge):
    # How fast is measured in bench/api_latency.py; here, that it arrives by push at all.
    async with (
        aiohttp.ClientSession(headers=headers(bridge)) as session,
        session.ws_connect(f"{bridge.url}{PREFIX}/events") as ws,
    ):
        await ws.receive_json()
        async with session.put(
            f"{bridge.url}{PREFIX}/witty_pi/low_voltage", json={"threshold": 10.5}
        ) as reply:
            assert reply.status == 200
        async with asyncio.timeout(10):
            while True:
                message = await ws.receive_json()
                if "witty_pi.low_voltage_threshold" in message.get("changed", []):
                    break
        assert message["data"]["witty_pi"]["low_voltage_threshold"] == 10.5


@pytest.mark.usefixtures("socket_enabled")
async def test_wide_deadbands_hold_back_every_quantity(bridge):
    # Deadbands govern quantities; what is not one is pushed whenever it changes, whatever they
    # are: a bridge that has just started reports its SoC from the voltage, then from coulomb
    # counting at its second battery read, and that change may come after the first heartbeat
    # (it did, on x86 run alone, and under the emulator, where this module's bridge is often new
    # to the test). So what is asserted is that no quantity is pushed, while the simulated sun
    # moves them past the default deadbands (the bridge would push that), and three heartbeats on.
    wide = dict.fromkeys(DEFAULT_DEADBANDS, 1000000000.0)
    async with (
        aiohttp.ClientSession(headers=headers(bridge)) as session,
        session.ws_connect(f"{bridge.url}{PREFIX}/events") as ws,
    ):
        first = flatten((await ws.receive_json())["data"])
        await ws.send_json({"type": "subscribe", "deadbands": wide})
        # The bridge reads a client's messages in order: its answer to a bad one comes once it
        # holds the wide deadbands, and what it pushes after that answer was judged by them.
        await ws.send_json({"type": "subscribe", "deadbands": {"voltage": -1}})
        received = []
        async with asyncio.timeout(patience(30)):
            while (await ws.receive_json())["type"] != "error":
                pass
            while not quantities(moved(first, await state(session, bridge), DEFAULT_DEADBANDS)):
                received += await until_heartbeats(ws, 1)
            received += await until_heartbeats(ws, 3)
    pushed = {}
    for message in received:
        assert_matches(f"{message['type'].capitalize()}Message", message)
        if message["type"] == "state":
            data = flatten(message["data"])
            pushed.update({path: data.get(path) for path in message["changed"]})
    assert not quantities(pushed)


def moved(old, new, deadbands):
    """What moved past its deadband from ``old`` to ``new``, with its new value."""
    return {path: new.get(path) for path in changed(old, new, deadbands)}


def quantities(values):
    """The paths a deadband holds back: numbers their names give a deadband to."""
    return [
        path
        for path, value in values.items()
        if quantity(path) is not None
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ]


async def state(session, bridge):
    async with session.get(f"{bridge.url}{PREFIX}/state") as reply:
        return flatten(await reply.json())


async def until_heartbeats(ws, count):
    """The messages up to the ``count``th heartbeat."""
    received = []
    while sum(m["type"] == "heartbeat" for m in received) < count:
        received.append(await ws.receive_json())
    return received


@pytest.mark.usefixtures("socket_enabled")
async def test_a_bad_subscription_is_answered_not_fatal(bridge):
    async with (
        aiohttp.ClientSession(headers=headers(bridge)) as session,
        session.ws_connect(f"{bridge.url}{PREFIX}/events") as ws,
    ):
        await ws.receive_json()
        await ws.send_str('{"type": "subscribe", "deadbands": {"voltage": -1}}')
        async with asyncio.timeout(5):
            while (message := await ws.receive_json())["type"] != "error":
                pass
        assert "bad value" in message["message"]
        assert (await ws.receive_json())["type"] in ("state", "heartbeat")  # still served


@pytest.mark.usefixtures("socket_enabled")
async def test_a_client_that_hangs_up_mid_stream_harms_no_one(bridge):
    for _ in range(5):
        session = aiohttp.ClientSession(headers=headers(bridge))
        ws = await session.ws_connect(f"{bridge.url}{PREFIX}/events")
        await ws.receive_json()
        ws._response.connection.transport.abort()
        await session.close()
    async with (
        aiohttp.ClientSession(headers=headers(bridge)) as session,
        session.get(f"{bridge.url}{PREFIX}/state") as reply,
    ):
        assert reply.status == 200
    await asyncio.sleep(1.5)
    assert "Traceback" not in bridge.log.read_text()


def test_flatten_names_every_leaf():
    assert flatten({"battery": {"soc": 50.0, "chip": "x"}, "degraded": {}}) == {
        "battery.soc": 50.0,
        "battery.chip": "x",
        "degraded": {},
    }


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ({"battery.voltage": 13.20}, {"battery.voltage": 13.24}, []),
        ({"battery.voltage": 13.20}, {"battery.voltage": 13.26}, ["battery.voltage"]),
        ({"witty_pi.output_current": 0.5}, {"witty_pi.output_current": 0.505}, []),
        ({"solar.power": 10.0}, {"solar.power": 10.4}, []),
        ({"solar.power": 10.0}, {"solar.power": 10.6}, ["solar.power"]),
        ({"energy.consumed": 1.0}, {"energy.consumed": 1.05}, []),
        ({"worker.state": "running"}, {"worker.state": "draining"}, ["worker.state"]),
        ({"time": "a", "worker.uptime": 1.0}, {"time": "b", "worker.uptime": 2.0}, []),
        ({"witty_pi.low_voltage_threshold": None}, {"witty_pi.low_voltage_threshold": 11.5},
         ["witty_pi.low_voltage_threshold"]),
        ({"degraded": {}}, {"degraded.solar": "INA219@0x40: ..."}, ["degraded.solar", "degraded"]),
        ({"host.soc_temperature": 50.0}, {"host.soc_temperature": 50.4}, []),
        ({"host.background_cpu_percent": 10.0}, {"host.background_cpu_percent": 14.0}, []),
        ({"host.available_memory_bytes": 2**30}, {"host.available_memory_bytes": 2**30 + 4096},
         []),
        ({"host.free_disk_bytes": 10**10}, {"host.free_disk_bytes": 10**10 - 10**6}, []),
        ({"host.free_disk_bytes": 10**10}, {"host.free_disk_bytes": 10**10 - 2 * 10**8},
         ["host.free_disk_bytes"]),
        ({"host.throttling.under_voltage": False}, {"host.throttling.under_voltage": True},
         ["host.throttling.under_voltage"]),
    ],
)  # fmt: skip
def test_changes_are_what_moves_past_its_deadband(old, new, expected):
    assert sorted(changed(old, new, DEFAULT_DEADBANDS)) == sorted(expected)


def test_a_slow_drift_is_pushed_once_it_adds_up():
    sent = {"battery.soc": 50.0}
    pushes = 0
    for step in range(1, 40):
        new = {"battery.soc": 50.0 + step * 0.05}
        if changed(sent, new, DEFAULT_DEADBANDS):
            sent = new
            pushes += 1
    assert pushes == 3  # 1.95 % of drift in 0.5 % deadbands
