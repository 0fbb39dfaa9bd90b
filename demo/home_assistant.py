"""Home Assistant as a new owner leaves it after ten minutes: onboarded, the integration added
through its config flow, the compute window tuned through the options flow, auto mode on.

Every step goes through Home Assistant's own REST API, as the UI would: nothing is written into
its storage behind its back (but the onboarding steps the owner skips, as the tests do).
"""

from __future__ import annotations

import shutil
import time
import urllib.error
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path
from typing import Any

from .dashboard import LOVELACE, TV, SimulatedClock, install_dashboard
from .home_assistant_process import HomeAssistantProcess
from .settings import REPO, DemoSettings

DOMAIN = "positive_energy_worker"
AUTO_MODE = "switch.iexec_worker_auto_mode"
# configuration.yaml as a new install writes it: default_config (history, logbook, the Energy
# dashboard...), the files the automation, script and scene editors save to, and the demo's
# dashboard; the recorder commits every second, for graphs that keep up with a fast simulated day.
CONFIGURATION = f"""\
homeassistant:
  name: Solar demo
  time_zone: {{time_zone}}
  country: US
  unit_system: metric
  latitude: 36.1
  longitude: -79.95
http:
  server_host: 127.0.0.1
  server_port: {{port}}
default_config:
automation: !include automations.yaml
script: !include scripts.yaml
scene: !include scenes.yaml
recorder:
  commit_interval: 1
  purge_keep_days: 1
logger:
  default: warning
{LOVELACE}"""
# The compute window at a demo's pace: the simulated day runs 60 times faster than the policy's
# clock, so its delays and minimum times are cut to seconds (the defaults are minutes).
DEMO_POLICY = {
    "start_delay_s": 5,
    "stop_delay_s": 15,
    "min_on_s": 30,
    "min_off_s": 15,
    # The off-grid reserve follows the nights ahead on Home Assistant's clock and location
    # (reserve.py), and the demo's sun runs 60 times faster than that clock: the two would
    # disagree on when night falls. So the demo keeps the Pi's battery for its nights itself:
    # compute only once the sun has charged it to 99 %. The window then
    # opens when the sun carries the worker, never on the energy a night needs: the 1 % above
    # the reserve (2.6 Wh of 256) carries the worker's 3.7 W for under an hour, never a whole
    # task, so there is no battery-spare start or hold (at 06:00 the battery is at 60 %: the
    # window waits for the sun).
    "battery_reserve_soc": 99,
}
SITE_TIME_ZONE = "America/New_York"  # the default scenario's site: Greensboro, NC
# What the UI's editors save to, empty as a new install has them (the !include lines above need
# the files), and the repository's blueprint where "Import blueprint" would put it.
EDITOR_FILES = {"automations.yaml": "[]\n", "scripts.yaml": "{}\n", "scenes.yaml": "[]\n"}
BLUEPRINTS = REPO / "blueprints"


class FlowError(RuntimeError):
    """A config or options flow did not end as the demo expects."""


def write_editor_files(config_dir: Path) -> None:
    """The files the automation, script and scene editors write, and our blueprint."""
    for name, empty in EDITOR_FILES.items():
        (config_dir / name).write_text(empty)
    shutil.copytree(BLUEPRINTS, config_dir / "blueprints", dirs_exist_ok=True)


def _drive_flow(
    hass: HomeAssistantProcess, path: str, result: dict[str, Any],
    answers: Mapping[str, Mapping[str, Any]],
) -> dict[str, Any]:  # fmt: skip
    """Answer each form (or menu) of a flow from ``answers`` by step id, until it ends."""
    while result["type"] in ("form", "menu"):
        step = result["step_id"]
        if result.get("errors"):
            raise FlowError(f"{path}: step {step} refused: {result['errors']}")
        if step not in answers:
            raise FlowError(f"{path}: no answer for step {step}")
        result = hass.call("POST", f"{path}/{result['flow_id']}", dict(answers[step]))
    if result["type"] != "create_entry":
        raise FlowError(f"{path}: ended with {result['type']}: {result.get('reason')}")
    return result


