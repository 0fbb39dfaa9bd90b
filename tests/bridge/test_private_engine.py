"""The tests' own Docker engine lives no longer than the test process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.support.dockerd import OWNER_FILE, reap_stale_engines
from tests.support.machine import patience

REPO = Path(__file__).resolve().parents[2]
START_AN_ENGINE = """
import time
from tests.support.dockerd import PrivateDockerd
engine = PrivateDockerd.create()
engine.start()
print(engine.root, engine.process.pid, flush=True)
time.sleep(600)
"""


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    # A zombie is gone too: its parent (the test process that was killed) cannot reap it.
    return Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def test_an_engine_dies_with_its_test_process_and_the_next_run_reaps_the_rest():
    # Before: a test run stopped by a timeout left its dockerd and its mounts behind for good.
    tests = subprocess.Popen(
        [sys.executable, "-c", START_AN_ENGINE], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    try:
        root, pid = tests.stdout.readline().split()
        tests.send_signal(signal.SIGKILL)
        tests.wait()
        deadline = time.monotonic() + patience(60)
        while not gone(int(pid)):
            assert time.monotonic() < deadline, "dockerd outlived its test process"
            time.sleep(0.1)
        assert Path(root, OWNER_FILE).exists()
        assert Path(root) in reap_stale_engines()
        assert not Path(root).exists()
        assert root not in Path("/proc/self/mountinfo").read_text()
    finally:
        tests.kill()
        tests.wait()


def test_the_reaper_leaves_a_live_run_s_engine_alone(tmp_path):
    live = tmp_path / "pewd-live"
    live.mkdir()
    (live / OWNER_FILE).write_text(str(os.getpid()))
    assert reap_stale_engines(tmp_path) == []
    assert live.exists()
