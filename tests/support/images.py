"""Images for tests of the platform check: one whose config names another architecture.

A ``docker save`` archive written by hand (manifest, image config, one layer), loaded with
``docker load``: the engine keeps the architecture the config names, whatever its own is.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile

from tests.support.dockerd import PrivateDockerd


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o755
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def foreign_image(architecture: str, variant: str | None = None) -> str:
    """The tag of an image built for ``architecture`` (a shell script that would never run)."""
    return f"positive-energy/foreign-{architecture}{variant or ''}:1"


def load_foreign_image(
    engine: PrivateDockerd, architecture: str, variant: str | None = None
) -> str:
    """Load ``foreign_image(architecture)`` into ``engine``; its tag."""
    tag = foreign_image(architecture, variant)
    layer = _tar({"worker.sh": b"#!/bin/sh\necho never\n"})
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": architecture,
        "os": "linux",
        "config": {"Cmd": ["/worker.sh"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "tests/support/images.py"}],
    }
    if variant:
        config["variant"] = variant
    config_bytes = json.dumps(config).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    manifest = [{"Config": config_name, "RepoTags": [tag], "Layers": ["layer/layer.tar"]}]
    archive = _tar(
        {
            "manifest.json": json.dumps(manifest).encode(),
            config_name: config_bytes,
            "layer/layer.tar": layer,
        }
    )
    loaded = engine.docker_input(archive, "load")
    assert tag in loaded, loaded
    return tag
