"""The chain reader against nodes as they are: limits, errors, reorgs and long histories.

The real PoCo contracts on a real anvil, read through a loopback proxy (``tests.support.
rpc_proxy``) that refuses wide log ranges in a provider's words and answers calls with the
JSON-RPC errors public nodes send. What Home Assistant shows is compared with what the canonical
chain holds; what the proxy counted tells how the reader got there.
"""

from __future__ import annotations

import logging
import math
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry
from web3 import Web3

from custom_components.positive_energy_worker.chain_coordinator import (
    POLL_INTERVAL,
    UNREACHABLE_REPAIR_AFTER,
)
from custom_components.positive_energy_worker.chain_span import MAX_SPAN
from custom_components.positive_energy_worker.const import DOMAIN
from tests.integration.chain_setup import (
    SENSORS,
    chain_entry,
    chain_options,
    chain_step,
    contracts,
    mine,
    rpc,
    set_up,
    set_up_chain,
    value,
    worker_events,
)
from tests.integration.conftest import entry_for
from tests.support.bridge import BridgeProcess
from tests.support.chain import RLC, WORKER, Anvil, Poco, deploy, fund_worker, open_market, run_task
from tests.support.rpc_proxy import RpcProxy

pytestmark = pytest.mark.usefixtures("socket_enabled")

REWARD = 9_900_000_000  # a lone worker's reward for a 10 RLC task (99 %), in nRLC
ALWAYS = 10**6  # injected errors that last until the test clears them


@pytest.fixture
async def node(anvil: Anvil) -> AsyncIterator[RpcProxy]:
    """anvil behind the proxy, which answers errors when told to."""
    proxy = await RpcProxy(anvil.rpc_url).start()
    yield proxy
    await proxy.stop()


def store_ledger(
    hass_storage: dict[str, Any], entry: MockConfigEntry, poco: Poco, cursor: int, **totals: Any
) -> None:
    """The entry's chain store as the previous release wrote it (Store version 1)."""
    key = f"{DOMAIN}.chain.{entry.entry_id}"
    hass_storage[key] = {
        "version": 1,
        "minor_version": 1,
        "key": key,
        "data": {
            "key": f"{poco.chain_id}:{poco.hub}:{WORKER}".lower(),
            "cursor": cursor,
            "rewards": 0,
            "seized": 0,
            "locked": 0,
            "unlocked": 0,
            "contributions": 0,
            "accurate": 0,
            "faulty": 0,
            "rewards_by_day": {},
            "consumed_wh_at_start": None,
            **totals,
        },
    }


# --- a node's limit on eth_getLogs ---------------------------------------------------------------

NODE_LIMIT = 2_000
# Refusals a bisection from MAX_SPAN down to one block may take: a logarithm, not a block each.
BISECTION = math.ceil(math.log2(MAX_SPAN))
# The chain starts at this block: as far as logs go, a long history (anvil cannot mine one).
LONG = 30_000


@pytest.fixture
def long_chain() -> Iterator[Anvil]:
    node = Anvil(first_block=LONG).start()
    yield node
    node.stop()


def rewarded_long_ago(anvil: Anvil) -> Poco:
    """PoCo on the long chain, the worker rewarded for a task, and blocks enough above it."""
    poco = deploy(anvil.rpc_url)
    fund_worker(poco, WORKER, rlc=100 * RLC, deposit=40 * RLC)
    run_task(poco, open_market(poco), {WORKER: b"\x01" * 32})
    mine(poco, 100)
    return poco


