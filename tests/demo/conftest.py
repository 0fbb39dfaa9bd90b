"""The demo's tests: the chain and the bridge they share with the newest release's smoke test."""

from tests.support.demo_fixtures import chain_step, idle_bridge

__all__ = ["chain_step", "idle_bridge"]
