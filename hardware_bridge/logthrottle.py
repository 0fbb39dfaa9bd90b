"""At most one log line per kind of warning or error a minute, however fast they come.

When descriptors run out, asyncio logs a traceback for every failed accept(), hundreds a
second, and a flood of bad requests can do the same: megabytes of log that wear the SD card and
bury the line that matters. The first line of a kind goes out whole; the repeats within the
window are counted, and the next line of that kind after it says how many were left out.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

# A kind: the logger, the level, the message's first line (its template, before the arguments
# are filled in), and the exception's type.
Kind = tuple[str, int, str, type[BaseException] | None]
MAX_KINDS = 1000  # forget the oldest past this: a record of kinds must not grow without end


class LogThrottle(logging.Filter):
    """A handler filter: one line per kind per ``window`` seconds, INFO and below untouched."""

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.window = window
        self._clock = clock
        self._kinds: dict[Kind, tuple[float, int]] = {}  # kind -> (window start, lines left out)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = _kind(record)
        now = self._clock()
        started, left_out = self._kinds.get(kind, (None, 0))
        if started is not None and now - started < self.window:
            self._kinds[kind] = (started, left_out + 1)
            return False
        self._kinds.pop(kind, None)  # re-inserted last: the dict stays oldest first
        self._kinds[kind] = (now, 0)
        if len(self._kinds) > MAX_KINDS:
            del self._kinds[next(iter(self._kinds))]
        if left_out:
            record.msg = (
                f"{record.msg} [and {left_out} more like this in the {self.window:.0f} s before,"
                " not logged]"
            )
        return True


def _kind(record: logging.LogRecord) -> Kind:
    error = record.exc_info[0] if record.exc_info else None
    return (record.name, record.levelno, str(record.msg).partition("\n")[0], error)


def throttle(handlers: Iterable[logging.Handler], window: float = 60.0) -> Callable[[], None]:
    """Put a throttle of its own on each handler; returns what takes them off again."""
    throttled = [(handler, LogThrottle(window)) for handler in handlers]
    for handler, limiter in throttled:
        handler.addFilter(limiter)

    def remove() -> None:
        for handler, limiter in throttled:
            handler.removeFilter(limiter)

    return remove
