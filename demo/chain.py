"""The chain step: anvil with the real iExec PoCo contracts, the worker's wallet funded, and the
answers to the integration's chain step of the config flow.

This version of the demo only plugs it in: the chain itself comes with ``tests/support/chain.py``
(issue 12). That module provides ``demo_chain(directory)``, a context manager that starts anvil,
deploys PoCo, funds the worker wallet, yields a :class:`ChainStep` and stops anvil at the end.
Where it is missing, the step is skipped with a note and the rest of the demo runs without it.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol, cast

from .settings import DemoSettings

SUPPORT = "tests.support.chain"


class ChainStep(Protocol):
    """What a running chain hands the rest of the demo."""

    @property
    def flow_answers(self) -> Mapping[str, Mapping[str, Any]]:
        """The config flow's chain steps, by step id, and what to answer in each."""

    @property
    def summary(self) -> str:
        """One line for the banner: the RPC URL, the worker's address, its balance."""


class StartsChain(Protocol):
    def __call__(self, directory: Path) -> AbstractContextManager[ChainStep]: ...


def _starter() -> tuple[StartsChain | None, str]:
    """The chain support's entry point, or why there is none."""
    if importlib.util.find_spec(SUPPORT) is None:
        return None, "this version has no chain support (tests/support/chain.py)"
    start = getattr(importlib.import_module(SUPPORT), "demo_chain", None)
    if start is None:
        return None, f"{SUPPORT} has no demo_chain()"
    return cast(StartsChain, start), ""


@contextmanager
def chain(settings: DemoSettings) -> Iterator[ChainStep | None]:
    """The running chain, or None (with a printed note) when this version has none."""
    start, missing = _starter()
    if start is None:
        print(f"demo: chain skipped: {missing}")
        yield None
        return
    with start(settings.directory / "chain") as step:
        yield step
