"""The worker container through the Docker Engine API (docker SDK). Every call blocks, briefly.

The bridge touches only the container it created and labelled, and runs only an image on its
allowlist: no API request names an image or a command. This module only talks to Docker: what
the worker is wanted to do, its tallies, its drains (SIGTERM, wait, SIGKILL at the deadline, as
``docker stop`` does) and its history belong to the supervisor (``worker/supervisor.py``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import docker
import docker.errors
import requests

from hardware_bridge.base.errors import BridgeError
from hardware_bridge.worker.config import (
    DOCKER_SOCKET,
    MANAGED_LABEL,
    NAME_LABEL,
    SPEC_LABEL,
    WALLET_IN_CONTAINER,
    WorkerConfig,
)
from hardware_bridge.worker.environment import worker_environment
from hardware_bridge.worker.platform import host_platform, image_platform, mismatch
from hardware_bridge.worker.status import ContainerFacts, WorkerState

_LOGGER = logging.getLogger(__name__)
_STATES = {
    "running": WorkerState.RUNNING,
    "restarting": WorkerState.STARTING,
    "dead": WorkerState.ERROR,
}
ENGINE_ERRORS = (docker.errors.DockerException, requests.exceptions.RequestException)


class WorkerError(BridgeError):
    """The worker cannot do what was asked; the message says why."""


class EngineUnavailableError(WorkerError):
    """The Docker engine does not answer."""


class PlatformMismatchError(WorkerError):
    """The image is built for another platform than the engine's: it cannot run here."""


def _nanoseconds(stamp: str) -> int:
    """RFC 3339 with up to nanoseconds (Docker trims trailing zeros) as integer ns since epoch."""
    seconds, _, fraction = stamp.rstrip("Z").partition(".")
    whole = datetime.fromisoformat(seconds).replace(tzinfo=UTC)
    return int(whole.timestamp()) * 1_000_000_000 + int((fraction or "0").ljust(9, "0")[:9])


def _parse_time(stamp: str | None) -> datetime | None:
    if not stamp or stamp.startswith("0001-"):
        return None
    ns = _nanoseconds(stamp)
    return datetime.fromtimestamp(ns / 1e9, UTC)


# Where the worker's logs were read up to: (container id, ns of the last line read).
LogCursor = tuple[str, int]


@dataclass(frozen=True, kw_only=True)
class ContainerLook(ContainerFacts):
    """One look at the container, with the log lines new since the cursor."""

    log_lines: tuple[str, ...] = ()
    cursor: LogCursor | None = None

    @property
    def running(self) -> bool:
        return self.state in (WorkerState.RUNNING, WorkerState.STARTING)


