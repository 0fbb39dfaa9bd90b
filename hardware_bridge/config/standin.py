"""The stand-in worker a simulated bridge runs when its config names no ``[worker]``.

Its wallet is a throwaway in the data dir, written when serving starts: reading the config never
touches the disk beyond the file itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

from hardware_bridge.config.serve import STANDIN_IMAGE
from hardware_bridge.worker.config import WorkerConfig

STANDIN_POOL: Final = "0x00000000000000000000000000000000000000aa"
STANDIN_CHAIN_ID: Final = 31337


def standin_worker(data_dir: Path) -> WorkerConfig:
    """The stand-in worker's config, with its throwaway wallet in ``data_dir``."""
    return WorkerConfig(
        image=STANDIN_IMAGE,
        allowed_images=(STANDIN_IMAGE,),
        name="positive-energy-standin-worker",
        core_url="http://127.0.0.1:13000",
        # Placeholders the stand-in checks are set, as the real worker needs them: no
        # workerpool is joined, and the chain is a local one (anvil's default id, as the demo's).
        pool_address=STANDIN_POOL,
        chain_id=STANDIN_CHAIN_ID,
        wallet_file=data_dir / "standin-wallet.json",
        password_file=data_dir / "standin-wallet-password",
        base_dir=data_dir / "iexec-worker",
        drain_timeout=60.0,
    )


def write_throwaway_wallet(worker: WorkerConfig, data_dir: Path) -> None:
    """Give the stand-in worker its wallet; any other worker's wallet is its owner's to write."""
    if worker != standin_worker(data_dir):
        return
    if not worker.wallet_file.exists():
        worker.wallet_file.write_text('{"address": "0x0000000000000000000000000000000000000000"}\n')
    if not worker.password_file.exists():
        worker.password_file.write_text("standin\n")
