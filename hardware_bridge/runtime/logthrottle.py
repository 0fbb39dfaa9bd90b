"""At most one log line a minute for a warning or error that repeats, however fast it comes.

When descriptors run out, asyncio logs a traceback for every failed accept(), hundreds a
second, and a flood of bad requests can do the same: megabytes of log that wear the SD card and
bury the line that matters. The first line of a kind goes out whole; its repeats within the
window are counted, and the count goes out as a line of its own before the next line of any
kind, or at the latest when ``flush`` is called (the API calls it every window), so every guard
trip and every outage is in the log, as itself or in a count.

A kind is the line itself (its first line, the arguments filled in) and the exception's type:
two guards tripping, or the same guard at another reading, are two lines, not a repeat.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# A kind: the logger, the level, the message's first line, and the exception's type.
Kind = tuple[str, int, str, type[BaseException] | None]
MAX_KINDS = 1000  # forget the oldest past this: a record of kinds must not grow without end
SUMMARY = "throttle_summary"  # set on the lines the throttle writes itself: never throttled


@dataclass
class _Seen:
    started: float  # when this kind's window began
    left_out: int = 0  # repeats not logged and not yet counted in a line


class LogThrottle(logging.Filter):
    """A filter on ``handler``: one line per kind per ``window`` seconds, INFO and below
    untouched; the repeats counted on a line of their own."""

    def __init__(
        self,
        handler: logging.Handler,
        window: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__()
        self.handler = handler
        self.window = window
        self._clock = clock
        self._kinds: dict[Kind, _Seen] = {}
        self._pending = 0  # repeats left out and not yet counted, of every kind

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, SUMMARY, False):
            return True
        if record.levelno < logging.WARNING:
            self.flush()
            return True
        kind = _kind(record)
        now = self._clock()
        seen = self._kinds.get(kind)
        if seen is not None and now - seen.started < self.window:
            seen.left_out += 1
            self._pending += 1
            return False
        self.flush()  # what was left out goes first, in the order it happened
        self._kinds.pop(kind, None)  # re-inserted last: the dict stays oldest first
        self._kinds[kind] = _Seen(now)
        if len(self._kinds) > MAX_KINDS:
            oldest = next(iter(self._kinds))
            self._count(oldest, self._kinds.pop(oldest))
        return True

    def flush(self) -> None:
        """Write the counts of what was left out, one line per kind."""
        if not self._pending:
            return  # the common case, on every line: nothing to go through
        self._pending = 0
        for kind, seen in list(self._kinds.items()):
            self._count(kind, seen)

    def _count(self, kind: Kind, seen: _Seen) -> None:
        if not seen.left_out:
            return
        name, level, line, _ = kind
        left_out, seen.left_out = seen.left_out, 0
        since = self._clock() - seen.started
        record = logging.LogRecord(
            name,
            level,
            __file__,
            0,
            "[%d more like this in the last %.0f s, not logged: %s]",
            (left_out, since, line),
            None,
        )
        setattr(record, SUMMARY, True)
        self.handler.handle(record)


def _kind(record: logging.LogRecord) -> Kind:
    error = record.exc_info[0] if record.exc_info else None
    try:
        message = record.getMessage()
    except (TypeError, ValueError):  # arguments that do not fit: the template stands for it
        message = str(record.msg)
    return (record.name, record.levelno, message.partition("\n")[0], error)


@dataclass(frozen=True)
class Throttles:
    """The throttles on a set of handlers."""

    filters: tuple[LogThrottle, ...]

    def flush(self) -> None:
        for limiter in self.filters:
            limiter.flush()

    def remove(self) -> None:
        self.flush()
        for limiter in self.filters:
            limiter.handler.removeFilter(limiter)


def throttle(handlers: Iterable[logging.Handler], window: float = 60.0) -> Throttles:
    """Put a throttle of its own on each handler; ``remove`` takes them off again."""
    throttles = Throttles(tuple(LogThrottle(handler, window) for handler in handlers))
    for limiter in throttles.filters:
        limiter.handler.addFilter(limiter)
    return throttles
