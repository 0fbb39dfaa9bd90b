"""A private Docker engine for the tests: its own socket, data and exec roots.

The tests own it completely, so they can stop and restart it mid-test (the engine-restart test)
without touching any engine the machine may run. ``dockerd --bridge=none --iptables=false``: no
bridge network exists here, containers use the host's network.

Its life is tied to the test process that started it: the kernel sends the engine SIGTERM when
that process dies, however it dies (a timeout's SIGKILL included), and the next test run reaps
what an engine killed harder than that left behind (its process, its mounts, its directory).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from hardware_bridge.config.serve import STANDIN_IMAGE

REPO = Path(__file__).resolve().parents[2]
ROOT_PREFIX = "pewd-"  # /tmp/pewd-*: short, since the engine's unix sockets live under it
OWNER_FILE = "owner"  # the pid of the test process an engine belongs to
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the engine's process before exec: SIGTERM when the test process is gone."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _mounts_under(root: Path) -> list[str]:
    """Mount points at or below ``root``, deepest first."""
    points = []
    for line in Path("/proc/self/mountinfo").read_text().splitlines():
        point = line.split()[4].replace("\\040", " ")
        if point == str(root) or point.startswith(f"{root}/"):
            points.append(point)
    return sorted(points, key=len, reverse=True)


def reap_stale_engines(tmp: Path = Path("/tmp")) -> list[Path]:
    """Remove the engines whose test process is gone: process, mounts, directory."""
    reaped = []
    for root in tmp.glob(f"{ROOT_PREFIX}*"):
        try:
            owner = int((root / OWNER_FILE).read_text())
        except (OSError, ValueError):
            continue  # not one of ours, or still being made
        if _alive(owner):
            continue
        with contextlib.suppress(OSError, ValueError):
            pid = int((root / "dockerd.pid").read_text())
            if Path(f"/proc/{pid}/comm").read_text().strip() == "dockerd":
                os.kill(pid, signal.SIGKILL)
        for point in _mounts_under(root):
            subprocess.run(["umount", "-l", point], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)
        reaped.append(root)
    return reaped


class PrivateDockerd:
    def __init__(self, root: Path) -> None:
        self.root = root
        (root / OWNER_FILE).write_text(str(os.getpid()))
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
            preexec_fn=_die_with_parent,  # noqa: PLW1509  (prctl must run in the child)
        )  # fmt: skip
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.docker("version", check=False).returncode == 0:
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"dockerd exited: {self.log.read_text()[-2000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"dockerd did not answer in {timeout} s: {self.log.read_text()[-2000:]}")

    @classmethod
    def create(cls) -> PrivateDockerd:
        """An engine in a new directory under /tmp, after reaping the stale ones."""
        reap_stale_engines()
        return cls(Path(tempfile.mkdtemp(prefix=ROOT_PREFIX, dir="/tmp")))

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

    @contextlib.contextmanager
    def frozen(self) -> Iterator[None]:
        """The engine hung, as a daemon stuck on a full disk or swapping is: SIGSTOP on dockerd.

        Its socket still accepts connections (the kernel does that), nothing answers them, and
        the containers run on (their shims are other processes). SIGCONT when the block ends.
        """
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGSTOP)
        try:
            yield
        finally:
            os.kill(self.process.pid, signal.SIGCONT)

    def discard(self) -> None:
        """Stop the engine and remove everything it had: mounts and directory."""
        self.stop()
        for point in _mounts_under(self.root):
            subprocess.run(["umount", "-l", point], check=False, capture_output=True)
        shutil.rmtree(self.root, ignore_errors=True)

    def docker(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["docker", *args],
            env={**os.environ, "DOCKER_HOST": self.url},
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def docker_input(self, data: bytes, *args: str) -> str:
        """``docker ARGS`` with ``data`` on its standard input; its output."""
        done = subprocess.run(
            ["docker", *args],
            env={**os.environ, "DOCKER_HOST": self.url},
            input=data,
            capture_output=True,
            check=True,
            timeout=120,
        )
        return done.stdout.decode()

    def build_standin_image(self) -> None:
        subprocess.run(
            [str(REPO / "scripts" / "build-standin-image"), STANDIN_IMAGE],
            env={**os.environ, "DOCKER_HOST": self.url},
            check=True,
            capture_output=True,
            timeout=120,
        )