def add_entry(
    hass: HomeAssistantProcess, connection: Mapping[str, Any],
    chain_answers: Mapping[str, Mapping[str, Any]],
) -> str:  # fmt: skip
    """The integration's config entry, through the config flow; its id."""
    path = "/api/config/config_entries/flow"
    first = hass.call("POST", path, {"handler": DOMAIN, "show_advanced_options": False})
    result = _drive_flow(hass, path, first, {"user": connection, **chain_answers})
    entry_id: str = result["result"]["entry_id"]
    return entry_id


def tune_policy(hass: HomeAssistantProcess, entry_id: str) -> None:
    """The options flow's compute window page, with the demo's short delays."""
    path = "/api/config/config_entries/options/flow"
    first = hass.call("POST", path, {"handler": entry_id})
    _drive_flow(hass, path, first, {"init": {"next_step_id": "policy"}, "policy": DEMO_POLICY})


def add_tv(hass: HomeAssistantProcess, entry_id: str) -> None:
    """A TV (an input_boolean, as the Helpers page makes one) that compute waits for: the
    options flow's idle devices page names it."""
    hass.websocket({"type": "input_boolean/create", "name": "TV", "icon": "mdi:television"})
    path = "/api/config/config_entries/options/flow"
    first = hass.call("POST", path, {"handler": entry_id})
    _drive_flow(
        hass, path, first, {"init": {"next_step_id": "devices"}, "devices": {"idle_entities": [TV]}}
    )


def wait_for_state(hass: HomeAssistantProcess, entity_id: str, timeout: float = 120) -> str:
    """The entity's state once it exists and is available."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state: str = hass.call("GET", f"/api/states/{entity_id}")["state"]
        except urllib.error.HTTPError as error:
            if error.code != HTTPStatus.NOT_FOUND:  # not there yet
                raise
        else:
            if state not in ("unavailable", "unknown"):
                return state
        time.sleep(0.5)
    raise FlowError(f"{entity_id} did not become available in {timeout} s")


def ignore_the_install_method_notice(hass: HomeAssistantProcess) -> None:
    """Ignore Home Assistant's notice that a Python environment is no supported way to install
    it, as its owner would once read: the demo runs it so on purpose, and a newcomer's first
    look at Settings should not be a repair about the demo's own machinery."""
    hass.wait_until_running()  # Home Assistant raises it as it finishes starting
    for issue in hass.websocket({"type": "repairs/list_issues"})["issues"]:
        if issue["domain"] == "homeassistant" and issue["issue_id"] == "deprecated_method":
            hass.websocket(
                {"type": "repairs/ignore_issue", "domain": "homeassistant",
                 "issue_id": "deprecated_method", "ignore": True}
            )  # fmt: skip


def turn_on_auto_mode(hass: HomeAssistantProcess) -> None:
    wait_for_state(hass, AUTO_MODE)
    hass.call("POST", "/api/services/switch/turn_on", {"entity_id": AUTO_MODE})


@contextmanager
def home_assistant(
    settings: DemoSettings, *, with_earnings: bool, clock: SimulatedClock | None = None
) -> Iterator[HomeAssistantProcess]:
    """A fresh Home Assistant, serving, its owner made and its dashboard in place."""
    config_dir = settings.directory / "home-assistant"
    shutil.rmtree(config_dir, ignore_errors=True)  # a fresh install each run
    config_dir.mkdir(parents=True)
    install_dashboard(config_dir, speed=settings.speed, with_earnings=with_earnings, clock=clock)
    write_editor_files(config_dir)
    hass = HomeAssistantProcess(
        config_dir,
        time_zone=SITE_TIME_ZONE,
        port=settings.home_assistant_port,
        configuration=CONFIGURATION,
        release=settings.home_assistant,
    )
    try:
        hass.start()
        hass.onboard(settings.username, settings.password)
        yield hass
    finally:
        hass.stop()
