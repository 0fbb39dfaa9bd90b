"""A real Home Assistant process serving its frontend, onboarded, with the integration linked in.

For the demo and for tests that drive Home Assistant from outside (its REST API, a browser):
``python -m homeassistant -c CONFIG_DIR`` on loopback, the owner user created through the
onboarding API (as the first screen of a new install would), every onboarding step done, so a
browser that logs in lands on the dashboard.

Two releases run this way: the oldest we support, from the Python that runs this module (.venv),
and the newest, from the Debian root of ``scripts/current-ha`` (its /venv-newest), which sees the
repository at /repo and shares /tmp with the machine.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
INTEGRATION = ROOT / "custom_components" / "positive_energy_worker"
USERNAME, PASSWORD = "owner", "owner-password-1"
# What Home Assistant needs to serve its UI and the config panel; nothing to install at start.
CONFIGURATION = """\
homeassistant:
  name: Test home
  time_zone: {time_zone}
  country: FR
  unit_system: metric
http:
  server_host: 127.0.0.1
  server_port: {port}
frontend:
config:
logger:
  default: warning
  logs:
    custom_components.positive_energy_worker: debug
"""


HTTP_SECTION = re.compile(r"^http:\n(?:[ \t]+.*\n)*", re.MULTILINE)
ONBOARDED_BUT_THE_OWNER = {
    "version": 4,
    "minor_version": 1,
    "key": "onboarding",
    "data": {"done": ["core_config", "analytics", "integration"]},
}


class CommandError(RuntimeError):
    """Home Assistant answered a WebSocket command with an error."""

    def __init__(self, command: str, error: dict[str, str]) -> None:
        super().__init__(f"{command}: {error}")
        self.code = error.get("code", "")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


# scripts/current-ha binds the machine's /tmp at the same place in its root.
SHARED_TMP = Path("/tmp")  # noqa: S108  (a mount point, not a file made here)


@dataclass(frozen=True)
class Release:
    """Where a Home Assistant release runs: its command, and where it sees the repository."""

    name: str
    command: tuple[str, ...]
    repository: Path
    ready: Path  # exists once the release is installed

    def sees(self, path: Path) -> Path:
        """``path`` as this release's process sees it (the newest shares only /tmp and /repo)."""
        path = path.resolve()
        if path.is_relative_to(ROOT):
            return self.repository / path.relative_to(ROOT)
        if self.repository == ROOT or path.is_relative_to(SHARED_TMP):
            return path
        raise ValueError(f"Home Assistant {self.name} cannot see {path}: use a folder in /tmp")

    @property
    def installed(self) -> bool:
        return self.ready.exists()


# The oldest we support: the Python running this (the test suite's and the demo's .venv).
OLDEST = Release("oldest", (sys.executable, "-m", "homeassistant"), ROOT, Path(sys.executable))
# The newest release (pyproject's newest-ha group), in the Debian root of scripts/current-ha.
NEWEST = Release(
    "newest",
    (str(ROOT / "scripts" / "current-ha"), "run", "/venv-newest/bin/python", "-m", "homeassistant"),
    Path("/repo"),
    ROOT / ".ha-current" / "root" / "venv-newest" / ".stamp",
)
RELEASES = {release.name: release for release in (OLDEST, NEWEST)}


