"""The newest Home Assistant release, before the test plugin catches up with it: a real
``python -m homeassistant`` of it (pyproject's ``newest-ha`` group, installed by
``scripts/current-ha``) with the integration and its frontend, driven through its REST API as
the UI drives it: onboarding, the config flow, reconfigure, reauth, options and a reload on the
loaded entry. Its log must hold no report of ours ("Detected that custom integration ...") and
no error from the integration.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from demo.chain import WORKER_STAKE, ChainStep
from demo.home_assistant import DOMAIN, add_entry, tune_policy, wait_for_state
from demo.home_assistant_process import NEWEST, HomeAssistantProcess
from tests.support.bridge import BridgeProcess
from tests.support.demo_fixtures import chain_step, idle_bridge
from tests.support.releases import newest_version

__all__ = ["chain_step", "idle_bridge"]  # the shared fixtures this module uses
pytestmark = [
    pytest.mark.usefixtures("socket_enabled"),
    pytest.mark.timeout(600),
    pytest.mark.skipif(os.geteuid() != 0, reason="scripts/current-ha's root needs root"),
]
# What Home Assistant logs when an integration uses what it deprecates or will refuse ("Detected
# that custom integration ...") or blocks its event loop ("Detected blocking call ... by custom
# integration ..."), and a log record of ours at ERROR ("<time> ERROR (<thread>) [<logger>] ...").
REPORTED = re.compile(rf"Detected .*custom integration '{DOMAIN}'.*")
OUR_ERROR = re.compile(
    rf"^\S+ \S+ (?:ERROR|CRITICAL) \([^)]*\) \[[^\]]*{DOMAIN}[^\]]*\].*$", re.MULTILINE
)


@pytest.fixture
def home_assistant(tmp_path: Path) -> Iterator[HomeAssistantProcess]:
    assert NEWEST.installed, "the newest Home Assistant is not installed: run ./scripts/setup"
    hass = HomeAssistantProcess(tmp_path / "config", release=NEWEST)
    try:
        hass.start(timeout=300)
        hass.onboard()
        yield hass
    finally:
        hass.stop()


def flow(hass: HomeAssistantProcess, path: str, flow_id: str, answer: dict[str, Any]) -> Any:
    return hass.call("POST", f"{path}/{flow_id}", answer)


def entry_state(hass: HomeAssistantProcess, entry_id: str) -> str:
    (entry,) = [e for e in hass.config_entries(DOMAIN) if e["entry_id"] == entry_id]
    state: str = entry["state"]
    return state


def wait_for_entry(hass: HomeAssistantProcess, entry_id: str, timeout: float = 60) -> None:
    """Until the entry is loaded again (a reload is scheduled, not awaited, by a flow)."""
    deadline = time.monotonic() + timeout
    while (state := entry_state(hass, entry_id)) != "loaded":
        assert time.monotonic() < deadline, f"the entry stays {state}"
        time.sleep(0.5)


def reauth_flow(hass: HomeAssistantProcess, timeout: float = 90) -> str:
    """The id of the reauth flow Home Assistant starts once the bridge refuses its token."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for progress in hass.websocket({"type": "config_entries/flow/progress"}):
            if progress["handler"] == DOMAIN and progress["context"]["source"] == "reauth":
                flow_id: str = progress["flow_id"]
                return flow_id
        time.sleep(0.5)
    raise AssertionError("no reauth flow started")


def test_the_newest_release_runs_every_flow_on_a_loaded_entry_without_a_report(
    home_assistant: HomeAssistantProcess, idle_bridge: BridgeProcess, chain_step: ChainStep
) -> None:
    hass, bridge = home_assistant, idle_bridge
    assert hass.version() == newest_version()
    # The address configuration.yaml gives is kept: no trial that would go back to port 8123.
    http = hass.websocket({"type": "http/config"})
    assert (http["pending"], http["revert_at"], http["stable"]["server_port"]) == (
        None,
        None,
        hass.port,
    )
    assert "http:" not in (hass.config_dir / "configuration.yaml").read_text()
    # Nothing to repair but, perhaps, Home Assistant's own notice that a Python environment is
    # no supported way to install it.
    issues = hass.websocket({"type": "repairs/list_issues"})["issues"]
    shown = [i["issue_id"] for i in issues if not i["ignored"] and i["domain"] != "homeassistant"]
    assert shown == []
    # The frontend of that release serves the app.
    assert "<html" in hass.get_text("/").lower()

    connection = {"host": "127.0.0.1", "port": bridge.port, "token": bridge.token}
    entry_id = add_entry(hass, connection, chain_step.flow_answers)
    assert wait_for_state(hass, "sensor.battery_state_of_charge")
    assert float(wait_for_state(hass, "sensor.iexec_worker_escrow_balance")) == WORKER_STAKE

    # Reconfigure, as the entry's menu starts it.
    path = "/api/config/config_entries/flow"
    result = hass.call("POST", path, {"handler": DOMAIN, "entry_id": entry_id})
    assert result["step_id"] == "reconfigure"
    result = flow(hass, path, result["flow_id"], {**connection, "token": ""})
    result = flow(hass, path, result["flow_id"], dict(chain_step.flow_answers["chain"]))
    assert (result["type"], result["reason"]) == ("abort", "reconfigure_successful")
    wait_for_entry(hass, entry_id)

    # Options, then a reload from the entry's menu.
    tune_policy(hass, entry_id)
    wait_for_entry(hass, entry_id)
    hass.call("POST", f"/api/config/config_entries/entry/{entry_id}/reload")
    wait_for_entry(hass, entry_id)

    # Reauth: the bridge comes back with a new token (its data dir lost it). While it is away,
    # the integration says so (once, at ERROR, as Home Assistant's coordinators do).
    log_before_outage = hass.log.read_text()
    bridge.stop()
    (bridge.data_dir / "token").unlink()
    bridge.start()
    result = flow(hass, path, reauth_flow(hass), {"token": bridge.token})
    assert (result["type"], result["reason"]) == ("abort", "reauth_successful")
    wait_for_entry(hass, entry_id)
    assert wait_for_state(hass, "sensor.battery_state_of_charge")
    log = hass.log.read_text()
    outage = log[len(log_before_outage) :]
    assert len(OUR_ERROR.findall(outage)) == 1, outage

    assert not REPORTED.findall(log)
    assert not OUR_ERROR.findall(log_before_outage)
