"""One log line per kind of warning or error a minute; what was left out is counted on a line of
its own, before the next line of any kind or when the throttle is flushed."""

from __future__ import annotations

import io
import logging

import pytest

from hardware_bridge.base.faults import FaultTracker
from hardware_bridge.runtime.logsecrets import redact_secrets, remove_filter
from hardware_bridge.runtime.logthrottle import LogThrottle, throttle


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
    limiter = LogThrottle(handler, 60.0, clock)
    handler.addFilter(limiter)
    logger = logging.getLogger("test.throttle")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.throttle = limiter
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
    assert lines[-2:] == [
        "[499 more like this in the last 61 s, not logged: socket.accept() out of system resource]",
        "socket.accept() out of system resource",
    ]


def test_what_was_left_out_is_counted_before_the_next_line_of_any_kind(logged):
    # Before: the count waited for the next line of the same kind, which may never come: the
    # log showed one of three low-voltage trips, and nothing of the other two.
    logger, clock, stream = logged
    for _ in range(3):
        logger.warning("docker: Docker engine unreachable at unix:///x")
    clock.now = 5.0
    logger.info("docker: recovered")
    assert stream.getvalue().splitlines() == [
        "docker: Docker engine unreachable at unix:///x",
        "[2 more like this in the last 5 s, not logged: docker: Docker engine unreachable at "
        "unix:///x]",
        "docker: recovered",
    ]


def test_a_flush_counts_what_was_left_out_when_nothing_else_is_logged(logged):
    logger, clock, stream = logged
    for _ in range(23):
        logger.warning("guard tripped: over_temperature")
    clock.now = 60.0
    logger.throttle.flush()
    logger.throttle.flush()  # counted once
    assert stream.getvalue().splitlines() == [
        "guard tripped: over_temperature",
        "[22 more like this in the last 60 s, not logged: guard tripped: over_temperature]",
    ]


def test_lines_are_throttled_apart_and_info_never(logged):
    logger, _, stream = logged
    for _ in range(3):
        logger.warning("cannot save %s", "power.json")
        logger.warning("cannot save %s", "worker.json")  # another line: news of its own
        logger.error("another kind")
        logger.info("worker started")
    assert stream.getvalue().splitlines() == [
        "cannot save power.json",
        "cannot save worker.json",
        "another kind",
        "worker started",
        "[1 more like this in the last 0 s, not logged: cannot save power.json]",
        "[1 more like this in the last 0 s, not logged: cannot save worker.json]",
        "[1 more like this in the last 0 s, not logged: another kind]",
        "worker started",
        "[1 more like this in the last 0 s, not logged: cannot save power.json]",
        "[1 more like this in the last 0 s, not logged: cannot save worker.json]",
        "[1 more like this in the last 0 s, not logged: another kind]",
        "worker started",
    ]


def test_each_guard_trip_is_logged_even_within_a_minute(logged):
    logger, _, stream = logged
    for soc in (19.9, 19.4, 18.8):
        logger.warning("guard tripped: %s", f"battery_low: state of charge {soc} %")
    assert len(stream.getvalue().splitlines()) == 3


def test_throttle_comes_off_the_handlers_again():
    handler = logging.StreamHandler(io.StringIO())
    throttles = throttle([handler])
    assert len(handler.filters) == 1
    throttles.remove()
    assert handler.filters == []


def test_two_faults_at_once_are_two_kinds():
    # A worker that cannot start and the engine going away, within a second: both are news.
    logger = logging.getLogger("test.faults.kinds")
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    handler.addFilter(LogThrottle(handler, window=60.0, clock=lambda: 0.0))
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


def test_no_token_reaches_a_log_line():
    token = "Ds_yxQ2OYTGG-BuxF-Nw-Nuct4tnpycAWOEL1OUGZo8"
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    logger = logging.getLogger("test.secrets")
    logger.addHandler(handler)
    logger.propagate = False
    redactor = redact_secrets([handler], token)
    try:
        try:
            raise ValueError(f"Invalid header value char: b'Authorization: Bearer {token}\\x01'")
        except ValueError:
            logger.exception("Error handling request from %s", "127.0.0.1")
        logger.warning("token %s, and another's: authorization: bearer 0123456789abcdef0", token)
    finally:
        remove_filter([handler], redactor)
    text = stream.getvalue()
    assert token not in text
    assert "0123456789abcdef0" not in text
    assert "Bearer [redacted]" in text
    assert "Error handling request from 127.0.0.1" in text
