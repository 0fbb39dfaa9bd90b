"""A real ``hardware-bridge serve --simulate`` process on loopback, for tests that talk HTTP."""

from __future__ import annotations

import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from hardware_bridge.config.serve import STANDIN_IMAGE
from hardware_bridge.config.standin import STANDIN_CHAIN_ID, STANDIN_POOL
from tests.support.machine import patience

# The chain support's anvil and worker (tests/support/chain.py, which needs web3: not imported
# here, so the bridge's own tests run without it).
ANVIL_CHAIN_ID = STANDIN_CHAIN_ID
WORKER_WALLET = "0x70997970c51812dc3a010c7d01b50e0d17dc79c8"
# What a [worker] table cannot leave out (docs/worker-contract.md), and a table of just that.
REQUIRED_WORKER: dict[str, Any] = {
    "core_url": "http://127.0.0.1:13000",
    "pool_address": STANDIN_POOL,
    "chain_id": ANVIL_CHAIN_ID,
}
WORKER_TABLE = "[worker]\n" + "".join(
    f"{k} = {json.dumps(v)}\n" for k, v in REQUIRED_WORKER.items()
)

# The tests' simulated day (tests/support/clock.py), as the command line pins it.
JUNE_MORNING_FLAGS = ("--sim-start", "2026-06-15T06:00:00-04:00", "--sim-speed", "60")

LISTENING = re.compile(r"listening on http://127\.0\.0\.1:(\d+)")


def write_config(
    path: Path,
    *,
    docker_url: str,
    tmp: Path,
    worker: dict[str, Any] | None = None,
    guards: dict[str, Any] | None = None,
    server: dict[str, Any] | None = None,
) -> Path:
    """A bridge config with the stand-in worker on the given engine."""
    wallet, password = tmp / "wallet.json", tmp / "wallet-password"
    # The address of the chain support's worker (tests/support/chain.py's WORKER), lower case
    # and without 0x as a keystore keeps it: the demo's Home Assistant reads that wallet.
    wallet.write_text(json.dumps({"address": WORKER_WALLET.removeprefix("0x")}) + "\n")
    password.write_text("test\n")
    table = {
        "image": STANDIN_IMAGE,
        "allowed_images": [STANDIN_IMAGE],
        "name": f"pew-test-{tmp.name[-12:]}",
        **REQUIRED_WORKER,
        "wallet_file": str(wallet),
        "password_file": str(password),
        "base_dir": str(tmp / "iexec"),
        "docker_url": docker_url,
        "poll_interval": 0.5,
        "environment": {"STANDIN_TASK_SECONDS": "3", "STANDIN_IDLE_SECONDS": "1"},
        **(worker or {}),
    }
    table = {key: value for key, value in table.items() if value is not None}  # None: left out
    lines = ["[worker]"] + [f"{key} = {json.dumps(value)}" for key, value in table.items()
                            if not isinstance(value, dict)]  # fmt: skip
    env = table["environment"]
    lines.append(
        "environment = { " + ", ".join(f"{k} = {json.dumps(v)}" for k, v in env.items()) + " }"
    )
    for name, values in (("guards", guards), ("server", server)):
        if values:
            lines.append(f"[{name}]")
            lines += [f"{key} = {json.dumps(value)}" for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


class BridgeProcess:
    """One bridge; ``start`` waits until it answers ``health``."""

    def __init__(self, data_dir: Path, *, config: Path | None = None, scenario: str = "default",
                 port: int | None = None, zeroconf: bool = False,
                 max_open_files: int | None = None,
                 clock: tuple[str, ...] = JUNE_MORNING_FLAGS) -> None:  # fmt: skip
        """``clock``: flags pinning the simulated clock (empty: the scenario's own)."""
        self.data_dir = data_dir
        self.clock = clock
        self.config = config
        self.scenario = scenario
        self.zeroconf = zeroconf
        self.max_open_files = max_open_files  # the process's RLIMIT_NOFILE, for exhaustion tests
        # 0: the bridge picks a free port and says which (no socket opened here: Home
        # Assistant's test plugin blocks them outside the tests that ask for them).
        self.port = port or 0
        self.url = ""
        self.process: subprocess.Popen[str] | None = None
        self.log = data_dir.parent / f"{data_dir.name}-bridge.log"

    @property
    def token(self) -> str:
        return (self.data_dir / "token").read_text().strip()

    def launch(self) -> int:
        """Start the process without waiting for it; the log offset its output begins at."""
        command = [
            sys.executable, "-m", "hardware_bridge", "serve",
            "--simulate", self.scenario,
            "--host", "127.0.0.1", "--port", str(self.port),
            "--data-dir", str(self.data_dir),
            *self.clock,
        ]  # fmt: skip
        if not self.zeroconf:
            command.append("--no-zeroconf")
        if self.config is not None:
            command += ["--config", str(self.config)]
        offset = self.log.stat().st_size if self.log.exists() else 0
        self.process = subprocess.Popen(
            command,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        if self.max_open_files is not None:
            # Set from outside (no preexec_fn: the test process has threads); the bridge is still
            # importing, with a handful of descriptors open.
            limit = (self.max_open_files, self.max_open_files)
            resource.prlimit(self.process.pid, resource.RLIMIT_NOFILE, limit)
        return offset

    def memory_mib(self, field: str = "VmRSS") -> float:
        """The process's resident memory now (``VmRSS``) or at its peak so far (``VmHWM``)."""
        assert self.process is not None
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) / 1024
        raise LookupError(field)

    def output(self, offset: int) -> str:
        with self.log.open() as log:
            log.seek(offset)
            return log.read()

    def start(self, timeout: float = 120) -> BridgeProcess:
        return self.wait_listening(self.launch(), timeout)

    def wait_listening(self, offset: int, timeout: float = 120) -> BridgeProcess:
        """Once launched (its log from ``offset``), wait until it listens."""
        assert self.process is not None
        deadline = time.monotonic() + patience(timeout)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the bridge exited: {self.log.read_text()[-3000:]}")
            if found := LISTENING.search(self.output(offset)):
                self.port = int(found[1])
                self.url = f"http://127.0.0.1:{self.port}"
                return self
            time.sleep(0.05)
        raise RuntimeError(f"the bridge did not start: {self.log.read_text()[-3000:]}")

    def stop(self, sig: int = signal.SIGTERM) -> int:
        if self.process is None:
            return 0
        self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        self.process = None
        return code

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


def bridge_without_docker(tmp: Path, *, server: dict[str, Any] | None = None,
                          max_open_files: int | None = None) -> BridgeProcess:  # fmt: skip
    """A started bridge in ``tmp`` whose Docker engine is absent on purpose."""
    config = write_config(
        tmp / "bridge.toml", docker_url=f"unix://{tmp}/no-engine.sock", tmp=tmp, server=server
    )
    return BridgeProcess(tmp / "data", config=config, max_open_files=max_open_files).start()
