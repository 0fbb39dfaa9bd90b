"""The serving bridge under a flood of strangers: memory, the counters' saves, the owner's latency.

A child process serves the bridge on static emulated chips (the hardware path a Pi runs, without
the simulation's pvlib), with 1,024 descriptors as a Pi's services get by default (soft and hard,
so it cannot raise them). The parent is everyone else:

- the owner: ``GET /state`` with the token at ``--rate`` per second over a kept-alive connection
  (as Home Assistant does), and once a second over a new connection (a newcomer);
- the stranger, no token, from another address (``--stranger``, 127.0.0.2: another machine as
  far as the bridge can tell; 127.0.0.1 puts it beside the owner): ``--idle`` connections that
  never send a byte (with ``--reconnect``, each opened again as soon as the bridge lets it go: a
  connect flood), and ``--bombs`` clients each sending a 1 MB gzip body that inflates to 1 GiB,
  one after another.

Two runs of ``--seconds`` of measurement each: quiet (the owner alone), then the flood. The
report gives the child's peak RSS against the 64 MB budget, its samples and counter saves (a
save per sample is the promise), and the owner's latency percentiles, with the flood's p99 as a
ratio to the quiet one.

    .venv/bin/python bench/flood.py [--seconds 30] [--idle 1200] [--bombs 4] [--rate 20]
        [--stranger ADDRESS] [--reconnect] [--json FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.api_latency import load, percentiles
from tests.support.hostile import exchange, gzip_bomb

RSS_BUDGET_MB = 64.0
DESCRIPTORS = 1024
TOKEN = "bench-token-0123456789abcdef"
BOMB_HEAD = (
    b"POST /api/v1/worker/stop HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\n"
    b"Content-Encoding: gzip\r\nContent-Length: %d\r\n\r\n"
)


async def _child(data_dir: Path) -> dict[str, Any]:
    """The serving bridge, as ``serve`` runs it, on static emulated chips, until SIGTERM."""
    from datetime import UTC, datetime

    from bench.footprint import every_chip_at_1hz, static_bus
    from hardware_bridge.api.server import open_api
    from hardware_bridge.config.serve import ServeConfig
    from hardware_bridge.hardware.sampler import Hardware
    from hardware_bridge.runtime.service import BridgeService
    from hardware_bridge.worker.config import WorkerConfig

    hardware = Hardware(
        every_chip_at_1hz(), static_bus(), clock=lambda: datetime.now(UTC), data_dir=data_dir
    )
    config = ServeConfig(worker=WorkerConfig(docker_url=f"unix://{data_dir}/no-engine"))
    service = BridgeService(hardware, config, data_dir=data_dir, device_id="bench")
    await service.start()
    api = await open_api(service, TOKEN, "127.0.0.1", 0)
    print(f"PORT {api.port}", flush=True)
    samples: set[float] = set()
    saves: set[int] = set()
    failed_saves = 0
    counters = data_dir / "power.json"
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    while not stop.is_set():
        samples.add(service.sampled_at)
        with contextlib.suppress(OSError):
            saves.add(counters.stat().st_mtime_ns)
        failed_saves += "power.json:save" in service.faults.active
        await asyncio.sleep(0.2)
    await api.close()
    await service.stop()
    return {
        "samples": len(samples),
        "saves": len(saves),
        "polls_with_a_failed_save": failed_saves,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


async def _newcomer(base: str, seconds: float) -> dict[str, Any]:
    """One request a second, each on a new connection."""
    latencies: list[float] = []
    errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        start = time.perf_counter()
        try:
            async with (
                aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as session,
                session.get(f"{base}/state") as reply,
            ):
                await reply.read()
                errors += reply.status != 200
            latencies.append(time.perf_counter() - start)
        except (aiohttp.ClientError, TimeoutError):
            errors += 1
        await asyncio.sleep(1.0)
    return {**percentiles(latencies or [0.0]), "errors": errors}


async def _idle_stranger(port: int, stop: asyncio.Event, reconnect: bool, source: str) -> None:
    """A connection that never sends a byte; with ``reconnect``, opened again at once whenever
    the bridge lets it go."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=(source, 0)
            )
        except OSError:
            await asyncio.sleep(0.1)
            continue
        with contextlib.suppress(ConnectionError):
            await reader.read()  # until the bridge closes it
        writer.close()
        if not reconnect:
            return