@pytest.mark.parametrize(
    ("refusal", "status", "most_refusals"),
    [
        # Ankr's words name no limit: it is found by bisection.
        ({"code": -32600, "message": "block range is too wide"}, 200, BISECTION),
        # publicnode names it, and QuickNode (with an HTTP 413): one refusal is enough.
        ({"code": -32000, "message": "exceed maximum block range: 2000"}, 200, 1),
        ({"code": -32614, "message": "eth_getLogs is limited to a 2,000 range"}, 413, 1),
    ],
    ids=["unsaid", "said", "said-with-http-413"],
)
async def test_a_node_that_takes_2000_blocks_is_learned_in_a_few_refusals(
    hass: HomeAssistant,
    bridge: BridgeProcess,
    hass_storage: dict[str, Any],
    long_chain: Anvil,
    refusal: dict[str, Any],
    status: int,
    most_refusals: int,
) -> None:
    poco = await hass.async_add_executor_job(rewarded_long_ago, long_chain)
    proxy = RpcProxy(
        long_chain.rpc_url, max_range=NODE_LIMIT, refusal=refusal, refusal_status=status
    )
    await proxy.start()
    try:
        entry = chain_entry(bridge, poco, rpc_url=proxy.url())
        # Home Assistant was away while the chain went on: its ledger stopped at block 0.
        store_ledger(hass_storage, entry, poco, 0)
        await set_up(hass, entry)
        chain = entry.runtime_data.chain
        head = chain.data.balances.block
        read = proxy.tallies["ours"].ranges
        for _ in range(5):  # a long history is spread over cycles
            if read[-1][1] == head:
                break
            await chain.async_refresh()
        await hass.async_block_till_done()
        assert read[-1][1] == head
        assert proxy.tallies["ours"].refusals <= most_refusals
        assert max(last - first + 1 for first, last in read) == NODE_LIMIT
        covered = {block for first, last in read for block in range(first, last + 1)}
        assert covered == set(range(1, head + 1))
    finally:
        await proxy.stop()
    assert (await hass.async_add_executor_job(worker_events, poco))["Reward"] == REWARD
    assert value(hass, "rewards_total") == REWARD / RLC
    assert chain.ledger.rewards == REWARD  # deep enough to be stored


# --- errors that are not refusals ----------------------------------------------------------------

ERRORS = 15
# A block a second and a cycle a minute (the coordinator's interval): 60 blocks a cycle.
BLOCKS_A_CYCLE = 60


async def test_after_15_errors_the_scanner_keeps_pace_with_a_block_a_second(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, node: RpcProxy
) -> None:
    entry = await set_up_chain(hass, bridge, poco, rpc_url=node.url())
    chain = entry.runtime_data.chain
    node.fail("eth_getLogs", ERRORS)
    for _ in range(ERRORS):
        await hass.async_add_executor_job(mine, poco, BLOCKS_A_CYCLE)
        await chain.async_refresh()
        assert not chain.last_update_success  # each error costs a cycle, and backs off
    assert node.tallies["ours"].faults == ERRORS
    assert chain.scanner.span.size == MAX_SPAN  # no error was a refusal: the range is whole
    for _ in range(3):
        await hass.async_add_executor_job(mine, poco, BLOCKS_A_CYCLE)
        await chain.async_refresh()
        assert chain.last_update_success
        head = chain.data.balances.block
        # Caught up in one cycle: read to the head, stored to the confirmation depth.
        assert node.tallies["ours"].ranges[-1][1] == head
        assert chain.ledger.cursor == head - chain.scanner.depth
    assert node.tallies["ours"].refusals == 0


def chain_log(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name.startswith("custom_components") or r.exc_info]


