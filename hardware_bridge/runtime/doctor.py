"""``hardware-bridge doctor``: an owner's setup checked end to end, one line per check.

Each check says what it found and, when it fails, what to fix: the config file, the I2C chips it
names, the data dir, the Docker engine, the worker's image and its platform, the wallet and its
password (the address it unlocks), the core and the chain it serves, the workerpool address.
A check that needs what an earlier one could not give (the config, the engine) is skipped.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from hardware_bridge.base.errors import BridgeError
from hardware_bridge.base.validators import eth_address
from hardware_bridge.config.loader import BridgeConfig, load_config, read_toml
from hardware_bridge.config.standin import standin_worker
from hardware_bridge.hardware.scan import scan
from hardware_bridge.runtime.opener import Simulate, open_hardware
from hardware_bridge.worker.config import WorkerConfig
from hardware_bridge.worker.core import CoreError, ask_core
from hardware_bridge.worker.platform import host_platform, image_platform, mismatch
from hardware_bridge.worker.wallet import WalletError, keystore_address, read_keystore


class Status(StrEnum):
    OK = "ok"
    FAIL = "FAIL"
    SKIPPED = "skipped"


@dataclass(frozen=True)
class Finding:
    """One check's outcome: what was checked, and what was found or is to be fixed."""

    check: str
    status: Status
    detail: str

    def line(self) -> str:
        return f"{self.status:<7} {self.check:<9} {self.detail}"


class CheckFailedError(BridgeError):
    """A check's failure; the message says what to fix."""


@dataclass
class Setup:
    """What the checks share: the options, and what earlier checks found."""

    config_file: Path | None
    simulate: Simulate | None
    data_dir: Path
    config: BridgeConfig | None = None
    engine: Any = None  # docker.DockerClient once the engine answered

    @property
    def worker(self) -> WorkerConfig | None:
        return self.config.serve.worker if self.config else None


def _config(setup: Setup) -> str:
    standin = setup.data_dir if setup.simulate is not None else None
    config = load_config(setup.config_file, standin_dir=standin)
    worker = config.serve.worker  # a file without [worker] fails here, naming it
    setup.config = config
    return f"{setup.config_file or 'no file: the stand-in worker'}; image {worker.image}"


def _i2c(setup: Setup) -> str:
    if setup.config is None:
        raise _Skip("needs the config")
    wiring = setup.config.hardware
    wanted = {f"{role} 0x{m.address:02x}": m.address for role, m in wiring.monitors().items()}
    if wiring.witty_pi is not None:
        wanted[f"witty_pi 0x{wiring.witty_pi.address:02x}"] = wiring.witty_pi.address
    with open_hardware(
        wiring=wiring, simulate=setup.simulate, data_dir=None, read_only=True
    ) as hardware:
        found = {device.address for device in scan(hardware.bus)}
    missing = [name for name, address in wanted.items() if address not in found]
    if missing:
        names = ", ".join(missing)
        raise CheckFailedError(f"no answer from {names}: check the wiring and addresses")
    return "answering: " + ", ".join(wanted) if wanted else "no chip configured"


def _data_dir(setup: Setup) -> str:
    try:
        setup.data_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=setup.data_dir, prefix=".doctor."):
            pass
    except OSError as err:
        raise CheckFailedError(f"{setup.data_dir} is not writable: {err.strerror or err}") from err
    return f"{setup.data_dir} is writable"


def _docker(setup: Setup) -> str:
    import docker  # noqa: PLC0415  (the check needs it; the module list stays light)

    worker = _needs_worker(setup)
    try:
        engine = docker.DockerClient(base_url=worker.docker_url, timeout=10)
        version = engine.version()
    except Exception as err:
        raise CheckFailedError(f"no Docker engine answers at {worker.docker_url}: {err}") from err
    setup.engine = engine
    return f"engine {version.get('Version', '?')} at {worker.docker_url}"


def _image(setup: Setup) -> str:
    import docker.errors  # noqa: PLC0415

    worker = _needs_worker(setup)
    if setup.engine is None:
        raise _Skip("needs the Docker engine")
    if worker.image not in worker.allowed_images:
        raise CheckFailedError(f"{worker.image} is not in allowed_images: the bridge refuses it")
    try:
        image = setup.engine.images.get(worker.image)
    except docker.errors.ImageNotFound as err:
        raise CheckFailedError(f"{worker.image} is not on this machine: pull or build it") from err
    host = host_platform(setup.engine.info())
    reason = mismatch(image_platform(image.attrs), host)
    if reason is not None:
        raise CheckFailedError(f"{worker.image}: {reason}")
    return f"{worker.image} is present, built for {host} like this machine"