class DockerWorker:
    """The one worker container of this bridge."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self._client: Any = None
        self._cpu_sample: tuple[int, int] | None = None
        # Looks may come from several threads of the Docker pool at once; the CPU figure is a
        # difference between two looks, so one look at a time.
        self._look_lock = threading.Lock()

    # Engine access

    def _engine(self) -> Any:
        if self._client is None:
            self._client = docker.DockerClient(base_url=self.config.docker_url, timeout=20)
        return self._client

    def _call(self, what: str, operation: Any) -> Any:
        try:
            return operation()
        except docker.errors.NotFound:
            raise
        except docker.errors.APIError as err:
            raise WorkerError(f"{what}: {err.explanation or err}") from err
        except ENGINE_ERRORS as err:
            self._client = None  # reconnect next time: the engine may come back elsewhere
            _LOGGER.debug("%s: %s", what, err)
            # One wording whatever the transport said, so the fault is logged once per outage.
            raise EngineUnavailableError(
                f"Docker engine unreachable at {self.config.docker_url}"
            ) from err

    def _container(self) -> Any:
        """Our container, or None; an unlabelled one of the same name is not ours to touch."""
        try:
            container = self._call(
                "look up the worker",
                lambda: self._engine().containers.get(self.config.container_name),
            )
        except docker.errors.NotFound:
            return None
        if container.labels.get(MANAGED_LABEL) != "true":
            raise WorkerError(
                f"a container named {self.config.container_name!r} exists that the bridge did "
                "not create: remove or rename it, or set another [worker] name"
            )
        return container

    # Commands

    def check_image(self) -> None:
        """Refuse an image that is not on the allowlist."""
        if self.config.image not in self.config.allowed_images:
            raise WorkerError(
                f"image {self.config.image!r} is not on the allowlist "
                f"({', '.join(self.config.allowed_images) or 'empty'}): not started"
            )

    def _environment(self) -> dict[str, str]:
        config = self.config
        try:
            password = config.password_file.read_text(encoding="utf-8").strip()
        except OSError as err:
            raise WorkerError(f"cannot read the wallet password file: {err}") from err
        except UnicodeDecodeError:
            raise WorkerError(
                f"the wallet password file {config.password_file} is not UTF-8 text: "
                "write the password in it as UTF-8"
            ) from None
        if not config.wallet_file.is_file():
            raise WorkerError(f"the wallet file {config.wallet_file} does not exist")
        return worker_environment(config, password)

    def _ensure_image(self) -> None:
        images = self._engine().images
        try:
            self._call("look up the image", lambda: images.get(self.config.image))
        except docker.errors.NotFound:
            _LOGGER.info("pulling %s", self.config.image)
            try:
                self._call("pull the image", lambda: images.pull(self.config.image))
            except (WorkerError, docker.errors.NotFound) as err:
                raise WorkerError(
                    f"image {self.config.image!r} is not on this machine and cannot be pulled: "
                    f"{err}"
                ) from err

    def check_platform(self) -> None:
        """Refuse an image built for another platform than the engine's, before it is run."""
        engine = self._engine()
        image = self._call("look up the image", lambda: engine.images.get(self.config.image))
        host = self._call("ask the engine its platform", engine.info)
        reason = mismatch(image_platform(image.attrs), host_platform(host))
        if reason is not None:
            raise PlatformMismatchError(f"image {self.config.image!r} not started: {reason}")

    def _spec(self) -> dict[str, Any]:
        """What the container is created with (``containers.create`` arguments), labels aside."""
        config = self.config
        volumes = {
            # The worker runs each task as a sibling container through the host's engine.
            config.docker_socket: {"bind": DOCKER_SOCKET, "mode": "rw"},
            str(config.wallet_file.resolve()): {"bind": WALLET_IN_CONTAINER, "mode": "ro"},
            # Same path inside and out: the worker hands it to its task containers.
            str(config.base_dir): {"bind": str(config.base_dir), "mode": "rw"},
        }
        spec: dict[str, Any] = {
            "image": config.image,
            "name": config.container_name,
            "environment": self._environment(),
            "volumes": volumes,
            "network_mode": "host",
        }
        if config.cpus is not None:
            spec["nano_cpus"] = config.cpus * 1_000_000_000
        return spec

    @staticmethod
    def _digest(spec: dict[str, Any]) -> str:
        # The environment holds the wallet password, which ``docker inspect`` shows anyway; the
        # digest tells no more than that.
        return hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()

    def _create(self, spec: dict[str, Any]) -> Any:
        self.config.base_dir.mkdir(parents=True, exist_ok=True)
        labels = {
            MANAGED_LABEL: "true",
            NAME_LABEL: self.config.name,
            SPEC_LABEL: self._digest(spec),
        }
        return self._call(
            "create the worker",
            lambda: self._engine().containers.create(**spec, labels=labels, detach=True),
        )

    def start(self) -> None:
        """Create (or reuse) the container and start it.

        A stopped container created from another config (image, wallet, environment, paths) is
        replaced: starting it would run the old settings, or fail on a mount whose source is gone.
        A running one is left as it is: replacing it would abandon its task. An image built for
        another platform is refused (PlatformMismatchError) before anything is created.
        """
        self.check_image()
        container = self._container()
        if container is not None and container.status == "running":
            return
        spec = self._spec()
        self._ensure_image()
        self.check_platform()
        if container is not None and container.labels.get(SPEC_LABEL) != self._digest(spec):
            self._call("remove the outdated worker", lambda: container.remove(force=True))
            container = None
        if container is None:
            container = self._create(spec)
        self._call("start the worker", container.start)

    def _running_container(self) -> Any:
        """Our container if it is running, else None."""
        container = self._container()
        if container is None:
            return None
        self._call("look at the worker", container.reload)
        return container if container.status == "running" else None

    def is_running(self) -> bool:
        return self._running_container() is not None

    def terminate(self) -> bool:
        """Ask the worker to finish its task and exit (SIGTERM); False if it was not running.

        Returns at once: the caller waits for the exit, so that no thread blocks for a drain's
        whole grace period (a forced stop or a shutdown must not queue behind one).
        """
        container = self._running_container()
        if container is None:
            return False
        return self._signal(container, "ask the worker to stop", "SIGTERM")

    def kill(self) -> bool:
        """Kill the worker now (SIGKILL) and wait for it to be gone; False if it was not running."""
        container = self._running_container()
        if container is None or not self._signal(container, "stop the worker", "SIGKILL"):
            return False
        self._call("wait for the worker", lambda: container.wait(timeout=30))
        return True

    def _signal(self, container: Any, what: str, signal: str) -> bool:
        """Send ``signal``; False if the worker stopped by itself in the meantime (the engine
        refuses a signal to a stopped container: what was asked has happened)."""
        try:
            self._call(what, lambda: container.kill(signal=signal))
        except docker.errors.NotFound:
            return False  # removed in the meantime
        except WorkerError:
            if self._running_container() is None:
                return False
            raise
        return True

    # Status

    def look(self, cursor: LogCursor | None) -> ContainerLook:
        """The container now, with its log lines logged after ``cursor``.

        Raises EngineUnavailableError when the engine does not answer, WorkerError when the
        container is not ours or vanished between two calls.
        """
        try:
            with self._look_lock:
                return self._look(cursor)
        except docker.errors.NotFound as err:
            raise WorkerError(f"the worker vanished while looked at: {err}") from err

    def _look(self, cursor: LogCursor | None) -> ContainerLook:
        container = self._container()
        if container is None:
            self._cpu_sample = None
            return ContainerLook(state=WorkerState.NOT_CREATED)
        lines, cursor = self._read_logs(container, cursor)
        state_info = container.attrs["State"]
        running = container.status == "running"
        if not running:
            self._cpu_sample = None
            return ContainerLook(
                state=_STATES.get(container.status, WorkerState.STOPPED),
                container_id=container.id[:12],
                exit_code=state_info.get("ExitCode"),
                log_lines=lines,
                cursor=cursor,
            )
        started_at = _parse_time(state_info.get("StartedAt"))
        cpu, memory = self._stats(container)
        now = datetime.now(UTC)
        return ContainerLook(
            state=WorkerState.RUNNING,
            container_id=container.id[:12],
            started_at=started_at,
            uptime=(now - started_at).total_seconds() if started_at else None,
            cpu_percent=cpu,
            memory_bytes=memory,
            log_lines=lines,
            cursor=cursor,
        )

    def _read_logs(
        self, container: Any, cursor: LogCursor | None
    ) -> tuple[tuple[str, ...], LogCursor]:
        since_ns = cursor[1] if cursor and cursor[0] == container.id else 0
        options: dict[str, Any] = {"timestamps": True, "stdout": True, "stderr": True}
        if since_ns >= 1_000_000_000:
            # Whole seconds: a float would round to ~0.2 µs and could skip a line logged right
            # after the last one read; the lines read again are dropped below.
            options["since"] = since_ns // 1_000_000_000
        raw = self._call("read the worker's logs", lambda: container.logs(**options))
        last = since_ns
        lines = []
        for line in raw.decode("utf-8", "replace").splitlines():
            stamp, _, message = line.partition(" ")
            try:
                ns = _nanoseconds(stamp)
            except ValueError:
                continue
            if ns <= since_ns:
                continue  # read last time: ``since`` is inclusive
            lines.append(message)
            last = max(last, ns)
        return tuple(lines), (container.id, last)

    def _stats(self, container: Any) -> tuple[float | None, int | None]:
        try:
            stats = self._call(
                "read the worker's stats", lambda: container.stats(stream=False, one_shot=True)
            )
        except (WorkerError, docker.errors.NotFound):
            return None, None
        cpu_stats = stats.get("cpu_stats") or {}
        total = (cpu_stats.get("cpu_usage") or {}).get("total_usage")
        system = cpu_stats.get("system_cpu_usage")
        cores = cpu_stats.get("online_cpus") or 1
        memory = (stats.get("memory_stats") or {}).get("usage")
        cpu = None
        if total is not None and system is not None:
            if self._cpu_sample is not None:
                d_total, d_system = total - self._cpu_sample[0], system - self._cpu_sample[1]
                cpu = 100.0 * cores * d_total / d_system if d_system > 0 else 0.0
            self._cpu_sample = (total, system)
        return cpu, memory

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
