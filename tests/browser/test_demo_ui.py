"""The whole product as a newcomer meets it: ``./scripts/demo``'s orchestration (``python -m
demo``) in a process of its own, with its own Docker engine, Home Assistant and simulated Pi;
in Debian's Chromium: the dashboard telling the day's story (the window opens when the sun
carries the worker, waits while the TV is on), an automation made in the UI's editor that loads
and fires, the device pages, the earnings rising as the worker completes tasks, the Energy
dashboard with our sensors, a restart from Home Assistant's UI that the demo survives; then
Ctrl-C, and nothing left behind.

The screenshots (the dashboard, the config flow, the device pages) go to ``PEW_SCREENSHOTS`` if
set: ``PEW_SCREENSHOTS=docs/screenshots PEW_DEMO_MINUTES=10 ./scripts/test tests/browser``
refreshes the README's, the last dashboard taken after ten minutes (ten simulated hours) of graphs.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright

from demo.dashboard import URL_PATH
from demo.home_assistant_process import free_port
from demo.run import READY
from tests.browser.chromium import logged_in_page
from tests.support.releases import newest_version

SETTLE = float(os.environ.get("PEW_DEMO_MINUTES", "0")) * 60  # s before the last screenshot
pytestmark = [
    pytest.mark.usefixtures("socket_enabled"),
    pytest.mark.xdist_group("browser"),
    pytest.mark.timeout(1800 + SETTLE),
    pytest.mark.skipif(os.geteuid() != 0, reason="the demo's private Docker engine needs root"),
]
REPO = Path(__file__).resolve().parents[2]
USERNAME, PASSWORD = "newcomer", "newcomer-password-1"
ENGINE = re.compile(r"worker: .* on unix://(/tmp/pewd-[^/]+)/d\.sock")
URL = re.compile(r"Open (http://\S+)")
BRIDGE = re.compile(r"bridge: +(http://[\d.:]+),")
SUNNY_MORNING = "2026-06-15T10:00:00"  # the screenshots show the sun at work
STARTUP = 360  # s: an engine, a bridge and Home Assistant on two busy cores
# An automation as the editor's YAML mode takes it: the TV going on leaves a notification.
AUTOMATION = """alias: Made in the UI
triggers:
  - trigger: state
    entity_id: input_boolean.tv
    to: "on"
actions:
  - action: persistent_notification.create
    data:
      message: The TV went on (an automation made in the UI)
"""


class Demo:
    """``python -m demo`` in a session of its own, as a terminal would run it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.lines: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "demo"],
            cwd=REPO,
            env={
                **os.environ,
                "PYTHONUNBUFFERED": "1",
                "DEMO_DIR": str(directory),
                "DEMO_PORT": str(free_port()),
                "DEMO_HA_PORT": str(free_port()),
                "DEMO_USER": USERNAME,
                "DEMO_START": SUNNY_MORNING,
                "DEMO_PASSWORD": PASSWORD,
            },
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,  # a process group of its own, as a terminal's job
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_until_ready(self) -> None:
        deadline = time.monotonic() + STARTUP
        while READY not in self.output:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"the demo did not start:\n{self.output}")
            time.sleep(0.5)

    def found(self, pattern: re.Pattern[str]) -> str:
        match = pattern.search(self.output)
        assert match, f"{pattern.pattern} not in the demo's output:\n{self.output}"
        return match[1]

    def bridge_state(self) -> dict[str, Any]:
        """The bridge's state, read with the token the demo's banner points to."""
        token = (self.directory / "bridge" / "token").read_text().strip()
        request = urllib.request.Request(
            f"{self.found(BRIDGE)}/api/v1/state", headers={"Authorization": f"Bearer {token}"}
        )
        with urllib.request.urlopen(request, timeout=30) as reply:
            state: dict[str, Any] = json.loads(reply.read())
        return state

    def interrupt(self) -> int:
        """Ctrl-C, as a terminal sends it: SIGINT to the whole process group."""
        os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=180)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[Demo]:
    running = Demo(tmp_path / "demo")
    try:
        running.wait_until_ready()
        yield running
    finally:
        if running.process.poll() is None:  # the test failed before its Ctrl-C
            running.kill()


def text_of(locator: playwright.Locator) -> str:
    """The text a card shows (its shadow root's, which Playwright's text engines pierce)."""
    text: str = locator.evaluate("e => (e.shadowRoot || e).textContent")
    return " ".join(text.split())


