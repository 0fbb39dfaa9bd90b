"""The chain's side of the integration tests: the entry with a chain, what its entities show and
what the contracts and their logs hold, and the chain moved along (blocks, a reorg)."""

from __future__ import annotations

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from pytest_homeassistant_custom_component.common import MockConfigEntry

from tests.integration.conftest import entry_for
from tests.support.bridge import BridgeProcess
from tests.support.chain import (
    OTHER_WORKERS,
    RLC,
    WORKER,
    Poco,
    fund_worker,
    open_market,
    run_task,
)

SENSORS = {
    "rlc_balance": "sensor.iexec_worker_rlc_balance",
    "escrow_balance": "sensor.iexec_worker_escrow_balance",
    "escrow_locked": "sensor.iexec_worker_stake_locked",
    "rewards_total": "sensor.iexec_worker_rewards",
    "rewards_today": "sensor.iexec_worker_rewards_today",
    "seized_total": "sensor.iexec_worker_stake_seized",
    "contributions_total": "sensor.iexec_worker_contributions",
    "native_balance": "sensor.iexec_worker_gas_balance",
    "rlc_per_kwh": "sensor.iexec_worker_rlc_earned_per_kwh",
    "gas_low": "binary_sensor.iexec_worker_gas_low",
}


def chain_options(poco: Poco, **more: object) -> dict[str, object]:
    return {
        "network": "custom",
        "rpc_url": poco.rpc_url,
        "chain_id": poco.chain_id,
        "hub": poco.hub,
        "rlc": poco.rlc,
        "wallet": WORKER,
        "gas_low": 0.001,
        **more,
    }


def chain_entry(bridge: BridgeProcess, poco: Poco, **more: object) -> MockConfigEntry:
    """An entry of this bridge with a custom chain: PoCo where ``poco`` is."""
    return entry_for(bridge, **chain_options(poco, **more))


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


async def set_up_chain(
    hass: HomeAssistant, bridge: BridgeProcess, poco: Poco, **more: object
) -> MockConfigEntry:
    return await set_up(hass, chain_entry(bridge, poco, **more))


async def chain_step(hass: HomeAssistant, entry: MockConfigEntry, answer: dict[str, object]):
    """Open the options' chain step and answer it."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "chain"}
    )
    assert (result["type"], result["step_id"]) == (FlowResultType.FORM, "chain")
    return await hass.config_entries.options.async_configure(result["flow_id"], answer)


def value(hass: HomeAssistant, key: str) -> float:
    state = hass.states.get(SENSORS[key])
    assert state is not None, key
    return float(state.state)


def contracts(poco: Poco) -> dict[str, float]:
    """What the contracts say of the worker, in the entities' units."""
    w3 = poco.web3()
    hub = poco.hub_contract(w3)
    return {
        "rlc_balance": poco.rlc_contract(w3).functions.balanceOf(WORKER).call() / RLC,
        "escrow_balance": hub.functions.balanceOf(WORKER).call() / RLC,
        "escrow_locked": hub.functions.frozenOf(WORKER).call() / RLC,
        "native_balance": w3.eth.get_balance(WORKER) / 10**18,
    }


def worker_events(poco: Poco) -> dict[str, int]:
    """The worker's rewards and seizures as the hub's logs record them, in nRLC."""
    hub = poco.hub_contract()
    return {
        name: sum(
            log["args"]["amount"]
            for log in getattr(hub.events, name)().get_logs(from_block=0)
            if log["args"]["owner"] == WORKER
        )
        for name in ("Reward", "Seize")
    }


def two_tasks(poco: Poco) -> None:
    """The worker computes one task alone and is rewarded; then it disagrees with three other
    workers on a replicated task (trust 3) and loses its stake."""
    market = open_market(poco)
    run_task(poco, market, {WORKER: b"\x01" * 32})
    for other in OTHER_WORKERS:
        fund_worker(poco, other, rlc=10 * RLC, deposit=10 * RLC)
    results = {WORKER: b"\x02" * 32} | dict.fromkeys(OTHER_WORKERS, b"\x01" * 32)
    run_task(poco, market, results, trust=3)


def rpc(poco: Poco, method: str, *params: Any) -> Any:
    """One of anvil's own calls (mining, snapshots), straight to the node."""
    answer = poco.web3().provider.make_request(method, list(params))  # type: ignore[arg-type]
    assert "error" not in answer, answer
    return answer["result"]


def mine(poco: Poco, blocks: int) -> int:
    """Mine ``blocks`` empty blocks a second apart (anvil's own call): the new head."""
    rpc(poco, "anvil_mine", hex(blocks), hex(1))
    return poco.web3().eth.block_number
