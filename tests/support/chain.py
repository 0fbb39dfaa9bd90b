"""A local chain with the real iExec PoCo contracts: anvil, the diamond, RLC and a funded worker.

The npm packages (``./scripts/setup`` unpacks them into ``PACKAGES``) hold the compiled contracts:
nothing is compiled here. ``../shared/reference/iexec.md`` has the deployment facts this follows.

For tests and the demo alike::

    anvil = Anvil(state=Path("chain.json")).start()        # a free port, or port=8545
    poco = deploy(anvil.rpc_url)                            # diamond, RLC, registries
    fund_worker(poco, WORKER, rlc=100 * RLC, deposit=40 * RLC)
    print(poco.rpc_url, poco.chain_id, poco.hub, poco.rlc)
    market = open_market(poco)                              # an app and a workerpool
    run_task(poco, market, {WORKER: b"\x01" * 32})           # a task: lock, reward, unlock
    anvil.stop()

or from a shell: ``python -m tests.support.chain --port 8545 --state chain.json`` prints the
addresses as JSON and keeps anvil running until interrupted.

Every transaction is sent from one of anvil's own unlocked accounts (``eth_sendTransaction``):
no key is handled here. Blocking I/O (web3's HTTP provider): call it from a thread in async code.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from eth_utils import function_signature_to_4byte_selector
from web3 import Web3
from web3.contract import Contract
from web3.logs import DISCARD

PACKAGES = Path(
    os.environ.get(
        "PEW_CHAIN_PACKAGES",
        Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
        / "positive-energy-worker"
        / "chain",
    )
)
POCO = PACKAGES / "poco"
ANVIL = PACKAGES / "anvil" / "bin" / "anvil"
RLC_ARTIFACT = PACKAGES / "rlc" / "build" / "contracts" / "RLC.json"

RLC = 10**9  # nRLC in one RLC: the token has 9 decimals
ETHER = 10**18
# anvil's default accounts (its fixed test mnemonic): the deployer owns the diamond and holds
# the RLC supply; the next one is the tests' worker; the one after, a workerpool's owner.
DEPLOYER = Web3.to_checksum_address("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266")
WORKER = Web3.to_checksum_address("0x70997970c51812dc3a010c7d01b50e0d17dc79c8")
POOL_OWNER = Web3.to_checksum_address("0x3c44cdddb6a900fa2b585dd299e03d12fa4293bc")
# More of anvil's accounts: the other workers of a replicated task.
OTHER_WORKERS = tuple(
    Web3.to_checksum_address(address)
    for address in (
        "0x90f79bf6eb2c4f870365e785982e1f101e93b906",
        "0x15d34aaf54267db7d7c367839aaf71a00a2c6a65",
        "0x9965507d1a55bcc2695c58ba16fb37d819b0a4dc",
    )
)
ZERO = "0x" + "00" * 20
_CONSENSUS_VALUE = 7  # viewTask's field
# The facets Arbitrum's diamond is cut from (deployments/arbitrum); the native-escrow and boost
# facets stay out: their selectors clash with the token escrow's.
FACETS = (
    "IexecAccessorsABILegacyFacet",
    "IexecCategoryManagerFacet",
    "IexecConfigurationExtraFacet",
    "IexecConfigurationFacet",
    "IexecERC20Facet",
    "IexecEscrowTokenFacet",
    "IexecOrderManagementFacet",
    "IexecPoco1Facet",
    "IexecPoco2Facet",
    "IexecPocoAccessorsFacet",
    "IexecRelayFacet",
)
# Only their deployment records carry these two facets' bytecode.
DIAMOND_PARTS = ("OwnershipFacet", "DiamondLoupeFacet")
LISTENING = re.compile(r"Listening on 127\.0\.0\.1:(\d+)")


def artifact(name: str) -> dict[str, Any]:
    """The hardhat artifact of a PoCo contract, by its name."""
    found = sorted((POCO / "artifacts" / "contracts").rglob(f"{name}.json"))
    found = [path for path in found if not path.name.endswith(".dbg.json")]
    if not found:
        raise FileNotFoundError(f"no artifact {name} under {POCO} (run ./scripts/setup)")
    data: dict[str, Any] = json.loads(found[0].read_text())
    return data


def hub_abi() -> list[dict[str, Any]]:
    """The whole diamond's ABI as a token-escrow deployment exposes it."""
    abi: list[dict[str, Any]] = artifact("IexecInterfaceToken")["abi"]
    return abi