def _wallet(setup: Setup) -> str:
    worker = _needs_real_worker(setup)
    try:
        address = keystore_address(worker.wallet_file)
        password = worker.password_file.read_text(encoding="utf-8").strip()
    except (WalletError, OSError, UnicodeDecodeError) as err:
        raise CheckFailedError(str(err)) from err
    unlocked = unlock(worker.wallet_file, password)
    if unlocked != address:
        raise CheckFailedError(f"the key unlocks {unlocked}, but the keystore says {address}")
    return f"the password unlocks {address}"


def unlock(wallet_file: Path, password: str) -> str:
    """The address the keystore's key has, decrypted with ``password`` (doctor only: the
    keystore libraries stay out of the serving bridge's memory)."""
    try:
        from eth_keyfile.keyfile import decode_keyfile_json  # noqa: PLC0415
        from eth_keys.datatypes import PrivateKey  # noqa: PLC0415
    except ImportError as err:
        raise CheckFailedError(
            "cannot check the password: install the doctor extra "
            "(pip install 'positive-energy-worker[doctor]')"
        ) from err
    try:
        key = decode_keyfile_json(read_keystore(wallet_file), password.encode())
    except (ValueError, KeyError, TypeError, WalletError) as err:
        raise CheckFailedError(f"the password does not unlock {wallet_file}: {err}") from err
    return str(PrivateKey(key).public_key.to_address()).lower()


def _core(setup: Setup) -> str:
    worker = _needs_real_worker(setup)
    try:
        served = ask_core(worker.core_url)
    except CoreError as err:
        raise CheckFailedError(f"the core does not answer as iexec-core: {err}") from err
    if served.pool_address.lower() != worker.pool_address.lower():
        raise CheckFailedError(
            f"{worker.core_url} schedules the workerpool {served.pool_address}, "
            f"not pool_address {worker.pool_address}"
        )
    if served.chain_id != worker.chain_id:
        raise CheckFailedError(
            f"{worker.core_url} serves chain {served.chain_id}, not chain_id {worker.chain_id}"
        )
    return f"{worker.core_url} answers: workerpool {served.pool_address} on chain {served.chain_id}"


def _pool(setup: Setup) -> str:
    """Read from the file itself: the owner learns of a missing address even when the rest of
    the config fails."""
    if setup.worker is not None:
        return f"{setup.worker.pool_address}"
    document = read_toml(setup.config_file) if setup.config_file else {}
    table = document.get("worker")
    given = table.get("pool_address") if isinstance(table, dict) else None
    try:
        return str(eth_address(given))
    except Exception as err:
        raise CheckFailedError(f"set [worker] pool_address to your workerpool's: {err}") from err


class _Skip(Exception):  # noqa: N818  (not an error: a check that cannot run)
    """A check that needs what an earlier one could not give."""


def _needs_worker(setup: Setup) -> WorkerConfig:
    if setup.worker is None:
        raise _Skip("needs the config")
    return setup.worker


def _needs_real_worker(setup: Setup) -> WorkerConfig:
    """The worker, unless it is the simulation's stand-in: its wallet is a throwaway written
    when serving starts, and it joins no core."""
    worker = _needs_worker(setup)
    if worker == standin_worker(setup.data_dir):
        raise _Skip("the stand-in worker (no [worker] in the config) has no wallet or core")
    return worker


CHECKS: tuple[tuple[str, Callable[[Setup], str]], ...] = (
    ("config", _config),
    ("i2c", _i2c),
    ("data_dir", _data_dir),
    ("docker", _docker),
    ("image", _image),
    ("wallet", _wallet),
    ("core", _core),
    ("pool", _pool),
)


def run_checks(setup: Setup) -> Iterator[Finding]:
    """Each check in turn; one that fails does not stop the others."""
    try:
        for name, check in CHECKS:
            try:
                yield Finding(name, Status.OK, check(setup))
            except _Skip as skip:
                yield Finding(name, Status.SKIPPED, str(skip))
            except BridgeError as err:
                yield Finding(name, Status.FAIL, str(err))
    finally:
        if setup.engine is not None:
            with contextlib.suppress(Exception):
                setup.engine.close()
