"""The bridge's config file, read once into everything ``serve`` and ``read`` need."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hardware_bridge.base.errors import ConfigError
from hardware_bridge.base.validators import check_file
from hardware_bridge.config.schema import BRIDGE_FILE
from hardware_bridge.config.serve import ServeConfig
from hardware_bridge.config.standin import standin_worker
from hardware_bridge.hardware.config import HardwareConfig


@dataclass(frozen=True)
class BridgeConfig:
    """What one config file says: the hardware, and what ``serve`` needs besides."""

    hardware: HardwareConfig
    # None when the file has no [worker]: enough to read the hardware, not to serve.
    serve_config: ServeConfig | None
    source: str = "config"

    @property
    def serve(self) -> ServeConfig:
        """Everything ``serve`` needs; a file without ``[worker]`` is refused here, with one line
        that names the table (a table that lacks a key is refused as it is read)."""
        if self.serve_config is None:
            raise ConfigError(
                f"{self.source}: worker: required (a [worker] table with core_url, pool_address "
                "and chain_id: see deploy/bridge.example.toml)"
            )
        return self.serve_config


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file, with errors that name the file."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as err:
        raise ConfigError(f"{path}: {err.strerror or err}") from err
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: {err}") from err


def parse_config(
    document: Mapping[str, Any], source: str = "config", *, standin_dir: Path | None = None
) -> BridgeConfig:
    """A parsed config document, checked; errors start with ``source``.

    With ``standin_dir`` (a simulated bridge's data dir) a document without ``[worker]`` runs the
    stand-in worker with its wallet there; nothing is written.
    """
    tables = check_file(BRIDGE_FILE, document, source)
    if "worker" not in tables and standin_dir is not None:
        tables["worker"] = standin_worker(standin_dir)
    hardware = tables.pop("hardware", HardwareConfig())
    serve = ServeConfig(**tables) if "worker" in tables else None
    return BridgeConfig(hardware, serve, source)


def load_config(path: Path | None, *, standin_dir: Path | None = None) -> BridgeConfig:
    """The config file at ``path`` (read once), or every default without one."""
    if path is None:
        return parse_config({}, "defaults", standin_dir=standin_dir)
    return parse_config(read_toml(path), str(path), standin_dir=standin_dir)
