"""web3's JSON-RPC over Home Assistant's shared aiohttp session.

web3's own ``AsyncHTTPProvider`` keeps a session cache guarded by a thread pool of its own (a
thread per provider that outlives the entry) and closes the sessions it cached on disconnect,
Home Assistant's shared one included. This provider posts with the session it is given and
nothing else: no threads, no retries (the coordinator backs off), one POST per request or batch.
Some providers send a JSON-RPC error with an HTTP error status (QuickNode's range refusal comes
with 413, Blast's with 400): such an answer is read as the JSON-RPC error it is, so its words
reach the reader; a 429, or an error page, stays an HTTP error.
"""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any, cast

from aiohttp import ClientSession, ClientTimeout
from web3.providers.async_base import AsyncJSONBaseProvider
from web3.types import RPCEndpoint, RPCResponse

HEADERS = {"Content-Type": "application/json"}


class SessionHTTPProvider(AsyncJSONBaseProvider):
    """JSON-RPC over HTTP with a given aiohttp session."""

    def __init__(self, url: str, session: ClientSession, timeout: float) -> None:
        super().__init__()
        self.url = url
        self._session = session
        self._timeout = ClientTimeout(total=timeout)

    async def _post(self, body: bytes) -> Any:
        async with self._session.post(
            self.url, data=body, headers=HEADERS, timeout=self._timeout
        ) as response:
            answer = await response.read()
            if response.status >= HTTPStatus.BAD_REQUEST and (
                response.status == HTTPStatus.TOO_MANY_REQUESTS or not _rpc_error(answer)
            ):
                response.raise_for_status()
            return self.decode_rpc_response(answer)

    async def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
        return cast(RPCResponse, await self._post(self.encode_rpc_request(method, params)))

    async def make_batch_request(
        self, batch_requests: list[tuple[RPCEndpoint, Any]]
    ) -> list[RPCResponse] | RPCResponse:
        answer = await self._post(self.encode_batch_rpc_request(batch_requests))
        if not isinstance(answer, list):
            return cast(RPCResponse, answer)  # the node refused the batch as a whole
        # JSON-RPC lets a node answer a batch in any order; web3 pairs them by position.
        if all(item.get("id") is not None for item in answer):
            answer.sort(key=lambda item: item["id"])
        return cast(list[RPCResponse], answer)

    async def disconnect(self) -> None:
        """The session is Home Assistant's: it is not this provider's to close."""


def _rpc_error(body: bytes) -> bool:
    """Whether ``body`` is a JSON-RPC answer in error (or a batch of answers)."""
    try:
        answer = json.loads(body)
    except ValueError:
        return False
    return isinstance(answer, list) or (isinstance(answer, dict) and "error" in answer)
