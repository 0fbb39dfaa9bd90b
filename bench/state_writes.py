"""State writes the integration causes over a simulated hour, next to naive 1 Hz polling.

A real ``hardware-bridge serve --simulate`` runs the default scenario (a June morning, TMY
weather) at real-time speed, as a Pi would, for ``--seconds``; the counts are scaled to one hour.
(A faster clock would flatter the push: at 60x every second is a simulated minute and almost every
value moves past its deadband.) Two clients watch it side by side:

- the integration's own client (``BridgeClient.events`` with the integration's default
  deadbands): every pushed state is one coordinator update, and every entity writes its state;
- a naive integration polling ``/state`` every second, writing every entity each time.

For both, "writes" are entity state writes (updates x entities) and "changes" the writes whose
value differs from the entity's previous one (what the recorder stores).

    .venv/bin/python bench/state_writes.py [--seconds 300] [--speed 1] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from custom_components.positive_energy_worker.client import BridgeClient
from custom_components.positive_energy_worker.models import BridgeState, Deadbands
from custom_components.positive_energy_worker.number import NUMBERS
from custom_components.positive_energy_worker.sensor import SENSORS
from custom_components.positive_energy_worker.switch import SWITCHES
from tests.support.bridge import JUNE_MORNING_FLAGS, BridgeProcess, write_config


def entity_values(state: BridgeState) -> dict[str, Any]:
    """What each of the integration's entities would show for this state."""
    values: dict[str, Any] = {}
    for description in (*SENSORS, *NUMBERS):
        values[f"{description.part}.{description.key}"] = description.value_fn(state)
    for switch in SWITCHES:
        values[f"{switch.part}.{switch.key}"] = switch.is_on_fn(state)
    return values


class Tally:
    def __init__(self) -> None:
        self.updates = 0
        self.writes = 0
        self.changes = 0
        self._last: dict[str, Any] = {}

    def feed(self, state: BridgeState) -> None:
        values = entity_values(state)
        self.updates += 1
        self.writes += len(values)
        self.changes += sum(1 for key, value in values.items() if self._last.get(key) != value)
        self._last = values


async def push(client: BridgeClient, tally: Tally, seconds: float) -> None:
    async with asyncio.timeout(seconds):
        async for state in client.events(Deadbands()):
            tally.feed(state)


async def poll(client: BridgeClient, tally: Tally, seconds: float) -> None:
    loop = asyncio.get_running_loop()
    end = loop.time() + seconds
    while loop.time() < end:
        tally.feed(await client.state())
        await asyncio.sleep(1.0)


async def measure(bridge: BridgeProcess, seconds: float) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        client = BridgeClient(session, "127.0.0.1", bridge.port, bridge.token)
        pushed, polled = Tally(), Tally()
        await asyncio.gather(
            asyncio.shield(push(client, pushed, seconds)),
            poll(client, polled, seconds),
            return_exceptions=True,
        )
    return {
        name: {"updates": t.updates, "writes": t.writes, "changes": t.changes}
        for name, t in (("integration (push, deadbands)", pushed), ("naive 1 Hz polling", polled))
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=300.0, help="real seconds to watch")
    parser.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(
            Path(tmp) / "bridge.toml", docker_url=f"unix://{tmp}/no-engine", tmp=Path(tmp)
        )
        # The tests' June morning, at the speed asked for.
        clock = (*JUNE_MORNING_FLAGS[:2], "--sim-speed", str(args.speed))
        bridge = BridgeProcess(Path(tmp) / "data", config=config, clock=clock).start()
        try:
            results = asyncio.run(measure(bridge, args.seconds))
        finally:
            bridge.stop()
    hour = 3600 / (args.seconds * args.speed)  # scale to one simulated hour
    for r in results.values():
        r.update({f"{k}_per_hour": round(r[k] * hour) for k in ("updates", "writes", "changes")})
    naive = results["naive 1 Hz polling"]
    print(f"per simulated hour ({args.seconds:g} s watched at {args.speed:g}x, scaled)")
    print(f"{'client':<30} {'updates':>8} {'writes':>8} {'changes':>8}")
    for name, r in results.items():
        print(
            f"{name:<30} {r['updates_per_hour']:>8} {r['writes_per_hour']:>8}"
            f" {r['changes_per_hour']:>8}"
        )
    ours = results["integration (push, deadbands)"]
    print(
        f"integration / naive: writes x{ours['writes'] / naive['writes']:.3f}, "
        f"changes x{ours['changes'] / max(naive['changes'], 1):.3f}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