def card(page: playwright.Page, kind: str, text: str) -> playwright.Locator:
    """The dashboard's ``kind`` card that shows ``text``."""
    return page.locator(kind).filter(has=page.get_by_text(text, exact=True))


def toggle(page: playwright.Page, name: str, *, on: bool) -> None:
    """Flip a tile's toggle and wait until it shows the new position."""
    switch = card(page, "hui-tile-card", name).get_by_role("switch")
    if (switch.get_attribute("aria-checked") == "true") != on:
        switch.click()
    playwright.expect(switch).to_have_attribute("aria-checked", str(on).lower())


def worker_shows(page: playwright.Page, state: str, seconds: float = 120) -> None:
    tile = card(page, "hui-tile-card", "Worker")
    playwright.expect(tile.get_by_text(state, exact=True)).to_be_visible(timeout=seconds * 1000)


def number_in(locator: playwright.Locator) -> float:
    """The first number a tile shows (0 if none yet)."""
    found = re.search(r"-?\d+(?:\.\d+)?", text_of(locator).split(" ", 1)[-1])
    return float(found[0]) if found else 0.0


def make_automation_in_the_editor(page: playwright.Page, base: str) -> None:
    """New automation → ⋮ → Edit in YAML → type it → Save, as a user would."""
    page.goto(f"{base}/config/automation/edit/new")
    page.get_by_role("button", name="Menu").last.click()
    page.get_by_role("menuitem", name="Edit in YAML").click()
    page.locator(".cm-content").first.fill(AUTOMATION)
    page.get_by_role("button", name="Save").click()
    playwright.expect(page.get_by_text("Traces")).to_be_visible()  # saved: it has traces now


def restart_from_the_ui(page: playwright.Page, base: str) -> None:
    """Settings → ⋮ → Restart Home Assistant → Restart Home Assistant → Restart."""
    page.goto(f"{base}/config/dashboard")
    page.get_by_role("button", name="Menu").last.click()
    page.get_by_role("menuitem", name="Restart Home Assistant").click()
    dialog = page.locator("dialog-restart")
    dialog.get_by_role("listitem").filter(has_text="Interrupts all running").click()
    page.get_by_role("button", name="Restart", exact=True).click()


def engine_processes(root: str) -> list[int]:
    """The processes whose command line names the engine's directory."""
    found = []
    for proc in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            if root in (proc / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(proc.name))
    return found