class HomeAssistantProcess:
    """One Home Assistant; ``start`` waits until it serves, ``onboard`` makes its owner."""

    def __init__(
        self,
        config_dir: Path,
        *,
        time_zone: str = "Europe/Paris",
        port: int | None = None,
        configuration: str = CONFIGURATION,
        release: Release = OLDEST,
    ) -> None:
        """``configuration``: configuration.yaml, with ``{port}`` and ``{time_zone}`` to fill."""
        self.release = release
        self.config_dir = config_dir
        self.time_zone = time_zone
        self.configuration = configuration
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = config_dir / "hass.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.token = ""

    def start(self, timeout: float = 120) -> HomeAssistantProcess:
        self.config_dir.mkdir(parents=True, exist_ok=True)
        (self.config_dir / "configuration.yaml").write_text(
            self.configuration.format(port=self.port, time_zone=self.time_zone)
        )
        # Every onboarding step but the owner's is done: the core config step would set up a
        # weather, a radio browser and a text-to-speech entry, none of which this test needs.
        storage = self.config_dir / ".storage"
        storage.mkdir(exist_ok=True)
        (storage / "onboarding").write_text(json.dumps(ONBOARDED_BUT_THE_OWNER))
        links = self.config_dir / "custom_components"
        links.mkdir(exist_ok=True)
        link = links / INTEGRATION.name
        if not link.is_symlink():
            link.symlink_to(self.release.sees(INTEGRATION))
        return self.relaunch(timeout)

    def relaunch(self, timeout: float = 120) -> HomeAssistantProcess:
        """Run Home Assistant on the configuration directory as it stands (after ``start``, or
        once it exited to restart, as a supervisor does); return once it serves."""
        config_dir = self.release.sees(self.config_dir)
        self.process = subprocess.Popen(
            [*self.release.command, "-c", str(config_dir), "--skip-pip"],
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Home Assistant exited: {self.log.read_text()[-3000:]}")
            try:
                self._call("GET", "/api/onboarding", auth=False)
            except urllib.error.HTTPError:
                return self  # it serves; once onboarded, without the onboarding API
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
            else:
                return self
        raise RuntimeError(f"Home Assistant did not start: {self.log.read_text()[-3000:]}")

    def wait_until_running(self, timeout: float = 300) -> None:
        """Until every integration is set up (after ``onboard``): the core's state RUNNING."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if self._call("GET", "/api/config")["state"] == "RUNNING":
                    return
            except (OSError, urllib.error.URLError):
                pass  # it serves the onboarding API before the rest
            if time.monotonic() > deadline:
                raise RuntimeError(f"Home Assistant is not running after {timeout:.0f} s")
            time.sleep(0.5)

    def exit_code(self) -> int | None:
        """The code Home Assistant exited with, or None while it runs (or was never started)."""
        return None if self.process is None else self.process.poll()

    def onboard(self, username: str = USERNAME, password: str = PASSWORD) -> None:
        """The owner user, as the first screen of a new install makes it; then a token."""
        client_id = f"{self.url}/"
        user = self._call(
            "POST",
            "/api/onboarding/users",
            {"client_id": client_id, "name": username.title(), "username": username,
             "password": password, "language": "en"},
            auth=False,
        )  # fmt: skip
        tokens = self._form(
            "/auth/token",
            {"grant_type": "authorization_code", "code": user["auth_code"], "client_id": client_id},
        )
        self.token = tokens["access_token"]
        self._keep_http_config()

    def _keep_http_config(self) -> None:
        """Keep the address configuration.yaml gave, as the owner does in the dialog that asks,
        then take ``http:`` out of configuration.yaml, as the repair that follows asks.

        From 2026.11 Home Assistant moves ``http:`` into its storage as a trial: until the owner
        keeps it, a dialog covers the UI, and after a while it goes back to the default port
        (8123), restarting. Older releases have no such trial (nor the command).
        """
        try:
            config = self.websocket({"type": "http/config"})
        except CommandError as error:
            if error.code == "unknown_command":
                return
            raise
        if config.get("pending"):
            self.websocket({"type": "http/config/promote"})
        yaml = self.config_dir / "configuration.yaml"
        yaml.write_text(HTTP_SECTION.sub("", yaml.read_text()))
        # Done what it asks: the repair would only go at the next start.
        self.websocket(
            {"type": "repairs/ignore_issue", "domain": "http", "issue_id": "deprecated_yaml",
             "ignore": True}
        )  # fmt: skip

    def get_text(self, path: str) -> str:
        """A page as a browser gets it, without logging in (the frontend's app shell)."""
        with urllib.request.urlopen(self.url + path, timeout=30) as reply:
            text: str = reply.read().decode()
            return text

    def websocket(self, message: dict[str, Any]) -> Any:
        """One command of the WebSocket API as the owner (what the UI asks that REST does not
        serve, such as the flows in progress): its result."""

        async def exchange() -> Any:
            async with (
                aiohttp.ClientSession() as session,
                session.ws_connect(f"{self.url}/api/websocket") as socket_,
            ):
                await socket_.receive_json()  # auth_required
                await socket_.send_json({"type": "auth", "access_token": self.token})
                if (answer := await socket_.receive_json())["type"] != "auth_ok":
                    raise RuntimeError(f"Home Assistant refused the token: {answer}")
                await socket_.send_json({"id": 1, **message})
                reply = await socket_.receive_json()
                if not reply["success"]:
                    raise CommandError(message["type"], reply["error"])
                return reply["result"]

        return asyncio.run(exchange())

    def version(self) -> str:
        """The running release's version (after ``onboard``)."""
        version: str = self._call("GET", "/api/config")["version"]
        return version

    def config_entries(self, domain: str) -> list[dict[str, Any]]:
        """The config entries of ``domain``, as the UI lists them."""
        entries: list[dict[str, Any]] = self._call(
            "GET", f"/api/config/config_entries/entry?domain={domain}"
        )
        return entries

    def stop(self) -> None:
        if self.process is None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """A REST call as the owner (after ``onboard``): the JSON answer."""
        return self._call(method, path, body)

    def _call(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> Any:
        headers = {"Content-Type": "application/json"}
        if auth:
            headers["Authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        with urllib.request.urlopen(request, timeout=30) as reply:
            return json.loads(reply.read() or b"null")

    def _form(self, path: str, fields: dict[str, str]) -> Any:
        data = urllib.parse.urlencode(fields).encode()
        with urllib.request.urlopen(self.url + path, data, timeout=30) as reply:
            return json.loads(reply.read())
