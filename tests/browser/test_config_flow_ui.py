"""The integration as a new user meets it in a browser: a real Home Assistant serving its
frontend, Debian's Chromium driven by Playwright, a simulated bridge on loopback.

Adds the integration with a wrong port, a wrong token and then the right ones, and reconfigures
it with a failed attempt then a good one; each step's screenshot is saved under the test's
output directory (``PEW_SCREENSHOTS`` if set, else the test's tmp_path).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright import sync_api as playwright

from demo.home_assistant_process import PASSWORD, USERNAME, HomeAssistantProcess
from tests.browser.chromium import logged_in_page

pytestmark = [pytest.mark.usefixtures("socket_enabled"), pytest.mark.xdist_group("browser")]
CLOSED_PORT = 1


@pytest.fixture
def page(home_assistant: HomeAssistantProcess) -> Iterator[playwright.Page]:
    """A browser logged in as the owner, through Home Assistant's own login page."""
    with logged_in_page(home_assistant.url, USERNAME, PASSWORD) as page:
        yield page


def flow_dialog(page: playwright.Page) -> playwright.Locator:
    """The config flow's dialog (Playwright's CSS pierces the frontend's shadow roots)."""
    return page.locator("dialog-data-entry-flow")


def fill(page: playwright.Page, *, host: str, port: int | str, token: str) -> None:
    dialog = flow_dialog(page)
    dialog.get_by_role("textbox", name="Host").fill(host)
    dialog.get_by_role("spinbutton", name="Port").fill(str(port))
    dialog.get_by_role("textbox", name="API token").fill(token)


def submit(page: playwright.Page) -> None:
    flow_dialog(page).get_by_role("button", name="Submit").click()


def test_adding_and_reconfiguring_the_integration_in_the_browser(
    page: playwright.Page, home_assistant, bridge, screenshots
) -> None:
    expect = playwright.expect
    dialog = flow_dialog(page)
    page.goto(f"{home_assistant.url}/config/integrations/dashboard")
    page.get_by_role("button", name=re.compile("add integration", re.IGNORECASE)).click()
    page.get_by_placeholder("Search for a brand name").fill("Positive Energy")
    page.get_by_text("Positive Energy Worker").click()
    expect(dialog.get_by_text("Connect to a hardware bridge")).to_be_visible()

    # A port out of range: said beside the port, what was typed stays.
    fill(page, host="127.0.0.1", port=70000, token=bridge.token)
    submit(page)
    expect(dialog.get_by_text("a port is a whole number from 1 to 65535")).to_be_visible()
    expect(dialog.get_by_role("spinbutton", name="Port")).to_have_value("70000")
    page.screenshot(path=screenshots / "1-add-port-out-of-range.png")

    # A port where nothing listens.
    fill(page, host="127.0.0.1", port=CLOSED_PORT, token=bridge.token)
    submit(page)
    expect(dialog.get_by_text("Failed to connect to the bridge")).to_be_visible()
    expect(dialog.get_by_role("textbox", name="Host")).to_have_value("127.0.0.1")
    page.screenshot(path=screenshots / "2-add-wrong-port.png")

    # The right port, a wrong token.
    fill(page, host="127.0.0.1", port=bridge.port, token="not-the-token")
    submit(page)
    expect(dialog.get_by_text("The bridge refused the token.")).to_be_visible()
    expect(dialog.get_by_role("spinbutton", name="Port")).to_have_value(str(bridge.port))
    page.screenshot(path=screenshots / "3-add-wrong-token.png")

    # Both right: the chain step follows; no chain for now, and the entry is created.
    fill(page, host="127.0.0.1", port=bridge.port, token=bridge.token)
    submit(page)
    expect(dialog.get_by_text("The worker's chain")).to_be_visible()
    submit(page)
    # Created: the frontend offers to name the bridge's five devices and give them areas.
    expect(dialog.get_by_text("Name and assign")).to_be_visible()
    names = dialog.get_by_role("textbox", name="Device name")
    expect(names).to_have_count(5)
    expect(names.first).to_have_value("Solar Pi")
    page.screenshot(path=screenshots / "4-add-created.png")
    dialog.get_by_role("button", name="Skip and finish").click()

    # Reconfigure: the saved address is shown, the token left empty keeps the stored one.
    page.goto(f"{home_assistant.url}/config/integrations/integration/positive_energy_worker")
    # The entry's ⋮ (its row; each device row below has one too).
    page.locator("ha-config-entry-row ha-row-item").get_by_role("button", name="Menu").click()
    page.get_by_role("menuitem", name="Reconfigure").click()
    expect(dialog.get_by_text("Reconfigure the bridge")).to_be_visible()
    expect(dialog.get_by_role("spinbutton", name="Port")).to_have_value(str(bridge.port))
    expect(dialog.get_by_role("textbox", name="API token")).to_have_value("")
    page.screenshot(path=screenshots / "5-reconfigure-form.png")

    # A failed attempt: the error, and the form as typed (not the saved values again).
    dialog.get_by_role("textbox", name="Host").fill("localhost")
    dialog.get_by_role("spinbutton", name="Port").fill(str(CLOSED_PORT))
    submit(page)
    expect(dialog.get_by_text("Failed to connect to the bridge")).to_be_visible()
    expect(dialog.get_by_role("spinbutton", name="Port")).to_have_value(str(CLOSED_PORT))
    expect(dialog.get_by_role("textbox", name="Host")).to_have_value("localhost")
    page.screenshot(path=screenshots / "6-reconfigure-failed.png")

    # The good one, the token still empty: no "required fields" complaint, the entry moves.
    dialog.get_by_role("spinbutton", name="Port").fill(str(bridge.port))
    submit(page)
    expect(dialog.get_by_text("The worker's chain")).to_be_visible()
    submit(page)
    expect(dialog.get_by_text("The bridge was reconfigured.")).to_be_visible()
    page.screenshot(path=screenshots / "7-reconfigured.png")
    dialog.get_by_role("button", name="Close").last.click()
    expect(page.get_by_text("Initializing")).to_have_count(0)  # reloaded on its new address
    [entry] = home_assistant.config_entries("positive_energy_worker")
    assert entry["state"] == "loaded"

    # The Witty Pi as its device page shows it: the cut off, and saying so.
    page.goto(f"{home_assistant.url}/config/devices/dashboard")
    page.get_by_text("Witty Pi", exact=True).first.click()
    expect(page.get_by_text("by UUGear")).to_be_visible()
    expect(page.get_by_text("Low-voltage cut", exact=True)).to_be_visible()
    page.screenshot(path=screenshots / "8-witty-pi-device.png")
