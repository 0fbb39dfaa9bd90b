"""Whether an image can run on this machine: its platform against the Docker engine's.

An amd64 image on a Pi's arm64 engine starts, fails with "exec format error" at once, and would
be restarted for ever; the bridge compares first and refuses with the reason instead. Pure
functions over what ``docker image inspect`` and ``docker info`` say, so any test (an arm64 one
too) can use them on its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# ``docker info`` gives the kernel's machine name (uname -m); images use Go's names.
_MACHINE_TO_GO = {
    "x86_64": ("amd64", None),
    "amd64": ("amd64", None),
    "aarch64": ("arm64", None),
    "arm64": ("arm64", None),
    "armv7l": ("arm", "v7"),
    "armv6l": ("arm", "v6"),
    "i686": ("386", None),
    "i386": ("386", None),
}


@dataclass(frozen=True)
class Platform:
    """An OS, an architecture (Go's names: amd64, arm64, arm) and for arm a variant (v6, v7)."""

    os: str
    architecture: str
    variant: str | None = None

    def __str__(self) -> str:
        name = f"{self.os}/{self.architecture}"
        return f"{name}/{self.variant}" if self.variant else name


def image_platform(attrs: Mapping[str, Any]) -> Platform:
    """From ``docker image inspect``: ``Os``, ``Architecture``, ``Variant``."""
    return Platform(
        str(attrs.get("Os") or "linux"),
        str(attrs.get("Architecture") or ""),
        attrs.get("Variant") or None,
    )


def host_platform(info: Mapping[str, Any]) -> Platform:
    """From ``docker info``: ``OSType`` and ``Architecture`` (the kernel's machine name)."""
    machine = str(info.get("Architecture") or "")
    architecture, variant = _MACHINE_TO_GO.get(machine, (machine, None))
    return Platform(str(info.get("OSType") or "linux"), architecture, variant)


def _variant_fits(image: str | None, host: str | None) -> bool:
    """An arm image of an older variant runs on a newer core (v6 on v7); arm64's v8 is arm64."""
    if image is None or host is None or image == host:
        return True
    return image.lstrip("v").isdigit() and host.lstrip("v").isdigit() and image <= host


def mismatch(image: Platform, host: Platform) -> str | None:
    """Why the image cannot run on the host, or None when it can."""
    same_variant = image.architecture != "arm" or _variant_fits(image.variant, host.variant)
    if image.os == host.os and image.architecture == host.architecture and same_variant:
        return None
    return (
        f"the image is built for {image} and this machine is {host}: it would fail with "
        '"exec format error"; build or pull the image for this machine\'s platform'
    )
