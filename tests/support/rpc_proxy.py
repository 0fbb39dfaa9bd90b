"""A JSON-RPC proxy in front of anvil that behaves like a public node and counts what it gets.

Public nodes refuse ``eth_getLogs`` over more than so many blocks, and answer 429 when asked too
often; anvil does neither. The proxy forwards everything else untouched, refuses wider log ranges
with the error a public node gives, can answer 429 to the next requests, and counts HTTP
requests and JSON-RPC calls per path (``/ours``, ``/naive``: one proxy serves several clients).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web


@dataclass
class Tally:
    requests: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    blocks_scanned: int = 0  # eth_getLogs ranges, added up


class RpcProxy:
    """``await start()``; ``url(path)`` for a client; ``tallies[path]`` afterwards."""

    def __init__(self, upstream: str, *, max_range: int | None = None) -> None:
        self.upstream = upstream
        self.max_range = max_range
        self.too_many = 0  # answer 429 to this many coming requests
        self.tallies: dict[str, Tally] = {}
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    def url(self, path: str = "ours") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    async def start(self) -> RpcProxy:
        app = web.Application()
        app.router.add_post("/{path}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self._session = aiohttp.ClientSession()
        return self

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        tally = self.tallies.setdefault(request.match_info["path"], Tally())
        tally.requests += 1
        if self.too_many > 0:
            self.too_many -= 1
            return web.Response(status=429, headers={"Retry-After": "1"})
        body = await request.json()
        calls = body if isinstance(body, list) else [body]
        refused = [call for call in calls if self._refuses(call, tally)]
        tally.calls.update(call["method"] for call in calls)
        if refused:
            # As public nodes answer a range too wide (each item of a batch in error).
            errors = [
                {
                    "jsonrpc": "2.0",
                    "id": call["id"],
                    "error": {"code": -32005, "message": "query exceeds max block range"},
                }
                for call in calls
            ]
            return web.json_response(errors if isinstance(body, list) else errors[0])
        assert self._session is not None
        async with self._session.post(self.upstream, json=body) as answer:
            return web.Response(body=await answer.read(), content_type="application/json")

    def _refuses(self, call: dict[str, Any], tally: Tally) -> bool:
        if call["method"] != "eth_getLogs":
            return False
        params = call["params"][0]
        blocks = int(params["toBlock"], 16) - int(params["fromBlock"], 16) + 1
        if self.max_range is not None and blocks > self.max_range:
            return True
        tally.blocks_scanned += blocks
        return False


def dumps(tallies: dict[str, Tally]) -> str:
    return json.dumps({path: vars(tally) for path, tally in tallies.items()}, default=dict)