class Anvil:
    """One anvil process on loopback; ``state`` keeps the chain across a stop and a start."""

    def __init__(
        self,
        *,
        port: int = 0,
        state: Path | None = None,
        chain_id: int = 31337,
        block_time: float | None = None,
        first_block: int = 0,
    ) -> None:
        """``block_time``: mine a block every so many seconds (None: one per transaction).
        ``first_block``: the genesis block's number. A chain that starts high stands in for a
        long one (its earlier blocks hold no logs and no state, as a pruned node's): anvil
        mines some hundred blocks a second at best, so a long chain cannot be mined."""
        self.port = port  # 0: anvil picks a free one and says which
        self.state = state
        self.chain_id = chain_id
        self.block_time = block_time
        self.first_block = first_block
        self.process: subprocess.Popen[str] | None = None
        self.log: Path | None = None

    @property
    def rpc_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> Anvil:
        if not ANVIL.exists():
            raise FileNotFoundError(f"{ANVIL} is missing (run ./scripts/setup)")
        command = [str(ANVIL), "--port", str(self.port), "--chain-id", str(self.chain_id)]
        # The diamond's facets are larger than the 24 KiB mainnet limit allows.
        command += ["--code-size-limit", "100000", "--host", "127.0.0.1"]
        if self.state is not None:
            command += ["--state", str(self.state)]
        if self.block_time is not None:
            command += ["--block-time", str(self.block_time)]
        if self.first_block:
            command += ["--number", str(self.first_block)]
        # Its log goes to a file: a pipe nobody reads would fill, or break when closed.
        log = tempfile.NamedTemporaryFile(  # noqa: SIM115 (anvil writes it while it runs)
            mode="w+", prefix="anvil-", suffix=".log", delete=False
        )
        self.log = Path(log.name)
        self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, text=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if match := LISTENING.search(self.log.read_text()):
                self.port = int(match.group(1))  # the same port again on a restart
                return self
            if self.process.poll() is not None:
                raise RuntimeError(f"anvil exited with {self.process.returncode}")
            time.sleep(0.05)
        self.stop()
        raise TimeoutError("anvil did not start listening")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        """SIGTERM lets anvil write its state; SIGKILL loses what it has not written. The log
        goes too, even when anvil has already exited (a Ctrl-C reaches its whole group)."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.log is not None:
            self.log.unlink(missing_ok=True)


@dataclass(frozen=True)
class Poco:
    """Where the deployed contracts are."""

    rpc_url: str
    chain_id: int
    hub: str
    rlc: str
    app_registry: str
    dataset_registry: str
    workerpool_registry: str
    owner: str = DEPLOYER

    def web3(self) -> Web3:
        return Web3(Web3.HTTPProvider(self.rpc_url, request_kwargs={"timeout": 30}))

    def hub_contract(self, w3: Web3 | None = None) -> Contract:
        return (w3 or self.web3()).eth.contract(address=self.hub, abi=hub_abi())

    def rlc_contract(self, w3: Web3 | None = None) -> Contract:
        abi = json.loads(RLC_ARTIFACT.read_text())["abi"]
        return (w3 or self.web3()).eth.contract(address=self.rlc, abi=abi)


def _send(w3: Web3, tx: dict[str, Any]) -> dict[str, Any]:
    """Send from an unlocked anvil account; the receipt, or an error if it reverted."""
    receipt = dict(w3.eth.wait_for_transaction_receipt(w3.eth.send_transaction(tx)))  # type: ignore[arg-type]
    if receipt["status"] != 1:
        raise RuntimeError(f"transaction reverted: {tx.get('to')} {receipt}")
    return receipt


def _create(w3: Web3, bytecode: str, sender: str = DEPLOYER) -> str:
    receipt = _send(w3, {"from": sender, "data": bytecode})
    return str(receipt["contractAddress"])


def _call(w3: Web3, function: Any, sender: str = DEPLOYER) -> dict[str, Any]:
    return _send(w3, function.build_transaction({"from": sender}))


def _linked(data: dict[str, Any], library: str) -> str:
    """The artifact's bytecode with IexecLibOrders_v5's address at each placeholder."""
    # The placeholder is text in the hex string: offsets count bytes, two characters each.
    code = data["bytecode"].removeprefix("0x")
    for uses in data["linkReferences"].values():
        for offset in uses.get("IexecLibOrders_v5", []):
            start, end = 2 * offset["start"], 2 * (offset["start"] + offset["length"])
            code = code[:start] + library.removeprefix("0x").lower() + code[end:]
    return "0x" + code


def _selectors(abi: list[dict[str, Any]]) -> list[bytes]:
    out = []
    for item in abi:
        if item["type"] != "function":
            continue
        types = ",".join(_type(arg) for arg in item["inputs"])
        out.append(function_signature_to_4byte_selector(f"{item['name']}({types})"))
    return out


def _type(arg: dict[str, Any]) -> str:
    """An argument's canonical type (tuples spelled out, as selectors need)."""
    kind: str = arg["type"]
    if kind.startswith("tuple"):
        return "(" + ",".join(_type(inner) for inner in arg["components"]) + ")" + kind[5:]
    return kind


