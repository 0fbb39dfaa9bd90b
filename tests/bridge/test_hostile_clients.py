"""Requests built to hurt: each gets a 4xx that says what is wrong, never a 500 or a traceback."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from hardware_bridge.api.app import PREFIX
from tests.support.bridge import bridge_without_docker
from tests.support.hostile import exchange, gzip_bomb, status_of

pytestmark = pytest.mark.usefixtures("socket_enabled")
SUBSCRIBERS = 4


@pytest.fixture(scope="module")
def bridge(tmp_path_factory):
    process = bridge_without_docker(
        tmp_path_factory.mktemp("hostile"), server={"max_event_sockets": SUBSCRIBERS}
    )
    yield process
    process.stop()


@pytest.fixture
def log_of_this_test(bridge):
    """What the bridge logs during the test."""
    start = bridge.log.stat().st_size
    return lambda: bridge.output(start)


async def raw_request(bridge, request: bytes) -> tuple[int, bytes]:
    """Send bytes no HTTP client library would; the status and the body of the answer."""
    answer = await exchange(bridge.port, request)
    return status_of(answer), answer.partition(b"\r\n\r\n")[2]


async def test_an_authorization_header_that_is_not_utf8_is_a_401_without_a_traceback(
    bridge, log_of_this_test
):
    for _ in range(20):
        status, body = await raw_request(
            bridge,
            b"GET /api/v1/state HTTP/1.1\r\nHost: bridge\r\n"
            b"Authorization: Bearer \xff\xfe\xc3\x28\r\nConnection: close\r\n\r\n",
        )
        assert status == 401, body
    log = log_of_this_test()
    assert "Traceback" not in log
    assert "unexpected error" not in log


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER", "bEaReR"])
async def test_the_bearer_scheme_is_case_insensitive(bridge, scheme):
    headers = {"Authorization": f"{scheme} {bridge.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{bridge.url}{PREFIX}/state", headers=headers) as reply,
    ):
        assert reply.status == 200


@pytest.mark.parametrize(
    ("raw", "content_type", "message"),
    [
        pytest.param(b"[" * 10000 + b"]" * 10000, None, "nested deeper than 32 levels",
                     id="nested 10000 deep"),
        pytest.param(b'{"timeout": 1' + b"0" * 400 + b"}", None, "integer out of range",
                     id="400 digits"),
        pytest.param(b'{"timeout": 1e400}', None, "number out of range", id="1e400"),
        pytest.param(b'{"timeout": NaN}', None, "NaN is not a JSON number", id="NaN"),
        pytest.param(b'{"timeout": -Infinity}', None, "-Infinity is not a JSON number",
                     id="-Infinity"),
        pytest.param(b"{}", "application/json; charset=x-unknown", "charset 'x-unknown'",
                     id="unknown charset"),
        pytest.param(b"{}", "application/json; charset=utf-16", "charset 'utf-16'",
                     id="another charset"),
        pytest.param(b'{"drain": "\xff"}', None, "not UTF-8", id="not UTF-8"),
    ],
)  # fmt: skip
async def test_a_body_that_would_crash_a_handler_is_a_400_that_says_why(
    bridge, log_of_this_test, raw, content_type, message
):
    headers = {
        "Authorization": f"Bearer {bridge.token}",
        "Content-Type": content_type or "application/json",
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{bridge.url}{PREFIX}/worker/stop", data=raw, headers=headers) as reply,
    ):
        document = await reply.json()
        assert reply.status == 400, document
    assert document["error"] == "invalid_request"
    assert message in document["message"]
    assert "Traceback" not in log_of_this_test()


async def test_a_body_over_64_kib_is_a_413(bridge):
    headers = {"Authorization": f"Bearer {bridge.token}", "Content-Type": "application/json"}
    padded = b'{"drain": true' + b" " * 70_000 + b"}"
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{bridge.url}{PREFIX}/worker/stop", data=padded, headers=headers) as reply,
    ):
        document = await reply.json()
        assert reply.status == 413
    assert "65536" in document["message"]


async def test_a_405_says_which_methods_are_allowed(bridge):
    headers = {"Authorization": f"Bearer {bridge.token}"}
    async with (
        aiohttp.ClientSession() as session,
        session.delete(f"{bridge.url}{PREFIX}/witty_pi/schedule", headers=headers) as reply,
    ):
        assert reply.status == 405
        assert set(reply.headers["Allow"].split(",")) == {"GET", "HEAD", "PUT"}
        assert (await reply.json())["error"] == "method_not_allowed"


async def error_answering(ws, text):
    """Send ``text``; the message of the error message that answers it."""
    await ws.send_str(text)
    async with asyncio.timeout(10):
        while (message := await ws.receive_json())["type"] != "error":
            pass  # the pushes already on their way
    return message["message"]


async def test_a_subscription_nested_too_deep_is_answered_and_the_socket_served_on(
    bridge, log_of_this_test
):
    headers = {"Authorization": f"Bearer {bridge.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.ws_connect(f"{bridge.url}{PREFIX}/events") as ws,
    ):
        await ws.receive_json()
        deep = "[" * 10000 + "]" * 10000
        answer = await error_answering(ws, f'{{"type": "subscribe", "deadbands": {deep}}}')
        assert "nested deeper than 32 levels" in answer
        answer = await error_answering(ws, '{"type": "subscribe", "deadbands": {"power": 1e400}}')
        assert "number out of range" in answer
        assert (await ws.receive_json())["type"] in ("state", "heartbeat")  # still served
    assert "Traceback" not in log_of_this_test()


async def test_subscribers_past_the_limit_get_a_503_before_the_upgrade(bridge):
    headers = {"Authorization": f"Bearer {bridge.token}"}
    url = f"{bridge.url}{PREFIX}/events"
    async with aiohttp.ClientSession(headers=headers) as session:
        sockets = [await session.ws_connect(url) for _ in range(SUBSCRIBERS)]
        try:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(url)
            assert refused.value.status == 503
            async with session.get(url) as reply:  # what the refusal says
                assert reply.status == 503
                document = await reply.json()
            assert document["error"] == "too_many_subscribers"
            assert f"{SUBSCRIBERS} event subscribers" in document["message"]
            await sockets.pop().close()
            await asyncio.sleep(0.2)  # the bridge reads the close frame and frees the place
            sockets.append(await session.ws_connect(url))
        finally:
            for ws in sockets:
                await ws.close()


def post_head(bridge, *headers: bytes, token: bool = True, length: int) -> bytes:
    """The head of a POST /worker/stop with ``headers`` and a body of ``length`` bytes."""
    lines = [
        b"POST /api/v1/worker/stop HTTP/1.1",
        b"Host: bridge",
        b"Connection: close",
        b"Content-Type: application/json",
        b"Content-Length: %d" % length,
        *headers,
    ]
    if token:
        lines.append(b"Authorization: Bearer " + bridge.token.encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


async def test_a_strangers_gzip_bomb_is_a_401_and_never_inflated(bridge):
    # Before: aiohttp inflated the body before the token was checked: 1 MB took 690 MB.
    bomb = gzip_bomb(1024)
    peak = bridge.memory_mib("VmHWM")
    head = post_head(bridge, b"Content-Encoding: gzip", token=False, length=len(bomb))
    answer = await exchange(bridge.port, head, bomb)
    assert status_of(answer) == 401
    assert bridge.memory_mib("VmHWM") - peak < 16


async def test_a_compressed_body_is_a_415_even_with_the_token(bridge, log_of_this_test):
    bomb = gzip_bomb(1024)
    peak = bridge.memory_mib("VmHWM")
    answer = await exchange(
        bridge.port, post_head(bridge, b"Content-Encoding: gzip", length=len(bomb)), bomb
    )
    assert status_of(answer) == 415
    assert b"send the JSON uncompressed" in answer
    assert bridge.memory_mib("VmHWM") - peak < 16
    assert "Traceback" not in log_of_this_test()


async def test_junk_that_says_it_is_deflated_is_a_415_not_a_500(bridge, log_of_this_test):
    # Before: aiohttp's inflater failed on it inside our handler: a 500 and a traceback.
    junk = b"this is not deflate data at all"
    answer = await exchange(
        bridge.port, post_head(bridge, b"Content-Encoding: deflate", length=len(junk)), junk
    )
    assert status_of(answer) == 415
    assert "unexpected error" not in log_of_this_test()


async def test_a_client_that_hangs_up_mid_body_costs_no_500(bridge, log_of_this_test):
    # Before: the handler's read failed with the connection gone: "unexpected error", a 500.
    head = post_head(bridge, length=1000)
    for _ in range(3):
        await exchange(bridge.port, head, b'{"drain": ', hang_up=True)
    await asyncio.sleep(1)  # the bridge sees the hang-ups
    status, _ = await raw_request(
        bridge, b"GET /api/v1/health HTTP/1.1\r\nConnection: close\r\n\r\n"
    )
    assert status == 200
    log = log_of_this_test()
    assert "unexpected error" not in log
    assert "Traceback" not in log


async def test_the_token_in_a_malformed_request_never_reaches_the_log(bridge, log_of_this_test):
    # Before: aiohttp logged the header line it could not parse: "Authorization: Bearer <token>".
    status, _ = await raw_request(
        bridge,
        b"GET /api/v1/state HTTP/1.1\r\nHost: bridge\r\nConnection: close\r\n"
        b"Authorization: Bearer " + bridge.token.encode() + b"\x01\r\n\r\n",
    )
    assert status == 400
    log = log_of_this_test()
    assert "Error handling request" in log  # logged, without it
    assert bridge.token not in log


async def test_a_flood_of_subscriptions_is_not_a_flood_of_log_lines(bridge, log_of_this_test):
    # Before: each subscribe message was a line at INFO: 20,000 of them wrote 4.2 MB in 2 s.
    headers = {"Authorization": f"Bearer {bridge.token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.ws_connect(f"{bridge.url}{PREFIX}/events") as ws,
    ):
        for power in range(500):
            await ws.send_str(f'{{"type": "subscribe", "deadbands": {{"power": {power}}}}}')
        # Answered after all the others: by then the bridge has read them all.
        bad = '{"type": "subscribe", "deadbands": {"power": -1}}'
        assert "unknown deadband or bad value" in await error_answering(ws, bad)
    assert log_of_this_test().count("event subscriber's deadbands") == 1
