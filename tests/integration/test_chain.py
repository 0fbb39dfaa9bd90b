"""The worker's economics against the real PoCo contracts on a real anvil.

Each test deploys the diamond, RLC and the registries from the npm packages onto its own anvil,
funds the worker and lets it stake; Home Assistant reads it through the chain coordinator, and
what its entities show is compared with what the contracts return.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from homeassistant.components.diagnostics import REDACTED
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.positive_energy_worker.chain_coordinator import (
    MAX_INTERVAL,
    chain_store,
)
from custom_components.positive_energy_worker.chain_settings import ChainSettings
from custom_components.positive_energy_worker.const import DOMAIN
from custom_components.positive_energy_worker.diagnostics import (
    async_get_config_entry_diagnostics,
)
from tests.integration.chain_setup import (
    SENSORS,
    chain_options,
    chain_step,
    contracts,
    mine,
    set_up_chain,
    two_tasks,
    value,
    worker_events,
)
from tests.integration.conftest import entry_for
from tests.support.bridge import BridgeProcess
from tests.support.chain import RLC, WORKER, Anvil, Poco, fund_worker, open_market, run_task
from tests.support.client import until
from tests.support.poco_data import SHIPPED, render
from tests.support.rpc_proxy import RpcProxy

pytestmark = pytest.mark.usefixtures("socket_enabled")


def test_the_shipped_chain_data_matches_the_npm_packages() -> None:
    """Preset addresses from deployments/, ABI fragments from the artifacts: as shipped."""
    assert SHIPPED.read_text() == render()


async def test_the_sensors_show_what_the_contracts_hold(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    await set_up_chain(hass, bridge, poco)
    expected = await hass.async_add_executor_job(contracts, poco)
    assert expected["escrow_balance"] == 40
    for key, amount in expected.items():
        assert value(hass, key) == pytest.approx(amount, rel=1e-12), key
    assert value(hass, "rewards_total") == 0
    assert value(hass, "seized_total") == 0
    assert value(hass, "contributions_total") == 0
    assert hass.states.get(SENSORS["gas_low"]).state == "off"
    assert hass.states.get(SENSORS["rlc_balance"]).attributes["unit_of_measurement"] == "RLC"


async def test_a_deposit_shows_on_the_next_cycle(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    entry = await set_up_chain(hass, bridge, poco)
    await hass.async_add_executor_job(lambda: fund_worker(poco, rlc=5 * RLC, deposit=5 * RLC))
    await entry.runtime_data.chain.async_refresh()
    await hass.async_block_till_done()
    assert value(hass, "escrow_balance") == 45
    assert value(hass, "rlc_balance") == 60


async def test_rewards_seizures_and_contributions_are_what_the_hub_logged(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    entry = await set_up_chain(hass, bridge, poco)
    await hass.async_add_executor_job(two_tasks, poco)
    await entry.runtime_data.chain.async_refresh()
    await hass.async_block_till_done()
    logged = await hass.async_add_executor_job(worker_events, poco)
    assert logged == {"Reward": 9_900_000_000, "Seize": 3 * RLC}  # 99 % of 10 RLC; 30 % stake
    assert value(hass, "rewards_total") == logged["Reward"] / RLC
    assert value(hass, "rewards_today") == logged["Reward"] / RLC
    assert value(hass, "seized_total") == logged["Seize"] / RLC
    assert value(hass, "contributions_total") == 2
    for key, amount in (await hass.async_add_executor_job(contracts, poco)).items():
        assert value(hass, key) == pytest.approx(amount, rel=1e-12), key
    ledger = entry.runtime_data.chain.data.ledger  # what the entities show
    assert (ledger.locked, ledger.unlocked) == (6 * RLC, 3 * RLC)
    assert (ledger.accurate, ledger.faulty) == (0, 1)  # a lone worker's task scores nobody


async def test_a_running_task_shows_the_stake_it_locked(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    entry = await set_up_chain(hass, bridge, poco)
    await hass.async_add_executor_job(
        lambda: run_task(poco, open_market(poco), {WORKER: b"\x01" * 32}, finalize=False)
    )
    await entry.runtime_data.chain.async_refresh()
    await hass.async_block_till_done()
    assert value(hass, "escrow_locked") == 3  # 30 % of the task's 10 RLC
    assert value(hass, "escrow_balance") == 37  # the escrow's balance is what is not frozen
    for key, amount in (await hass.async_add_executor_job(contracts, poco)).items():
        assert value(hass, key) == pytest.approx(amount, rel=1e-12), key


async def test_a_node_that_goes_away_makes_the_entities_unavailable_until_it_is_back(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, anvil: Anvil
) -> None:
    entry = await set_up_chain(hass, bridge, poco)
    chain = entry.runtime_data.chain
    anvil.stop()
    await chain.async_refresh()
    await hass.async_block_till_done()
    assert hass.states.get(SENSORS["escrow_balance"]).state == "unavailable"
    assert chain.update_interval > timedelta(minutes=1)  # it backs off
    anvil.start()  # the same port, the same chain (its state file)
    async_fire_time_changed(hass, dt_util.utcnow() + MAX_INTERVAL + timedelta(seconds=1))
    # The refresh runs as a background task of the entry: wait for what it shows.
    await until(lambda: chain.last_update_success, "the chain read again")
    await hass.async_block_till_done()
    assert value(hass, "escrow_balance") == 40
    assert chain.update_interval == timedelta(minutes=1)


async def test_a_restart_resumes_the_scan_where_it_stopped(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    await hass.async_add_executor_job(mine, poco, 100)  # more than the confirmation depth
    entry = await set_up_chain(hass, bridge, poco)
    chain = entry.runtime_data.chain
    head = chain.data.balances.block
    settled = head - chain.scanner.depth
    assert chain.ledger.cursor == settled  # stored up to the confirmation depth
    assert await hass.config_entries.async_unload(entry.entry_id)
    stored = await chain_store(hass, entry.entry_id).async_load()
    assert stored["cursor"] == settled
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    again = entry.runtime_data.chain
    # Nothing new was mined: the restarted coordinator read only the blocks above the cursor
    # (one range of three filters), nothing older.
    assert again.reader.calls["eth_getLogs"] == 3
    assert again.ledger.cursor == settled
    await hass.async_add_executor_job(lambda: fund_worker(poco, rlc=RLC))
    await again.async_refresh()
    assert again.reader.calls["eth_getLogs"] == 6  # one range: settled + 1 to the new head
    assert again.ledger.cursor == again.data.balances.block - again.scanner.depth > settled


async def test_diagnostics_show_the_scan_but_not_the_wallet_or_the_node(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    entry = await set_up_chain(hass, bridge, poco)
    found = await async_get_config_entry_diagnostics(hass, entry)
    assert found["entry"]["options"]["wallet"] == REDACTED
    assert found["entry"]["options"]["rpc_url"] == REDACTED
    chain = found["chain"]
    assert chain["cursor"] == entry.runtime_data.chain.ledger.cursor
    assert chain["confirmations"] == 64  # a custom chain's
    assert chain["calls"]["eth_blockNumber"] == 1


async def test_a_node_of_another_chain_raises_a_repair_and_shows_nothing(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    await set_up_chain(hass, bridge, poco, chain_id=42161)
    assert hass.states.get(SENSORS["escrow_balance"]).state == "unavailable"
    issues = ir.async_get(hass).issues
    assert any(key[0] == DOMAIN and key[1].startswith("wrong_chain_") for key in issues)


async def test_gas_below_the_threshold_turns_gas_low_on_with_a_repair(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    # anvil's accounts hold 10 000 ETH: a threshold above it.
    await set_up_chain(hass, bridge, poco, gas_low=10.0**6)
    assert hass.states.get(SENSORS["gas_low"]).state == "on"
    issues = ir.async_get(hass).issues
    assert any(key[0] == DOMAIN and key[1].startswith("gas_low_") for key in issues)


async def test_the_options_choose_a_custom_chain_checked_against_its_node(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    entry = entry_for(bridge, power=2.0)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.runtime_data.chain is None
    answer = chain_options(poco, wallet=WORKER.lower(), tariff="sensor.grid_price")
    result = await chain_step(hass, entry, answer)
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    # The wallet is kept checksummed; the other options stay.
    assert entry.options == {**chain_options(poco, tariff="sensor.grid_price"), "power": 2.0}
    assert entry.runtime_data.chain is not None  # the entry reloaded with its chain
    assert value(hass, "escrow_balance") == 40
    await hass.config_entries.async_unload(entry.entry_id)


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"chain_id": 42161}, {"base": "wrong_chain"}),
        ({"rpc_url": "http://127.0.0.1:1"}, {"base": "rpc_unreachable"}),
        ({"wallet": "0x70997970C51812dc3A010C7d01b50e0d17dc79C9"}, {"wallet": "invalid_address"}),
        ({"hub": "0x1234"}, {"hub": "invalid_address"}),
        ({"rpc_url": "ftp://node"}, {"rpc_url": "invalid_rpc_url"}),
        ({"chain_id": None}, {"chain_id": "required"}),
    ],
)
async def test_the_chain_step_names_what_is_wrong(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, change, errors
) -> None:
    entry = entry_for(bridge)
    entry.add_to_hass(hass)
    answer = {key: value for key, value in {**chain_options(poco), **change}.items() if value}
    result = await chain_step(hass, entry, answer)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert "network" not in entry.options


async def test_a_preset_keeps_only_the_wallet_and_an_overridden_node(
    hass: HomeAssistant, bridge: BridgeProcess, tmp_path: Path
) -> None:
    # A node that serves Arbitrum Sepolia's chain id stands in for the public one.
    node = Anvil(chain_id=421614).start()
    try:
        entry = entry_for(bridge)
        entry.add_to_hass(hass)
        answer = {"network": "arbitrum_sepolia", "wallet": WORKER, "rpc_url": node.rpc_url}
        result = await chain_step(hass, entry, answer)
        assert result["type"] is FlowResultType.CREATE_ENTRY
        # The contracts come from the shipped deployment records, not from the entry.
        assert entry.options == {**answer, "gas_low": 0.001}
        settings = ChainSettings.from_options(entry.options)
        assert settings.hub == "0xB2157BF2fAb286b2A4170E3491Ac39770111Da3E"
        assert settings.rlc == "0x9923eD3cbd90CD78b910c475f9A731A6e0b8C963"
        await hass.async_block_till_done()
        await hass.config_entries.async_unload(entry.entry_id)
    finally:
        node.stop()


async def test_earnings_per_kwh_and_the_break_even_price_weigh_rewards_against_energy(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco
) -> None:
    hass.states.async_set("sensor.grid_price", "0.30", {"unit_of_measurement": "EUR/kWh"})
    entry = await set_up_chain(hass, bridge, poco, tariff="sensor.grid_price")
    chain, pi = entry.runtime_data.chain, entry.runtime_data.coordinator
    start = chain.ledger.consumed_wh_at_start
    assert start is not None
    await hass.async_add_executor_job(
        lambda: run_task(poco, open_market(poco), {WORKER: b"\x01" * 32})
    )
    # The simulated Pi (a minute a second) consumes a few tenths of a watt-hour a second.
    await until(lambda: pi.data.energy.consumed - start >= 0.5, "half a watt-hour consumed")
    await chain.async_refresh()
    await hass.async_block_till_done()
    kwh = (pi.data.energy.consumed - start) / 1000
    per_kwh = value(hass, "rlc_per_kwh")
    assert per_kwh == pytest.approx(9.9 / kwh, rel=0.2)  # the counter moves on meanwhile
    price = hass.states.get("sensor.iexec_worker_break_even_rlc_price")
    assert float(price.state) == pytest.approx(0.30 / per_kwh)
    assert price.attributes["unit_of_measurement"] == "EUR/RLC"


@pytest.fixture
async def public_node(anvil: Anvil) -> AsyncIterator[RpcProxy]:
    """anvil behind a proxy that refuses log ranges over 4 blocks, as public nodes refuse theirs."""
    proxy = await RpcProxy(anvil.rpc_url, max_range=4).start()
    yield proxy
    await proxy.stop()


async def test_refused_ranges_shrink_and_the_totals_stay_right(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, public_node: RpcProxy
) -> None:
    await hass.async_add_executor_job(two_tasks, poco)
    entry = await set_up_chain(hass, bridge, poco, rpc_url=public_node.url())
    chain = entry.runtime_data.chain
    head = chain.data.balances.block
    read = public_node.tallies["ours"].ranges  # the ranges the node answered
    while read[-1][1] < head:  # a long history takes a few cycles
        await chain.async_refresh()
    await hass.async_block_till_done()
    assert chain.scanner.span.size <= 4
    logged = await hass.async_add_executor_job(worker_events, poco)
    assert value(hass, "rewards_total") == logged["Reward"] / RLC
    assert value(hass, "seized_total") == logged["Seize"] / RLC
    assert value(hass, "contributions_total") == 2
    # Every block from the hub's deployment to the head was read, in ranges the node takes.
    assert all(last - first < 4 for first, last in read)
    covered = {block for first, last in read for block in range(first, last + 1)}
    assert covered == set(range(read[0][0], head + 1))


async def test_a_429_waits_what_the_node_asks_then_reads_again(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, public_node: RpcProxy
) -> None:
    entry = await set_up_chain(hass, bridge, poco, rpc_url=public_node.url())
    chain = entry.runtime_data.chain
    public_node.too_many = 1
    await chain.async_refresh()
    assert not chain.last_update_success
    assert chain.update_interval == timedelta(seconds=1)  # its Retry-After
    await chain.async_refresh()
    assert chain.last_update_success
    assert chain.update_interval == timedelta(minutes=1)
