"""Footprint of the bridge sampling every chip at 1 Hz: CPU seconds per sample and peak RSS.

The budget is a Pi Zero 2's: at most 35 MB resident and 1 % of one core. Each measurement runs in a
fresh child process so its peak RSS is its own; a baseline child in the same run imports the same
modules and ticks at 1 Hz without touching a chip, and the report gives the ratios to it.

    .venv/bin/python bench/footprint.py [--seconds 60] [--simulation] [--json FILE]

Modes: ``baseline``; ``bridge`` (the hardware library sampling every chip at 1 Hz); ``serve``
(the whole serving bridge: sampling at 1 Hz, guards, worker polls against an absent Docker
engine, the API with a WebSocket subscriber and a client reading /state every second, both in
the parent process); ``simulation`` (the bridge on the pvlib simulation, for comparison).

The chips are emulated in the same process, so the CPU figure includes the emulators' work, which
a real bus leaves to the kernel: an upper bound for the driver side.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

RSS_BUDGET_MB = 35.0
CORE_BUDGET_PERCENT = 1.0


def static_bus() -> Any:
    """Emulated chips with fixed inputs: the hardware path without the simulation's pvlib."""
    from hardware_bridge.emulated.bus import EmulatedBus
    from hardware_bridge.emulated.ina219 import Ina219Emulator
    from hardware_bridge.emulated.ina226 import Ina226Emulator
    from hardware_bridge.emulated.witty_pi import WittyPi4Emulator

    solar = Ina219Emulator(0x40, 0.1)
    solar.set_inputs(18.2, 2.1)
    battery = Ina226Emulator(0x41, 0.01)
    battery.set_inputs(13.3, 1.4)
    witty = WittyPi4Emulator(lambda: datetime.now(UTC))
    witty.set_inputs(13.25, 5.1, 0.55, 31.0)
    return EmulatedBus([solar, battery, witty])


def every_chip_at_1hz() -> Any:
    from hardware_bridge.config.loader import parse_config

    wiring = {
        "solar": {
            "chip": "ina219",
            "address": 0x40,
            "shunt_ohms": 0.1,
            "max_current": 3.2,
            "poll_interval": 1,
        },
        "battery": {
            "monitor": {
                "chip": "ina226",
                "address": 0x41,
                "shunt_ohms": 0.01,
                "max_current": 8,
                "poll_interval": 1,
            },
        },
        "witty_pi": {"poll_interval": 1, "rtc_timezone": "UTC"},
    }
    return parse_config({"hardware": wiring}, "bench").hardware


