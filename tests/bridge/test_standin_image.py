"""The stand-in worker image holds a program for the machine it runs on: on a Pi, arm64.

Read from the engine's own image store (``docker save``): no container is started, so this holds
under the emulator too, where containers cannot start (tests/support/machine.py).
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tarfile

import pytest

from hardware_bridge.config.serve import STANDIN_IMAGE

pytestmark = [pytest.mark.xdist_group("docker"), pytest.mark.usefixtures("socket_enabled")]

EM_AARCH64 = 183  # the ELF header's e_machine for arm64


def image_file(engine, image: str, path: str) -> bytes:
    """A file of ``image``'s top layer, from the image as the engine saves it."""
    saved = subprocess.run(
        ["docker", "save", image],
        env={**os.environ, "DOCKER_HOST": engine.url},
        capture_output=True,
        check=True,
        timeout=120,
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(saved)) as outer:
        manifest = json.loads(outer.extractfile("manifest.json").read())
        layer = outer.extractfile(manifest[0]["Layers"][-1]).read()
    with tarfile.open(fileobj=io.BytesIO(layer)) as inner:
        member = next(m for m in inner.getmembers() if m.name.removeprefix("./") == path)
        return inner.extractfile(member).read()


@pytest.mark.arm64_host
def test_on_an_arm64_host_the_standin_worker_runs_arm64_busybox(docker_engine):
    # The image says the engine's platform whatever it holds (docker import: test_platform.py
    # checks that); what runs is the program inside, so read its ELF header.
    busybox = image_file(docker_engine, STANDIN_IMAGE, "bin/busybox")
    assert busybox[:4] == b"\x7fELF"
    assert int.from_bytes(busybox[18:20], "little") == EM_AARCH64
