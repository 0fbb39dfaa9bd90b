"""Latency of the bridge's API on loopback: the state endpoint at 100 requests/s, and the delay
from a simulated change to its WebSocket message.

A real ``hardware-bridge serve --simulate`` process answers. The baseline in the same run is
``/health`` at the same rate (no auth, no state document): the ratio is the cost of the state.
Requests go out open-loop on a fixed schedule (a slow answer does not slow the schedule down,
so queueing shows in the tail). The WebSocket delay is the time from the end of the sample that
produced a change (``sampled_at``, the bridge's clock, same machine) to the message's arrival.

    .venv/bin/python bench/api_latency.py [--seconds 10] [--rate 100] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.support.bridge import BridgeProcess, write_config


def percentiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "count": len(ordered),
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))],
        "max_ms": 1000 * ordered[-1],
    }


async def load(url: str, token: str | None, rate: float, seconds: float) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    latencies: list[float] = []
    errors = 0

    async def one(session: aiohttp.ClientSession) -> None:
        nonlocal errors
        start = time.perf_counter()
        try:
            async with session.get(url) as reply:
                await reply.read()
                if reply.status != 200:
                    errors += 1
        except (aiohttp.ClientError, TimeoutError):
            errors += 1  # counted, not timed: a failed request has no latency
            return
        latencies.append(time.perf_counter() - start)

    async with aiohttp.ClientSession(headers=headers) as session:
        tasks = []
        begin = time.perf_counter()
        for i in range(int(rate * seconds)):
            await asyncio.sleep(max(0.0, begin + i / rate - time.perf_counter()))
            tasks.append(asyncio.create_task(one(session)))
        await asyncio.gather(*tasks)
    return {**percentiles(latencies), "errors": errors}


async def websocket_delay(base: str, token: str, seconds: float) -> dict[str, float]:
    delays: list[float] = []
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession(headers=headers) as session,
        session.ws_connect(f"{base}/events") as ws,
    ):
        await ws.receive_json()  # the state on connect is not a change
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            message = await ws.receive_json()
            if message["type"] == "state":
                delays.append(time.time() - message["data"]["sampled_at"])
    return percentiles(delays)


async def measure(bridge: BridgeProcess, rate: float, seconds: float) -> dict[str, Any]:
    base = f"{bridge.url}/api/v1"
    await load(f"{base}/health", None, rate, 1)  # warm up
    health = await load(f"{base}/health", None, rate, seconds)
    state = await load(f"{base}/state", bridge.token, rate, seconds)
    websocket = await websocket_delay(base, bridge.token, seconds)
    return {
        "health": health,
        "state": state,
        "state_p50_ratio_to_health": state["p50_ms"] / health["p50_ms"],
        "state_p99_ratio_to_health": state["p99_ms"] / health["p99_ms"],
        "websocket_delay": websocket,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = write_config(
            Path(tmp) / "bridge.toml", docker_url=f"unix://{tmp}/no-engine", tmp=Path(tmp)
        )
        bridge = BridgeProcess(Path(tmp) / "data", config=config).start()
        try:
            results = asyncio.run(measure(bridge, args.rate, args.seconds))
        finally:
            bridge.stop()
    print(f"{'endpoint':<26} {'count':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name in ("health", "state", "websocket_delay"):
        r = results[name]
        print(
            f"{name:<26} {r['count']:>6} {r['p50_ms']:>8.2f} {r['p99_ms']:>8.2f}"
            f" {r['max_ms']:>8.2f}"
        )
    print(
        f"state / health: p50 x{results['state_p50_ratio_to_health']:.2f}, "
        f"p99 x{results['state_p99_ratio_to_health']:.2f}; errors: {results['state']['errors']}"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
