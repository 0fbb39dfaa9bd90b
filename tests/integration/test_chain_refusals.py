"""Which node errors refuse an ``eth_getLogs`` range, and the limit they name.

The wordings are providers' and node software's own, as their users quoted them in issue
threads and as their documentation gives them; the errors that are not refusals are as real.
"""

from __future__ import annotations

import pytest

from custom_components.positive_energy_worker.chain_refusal import Refusal, range_refusal


def error(code: int, message: str, data: object = None) -> dict[str, object]:
    return {"jsonrpc": "2.0", "id": 1, "error": {"code": code, "message": message, "data": data}}


@pytest.mark.parametrize(
    ("answer", "limit"),
    [
        # A limit in blocks, said.
        (error(-32000, "exceed maximum block range: 50000"), 50_000),  # publicnode, BSC
        (error(-32602, "range 1000000 exceeds limit of 10000"), 10_000),  # Infura
        (error(-32614, "eth_getLogs is limited to a 10,000 range"), 10_000),  # QuickNode
        (
            error(
                -32600,
                "Under the Free tier plan, you can make eth_getLogs requests with up to a 10 "
                "block range. Based on your parameters, this block range should work: "
                "[0x1, 0xa]",
            ),
            10,
        ),  # Alchemy's free tier
        (
            error(-32600, "You can make eth_getLogs requests with up to a 2K block range."),
            2_000,
        ),  # Alchemy
        (error(-32000, "query exceeds max block range 100000"), 100_000),  # reth
        (error(-32600, "Query exceeds max block range of 10000"), 10_000),
        (error(-32005, "block range too large, max range: 1000"), 1_000),  # cdk-erigon
        (
            error(
                -32000,
                "block range is larger than max block range, block range = 5120, max block "
                "range = 5000",
            ),
            5_000,
        ),  # Morph
        (error(-32000, "block range is too wide (maximum 1024)"), 1_024),  # Moonbeam
        (
            error(
                -32602,
                "Invalid params",
                {
                    "range": "the range 32654438 - 33850215 exceeds the range allowed for your "
                    "plan (1195777 > 500). Upgrade your plan"
                },
            ),
            500,
        ),  # Blast, the limit in the error's data
        (error(-32000, "requested too many blocks from 0 to 5000, maximum is set to 2048"), 2_048),
        (error(-32000, "Max range: 800"), 800),  # Cloudflare
        (error(-32000, "please limit the query to at most 1,000 blocks"), 1_000),  # Coinbase
        # A range suggested instead: its length is the limit.
        (
            error(
                -32005,
                "query returned more than 10000 results. Try with this block range [0x10, 0x1f].",
            ),
            16,
        ),  # Infura's result limit
        (
            error(-32602, "query exceeds max results 20000, retry with the range 100-149"),
            50,
        ),  # reth's result limit
        # Refused, no number of blocks said (a result count is not one).
        (error(-32600, "block range is too wide"), None),  # Ankr
        (error(-32000, "block range too large"), None),
        (error(-32000, "Block range is too large"), None),  # Optimism
        (error(-32000, "query returned more than 10000 results"), None),  # geth
        (error(-32000, "logs matched by query exceeds limit of 10000"), None),  # Arbitrum Nitro
        (error(-32602, "Log response size exceeded."), None),  # Alchemy
        (error(-32000, "Block range limit exceeded."), None),  # Chainstack
        (error(-32600, "block range too high"), None),
        (error(-32005, "query exceeds max block range"), None),
    ],
)
def test_a_refusal_is_told_with_the_limit_it_names(answer: dict[str, object], limit: int | None):
    assert range_refusal(answer) == Refusal(limit)


@pytest.mark.parametrize(
    "answer",
    [
        error(-32000, "internal error"),
        error(-32000, "header not found"),  # a load-balanced node behind the others
        error(-32602, "block range extends beyond current head block"),  # the same
        error(-32000, "invalid block range params"),  # geth, Nitro: from after to
        error(-32000, "missing trie node 0x12 (path ) state not available"),
        error(-32005, "daily request count exceeded, request rate limited"),
        error(-32001, "Resource not found"),
        error(-32601, "the method eth_getLogs does not exist/is not available"),
        error(-32603, "request timed out"),
    ],
)
def test_an_error_that_a_narrower_range_would_not_mend_is_no_refusal(
    answer: dict[str, object],
) -> None:
    assert range_refusal(answer) is None
