"""The environment the worker container gets: the variables its release reads.

``docs/worker-contract.md`` is the contract written down; ``tests/bridge/test_contract.py``
compares a running container's environment with it.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from hardware_bridge.worker.config import WALLET_IN_CONTAINER, WorkerConfig


def core_environment(config: WorkerConfig) -> dict[str, str]:
    """The core's address: one URL from 9.0 on, protocol, host and port before."""
    if not config.legacy_core_variables:
        return {"IEXEC_CORE_URL": config.core_url}
    parts = urlsplit(config.core_url)
    protocol = parts.scheme or "https"
    port = parts.port or (443 if protocol == "https" else 80)
    return {
        "IEXEC_CORE_PROTOCOL": protocol,
        "IEXEC_CORE_HOST": parts.hostname or "",
        "IEXEC_CORE_PORT": str(port),
    }


def worker_environment(config: WorkerConfig, password: str) -> dict[str, str]:
    """Every variable the bridge sets; the ``[worker] environment`` table has the last word."""
    optional = {
        "IEXEC_WORKER_OVERRIDE_AVAILABLE_CPU_COUNT": config.cpus,
        "IEXEC_WORKER_DOCKER_NETWORK_NAME": config.docker_network,
        "IEXEC_GAS_PRICE_MULTIPLIER": config.gas_price_multiplier,
        "IEXEC_GAS_PRICE_CAP": config.gas_price_cap,
        "IEXEC_WORKER_OVERRIDE_BLOCKCHAIN_NODE_ADDRESS": config.node_url,
    }
    environment = {
        **core_environment(config),
        "POOL_ADDRESS": config.pool_address,
        "IEXEC_WORKER_NAME": config.name,
        "IEXEC_WORKER_WALLET_PATH": WALLET_IN_CONTAINER,
        "IEXEC_WORKER_WALLET_PASSWORD": password,
        "IEXEC_WORKER_BASE_DIR": str(config.base_dir),
        **{name: f"{value:g}" if isinstance(value, float) else str(value)
           for name, value in optional.items() if value is not None},
    }  # fmt: skip
    return {**environment, **config.environment}