@pytest.mark.parametrize(
    "method", ["eth_chainId", "eth_blockNumber", "eth_call", "eth_getBalance", "eth_getLogs"]
)
async def test_a_node_answering_errors_backs_off_and_logs_one_line_per_outage(
    hass: HomeAssistant,
    bridge: BridgeProcess,
    poco: Poco,
    node: RpcProxy,
    caplog: pytest.LogCaptureFixture,
    method: str,
) -> None:
    """-32000 on any call (eth_call and eth_getBalance are items of the balances' batch)."""
    node.fail(method, ALWAYS)
    entry = await set_up_chain(hass, bridge, poco, rpc_url=node.url())
    chain = entry.runtime_data.chain
    for _ in range(3):
        await chain.async_refresh()
    await hass.async_block_till_done()
    assert not chain.last_update_success
    assert hass.states.get(SENSORS["escrow_balance"]).state == "unavailable"
    assert chain.update_interval > POLL_INTERVAL  # it backs off
    node.faults.clear()
    await chain.async_refresh()
    await hass.async_block_till_done()
    assert chain.last_update_success
    assert chain.update_interval == POLL_INTERVAL
    assert value(hass, "escrow_balance") == 40
    logged = chain_log(caplog)
    # No traceback in the log (newer Home Assistant adds one at debug level, once an outage).
    assert not [record for record in logged if record.exc_info and record.levelno > logging.DEBUG]
    errors = [record.getMessage() for record in logged if record.levelno >= logging.ERROR]
    assert len(errors) == 1, errors  # four failed cycles, one outage
    assert errors[0].startswith("Error fetching")


async def test_a_node_answering_errors_for_half_an_hour_raises_the_repair(
    hass: HomeAssistant,
    bridge: BridgeProcess,
    poco: Poco,
    node: RpcProxy,
) -> None:
    entry = await set_up_chain(hass, bridge, poco, rpc_url=node.url())
    chain = entry.runtime_data.chain
    issue = (DOMAIN, f"rpc_unreachable_{entry.entry_id}")
    node.fail("eth_blockNumber", ALWAYS)
    await chain.async_refresh()
    assert issue not in ir.async_get(hass).issues
    assert chain.failing_since is not None
    chain.failing_since -= UNREACHABLE_REPAIR_AFTER  # as if the outage began half an hour ago
    await chain.async_refresh()
    assert issue in ir.async_get(hass).issues
    node.faults.clear()
    await chain.async_refresh()
    assert issue not in ir.async_get(hass).issues


async def test_the_chain_step_names_a_node_that_answers_with_an_error(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, node: RpcProxy
) -> None:
    node.fail("eth_chainId", code=-32000, message="invalid project id")
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    result = await chain_step(hass, entry, chain_options(poco, rpc_url=node.url()))
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "rpc_error"}


# --- reorgs and the confirmation depth -----------------------------------------------------------

# Blocks mined over a reverted task: more than a custom chain's confirmation depth.
PAST_THE_DEPTH = 200