def _usage(mode: str, samples: int, elapsed: float, cpu: float) -> dict[str, Any]:
    return {
        "mode": mode,
        "samples": samples,
        "seconds": elapsed,
        "cpu_seconds": cpu,
        "cpu_ms_per_sample": 1000 * cpu / samples,
        "core_percent": 100 * cpu / elapsed,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def _serve_child(seconds: float, data_dir: Path) -> dict[str, Any]:
    """The serving bridge on static emulated chips; the parent is its client."""
    import asyncio
    from dataclasses import replace

    from hardware_bridge.api.server import open_api
    from hardware_bridge.config.serve import ServeConfig
    from hardware_bridge.config.standin import standin_worker
    from hardware_bridge.hardware.sampler import Hardware
    from hardware_bridge.runtime.service import BridgeService

    hardware = Hardware(
        every_chip_at_1hz(), static_bus(), clock=lambda: datetime.now(UTC), data_dir=data_dir
    )
    worker = replace(standin_worker(data_dir), docker_url=f"unix://{data_dir}/no-engine")
    config = ServeConfig(worker=worker)
    service = BridgeService(hardware, config, data_dir=data_dir, device_id="bench")
    await service.start()
    api = await open_api(service, "bench-token", "127.0.0.1", 0)  # as ``serve`` does
    print(f"PORT {api.port}", flush=True)
    start_cpu, start = time.process_time(), time.monotonic()
    samples = 0
    while (elapsed := time.monotonic() - start) < seconds:
        await service.sample()  # at 1 Hz, as the service's own loop does
        samples += 1
        await asyncio.sleep(max(0.0, samples - (time.monotonic() - start)))
    cpu = time.process_time() - start_cpu
    await api.close()
    await service.stop()
    return _usage("serve", samples, elapsed, cpu)


def child(mode: str, seconds: float) -> dict[str, Any]:
    """Run one measurement in this process and return its numbers."""
    from hardware_bridge.hardware.sampler import Hardware

    if mode == "serve":
        import asyncio

        with tempfile.TemporaryDirectory() as data_dir:
            return asyncio.run(_serve_child(seconds, Path(data_dir)))

    with tempfile.TemporaryDirectory() as data_dir:
        if mode == "simulation":
            from hardware_bridge.hardware.config import HardwareConfig
            from hardware_bridge.runtime.opener import open_hardware

            context = open_hardware(
                wiring=HardwareConfig(), simulate="default", data_dir=Path(data_dir)
            )
            hardware = context.__enter__()
        else:
            hardware = Hardware(
                every_chip_at_1hz(),
                static_bus(),
                clock=lambda: datetime.now(UTC),
                data_dir=Path(data_dir),
            )
        hardware.sample(force=True)  # warm: lazy configuration and first reads are start-up cost
        start_cpu = time.process_time()
        start = time.monotonic()
        samples = 0
        while (elapsed := time.monotonic() - start) < seconds:
            if mode != "baseline":
                snapshot = hardware.sample(force=True)
                assert not snapshot.degraded, snapshot.degraded
            samples += 1
            time.sleep(max(0.0, samples - (time.monotonic() - start)))
        cpu = time.process_time() - start_cpu
    return _usage(mode, samples, elapsed, cpu)


async def _client(port: int, done: Any) -> None:
    """A WebSocket subscriber and a client reading /state every second, until ``done``."""
    import asyncio

    import aiohttp

    headers = {"Authorization": "Bearer bench-token"}
    base = f"http://127.0.0.1:{port}/api/v1"
    async with aiohttp.ClientSession(headers=headers) as session:
        ws = await session.ws_connect(f"{base}/events")

        async def listen() -> None:
            async for _ in ws:
                pass

        listener = asyncio.create_task(listen())
        while not done():
            try:
                async with session.get(f"{base}/state") as reply:
                    await reply.read()
            except aiohttp.ClientError:
                break  # the child finished its run and closed the server
            await asyncio.sleep(1)
        listener.cancel()
        await ws.close()


def run(mode: str, seconds: float) -> dict[str, Any]:
    if mode == "serve":
        import asyncio

        process = subprocess.Popen(
            [sys.executable, __file__, "--child", mode, "--seconds", str(seconds)],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        port = int(process.stdout.readline().split()[1])
        asyncio.run(_client(port, lambda: process.poll() is not None))
        served: dict[str, Any] = json.loads(process.stdout.read())
        return served
    out = subprocess.run(
        [sys.executable, __file__, "--child", mode, "--seconds", str(seconds)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument(
        "--simulation", action="store_true", help="also measure the simulated bridge"
    )
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.seconds)))
        return

    modes = ["baseline", "bridge", "serve"] + (["simulation"] if args.simulation else [])
    results = {mode: run(mode, args.seconds) for mode in modes}
    base = results["baseline"]
    print(
        f"{'mode':<11} {'samples':>7} {'cpu ms/sample':>13} {'% core':>7}"
        f" {'peak RSS MB':>11} {'RSS/base':>9}"
    )
    for mode, r in results.items():
        print(
            f"{mode:<11} {r['samples']:>7} {r['cpu_ms_per_sample']:>13.3f}"
            f" {r['core_percent']:>7.3f}"
            f" {r['peak_rss_mb']:>11.1f} {r['peak_rss_mb'] / base['peak_rss_mb']:>9.2f}"
        )
    bridge = max(results["bridge"], results["serve"], key=lambda r: r["peak_rss_mb"])
    verdict = {
        "rss_within_budget": bridge["peak_rss_mb"] <= RSS_BUDGET_MB,
        "cpu_within_budget": bridge["core_percent"] <= CORE_BUDGET_PERCENT,
        "cpu_ratio_to_baseline": bridge["cpu_seconds"] / max(base["cpu_seconds"], 1e-9),
    }
    print(
        f"budget (Pi Zero 2): RSS {bridge['peak_rss_mb']:.1f}/{RSS_BUDGET_MB} MB "
        f"{'ok' if verdict['rss_within_budget'] else 'OVER'}, CPU {bridge['core_percent']:.3f}/"
        f"{CORE_BUDGET_PERCENT} % of a core {'ok' if verdict['cpu_within_budget'] else 'OVER'} "
        "(measured on this machine; a Pi Zero 2's core is several times slower)"
    )
    if args.json:
        args.json.write_text(json.dumps({"results": results, "verdict": verdict}, indent=2))


if __name__ == "__main__":
    main()
