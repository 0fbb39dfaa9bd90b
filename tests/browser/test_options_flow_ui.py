"""The options a user sets in a browser: the compute window's page, on the newest Home Assistant
serving its frontend to Debian's Chromium, with a simulated bridge on loopback.

The off-grid reserve reads the solar forecast of the coming days from entities the user picks,
one a day, in order. This picks two (tomorrow's, then the day after's) on the page as a user
would, saves, and checks what the options flow then holds and shows: both, in that order.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright

from demo.chain import NO_CHAIN
from demo.home_assistant import add_entry
from demo.home_assistant_process import (
    CONFIGURATION,
    PASSWORD,
    USERNAME,
    HomeAssistantProcess,
)
from tests.browser.chromium import logged_in_page
from tests.support.bridge import BridgeProcess

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.xdist_group("browser")]

# Two days of a solar forecast, as forecast.solar's or Solcast's energy sensors would be.
FORECAST_SENSORS = """\
template:
  - sensor:
      - name: Forecast tomorrow
        unique_id: pew_test_forecast_tomorrow
        unit_of_measurement: kWh
        device_class: energy
        state: "0.41"
      - name: Forecast day 3
        unique_id: pew_test_forecast_day_3
        unit_of_measurement: kWh
        device_class: energy
        state: "0.18"
"""
TOMORROW, DAY_3 = "sensor.forecast_tomorrow", "sensor.forecast_day_3"
ADD = re.compile("^(Select an entity|Add entity)$")
OPTIONS_FLOW = "/api/config/config_entries/options/flow"


@pytest.fixture
def configuration() -> str:
    return CONFIGURATION + FORECAST_SENSORS


def policy_page_values(hass: HomeAssistantProcess, entry_id: str) -> dict[str, Any]:
    """What the compute window's page shows filled in, as the options flow serves it."""
    first = hass.call("POST", OPTIONS_FLOW, {"handler": entry_id})
    page = hass.call("POST", f"{OPTIONS_FLOW}/{first['flow_id']}", {"next_step_id": "policy"})
    hass.call("DELETE", f"{OPTIONS_FLOW}/{first['flow_id']}")
    return {
        field["name"]: field["description"]["suggested_value"]
        for field in page["data_schema"]
        if "suggested_value" in field.get("description", {})
    }


def test_the_forecast_of_the_coming_days_is_picked_in_order_in_the_browser(
    home_assistant: HomeAssistantProcess, bridge: BridgeProcess, screenshots: Path
) -> None:
    expect = playwright.expect
    connection = {"host": "127.0.0.1", "port": bridge.port, "token": bridge.token}
    entry_id = add_entry(home_assistant, connection, NO_CHAIN)
    assert "forecast_days" not in policy_page_values(home_assistant, entry_id)

    with logged_in_page(home_assistant.url, USERNAME, PASSWORD) as page:
        dialog = page.locator("dialog-data-entry-flow")
        page.goto(f"{home_assistant.url}/config/integrations/integration/positive_energy_worker")
        page.locator("ha-config-entry-row").get_by_role("button", name="Configure").first.click()
        dialog.get_by_text("Compute window").click()
        field = dialog.get_by_text("Solar forecast of the coming days")
        expect(field).to_be_visible()
        page.screenshot(path=screenshots / "options-1-compute-window.png")
        picker = dialog.locator("ha-entities-picker")
        for name in ("Forecast tomorrow", "Forecast day 3"):
            # "Select an entity" while none is picked, then "Add entity" below the ones picked.
            picker.get_by_role("button", name=ADD).click()
            picker.get_by_placeholder("Search").fill(name)
            picker.get_by_role("option", name=re.compile(f"^{name} ")).click()
        # Picked in order, each with its own "Clear", and room for another day.
        expect(picker.get_by_role("button", name=re.compile("^Forecast "))).to_have_text(
            ["Forecast tomorrow", "Forecast day 3"]
        )
        page.screenshot(path=screenshots / "options-2-two-days-picked.png")
        dialog.get_by_role("button", name="Submit").click()
        expect(dialog.get_by_text("Options successfully saved")).to_be_visible()
        page.screenshot(path=screenshots / "options-3-saved.png")

    assert policy_page_values(home_assistant, entry_id)["forecast_days"] == [TOMORROW, DAY_3]
