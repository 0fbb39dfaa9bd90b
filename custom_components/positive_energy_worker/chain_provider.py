"""web3's JSON-RPC over Home Assistant's shared aiohttp session.

web3's own ``AsyncHTTPProvider`` keeps a session cache guarded by a thread pool of its own (a
thread per provider that outlives the entry) and closes the sessions it cached on disconnect,
Home Assistant's shared one included. This provider posts with the session it is given and
nothing else: no threads, no retries (the coordinator backs off), one POST per request or batch.
"""

from __future__ import annotations

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
            self.url, data=body, headers=HEADERS, timeout=self._timeout, raise_for_status=True
        ) as response:
            return self.decode_rpc_response(await response.read())

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