def deploy(rpc_url: str) -> Poco:
    """RLC, the registries and the PoCo diamond with every facet Arbitrum has, configured."""
    w3 = Web3(Web3.HTTPProvider(rpc_url, request_kwargs={"timeout": 60}))
    rlc_data = json.loads(RLC_ARTIFACT.read_text())
    rlc = _create(w3, rlc_data["bytecode"])
    token = w3.eth.contract(address=rlc, abi=rlc_data["abi"])
    if token.functions.locked().call():
        _call(w3, token.functions.unlock())
    # Its ABI holds enum types web3 cannot parse: deploy it from its bytecode alone.
    library = _create(w3, artifact("IexecLibOrders_v5")["bytecode"])
    cuts: list[tuple[str, int, list[bytes]]] = []
    taken: set[bytes] = set()
    parts = [(name, artifact(name)) for name in FACETS]
    parts += [
        (name, json.loads((POCO / "deployments" / "arbitrumSepolia" / f"{name}.json").read_text()))
        for name in DIAMOND_PARTS
    ]
    for _name, data in parts:
        code = _linked(data, library) if data.get("linkReferences") else data["bytecode"]
        address = _create(w3, code)
        mine = [selector for selector in _selectors(data["abi"]) if selector not in taken]
        taken.update(mine)
        cuts.append((address, 0, mine))  # 0: FacetCutAction.Add
    diamond = artifact("Diamond")
    constructor = w3.eth.contract(abi=diamond["abi"], bytecode=diamond["bytecode"]).constructor(
        cuts, (DEPLOYER, "0x" + "00" * 20, b"")
    )
    hub = str(_send(w3, constructor.build_transaction({"from": DEPLOYER}))["contractAddress"])
    registries = {}
    for name in ("AppRegistry", "DatasetRegistry", "WorkerpoolRegistry"):
        data = artifact(name)
        registries[name] = _create(w3, data["bytecode"])
    poco = Poco(
        rpc_url=rpc_url,
        chain_id=w3.eth.chain_id,
        hub=Web3.to_checksum_address(hub),
        rlc=Web3.to_checksum_address(rlc),
        app_registry=registries["AppRegistry"],
        dataset_registry=registries["DatasetRegistry"],
        workerpool_registry=registries["WorkerpoolRegistry"],
    )
    iexec = poco.hub_contract(w3)
    _call(
        w3,
        iexec.functions.configure(
            poco.rlc,
            "Staked RLC",
            "SRLC",
            9,
            poco.app_registry,
            poco.dataset_registry,
            poco.workerpool_registry,
            "0x" + "00" * 20,
        ),
    )
    return poco


def fund_worker(
    poco: Poco, worker: str = WORKER, *, rlc: int = 100 * RLC, deposit: int = 0
) -> None:
    """Give ``worker`` ``rlc`` nRLC from the deployer, and let it stake ``deposit`` of them."""
    w3 = poco.web3()
    token = poco.rlc_contract(w3)
    _call(w3, token.functions.transfer(worker, rlc))
    if deposit:
        _call(w3, token.functions.approve(poco.hub, deposit), sender=worker)
        _call(w3, poco.hub_contract(w3).functions.deposit(deposit), sender=worker)


@dataclass(frozen=True)
class Market:
    """An app and a workerpool (both the pool owner's) in a category: what a deal needs."""

    app: str
    workerpool: str
    category: int = 0


def open_market(poco: Poco) -> Market:
    """A category, an app and a workerpool, and the pool owner's stake for scheduling."""
    w3 = poco.web3()
    hub = poco.hub_contract(w3)
    # Ten minutes of work per task: the deadlines are multiples of it.
    _call(w3, hub.functions.createCategory("small", "{}", 600))
    apps = w3.eth.contract(address=poco.app_registry, abi=artifact("AppRegistry")["abi"])
    app_args = (POOL_OWNER, "pew-app", "DOCKER", b"docker.io/pew/app:1", bytes(32), b"")
    _call(w3, apps.functions.createApp(*app_args))
    pools = w3.eth.contract(
        address=poco.workerpool_registry, abi=artifact("WorkerpoolRegistry")["abi"]
    )
    _call(w3, pools.functions.createWorkerpool(POOL_OWNER, "pew-pool"))
    fund_worker(poco, POOL_OWNER, rlc=100 * RLC, deposit=100 * RLC)
    return Market(
        app=apps.functions.predictApp(*app_args).call(),
        workerpool=pools.functions.predictWorkerpool(POOL_OWNER, "pew-pool").call(),
    )


