"""A private Docker engine for the tests: its own socket, data and exec roots.

The tests own it completely, so they can stop and restart it mid-test (the engine-restart test)
without touching any engine the machine may run. ``dockerd --bridge=none --iptables=false``: no
bridge network exists here, containers use the host's network.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from hardware_bridge.settings import STANDIN_IMAGE

REPO = Path(__file__).resolve().parents[2]


class PrivateDockerd:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.socket = root / "d.sock"
        self.url = f"unix://{self.socket}"
        self.log = root / "dockerd.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60) -> None:
        binary = shutil.which("dockerd")
        if binary is None:
            raise RuntimeError("dockerd is not installed: ./scripts/setup installs docker.io")
        self.process = subprocess.Popen(
            [
                binary,
                "--host", self.url,
                "--data-root", str(self.root / "data"),
                "--exec-root", str(self.root / "x"),
                "--pidfile", str(self.root / "dockerd.pid"),
                "--bridge=none",
                "--iptables=false",
                "--ip6tables=false",
            ],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.docker("version", check=False).returncode == 0:
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"dockerd exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"dockerd did not answer in {timeout} s: {self.log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process is None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.process = None

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", *args],
            env={**os.environ, "DOCKER_HOST": self.url},
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def build_standin_image(self) -> None:
        subprocess.run(
            [str(REPO / "scripts" / "build-standin-image"), STANDIN_IMAGE],
            env={**os.environ, "DOCKER_HOST": self.url},
            check=True,
            capture_output=True,
            timeout=120,
        )
