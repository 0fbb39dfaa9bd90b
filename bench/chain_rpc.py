"""RPC requests of the chain coordinator's cycle in steady state, next to a naive full rescan.

A real anvil mines a block a second with the real PoCo contracts deployed, the worker funded and
one task computed (so there are events to find). A proxy in front of it behaves as a public node
(``eth_getLogs`` over more than ``--max-range`` blocks refused) and counts what each client asks.
Two clients run side by side, a cycle each every ``--interval`` seconds:

- ours: ``ChainScanner`` (the integration's own cycle: one block-number call, one batch of
  balances, the events since its cursor in ranges that learn the node's limit; the cursor stays
  ``--depth`` blocks behind the head, and those blocks are read again each cycle);
- naive: the same reader, but every cycle reads the balances and rescans every block from 0 in
  ranges of ``--max-range`` (the most a public node gives), as a client without a cursor must.

Counts are per cycle in steady state (ours after it has caught up), and per hour at the
integration's interval (a cycle a minute). A public Arbitrum node's limit is 10 000 blocks; this
run scales it down with the history (``--max-range 10``) so the naive client's growth shows. The
confirmation depth is scaled the same way: on Arbitrum it is 240 blocks, a cycle's worth (a minute
at ~4 blocks a second), so here it is a cycle's worth too (``--depth``, by default the blocks of
one interval at a block a second).

    .venv/bin/python bench/chain_rpc.py [--seconds 120] [--interval 2] [--max-range 10]
                                        [--depth N] [--json F]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from web3 import AsyncWeb3

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from custom_components.positive_energy_worker.chain_ledger import Ledger
from custom_components.positive_energy_worker.chain_provider import SessionHTTPProvider
from custom_components.positive_energy_worker.chain_reader import ChainReader
from custom_components.positive_energy_worker.chain_scan import ChainScanner
from tests.support.chain import WORKER, Anvil, Poco, deploy, fund_worker, open_market, run_task
from tests.support.rpc_proxy import RpcProxy, Tally

CYCLES_PER_HOUR = 60  # the coordinator's interval: a minute


def prepare(anvil: Anvil) -> Poco:
    poco = deploy(anvil.rpc_url)
    fund_worker(poco, WORKER, deposit=40 * 10**9)
    run_task(poco, open_market(poco), {WORKER: b"\x01" * 32})
    return poco


def reader(poco: Poco, url: str, session: aiohttp.ClientSession) -> ChainReader:
    provider = SessionHTTPProvider(url, session, 30)
    return ChainReader(AsyncWeb3(provider), poco.hub, poco.rlc, WORKER)


async def naive_cycle(chain: ChainReader, max_range: int) -> None:
    """Balances, then every block again from 0."""
    head = await chain.head()
    await chain.balances(head)
    for first in range(0, head + 1, max_range):
        await chain.events(first, min(head, first + max_range - 1))


async def run(args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        anvil = Anvil(state=Path(tmp) / "chain.json", block_time=1).start()
        try:
            poco = await asyncio.to_thread(prepare, anvil)
            proxy = await RpcProxy(anvil.rpc_url, max_range=args.max_range).start()
            try:
                return await measure(args, poco, proxy)
            finally:
                await proxy.stop()
        finally:
            anvil.stop()


async def measure(args: argparse.Namespace, poco: Poco, proxy: RpcProxy) -> dict[str, Any]:
    async with aiohttp.ClientSession() as session:
        ours_reader = reader(poco, proxy.url("ours"), session)
        naive_reader = reader(poco, proxy.url("naive"), session)

        async def keep(_ledger: Ledger) -> None:
            """The integration stores the ledger here; the bench has nothing to keep."""

        ours = ChainScanner(ours_reader, "bench", from_deployment=True, save=keep, depth=args.depth)
        # Catch up first: the steady state is what a running integration sees.
        while True:
            balances, _shown = await ours.cycle(None)
            assert ours.ledger is not None
            if ours.ledger.cursor >= balances.block - args.depth:
                break
        proxy.tallies.clear()
        start_head = await ours_reader.head()
        cycles = 0
        deadline = time.monotonic() + args.seconds
        while time.monotonic() < deadline:
            began = time.monotonic()
            await asyncio.gather(ours.cycle(None), naive_cycle(naive_reader, args.max_range))
            cycles += 1
            await asyncio.sleep(max(0.0, args.interval - (time.monotonic() - began)))
        end_head = await ours_reader.head()
        assert ours.ledger is not None
        return {
            "cycles": cycles,
            "interval_s": args.interval,
            "max_range": args.max_range,
            "depth": args.depth,
            "head": [start_head, end_head],
            "ours": summary(proxy.tallies["ours"], cycles),
            "naive": summary(proxy.tallies["naive"], cycles),
            "worker_rewards_nrlc": ours.ledger.rewards,
        }


def summary(tally: Tally, cycles: int) -> dict[str, float]:
    calls = sum(tally.calls.values())
    return {
        "http_requests_per_cycle": tally.requests / cycles,
        "rpc_calls_per_cycle": calls / cycles,
        "blocks_scanned_per_cycle": tally.blocks_scanned / 3 / cycles,
        "http_requests_per_hour": tally.requests / cycles * CYCLES_PER_HOUR,
        "rpc_calls_per_hour": calls / cycles * CYCLES_PER_HOUR,
    }


def report(result: dict[str, Any]) -> str:
    ours, naive = result["ours"], result["naive"]
    rows = [
        "| client | HTTP requests/cycle | JSON-RPC calls/cycle | blocks read/cycle "
        "| HTTP requests/hour | JSON-RPC calls/hour |",
        "|---|---|---|---|---|---|",
    ]
    for name, row in (("ours (cursor, batched)", ours), ("naive (full rescan)", naive)):
        rows.append(
            f"| {name} | {row['http_requests_per_cycle']:.1f} | {row['rpc_calls_per_cycle']:.1f}"
            f" | {row['blocks_scanned_per_cycle']:.0f} | {row['http_requests_per_hour']:.0f}"
            f" | {row['rpc_calls_per_hour']:.0f} |"
        )
    first, last = result["head"]
    ratio = naive["http_requests_per_hour"] / ours["http_requests_per_hour"]
    # At a public node's 10 000-block limit, a rescan of Arbitrum's history costs a request per
    # 10 000 blocks; ours stays at three.
    arbitrum = 2 + math.ceil(100_000_000 / 10_000)
    rows += [
        "",
        f"{result['cycles']} cycles, the head from block {first} to {last}, "
        f"ranges of at most {result['max_range']} blocks, a confirmation depth of "
        f"{result['depth']} blocks (read again each cycle): the naive client made "
        f"{ratio:.1f}x our HTTP requests, and its cost grows with the chain.",
        f"Scaled to Arbitrum One (a history of ~100 M blocks since the hub, 10 000-block "
        f"ranges): {arbitrum} requests a cycle for a full rescan, against our 3.",
    ]
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--interval", type=float, default=2)
    parser.add_argument("--max-range", type=int, default=10)
    parser.add_argument("--depth", type=int, help="confirmation depth (default: one interval)")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    if args.depth is None:
        args.depth = math.ceil(args.interval)  # a cycle's blocks, as Arbitrum's 240 are
    result = asyncio.run(run(args))
    print(report(result))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
