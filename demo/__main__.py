"""``python -m demo`` (what ``scripts/demo`` runs): the whole product until Ctrl-C."""

from __future__ import annotations

import signal
import sys
from types import FrameType

from .run import NotReadyError, running_demo, serve_until_stopped
from .settings import DemoSettings


def _interrupt(_signum: int, _frame: FrameType | None) -> None:
    """SIGTERM and SIGHUP stop the demo as Ctrl-C does: every part undone."""
    raise KeyboardInterrupt


def main() -> int:
    # Ctrl-C even where a shell started the demo with SIGINT ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGHUP, _interrupt)
    try:
        with running_demo(DemoSettings.from_env()) as demo:
            print(demo.banner(), flush=True)
            return serve_until_stopped(demo)
    except KeyboardInterrupt:
        print("demo: stopped; nothing left running")
        return 0
    except NotReadyError as error:
        print(error, file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