def run_task(
    poco: Poco,
    market: Market,
    results: dict[str, bytes],
    *,
    price: int = 10 * RLC,
    trust: int = 1,
    finalize: bool = True,
) -> bytes:
    """One task bought at ``price`` and computed by the workers of ``results`` (each with the
    result digest it contributes, in that order), revealed by those who agree with the
    consensus and finalized by the pool: its id.

    Each worker locks 30 % of the price as its stake (the workerpool's default policy); at the
    end the consensus's workers get it back with a reward, the others lose it (Seize).
    ``finalize=False`` leaves the task running after the contributions, the stakes locked.
    """
    w3 = poco.web3()
    hub = poco.hub_contract(w3)
    salt = os.urandom(32)
    _call(w3, poco.rlc_contract(w3).functions.approve(poco.hub, price))
    _call(w3, hub.functions.deposit(price))
    app_order = (market.app, 0, 1, bytes(32), ZERO, ZERO, ZERO, salt, b"")
    dataset_order = (ZERO, 0, 0, bytes(32), ZERO, ZERO, ZERO, bytes(32), b"")
    pool_order = (market.workerpool, price, 1, bytes(32), market.category, trust)
    pool_order += (ZERO, ZERO, ZERO, salt, b"")
    request_order = (market.app, 0, ZERO, 0, market.workerpool, price, DEPLOYER, 1, bytes(32))
    request_order += (market.category, trust, DEPLOYER, ZERO, "", salt, b"")
    # Presigned by their owners on chain (operation 0: SIGN): no EIP-712 signing here.
    _call(w3, hub.functions.manageAppOrder((app_order, 0, b"")), POOL_OWNER)
    _call(w3, hub.functions.manageWorkerpoolOrder((pool_order, 0, b"")), POOL_OWNER)
    _call(w3, hub.functions.manageRequestOrder((request_order, 0, b"")))
    receipt = _call(
        w3, hub.functions.matchOrders(app_order, dataset_order, pool_order, request_order)
    )
    [matched] = hub.events.OrdersMatched().process_receipt(receipt, errors=DISCARD)
    deal = matched["args"]["dealid"]
    receipt = _call(w3, hub.functions.initialize(deal, 0))
    [initialized] = hub.events.TaskInitialize().process_receipt(receipt, errors=DISCARD)
    task: bytes = initialized["args"]["taskid"]
    for worker, digest in results.items():
        # The scheduler (the pool owner) authorizes this worker for this task, no enclave.
        message = Web3.solidity_keccak(["address", "bytes32", "address"], [worker, task, ZERO])
        authorization = w3.eth.sign(POOL_OWNER, message)
        result_hash = Web3.solidity_keccak(["bytes32", "bytes32"], [task, digest])
        seal = Web3.solidity_keccak(["address", "bytes32", "bytes32"], [worker, task, digest])
        contribute = hub.functions.contribute(task, result_hash, seal, ZERO, b"", authorization)
        _call(w3, contribute, worker)
    if not finalize:
        return task
    consensus = hub.functions.viewTask(task).call()
    for worker, digest in results.items():
        winning = Web3.solidity_keccak(["bytes32", "bytes32"], [task, digest])
        if winning == consensus[_CONSENSUS_VALUE]:
            _call(w3, hub.functions.reveal(task, digest), worker)
    _call(w3, hub.functions.finalize(task, b"", b""), POOL_OWNER)
    return task


def main(argv: list[str] | None = None) -> int:
    """Start anvil, deploy, fund the worker; print where everything is; run until interrupted."""
    parser = argparse.ArgumentParser(prog="python -m tests.support.chain", description=main.__doc__)
    parser.add_argument("--port", type=int, default=8545)
    parser.add_argument("--state", type=Path, help="anvil's state file (kept across restarts)")
    parser.add_argument("--worker", default=WORKER)
    parser.add_argument("--rlc", type=float, default=100.0, help="RLC given to the worker")
    parser.add_argument("--deposit", type=float, default=40.0, help="RLC the worker stakes")
    args = parser.parse_args(argv)
    # The addresses are written beside the state once deployed: without them, deploy again.
    record = args.state.with_suffix(".poco.json") if args.state is not None else None
    fresh = record is None or not record.exists()
    # SIGTERM ends it as Ctrl-C does, anvil stopped (and its state written) on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    anvil = Anvil(port=args.port, state=args.state).start()
    try:
        if fresh:
            poco = deploy(anvil.rpc_url)
            fund_worker(poco, args.worker, rlc=int(args.rlc * RLC), deposit=int(args.deposit * RLC))
            if record is not None:
                record.write_text(json.dumps(asdict(poco)))
        else:
            assert record is not None
            # The same contracts; the port may be another.
            poco = replace(Poco(**json.loads(record.read_text())), rpc_url=anvil.rpc_url)
        print(json.dumps({**asdict(poco), "worker": args.worker}), flush=True)
        while True:
            signal.pause()
    except KeyboardInterrupt:
        pass
    finally:
        anvil.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
