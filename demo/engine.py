"""The Docker engine the stand-in worker runs on: a private one of the demo's own when it runs as
root (its sockets, data and mounts under /tmp, all removed at the end), else the machine's."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager

from hardware_bridge.config.serve import STANDIN_IMAGE
from tests.support.dockerd import REPO, PrivateDockerd

from .settings import DemoSettings

MACHINE_ENGINE = "unix:///var/run/docker.sock"
WORKER_NAME = "positive-energy-demo-worker"


def _docker(url: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["docker", *args],
        env={**os.environ, "DOCKER_HOST": url},
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def _build_standin_image(url: str) -> None:
    """The script builds it only when its worker script changed."""
    subprocess.run(
        [str(REPO / "scripts" / "build-standin-image"), STANDIN_IMAGE],
        env={**os.environ, "DOCKER_HOST": url},
        check=True,
        capture_output=True,
        timeout=300,
    )


@contextmanager
def docker_engine(settings: DemoSettings) -> Iterator[str]:
    """The engine's URL, with the stand-in worker image built in it."""
    if settings.docker_url is not None:
        _build_standin_image(settings.docker_url)
        yield settings.docker_url
        return
    if os.geteuid() == 0 and shutil.which("dockerd"):
        engine = PrivateDockerd.create()
        try:
            engine.start()
            engine.build_standin_image()
            yield engine.url
        finally:
            engine.discard()  # its containers, mounts and directory go with it
        return
    if _docker(MACHINE_ENGINE, "version").returncode == 0:
        _build_standin_image(MACHINE_ENGINE)
        try:
            yield MACHINE_ENGINE
        finally:
            _docker(MACHINE_ENGINE, "rm", "--force", WORKER_NAME)
        return
    print("demo: no Docker engine answers (and not root to start one): the worker shows an error")
    yield f"unix://{settings.directory}/no-engine.sock"
