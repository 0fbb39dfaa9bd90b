"""A local workerpool on the demo's anvil: each task the stand-in worker completes, as the bridge
counts it, becomes a task on the real PoCo contracts, bought, computed by the worker's wallet and
paid. So the chain's sensors (contributions, rewards, RLC per kWh) move with the worker's work.

What is local: the chain (anvil), the app, the workerpool and its orders, the requester, and the
scheduler that authorizes the worker; the stand-in's tasks are no real iExec tasks. On the real
network a workerpool's scheduler (iexec-core) hands the worker its tasks and the worker signs its
own contributions; here the pool owner's scheduler and anvil's unlocked account of the worker
stand in for both, with the very contract calls a worker makes (contribute, reveal) and the
rewards PoCo pays for them.
"""

from __future__ import annotations

import hashlib
import json
import threading
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from tests.support import chain as support
from tests.support.bridge import BridgeProcess

PRICE: Final = support.RLC // 10  # nRLC a task pays: 0.1 RLC, the order of iExec's small tasks
POLL_SECONDS: Final = 1.0


def completed_tasks(bridge: BridgeProcess) -> int:
    """How many tasks the bridge has seen the worker complete (its state's worker counter)."""
    request = urllib.request.Request(
        f"{bridge.url}/api/v1/state", headers={"Authorization": f"Bearer {bridge.token}"}
    )
    with urllib.request.urlopen(request, timeout=10) as reply:
        count: int = json.loads(reply.read())["worker"]["tasks_completed"]
        return count


class LocalWorkerpool:
    """Turns each completed task the bridge reports into a task paid on chain."""

    def __init__(
        self,
        poco: support.Poco,
        completed: Callable[[], int],
        *,
        say: Callable[[str], None] = print,
    ) -> None:
        self.poco = poco
        self.completed = completed
        self.say = say
        self.market = support.open_market(poco)
        self.paid = 0  # tasks run on chain
        self.failures = 0
        self.seen = completed()  # the last task it paid for; those done before it opened: not its
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="local workerpool", daemon=True)

    def start(self) -> LocalWorkerpool:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=60)

    def pay_new_tasks(self) -> int:
        """Run on chain each task completed since the last call; how many were run."""
        done = self.completed()
        run = 0
        while self.seen < done and not self._stop.is_set():
            self.seen += 1
            # The stand-in's result: a digest of its task number, as a real task's result is.
            digest = hashlib.sha256(f"stand-in task {self.seen}".encode()).digest()
            support.run_task(self.poco, self.market, {support.WORKER: digest}, price=PRICE)
            self.paid += 1
            run += 1
        return run

    def _run(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            try:
                self.pay_new_tasks()
            except Exception as error:  # a bridge or anvil hiccup: said once, tried again
                self.failures += 1
                if self.failures == 1:
                    self.say(f"demo: the local workerpool could not pay a task: {error}")


@contextmanager
def local_workerpool(poco: support.Poco, bridge: BridgeProcess) -> Iterator[LocalWorkerpool]:
    pool = LocalWorkerpool(poco, lambda: completed_tasks(bridge)).start()
    try:
        yield pool
    finally:
        pool.stop()
