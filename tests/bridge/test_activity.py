"""Task tallies from the worker's log lines: each task counted once however often it is read."""

from __future__ import annotations

from hardware_bridge.worker.activity import REMEMBERED_COMPLETIONS, TaskTally


def line(status: str, n: int) -> str:
    return (
        "2026-11-25T10:00:00.000Z  INFO 1 --- [main] c.i.worker.replicate.ReplicateService : "
        f"Replicate status update [status:{status}, chainTaskId:0x{n:064x}]"
    )


def test_a_task_counts_as_started_then_completed():
    tally = TaskTally()
    assert tally.feed(line("STARTED", 1))
    assert (tally.started, tally.completed, tally.running) == (1, 0, {f"0x{1:064x}"})
    assert not tally.feed(line("COMPUTED", 1))
    assert tally.feed(line("COMPLETED", 1))
    assert (tally.started, tally.completed, tally.running) == (1, 1, set())


def test_lines_read_twice_count_once():
    tally = TaskTally()
    lines = [line("STARTED", 1), line("COMPLETED", 1), line("STARTED", 2)]
    for _ in range(2):  # two readers racing, or the logs read again from the start
        for text in lines:
            tally.feed(text)
    assert (tally.started, tally.completed, len(tally.running)) == (2, 1, 1)


def test_a_completion_seen_without_its_start_still_counts():
    # The bridge restarted mid-task: the start was tallied before, the completion comes now.
    tally = TaskTally(started=4, completed=3)
    assert tally.feed(line("COMPLETED", 4))
    assert (tally.started, tally.completed) == (4, 4)


def test_the_memory_of_completed_tasks_is_bounded():
    tally = TaskTally()
    for n in range(REMEMBERED_COMPLETIONS * 3):
        tally.feed(line("STARTED", n))
        tally.feed(line("COMPLETED", n))
    assert tally.started == tally.completed == REMEMBERED_COMPLETIONS * 3
    assert len(tally._completed_ids) == REMEMBERED_COMPLETIONS


def test_other_lines_change_nothing():
    tally = TaskTally()
    assert not tally.feed("2026-11-25T10:00:00.000Z  INFO 1 --- [main] Application : Started")
    assert not tally.feed(line("STARTED", 1).replace("chainTaskId", "taskId"))
    assert (tally.started, tally.completed) == (0, 0)
