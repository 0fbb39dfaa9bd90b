"""The demo's local workerpool: the stand-in worker runs its tasks on a real Docker engine, the
bridge counts them, and each one it counts becomes a task on the real PoCo contracts on anvil,
contributed and revealed by the worker's wallet and paid: its stake grows by the rewards, one
contribution per completed task, and nothing for the tasks done before the pool opened.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from web3 import Web3

from demo.chain import WORKER_STAKE, ChainStep
from demo.workerpool import LocalWorkerpool, completed_tasks
from tests.support import chain as support
from tests.support.bridge import BridgeProcess, write_config
from tests.support.client import request
from tests.support.dockerd import PrivateDockerd

pytestmark = [
    pytest.mark.usefixtures("socket_enabled", "docker_sdk_allowed"),
    pytest.mark.xdist_group("docker"),
    pytest.mark.timeout(600),
]


@pytest.fixture
def bridge(tmp_path: Path, docker_engine: PrivateDockerd) -> Iterator[BridgeProcess]:
    config = write_config(tmp_path / "bridge.toml", docker_url=docker_engine.url, tmp=tmp_path)
    process = BridgeProcess(tmp_path / "data", config=config).start()
    yield process
    process.stop()


def stake(poco: support.Poco) -> int:
    """The worker's free stake in nRLC (rewards land there)."""
    balance: int = poco.hub_contract().functions.balanceOf(support.WORKER).call()
    return balance


def contributions(poco: support.Poco) -> int:
    """The worker's contributions (what the integration's contributions sensor counts)."""
    events = poco.hub_contract().events.TaskContribute().get_logs(from_block=0)
    return sum(1 for event in events if event["args"]["worker"] == support.WORKER)


def rewards(poco: support.Poco) -> int:
    """The rewards PoCo paid the worker, in nRLC (what the rewards sensor adds up)."""
    events = poco.hub_contract().events.Reward().get_logs(from_block=0)
    return sum(
        event["args"]["amount"] for event in events if event["args"]["owner"] == support.WORKER
    )


def wait(predicate, what: str, seconds: float = 180) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not predicate():
        assert time.monotonic() < deadline, f"waited {seconds} s for {what}"
        time.sleep(0.5)


async def test_each_task_the_bridge_counts_is_paid_on_chain(
    chain_step: ChainStep, bridge: BridgeProcess
) -> None:
    poco = chain_step.poco
    assert stake(poco) == WORKER_STAKE * support.RLC
    status, _ = await request(bridge, "POST", "/worker/start")
    assert status == 200
    wait(lambda: completed_tasks(bridge) >= 1, "a first task the pool did not see")
    before = completed_tasks(bridge)

    pool = LocalWorkerpool(poco, lambda: completed_tasks(bridge), say=print)
    assert pool.pay_new_tasks() == 0  # what was done before it opened is not its to pay
    wait(lambda: completed_tasks(bridge) >= before + 2, "two tasks more")
    paid = pool.pay_new_tasks()
    assert paid >= 2
    assert paid == pool.seen - before  # one on chain for each the bridge counted
    assert contributions(poco) == paid
    assert rewards(poco) > 0
    assert stake(poco) == WORKER_STAKE * support.RLC + rewards(poco)  # the stakes back, and more
    assert Web3.is_checksum_address(pool.market.workerpool)
