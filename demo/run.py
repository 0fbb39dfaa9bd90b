"""The demo's steps in order, undone in reverse however it ends (Ctrl-C, SIGTERM, a failure)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from tests.support.bridge import BridgeProcess

from .bridge import hardware_bridge, simulated_clock
from .chain import NO_CHAIN, ChainStep, chain
from .dashboard import URL_PATH
from .energy import set_up_energy_dashboard
from .engine import docker_engine
from .home_assistant import (
    add_entry,
    add_tv,
    home_assistant,
    ignore_the_install_method_notice,
    tune_policy,
    turn_on_auto_mode,
)
from .home_assistant_process import HomeAssistantProcess
from .settings import DemoSettings
from .supervisor import PartEndedError, supervise
from .workerpool import local_workerpool

READY = "demo: ready"  # the banner's first words: what a test waits for


class NotReadyError(RuntimeError):
    """Something the demo needs is not there: say what, and how to get it."""


class PortInUseError(NotReadyError):
    """A port the demo serves on is taken: say which, and the variable that moves it."""


def check_ready(settings: DemoSettings) -> None:
    """Fail before starting anything if the Home Assistant to run is not installed or a port
    the demo needs is taken."""
    release = settings.home_assistant
    if not release.installed:
        raise NotReadyError(
            f"demo: the {release.name} Home Assistant is not installed: run ./scripts/setup "
            "(as root), or DEMO_HOME_ASSISTANT=oldest ./scripts/demo"
        )
    for port, variable in (
        (settings.bridge_port, "DEMO_PORT"),
        (settings.home_assistant_port, "DEMO_HA_PORT"),
    ):
        with socket.socket() as probe:
            # As a server binds: a port left in TIME_WAIT by the last run is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                raise PortInUseError(
                    f"demo: port {port} is in use (another demo or Home Assistant?): "
                    f"{variable}={port + 1} ./scripts/demo"
                ) from None


@dataclass(frozen=True)
class RunningDemo:
    """Everything the demo started, for the banner and for tests."""

    settings: DemoSettings
    docker_url: str
    bridge: BridgeProcess
    home_assistant: HomeAssistantProcess
    chain: ChainStep | None

    @property
    def dashboard_url(self) -> str:
        return f"{self.home_assistant.url}/{URL_PATH}"

    def banner(self) -> str:
        settings = self.settings
        chain_line = self.chain.summary if self.chain else "skipped (see above)"
        return (
            f"{READY}. Open {self.dashboard_url}\n"
            f"      and log in as {settings.username} / {settings.password}\n"
            f"      bridge:  {self.bridge.url}, a simulated Pi ({settings.scenario} scenario "
            f"from {settings.start}, {settings.speed:g}x real time)\n"
            f'               its state: curl -H "Authorization: Bearer $(cat '
            f'{self.bridge.data_dir}/token)" {self.bridge.url}/api/v1/state\n'
            f"      worker:  the stand-in iExec worker on {self.docker_url}\n"
            f"      Home Assistant {self.home_assistant.version()} ({settings.home_assistant.name} "
            "release we test; DEMO_HOME_ASSISTANT=oldest|newest)\n"
            f"      chain:   {chain_line}\n"
            "      Ctrl-C stops everything."
        )

    def ended_part(self) -> str | None:
        """The part other than Home Assistant (which the supervisor restarts) that has ended."""
        process = self.bridge.process
        return "the hardware bridge" if process is None or process.poll() is not None else None


@contextmanager
def running_demo(settings: DemoSettings) -> Iterator[RunningDemo]:
    """Start every part, configure Home Assistant, and stop it all in reverse at the end."""
    check_ready(settings)
    with ExitStack() as parts:
        print("demo: starting the Docker engine and the stand-in worker image")
        docker_url = parts.enter_context(docker_engine(settings))
        print("demo: starting the chain")
        chain_step = parts.enter_context(chain())
        print("demo: starting the hardware bridge on simulated hardware")
        bridge = parts.enter_context(hardware_bridge(settings, docker_url))
        print("demo: starting Home Assistant (a minute on a busy machine)")
        hass = parts.enter_context(
            home_assistant(
                settings,
                with_earnings=chain_step is not None,
                clock=simulated_clock(bridge, settings.speed),
            )
        )
        print("demo: adding the integration and turning auto mode on")
        connection = {"host": "127.0.0.1", "port": bridge.port, "token": bridge.token}
        entry_id = add_entry(hass, connection, chain_step.flow_answers if chain_step else NO_CHAIN)
        tune_policy(hass, entry_id)
        add_tv(hass, entry_id)
        turn_on_auto_mode(hass)
        print("demo: choosing the Pi's sensors in the Energy dashboard")
        set_up_energy_dashboard(hass)
        ignore_the_install_method_notice(hass)  # raised once Home Assistant has started
        if chain_step is not None:
            print("demo: a local workerpool pays each task the worker completes, on chain")
            parts.enter_context(local_workerpool(chain_step.poco, bridge))
        yield RunningDemo(settings, docker_url, bridge, hass, chain_step)
        print("demo: stopping")


def serve_until_stopped(demo: RunningDemo) -> int:
    """Wait for Ctrl-C, restarting Home Assistant when its UI asks; 1 if a part ended first."""
    try:
        supervise(demo.home_assistant, demo.ended_part)
    except PartEndedError as error:
        print(error)
        return 1
