"""Debian's Chromium under Playwright, logged in to a Home Assistant through its login page."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from playwright import sync_api as playwright

WAIT = 30_000  # ms: the UI's first load on two busy cores


@contextmanager
def logged_in_page(
    url: str, username: str, password: str, *, landing: str | None = None
) -> Iterator[playwright.Page]:
    """A page at ``url`` after logging in as ``username``; it lands on ``landing`` (by default
    the default dashboard: /lovelace until 2026, /home since)."""
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: run ./scripts/setup"
    with playwright.sync_playwright() as driver:
        # Debian's Chromium: Playwright never downloads a browser here.
        browser = driver.chromium.launch(executable_path=chromium)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.set_default_timeout(WAIT)
        playwright.expect.set_options(timeout=WAIT)
        page.goto(url)
        page.get_by_label("Username").fill(username)
        page.get_by_role("textbox", name="Password").fill(password)
        page.get_by_role("button", name=re.compile("log in", re.IGNORECASE)).click()
        page.wait_for_url(re.compile(re.escape(landing) if landing else "/(lovelace|home)"))
        yield page
        browser.close()