def test_the_demo_in_a_browser_and_nothing_left_after_ctrl_c(demo: Demo, screenshots: Path) -> None:
    expect = playwright.expect
    url = demo.found(URL)
    assert url.endswith(f"/{URL_PATH}")
    base = url.removesuffix(f"/{URL_PATH}")
    engine_root = demo.found(ENGINE)
    # The release users run, with its frontend.
    assert f"Home Assistant {newest_version()} (newest" in demo.output
    # The bridge: a simulated Pi on the demo's sunny June day, every part answering.
    state = demo.bridge_state()
    assert state["simulated"] is True
    assert state["degraded"] == {}
    assert state["witty_pi"]["rtc_time"].startswith("2026-06-15T")
    with logged_in_page(url, USERNAME, PASSWORD, landing=f"/{URL_PATH}") as page:
        # The dashboard: the energy flow moves with the simulated sun.
        flow = page.locator("hui-markdown-card").filter(has=page.get_by_text("surplus for compute"))
        expect(flow).to_be_visible()
        first = text_of(flow.locator("ha-markdown"))
        deadline = time.monotonic() + 60
        while text_of(flow.locator("ha-markdown")) == first:
            assert time.monotonic() < deadline, f"the energy flow stood still: {first}"
            time.sleep(1)
        # The simulated time at the site, which the graphs (real time) cannot show.
        expect(page.get_by_text("Simulated time at the site")).to_be_visible()
        expect(card(page, "hui-tile-card", "Auto mode").get_by_role("switch")).to_have_attribute(
            "aria-checked", "true"
        )
        # The window waits for the battery's charge, then opens when the sun carries the
        # worker, and says so in words.
        expect(page.get_by_text("the sun covers the worker")).to_be_visible(timeout=420_000)
        worker_shows(page, "Running")
        page.screenshot(path=screenshots / "dashboard-window-open.png", full_page=True)

        # An automation made in the editor loads, and fires when the TV goes on; the window
        # waits for the TV, naming it.
        make_automation_in_the_editor(page, base)
        page.goto(url)
        toggle(page, "TV", on=True)
        expect(page.get_by_text("waiting: TV is on")).to_be_visible()
        page.get_by_text("Notifications", exact=True).click()
        expect(page.get_by_text("The TV went on (an automation made in the UI)")).to_be_visible()
        page.keyboard.press("Escape")
        page.goto(url)
        toggle(page, "TV", on=False)
        worker_shows(page, "Running")

        # Auto mode off, then the worker by hand: it drains, and starts again.
        toggle(page, "Auto mode", on=False)
        toggle(page, "Compute", on=False)
        worker_shows(page, "Stopped")
        page.screenshot(path=screenshots / "dashboard-worker-stopped.png", full_page=True)
        toggle(page, "Compute", on=True)
        worker_shows(page, "Running")
        toggle(page, "Auto mode", on=True)

        # The device pages.
        for device, shot in (("iExec worker", "device-worker"), ("Solar Pi", "device-solar-pi")):
            page.goto(f"{base}/config/devices/dashboard")
            page.get_by_text(device, exact=True).first.click()
            expect(page.get_by_text("Device info")).to_be_visible()
            page.screenshot(path=screenshots / f"{shot}.png", full_page=True)

        # The config flow's form, as adding a bridge shows it (closed without adding).
        page.goto(f"{base}/config/integrations/dashboard")
        page.get_by_role("button", name=re.compile("add integration", re.IGNORECASE)).click()
        page.get_by_placeholder("Search for a brand name").fill("Positive Energy")
        page.locator("ha-integration-list-item").get_by_text("Positive Energy Worker").click()
        dialog = page.locator("dialog-data-entry-flow")
        # On a busy machine, or one without a way out (the picker's lookups time out), the form
        # may take most of a minute to come.
        expect(dialog.get_by_text("Connect to a hardware bridge")).to_be_visible(timeout=120_000)
        dialog.get_by_role("textbox", name="Host").fill("solar-pi.local")
        page.screenshot(path=screenshots / "config-flow.png")

        # What the worker earned, on the local chain: it rises with the tasks it completes.
        assert "chain skipped" not in demo.output
        page.goto(f"{url}/earnings")
        expect(page.get_by_text("What the worker earned")).to_be_visible()
        contributions = card(page, "hui-tile-card", "Contributions")
        rewards = card(page, "hui-tile-card", "Rewards")
        deadline = time.monotonic() + 300
        while number_in(contributions) < 1 or number_in(rewards) <= 0:
            assert time.monotonic() < deadline, text_of(contributions) + text_of(rewards)
            time.sleep(2)
        page.screenshot(path=screenshots / "dashboard-earnings.png", full_page=True)

        # The Energy dashboard: the Pi's panel and battery chosen in it.
        page.goto(f"{base}/config/energy")
        expect(page.get_by_text("Solar panel Energy harvested")).to_be_visible()
        expect(page.get_by_text("Battery Energy discharged")).to_be_visible()
        expect(page.locator("#ha-launch-screen")).to_have_count(0)  # the loading veil goes
        page.screenshot(path=screenshots / "energy-settings.png", full_page=True)
        page.goto(f"{base}/energy")
        expect(page.get_by_role("heading", name="Energy distribution")).to_be_visible()

        # A restart from Home Assistant's UI: the demo starts it again and goes on.
        restart_from_the_ui(page, base)
        deadline = time.monotonic() + 300
        while "demo: Home Assistant is back" not in demo.output:
            assert demo.process.poll() is None, demo.output
            assert time.monotonic() < deadline, demo.output
            time.sleep(1)
        assert "stopped on its own" not in demo.output

        # Back to the dashboard, its graphs a minute (a simulated hour) longer, or SETTLE more.
        time.sleep(SETTLE)
        page.goto(url)
        worker_shows(page, "Running")
        page.wait_for_timeout(3000)  # the history graphs draw
        page.screenshot(path=screenshots / "dashboard.png", full_page=True)

    # Ctrl-C: every process of the demo's group ends, its engine and its mounts go.
    assert demo.interrupt() == 0, demo.output
    assert "nothing left running" in demo.output
    with pytest.raises(ProcessLookupError):
        os.killpg(demo.process.pid, 0)
    assert not Path(engine_root).exists()
    assert engine_root not in Path("/proc/self/mountinfo").read_text()
    assert engine_processes(engine_root) == []
