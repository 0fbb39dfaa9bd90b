"""The API token and the device id: never empty, never garbage, never served without."""

from __future__ import annotations

import errno
import logging
import os
import stat

import aiohttp
import pytest
from aiohttp.test_utils import TestClient, TestServer

from hardware_bridge.api.app import PREFIX, TOKEN, create_app
from hardware_bridge.api.identity import (
    API_TOKEN,
    DEVICE_ID,
    load_or_create,
    load_or_create_device_id,
    load_or_create_token,
)
from hardware_bridge.base.errors import BridgeError
from tests.bridge.test_api import AUTHENTICATED
from tests.support.bridge import BridgeProcess

DIRECTORY = object()
# What a full disk, a damaged card or a stray edit leaves in the file.
UNUSABLE = [
    pytest.param(b"", id="empty"),
    pytest.param(b"\n \n", id="blank"),
    pytest.param(b"\xff\xfe\x00", id="not UTF-8"),
    pytest.param(DIRECTORY, id="a directory"),
    pytest.param(b"two words\n", id="malformed"),
    pytest.param(b"x" * 600, id="too long"),
    # Before: 16 characters or more of a token (or any of a device id) were used as they were.
    pytest.param(b"Ds_yxQ2OYTGG-BuxF-Nw-Nuct4t", id="cut short"),
]


def unusable(path, content):
    if content is DIRECTORY:
        path.mkdir()
    else:
        path.write_bytes(content)


@pytest.mark.parametrize("kept", [API_TOKEN, DEVICE_ID], ids=["token", "device_id"])
@pytest.mark.parametrize("content", UNUSABLE)
def test_an_unusable_file_is_set_aside_and_a_new_value_made(tmp_path, caplog, kept, content):
    unusable(tmp_path / kept.file, content)
    value, created = load_or_create(tmp_path, kept)
    assert created
    assert kept.pattern.fullmatch(value)
    assert (tmp_path / kept.file).read_text() == f"{value}\n"
    assert stat.S_IMODE((tmp_path / kept.file).stat().st_mode) == 0o600
    assert (tmp_path / f"{kept.file}.corrupt").exists()
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert f"made a new {kept.what}" in errors[0].getMessage()
    assert value not in caplog.text  # the token is printed once, by serve, not logged


def test_a_good_token_is_kept_and_made_private(tmp_path):
    (tmp_path / "token").write_text("a-token-someone-copied-in-1234\n")
    (tmp_path / "token").chmod(0o644)
    assert load_or_create_token(tmp_path) == ("a-token-someone-copied-in-1234", False)
    assert stat.S_IMODE((tmp_path / "token").stat().st_mode) == 0o600


def test_a_new_device_id_is_kept(tmp_path):
    first = load_or_create_device_id(tmp_path)
    assert load_or_create_device_id(tmp_path) == first


def test_a_full_disk_stops_the_start_and_leaves_no_empty_token(tmp_path, monkeypatch):
    def full(_fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(BridgeError, match=r"cannot write the API token .* No space left"):
        load_or_create_token(tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_the_api_is_not_created_without_a_token():
    with pytest.raises(ValueError, match="never serves without"):
        create_app(service=None, token="")  # type: ignore[arg-type]


@pytest.mark.usefixtures("socket_enabled")
async def test_an_empty_token_matches_nothing_even_past_create_app():
    app = create_app(service=None, token="x")  # type: ignore[arg-type]
    app[TOKEN] = ""
    async with TestClient(TestServer(app, host="127.0.0.1")) as client:
        for header in ("Bearer ", "Bearer", "bearer  "):
            reply = await client.get(f"{PREFIX}/state", headers={"Authorization": header})
            assert reply.status == 401


@pytest.mark.usefixtures("socket_enabled")
async def test_an_empty_token_file_gets_a_new_token_and_no_request_gets_in_without_it(
    tmp_path, bridges
):
    # What a disk that filled up at first start left behind.
    data = tmp_path / "data"
    data.mkdir()
    (data / "token").write_bytes(b"")
    bridge = BridgeProcess(data).start()
    bridges.append(bridge)
    token = bridge.token
    assert token
    assert f"API token (shown once; also in {data / 'token'}): {token}" in bridge.log.read_text()
    async with aiohttp.ClientSession() as session:
        for method, path in AUTHENTICATED:
            async with session.request(
                method, f"{bridge.url}{PREFIX}{path}", headers={"Authorization": "Bearer "}
            ) as reply:
                assert reply.status == 401, (method, path)
        async with session.get(
            f"{bridge.url}{PREFIX}/state", headers={"Authorization": f"Bearer {token}"}
        ) as reply:
            assert reply.status == 200


@pytest.mark.usefixtures("socket_enabled")
async def test_an_empty_device_id_is_replaced_by_a_real_one(tmp_path, bridges):
    data = tmp_path / "data"
    data.mkdir()
    (data / "device_id").write_bytes(b"")
    bridge = BridgeProcess(data).start()
    bridges.append(bridge)
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Bearer {bridge.token}"}) as session,
        session.get(f"{bridge.url}{PREFIX}/device") as reply,
    ):
        device = await reply.json()
    assert DEVICE_ID.pattern.fullmatch(device["device_id"])
    assert (data / "device_id").read_text() == f"{device['device_id']}\n"


@pytest.mark.parametrize("kept", [API_TOKEN, DEVICE_ID], ids=["token", "device_id"])
def test_a_whole_value_is_kept_with_or_without_its_end_of_line(tmp_path, kept):
    value = kept.make()
    for content in (f"{value}\n", value, "my-own-value-0123456789\n"):
        (tmp_path / kept.file).write_text(content)
        assert load_or_create(tmp_path, kept) == (content.strip(), False)
