"""Reads of one worker's economics on a PoCo chain, over web3's ``AsyncWeb3``. No Home Assistant.

Each read is one HTTP request: the balances go in one JSON-RPC batch, a block range's events in
another. Every failure comes out as a ``ChainError`` of a kind the coordinator acts on: the node
is away (``ChainUnreachableError``) or answered with an error (``ChainAnswerError``), it asks us
to slow down (``ChainRateLimitedError``), or it refuses a block range for ``eth_getLogs``
(``RangeRefusedError``: ask again for less; ``chain_refusal`` tells a refusal from an error).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar, cast

from aiohttp import ClientError, ClientOSError, ClientResponseError, ServerDisconnectedError
from eth_typing import ABIEvent
from eth_utils.abi import event_abi_to_log_topic
from hexbytes import HexBytes
from web3 import AsyncWeb3
from web3.exceptions import Web3Exception, Web3RPCError
from web3.types import FilterParams, LogReceipt

from .chain_data import HUB_ABI, TOKEN_ABI, WorkerEvent
from .chain_refusal import range_refusal

# The escrow's events name their account in the data, not in a topic: the node cannot filter
# them by worker, so they are asked for by kind and kept if they are the worker's.
ESCROW_EVENTS: Final = ("Reward", "Seize", "Lock", "Unlock")
CONTRIBUTION: Final = "TaskContribute"  # the worker is its second topic
VERDICTS: Final = ("AccurateContribution", "FaultyContribution")  # the worker is the first
HTTP_TOO_MANY_REQUESTS: Final = 429

_T = TypeVar("_T")


class ChainError(Exception):
    """A read that did not give an answer."""


class ChainUnreachableError(ChainError):
    """The node did not answer, or answered with an error that is not about the request."""


class ChainAnswerError(ChainUnreachableError):
    """The node answered with a JSON-RPC error (or an answer that is none): for as long as it
    does, it is as good as away."""


class ChainRateLimitedError(ChainError):
    """HTTP 429: the node wants fewer requests; ``retry_after`` seconds if it said."""

    def __init__(self, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RangeRefusedError(ChainError):
    """The node refused an ``eth_getLogs`` range (too many blocks or results); ``limit`` is the
    most blocks it said it takes, if it said."""

    def __init__(self, message: str, limit: int | None) -> None:
        super().__init__(message)
        self.limit = limit


@dataclass(frozen=True)
class Balances:
    """The wallet and the escrow account at one block, in the tokens' smallest units."""

    block: int
    rlc: int  # nRLC on the wallet
    native: int  # wei: the gas the worker pays contributions with
    escrow: int  # nRLC staked in the PoCo escrow (balanceOf on the diamond)
    frozen: int  # nRLC of it locked in running tasks (frozenOf)


