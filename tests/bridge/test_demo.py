"""The README's first command: ``scripts/demo`` serves a simulated Pi with a running worker."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import time

import pytest

from tests.support.bridge import BridgeProcess
from tests.support.client import request, wait_for
from tests.support.dockerd import REPO

pytestmark = [pytest.mark.xdist_group("docker"), pytest.mark.usefixtures("socket_enabled")]


async def test_the_demo_serves_a_simulated_pi_and_runs_the_worker(tmp_path):
    log = tmp_path / "demo.log"
    demo = await asyncio.to_thread(
        subprocess.Popen,
        [str(REPO / "scripts" / "demo")],
        env={**os.environ, "DEMO_DIR": str(tmp_path / "demo"), "DEMO_PORT": "0"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not (found := re.search(r"listening on http://127\.0\.0\.1:(\d+)", log.read_text())):
            assert demo.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            await asyncio.sleep(0.2)
        bridge = BridgeProcess(tmp_path / "demo" / "bridge")
        bridge.url = f"http://127.0.0.1:{found[1]}"
        status, worker = await request(bridge, "POST", "/worker/start")
        assert (status, worker.get("state")) == (200, "running"), worker
        state = await wait_for(bridge, lambda s: s["worker"]["tasks_started"] >= 1, "a task")
        assert state["simulated"] is True
        assert state["degraded"] == {}
        # A sunny June day at 60x, whatever today is.
        assert state["witty_pi"]["rtc_time"].startswith("2026-06-15T")
    finally:
        os.killpg(demo.pid, signal.SIGTERM)
        assert await asyncio.to_thread(demo.wait, 90) == 0
    assert "hardware-bridge stopped" in log.read_text()
