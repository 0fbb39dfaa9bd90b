"""Task activity read from the worker's own logs.

The iExec worker logs each replicate's status changes with the task's chain id. We count a task
as started at ``status:STARTED`` and completed at ``status:COMPLETED`` (lines carrying
``chainTaskId:0x...``). The stand-in image logs the same shape. Tallies survive container
re-creation and bridge restarts: they are persisted beside the energy counters.

Feeding is idempotent per task: the same log line read twice (two readers racing, or logs read
again after the cursor was lost) never counts a task twice.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass, field

# Completed task ids remembered to ignore a repeat; a worker finishes tasks one by one, so a few
# hundred reach far past any re-read window.
REMEMBERED_COMPLETIONS = 256

STATUS_LINE = re.compile(r"status:(?P<status>[A-Z_]+)\b.*?chainTaskId:(?P<task>0x[0-9a-fA-F]+)")


@dataclass
class TaskTally:
    """Tasks started and completed, and the ones in progress."""

    started: int = 0
    completed: int = 0
    running: set[str] = field(default_factory=set)
    _completed_ids: deque[str] = field(
        default_factory=lambda: deque(maxlen=REMEMBERED_COMPLETIONS), repr=False
    )

    def feed(self, line: str) -> bool:
        """Account one log line; True when it changed the tally."""
        match = STATUS_LINE.search(line)
        if match is None:
            return False
        status, task = match["status"], match["task"].lower()
        if status == "STARTED" and task not in self.running and task not in self._completed_ids:
            self.started += 1
            self.running.add(task)
            return True
        if status == "COMPLETED" and task not in self._completed_ids:
            self.completed += 1
            self.running.discard(task)
            self._completed_ids.append(task)
            return True
        return False

    def container_gone(self) -> None:
        """The container stopped: whatever was running did not finish there."""
        self.running.clear()
