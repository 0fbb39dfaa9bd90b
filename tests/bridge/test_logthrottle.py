"""One log line per kind of warning or error a minute; the next one says how many were left out."""

from __future__ import annotations

import io
import logging

import pytest

from hardware_bridge.faults import FaultTracker
from hardware_bridge.logthrottle import LogThrottle, throttle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def logged():
    """A logger whose lines go to a string, through a throttle on a fake clock."""
    clock = Clock()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(LogThrottle(60.0, clock))
    logger = logging.getLogger("test.throttle")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    yield logger, clock, stream
    logger.removeHandler(handler)
    logger.setLevel(logging.NOTSET)


def test_repeats_within_the_window_are_counted_not_logged(logged):
    logger, clock, stream = logged

    def accept_fails():
        try:
            raise OSError(24, "Too many open files")
        except OSError:
            logger.exception("socket.accept() out of system resource")

    for attempt in range(500):
        clock.now = attempt * 0.01
        accept_fails()
    assert stream.getvalue().count("out of system resource") == 1
    assert stream.getvalue().count("Traceback") == 1

    clock.now = 61.0
    accept_fails()
    lines = [line for line in stream.getvalue().splitlines() if "out of system" in line]
    assert lines[-1] == (
        "socket.accept() out of system resource"
        " [and 499 more like this in the 60 s before, not logged]"
    )


def test_kinds_are_throttled_apart_and_info_never(logged):
    logger, _, stream = logged
    for _ in range(3):
        logger.warning("cannot save %s", "power.json")
        logger.warning("cannot save %s", "worker.json")  # the same kind: the template counts
        logger.error("another kind")
        logger.info("worker started")
    assert stream.getvalue().splitlines() == [
        "cannot save power.json",
        "another kind",
        "worker started",
        "worker started",
        "worker started",
    ]


def test_throttle_comes_off_the_handlers_again():
    handler = logging.StreamHandler(io.StringIO())
    remove = throttle([handler])
    assert len(handler.filters) == 1
    remove()
    assert handler.filters == []


def test_two_faults_at_once_are_two_kinds():
    # A worker that cannot start and the engine going away, within a second: both are news.
    logger = logging.getLogger("test.faults.kinds")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(LogThrottle(window=60.0, clock=lambda: 0.0))
    logger.addHandler(handler)
    try:
        faults = FaultTracker(logger)
        faults.failed("worker", "start the worker: the daemon is shutting down")
        faults.failed("docker", "Docker engine unreachable at unix:///x")
    finally:
        logger.removeHandler(handler)
    assert [r.getMessage() for r in records] == [
        "worker: start the worker: the daemon is shutting down",
        "docker: Docker engine unreachable at unix:///x",
    ]