async def test_a_reorg_takes_back_a_reward_the_canonical_chain_does_not_have(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    market = await hass.async_add_executor_job(open_market, poco)
    entry = await set_up_chain(hass, bridge, poco)
    chain = entry.runtime_data.chain
    fork = await hass.async_add_executor_job(rpc, poco, "evm_snapshot")
    await hass.async_add_executor_job(lambda: run_task(poco, market, {WORKER: b"\x01" * 32}))
    await chain.async_refresh()
    await hass.async_block_till_done()
    assert value(hass, "rewards_total") == REWARD / RLC  # shown at once
    # The blocks of the task are replaced by a longer chain without it.
    await hass.async_add_executor_job(rpc, poco, "evm_revert", fork)
    await hass.async_add_executor_job(mine, poco, PAST_THE_DEPTH)
    await chain.async_refresh()
    await hass.async_block_till_done()
    canonical = await hass.async_add_executor_job(worker_events, poco)
    assert canonical == {"Reward": 0, "Seize": 0}
    assert value(hass, "rewards_total") == 0
    assert value(hass, "contributions_total") == 0
    assert chain.ledger.rewards == 0
    # The cursor went past where the reward was: it is gone from what is stored too.
    assert chain.ledger.cursor == chain.data.balances.block - chain.scanner.depth
    assert chain.scanner.depth < PAST_THE_DEPTH
    for key, amount in (await hass.async_add_executor_job(contracts, poco)).items():
        assert value(hass, key) == pytest.approx(amount, rel=1e-12), key


async def test_a_reward_is_stored_once_it_is_deeper_than_the_confirmation_depth(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, hass_storage: dict[str, Any]
) -> None:
    entry = await set_up_chain(hass, bridge, poco)
    chain = entry.runtime_data.chain
    await hass.async_add_executor_job(
        lambda: run_task(poco, open_market(poco), {WORKER: b"\x01" * 32})
    )
    await chain.async_refresh()
    assert chain.data.ledger.rewards == REWARD  # shown
    assert chain.ledger.rewards == 0  # not stored: a reorg could still take it back
    await hass.async_add_executor_job(mine, poco, chain.scanner.depth)
    await chain.async_refresh()
    await hass.async_block_till_done()
    assert chain.ledger.rewards == REWARD
    assert value(hass, "rewards_total") == REWARD / RLC  # counted once
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert hass_storage[f"{DOMAIN}.chain.{entry.entry_id}"]["data"]["rewards"] == REWARD


async def test_a_ledger_stored_by_the_previous_release_loads_and_is_read_on(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, hass_storage: dict[str, Any]
) -> None:
    """Its cursor was the head (no depth then): it is kept, and the totals go on from it."""
    head = await hass.async_add_executor_job(lambda: poco.web3().eth.block_number)
    entry = chain_entry(bridge, poco)
    store_ledger(
        hass_storage, entry, poco, head, rewards=5 * RLC, contributions=1, consumed_wh_at_start=1.5
    )
    await set_up(hass, entry)
    chain = entry.runtime_data.chain
    assert chain.ledger.cursor == head
    assert chain.ledger.consumed_wh_at_start == 1.5
    await hass.async_add_executor_job(
        lambda: run_task(poco, open_market(poco), {WORKER: b"\x01" * 32})
    )
    await chain.async_refresh()
    await hass.async_block_till_done()
    assert value(hass, "rewards_total") == (5 * RLC + REWARD) / RLC
    assert value(hass, "contributions_total") == 2


# --- where a custom chain's history starts -------------------------------------------------------

BEFORE_POCO = 200  # blocks mined before PoCo is deployed


def deployed_later(anvil: Anvil) -> Poco:
    Web3(Web3.HTTPProvider(anvil.rpc_url)).provider.make_request(
        "anvil_mine",  # type: ignore[arg-type]
        [hex(BEFORE_POCO)],
    )
    poco = deploy(anvil.rpc_url)
    fund_worker(poco, WORKER, rlc=100 * RLC, deposit=40 * RLC)
    return poco


async def test_a_custom_chain_is_read_from_the_block_the_hub_was_deployed_in(
    hass: HomeAssistant, bridge: BridgeProcess, anvil: Anvil, node: RpcProxy
) -> None:
    poco = await hass.async_add_executor_job(deployed_later, anvil)
    entry = await set_up_chain(hass, bridge, poco, rpc_url=node.url())
    head = entry.runtime_data.chain.data.balances.block
    read = node.tallies["ours"].ranges
    first = read[0][0]
    assert first > BEFORE_POCO  # the blocks before PoCo were never asked for
    w3 = poco.web3()
    codes = await hass.async_add_executor_job(
        lambda: [w3.eth.get_code(poco.hub, block) for block in (first - 1, first)]
    )
    assert codes[0] == b""  # the hub is not there yet
    assert codes[1] != b""  # and there it is
    assert read == [(first, head)]


async def test_a_node_without_the_old_state_starts_a_custom_chain_at_the_head(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, node: RpcProxy
) -> None:
    node.fail("eth_getCode", ALWAYS, message="missing trie node 7a2c (path ) state not available")
    entry = await set_up_chain(hass, bridge, poco, rpc_url=node.url())
    chain = entry.runtime_data.chain
    assert chain.last_update_success
    head = chain.data.balances.block
    assert node.tallies["ours"].ranges == [(head, head)]  # as a preset starts