async def _bomber(port: int, stop: asyncio.Event, source: str) -> int:
    bomb = gzip_bomb(1024)
    sent = 0
    while not stop.is_set():
        with contextlib.suppress(OSError, TimeoutError):
            await exchange(port, BOMB_HEAD % len(bomb), bomb, source=source)
            sent += 1
    return sent


async def _run(port: int, args: argparse.Namespace, flood: bool) -> dict[str, Any]:
    base = f"http://127.0.0.1:{port}/api/v1"
    stop = asyncio.Event()
    attackers: list[asyncio.Task[Any]] = []
    bombers: list[asyncio.Task[int]] = []
    if flood:
        attackers = [
            asyncio.create_task(_idle_stranger(port, stop, args.reconnect, args.stranger))
            for _ in range(args.idle)
        ]
        bombers = [
            asyncio.create_task(_bomber(port, stop, args.stranger)) for _ in range(args.bombs)
        ]
        await asyncio.sleep(2)  # the flood in place before the owner measures
    seconds = args.seconds
    owner, newcomer = await asyncio.gather(
        load(f"{base}/state", TOKEN, args.rate, seconds), _newcomer(base, seconds)
    )
    stop.set()
    for task in attackers:
        task.cancel()
    bombs = sum(await asyncio.gather(*bombers)) if bombers else 0
    await asyncio.gather(*attackers, return_exceptions=True)
    return {"owner": owner, "newcomer": newcomer, "bombs_sent": bombs}


def _measure(args: argparse.Namespace, flood: bool) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as data_dir:
        child = subprocess.Popen(
            [sys.executable, __file__, "--child", data_dir],
            stdout=subprocess.PIPE,
            text=True,
        )
        limit = (DESCRIPTORS, DESCRIPTORS)
        resource.prlimit(child.pid, resource.RLIMIT_NOFILE, limit)  # before it listens
        assert child.stdout is not None
        try:
            port = int(child.stdout.readline().split()[1])
            client = asyncio.run(_run(port, args, flood))
        finally:
            child.send_signal(signal.SIGTERM)  # whatever happened: no bridge left behind
        served: dict[str, Any] = json.loads(child.stdout.read())
        child.wait()
    return {**served, **client}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--idle", type=int, default=1200)
    parser.add_argument("--bombs", type=int, default=4)
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument(
        "--stranger",
        default="127.0.0.2",
        help="the loopback address the stranger comes from (the owner's is 127.0.0.1)",
    )
    parser.add_argument(
        "--reconnect", action="store_true", help="strangers reconnect as soon as they are let go"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(asyncio.run(_child(Path(args.child)))), flush=True)
        return
    # The parent holds the idle connections: room for them, and for its own.
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, args.idle + 512)), hard))
    results = {"quiet": _measure(args, flood=False), "flood": _measure(args, flood=True)}
    quiet_p99 = results["quiet"]["owner"]["p99_ms"]
    results["flood_p99_ratio_to_quiet"] = results["flood"]["owner"]["p99_ms"] / quiet_p99
    print(
        f"{'run':<6} {'peak RSS MB':>11} {'samples':>7} {'saves':>5} {'failed':>6} "
        f"{'owner p50':>9} {'p99 ms':>7} {'max ms':>7} {'errors':>6} {'newcomer p99':>12} "
        f"{'bombs':>5}"
    )
    for name in ("quiet", "flood"):
        r = results[name]
        owner, newcomer = r["owner"], r["newcomer"]
        print(
            f"{name:<6} {r['peak_rss_mb']:>11.1f} {r['samples']:>7} {r['saves']:>5} "
            f"{r['polls_with_a_failed_save']:>6} {owner['p50_ms']:>9.2f} {owner['p99_ms']:>7.2f} "
            f"{owner['max_ms']:>7.2f} {owner['errors'] + newcomer['errors']:>6} "
            f"{newcomer['p99_ms']:>12.2f} {r['bombs_sent']:>5}"
        )
    print(
        f"flood p99 / quiet p99: x{results['flood_p99_ratio_to_quiet']:.2f}; RSS budget "
        f"{RSS_BUDGET_MB:.0f} MB"
    )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