class ChainReader:
    """The reads of one worker on one PoCo deployment; ``calls`` counts them by method and
    ``requests`` the HTTP requests they took."""

    def __init__(self, w3: AsyncWeb3[Any], hub: str, rlc: str, wallet: str) -> None:
        self.w3 = w3
        self.wallet = AsyncWeb3.to_checksum_address(wallet)
        self.hub = w3.eth.contract(address=AsyncWeb3.to_checksum_address(hub), abi=HUB_ABI)
        self.token = w3.eth.contract(address=AsyncWeb3.to_checksum_address(rlc), abi=TOKEN_ABI)
        self._events = {
            HexBytes(event_abi_to_log_topic(cast(ABIEvent, item))): item["name"]
            for item in HUB_ABI
            if item["type"] == "event"
        }
        self._topic = {name: topic for topic, name in self._events.items()}
        self._worker_topic = HexBytes(bytes(12) + HexBytes(self.wallet))
        self.calls: Counter[str] = Counter()
        self.requests = 0

    async def _ask(self, methods: list[str], call: Callable[[], Awaitable[_T]]) -> _T:
        """One HTTP request of ``methods``, its failure sorted into a kind."""
        self.requests += 1
        self.calls.update(methods)
        try:
            try:
                return await call()
            except (ServerDisconnectedError, ClientOSError):
                # A kept-alive connection the node closed (it restarted, or timed it out):
                # the request never reached it, so one more try on a new connection.
                self.requests += 1
                return await call()
        except ClientResponseError as err:
            if err.status == HTTP_TOO_MANY_REQUESTS:
                retry = err.headers.get("Retry-After") if err.headers else None
                raise ChainRateLimitedError(str(err), _seconds(retry)) from err
            raise ChainUnreachableError(f"HTTP {err.status}") from err
        except (ClientError, TimeoutError, OSError) as err:
            raise ChainUnreachableError(str(err) or type(err).__name__) from err
        except (Web3Exception, ValueError) as err:
            # A JSON-RPC error, or an answer web3 could not read (not JSON, a batch answered
            # short, a call that returned nothing): the same to the coordinator, a failed read.
            raise ChainAnswerError(f"{'/'.join(sorted(set(methods)))}: {_said(err)}") from err

    async def _batch(self, methods: list[str], calls: Callable[[], list[Any]]) -> list[Any]:
        """The requests ``calls`` makes, in one JSON-RPC batch (made inside the batch's context,
        where web3 queues them)."""

        async def send() -> list[Any]:
            async with self.w3.batch_requests() as batch:
                for call in calls():
                    batch.add(call)
                answers = list(await batch.async_execute())
            if len(answers) != len(methods):
                raise ValueError(f"{len(answers)} answers to a batch of {len(methods)}")
            return answers

        return await self._ask(methods, send)

    async def chain_id(self) -> int:
        return await self._ask(["eth_chainId"], lambda: self.w3.eth.chain_id)

    async def head(self) -> int:
        """The latest block: the one call a cycle makes before it knows what to read."""
        return await self._ask(["eth_blockNumber"], lambda: self.w3.eth.block_number)

    async def deployed_at(self, head: int) -> int | None:
        """The block the hub was deployed in (the first with its code), by bisection over
        ``eth_getCode``: a few dozen requests, once. None when the node cannot tell (a node
        without the old state answers an error) or the hub has no code at ``head``."""
        try:
            if not await self._has_code(head):
                return None
            before, after = -1, head  # no code at ``before`` (genesis's parent), code at ``after``
            while after - before > 1:
                middle = (before + after) // 2
                if await self._has_code(middle):
                    after = middle
                else:
                    before = middle
        except ChainAnswerError:
            return None
        return after

    async def _has_code(self, block: int) -> bool:
        code = await self._ask(
            ["eth_getCode"], lambda: self.w3.eth.get_code(self.hub.address, block)
        )
        return len(code) > 0

    async def balances(self, block: int) -> Balances:
        """RLC, gas, escrow and its locked part at ``block``, in one batch."""

        methods = ["eth_call", "eth_getBalance", "eth_call", "eth_call"]
        rlc, native, escrow, frozen = await self._batch(
            methods,
            lambda: [
                self.token.functions.balanceOf(self.wallet).call(block_identifier=block),
                self.w3.eth.get_balance(self.wallet, block),
                self.hub.functions.balanceOf(self.wallet).call(block_identifier=block),
                self.hub.functions.frozenOf(self.wallet).call(block_identifier=block),
            ],
        )
        return Balances(block, int(rlc), int(native), int(escrow), int(frozen))

    async def events(self, first: int, last: int) -> list[WorkerEvent]:
        """The worker's events in blocks ``first`` to ``last``, in chain order."""
        base: FilterParams = {"address": self.hub.address, "fromBlock": first, "toBlock": last}
        topic = self._topic
        filters: list[FilterParams] = [
            {**base, "topics": [[topic[name] for name in ESCROW_EVENTS]]},
            {**base, "topics": [[topic[CONTRIBUTION]], None, [self._worker_topic]]},
            {**base, "topics": [[topic[name] for name in VERDICTS], [self._worker_topic]]},
        ]

        try:
            answers = await self._batch(
                ["eth_getLogs"] * len(filters),
                lambda: [self.w3.eth.get_logs(log_filter) for log_filter in filters],
            )
        except ChainAnswerError as err:
            # Nodes say "range too wide" or "too many results" each in their own words.
            cause = err.__cause__
            said = cause.rpc_response if isinstance(cause, Web3RPCError) else None
            if (refusal := range_refusal(said or str(err))) is not None:
                raise RangeRefusedError(str(err), refusal.limit) from err
            raise
        logs: list[LogReceipt] = [log for answer in answers for log in answer]
        logs.sort(key=lambda log: (log["blockNumber"], log["logIndex"]))
        return [event for log in logs if (event := self._decode(log)) is not None]

    def _decode(self, log: LogReceipt) -> WorkerEvent | None:
        name = self._events.get(HexBytes(log["topics"][0]))
        if name is None:
            return None
        args = self.hub.events[name]().process_log(log)["args"]
        if name in ESCROW_EVENTS:
            if args["owner"] != self.wallet:
                return None
            ref = args.get("ref")
            return WorkerEvent(name, log["blockNumber"], int(args["amount"]), _hex(ref))
        return WorkerEvent(name, log["blockNumber"], 0, _hex(args["taskid"]))

    async def timestamps(self, blocks: set[int]) -> dict[int, int]:
        """When each block was made (UNIX seconds), in one batch."""
        if not blocks:
            return {}
        wanted = sorted(blocks)

        answers = await self._batch(
            ["eth_getBlockByNumber"] * len(wanted),
            lambda: [self.w3.eth.get_block(block) for block in wanted],
        )
        return {
            block: int(answer["timestamp"]) for block, answer in zip(wanted, answers, strict=True)
        }


def _said(err: Exception) -> str:
    """What the node said: a JSON-RPC error's code and message, else the exception's text."""
    answer = err.rpc_response if isinstance(err, Web3RPCError) else None
    error = answer.get("error") if answer else None
    if isinstance(error, dict):
        return f"{error.get('code')} {error.get('message')}"
    return str(err) or type(err).__name__


def _hex(value: bytes | None) -> str:
    return "" if value is None else "0x" + bytes(value).hex()


def _seconds(text: str | None) -> float | None:
    try:
        return None if text is None else float(text)
    except ValueError:
        return None
