"""A JSON-RPC proxy in front of anvil that behaves like a public node, and fails on demand.

Public nodes refuse ``eth_getLogs`` over more than so many blocks, answer 429 when asked too
often, and now and then answer a call with an error; anvil does none of these. The proxy
forwards everything else untouched. It refuses wider log ranges with the words (and the HTTP
status) of a provider the test names, answers 429 to the next requests when told, answers a
method's calls in the next requests with a JSON-RPC error when told (in a batch, only those
items: the rest go to anvil), and counts HTTP requests, JSON-RPC calls, refusals and the log
ranges it answered, per path (``/ours``, ``/naive``: one proxy serves several clients).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

# What a public node says of a range too wide, unless a test names another provider's words.
RANGE_REFUSAL: dict[str, Any] = {"code": -32005, "message": "query exceeds max block range"}


@dataclass
class Fault:
    """``method``'s calls in the next ``times`` requests that make any are answered with this
    JSON-RPC error (a batch of three eth_getLogs in error is one error, as a node's outage is)."""

    method: str
    times: int
    error: dict[str, Any]


@dataclass
class Tally:
    requests: int = 0
    calls: Counter[str] = field(default_factory=Counter)
    blocks_scanned: int = 0  # eth_getLogs ranges answered, added up (each filter counts)
    ranges: list[tuple[int, int]] = field(default_factory=list)  # (from, to) of each answered
    refusals: int = 0  # requests refused for a range too wide
    faults: int = 0  # requests answered with an injected error


class RpcProxy:
    """``await start()``; ``url(path)`` for a client; ``tallies[path]`` afterwards."""

    def __init__(
        self,
        upstream: str,
        *,
        max_range: int | None = None,
        refusal: dict[str, Any] | None = None,
        refusal_status: int = 200,
    ) -> None:
        self.upstream = upstream
        self.max_range = max_range
        self.refusal = refusal or RANGE_REFUSAL
        self.refusal_status = refusal_status
        self.too_many = 0  # answer 429 to this many coming requests
        self.faults: list[Fault] = []
        self.tallies: dict[str, Tally] = {}
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    def url(self, path: str = "ours") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"

    def fail(
        self, method: str, times: int = 1, *, code: int = -32000, message: str = "internal error"
    ) -> None:
        """Answer ``method`` in the next ``times`` requests with this error, as nodes do."""
        self.faults.append(Fault(method, times, {"code": code, "message": message}))

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
        batch = isinstance(body, list)
        calls: list[dict[str, Any]] = body if batch else [body]
        tally.calls.update(call["method"] for call in calls)
        if any(self._too_wide(call) for call in calls):
            # As public nodes answer a range too wide: each item of a batch in error.
            tally.refusals += 1
            errors = [_error(call, self.refusal) for call in calls]
            return web.json_response(errors if batch else errors[0], status=self.refusal_status)
        failing = self._failing({call["method"] for call in calls})
        answers = {
            id(call): _error(call, failing[call["method"]])
            for call in calls
            if call["method"] in failing
        }
        tally.faults += bool(failing)
        forward = [call for call in calls if id(call) not in answers]
        if forward:
            upstream = await self._forward(forward if batch else forward[0])
            answers.update(zip(map(id, forward), upstream if batch else [upstream], strict=True))
            for call in forward:
                self._count(call, tally)
        ordered = [answers[id(call)] for call in calls]
        return web.json_response(ordered if batch else ordered[0])

    async def _forward(self, body: Any) -> Any:
        assert self._session is not None
        async with self._session.post(self.upstream, json=body) as answer:
            received = await answer.json()
        if isinstance(received, list):  # anvil answers a batch in order; be sure of it
            by_id = {item["id"]: item for item in received}
            return [by_id[call["id"]] for call in body]
        return received

    def _too_wide(self, call: dict[str, Any]) -> bool:
        return (
            call["method"] == "eth_getLogs"
            and self.max_range is not None
            and _blocks(call) > self.max_range
        )

    def _failing(self, methods: set[str]) -> dict[str, dict[str, Any]]:
        """The error each of ``methods`` gets in this request, if a fault is due."""
        failing: dict[str, dict[str, Any]] = {}
        for fault in self.faults:
            if fault.method in methods and fault.method not in failing and fault.times > 0:
                fault.times -= 1
                failing[fault.method] = fault.error
        return failing

    def _count(self, call: dict[str, Any], tally: Tally) -> None:
        if call["method"] != "eth_getLogs":
            return
        params = call["params"][0]
        span = (int(params["fromBlock"], 16), int(params["toBlock"], 16))
        tally.blocks_scanned += _blocks(call)
        if span not in tally.ranges[-1:]:  # a batch's filters share their range
            tally.ranges.append(span)


def _blocks(call: dict[str, Any]) -> int:
    params = call["params"][0]
    return int(params["toBlock"], 16) - int(params["fromBlock"], 16) + 1


def _error(call: dict[str, Any], error: dict[str, Any]) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": call["id"], "error": error}


def dumps(tallies: dict[str, Tally]) -> str:
    return json.dumps({path: vars(tally) for path, tally in tallies.items()}, default=dict)
