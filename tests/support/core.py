"""A stand-in for a workerpool's iexec-core on loopback: its two public documents, nothing else.

iexec-core serves ``GET /workers/config`` (``PublicConfiguration``); the config server it names
serves ``GET /config/chain`` (iexec-common's ``PublicChainConfig``). Field for field as those
classes serialise (docs/worker-contract.md); here one server answers both, as a core whose
``configServerUrl`` is itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class StandinCore:
    """What the core says; change it while it serves."""

    pool_address: str
    chain_id: int
    url: str = ""

    def documents(self) -> dict[str, object]:
        return {
            "/workers/config": {
                "workerPoolAddress": self.pool_address,
                "schedulerPublicAddress": "0x000000000000000000000000000000000000c0de",
                "configServerUrl": self.url,
                "resultRepositoryURL": f"{self.url}/results",
                "askForReplicatePeriod": 5000,
                "requiredWorkerVersion": "",
            },
            "/config/chain": {
                "chainId": self.chain_id,
                "sidechain": False,
                "chainNodeUrl": "http://127.0.0.1:8545",
                "iexecHubContractAddress": "0x098bFCb1E50ebcA0BaA92C12eA0c3F045A1aD9f0",
                "blockTime": "PT0.25S",
            },
        }


@contextmanager
def standin_core(pool_address: str, chain_id: int) -> Iterator[StandinCore]:
    """A core serving on a free loopback port until the block ends."""
    core = StandinCore(pool_address, chain_id)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            document = core.documents().get(self.path)
            body = json.dumps(document).encode()
            self.send_response(200 if document is not None else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass  # quiet: the tests say what they check

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    core.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield core
    finally:
        server.shutdown()
        server.server_close()
