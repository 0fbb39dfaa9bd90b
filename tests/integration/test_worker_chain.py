"""One chain for both halves: the bridge's worker against the chain step, on real bridges."""

from __future__ import annotations

import pytest
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from custom_components.positive_energy_worker.const import DOMAIN
from hardware_bridge.config.standin import STANDIN_POOL
from tests.integration.conftest import entry_for
from tests.support.bridge import ANVIL_CHAIN_ID, WORKER_WALLET, BridgeProcess, write_config
from tests.support.client import until
from tests.support.core import standin_core
from tests.support.images import load_foreign_image
from tests.support.platforms import other_architecture

pytestmark = pytest.mark.usefixtures("socket_enabled")

OTHER_WALLET = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"


def chain_step(**changed: object) -> dict[str, object]:
    """The chain step's answers for the bridge's own worker; no node answers there (the worker's
    chain and wallet are compared without one)."""
    return {
        "network": "custom",
        "rpc_url": "http://127.0.0.1:9",
        "chain_id": ANVIL_CHAIN_ID,
        "hub": "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0",
        "rlc": "0xe649e6a1F2afc63ca268C2363691ceCAF75CF47C",
        "wallet": WORKER_WALLET.upper().replace("0X", "0x"),  # case is no difference
        **changed,
    }


def issue(hass: HomeAssistant, kind: str, entry_id: str) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry_id}")


async def set_up(hass: HomeAssistant, bridge: BridgeProcess, **options: object) -> str:
    entry = entry_for(bridge, **options)
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry.entry_id


async def test_the_same_chain_and_wallet_raise_nothing(hass: HomeAssistant, bridge) -> None:
    entry_id = await set_up(hass, bridge, **chain_step())
    for kind in ("worker_chain", "worker_wallet", "worker_platform"):
        assert issue(hass, kind, entry_id) is None, kind


async def test_a_worker_on_another_chain_raises_a_repair_until_the_step_agrees(
    hass: HomeAssistant, bridge
) -> None:
    entry_id = await set_up(hass, bridge, **chain_step(chain_id=42161))
    found = issue(hass, "worker_chain", entry_id)
    assert found is not None
    assert found.translation_placeholders == {"worker": str(ANVIL_CHAIN_ID), "sensors": "42161"}
    assert issue(hass, "worker_wallet", entry_id) is None
    # The owner chooses the worker's chain (the options flow saves it and reloads the entry,
    # after checking a node this test has none of): the issue goes.
    entry = hass.config_entries.async_get_entry(entry_id)
    hass.config_entries.async_update_entry(entry, options=chain_step())
    assert await hass.config_entries.async_reload(entry_id)
    await hass.async_block_till_done()
    assert issue(hass, "worker_chain", entry_id) is None


async def test_a_worker_with_another_wallet_raises_a_repair(hass: HomeAssistant, bridge) -> None:
    entry_id = await set_up(hass, bridge, **chain_step(wallet=OTHER_WALLET))
    found = issue(hass, "worker_wallet", entry_id)
    assert found is not None
    assert found.translation_placeholders == {"worker": WORKER_WALLET, "sensors": OTHER_WALLET}
    assert issue(hass, "worker_chain", entry_id) is None


async def test_without_a_chain_step_only_the_platform_is_checked(hass: HomeAssistant, bridge):
    entry_id = await set_up(hass, bridge)
    assert issue(hass, "worker_chain", entry_id) is None
    assert issue(hass, "worker_wallet", entry_id) is None


@pytest.mark.xdist_group("docker")
async def test_an_image_the_pi_cannot_run_raises_a_repair_with_the_reason(
    hass: HomeAssistant, tmp_path, docker_engine
) -> None:
    image = load_foreign_image(docker_engine, other_architecture())
    config = write_config(
        tmp_path / "b.toml", docker_url=docker_engine.url, tmp=tmp_path,
        worker={"image": image, "allowed_images": [image]},
    )  # fmt: skip
    bridge = BridgeProcess(tmp_path / "data", config=config).start()
    try:
        entry_id = await set_up(hass, bridge)
        assert issue(hass, "worker_platform", entry_id) is None
        with pytest.raises(HomeAssistantError) as refused:
            await hass.services.async_call(
                DOMAIN, "start_worker", {"config_entry_id": entry_id}, blocking=True
            )
        assert "linux/" in refused.value.translation_placeholders["reason"]
        await until(
            lambda: issue(hass, "worker_platform", entry_id) is not None, "the platform repair"
        )
        reason = issue(hass, "worker_platform", entry_id).translation_placeholders["reason"]
        assert f"linux/{other_architecture()}" in reason
        state = hass.states.get("sensor.iexec_worker_state").state
        assert state == "not_created"
        await hass.config_entries.async_unload(entry_id)
    finally:
        bridge.stop()


async def test_the_cores_own_chain_counts_when_it_answers(hass: HomeAssistant, tmp_path) -> None:
    # The config says the chain step's chain, but the core serves another: the worker earns there.
    with standin_core(STANDIN_POOL, 42161) as core:
        config = write_config(
            tmp_path / "b.toml", docker_url=f"unix://{tmp_path}/no-engine.sock", tmp=tmp_path,
            worker={"core_url": core.url},
        )  # fmt: skip
        bridge = BridgeProcess(tmp_path / "data", config=config).start()
        try:
            entry_id = await set_up(hass, bridge, **chain_step())
            await until(lambda: issue(hass, "worker_chain", entry_id) is not None, "the repair")
            found = issue(hass, "worker_chain", entry_id)
            assert found.translation_placeholders == {
                "worker": "42161",
                "sensors": str(ANVIL_CHAIN_ID),
            }
            await hass.config_entries.async_unload(entry_id)
        finally:
            bridge.stop()
