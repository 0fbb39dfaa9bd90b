"""Keep the demo's parts running as Home Assistant's supervisor would: a restart asked from Home
Assistant's UI ends its process with ``RESTART_EXIT_CODE``, and it is started again; any other
end of a part (a crash, a kill) ends the demo with a message naming the part, its exit code and
its log, never a loop of restarts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Final, NoReturn

from .home_assistant_process import HomeAssistantProcess

# homeassistant.const.RESTART_EXIT_CODE: what `python -m homeassistant` exits with when its UI,
# or the homeassistant.restart action, asks for a restart (it never restarts itself).
RESTART_EXIT_CODE: Final = 100
POLL_SECONDS: Final = 1.0


class PartEndedError(RuntimeError):
    """A part of the demo ended on its own; the message says which and where its log is."""


def supervise(
    hass: HomeAssistantProcess,
    others: Callable[[], str | None],
    *,
    say: Callable[[str], None] = print,
    poll: float = POLL_SECONDS,
) -> NoReturn:
    """Run until a part ends for good (raise PartEndedError) or Ctrl-C (KeyboardInterrupt).

    ``others``: the name of another part that has ended (the bridge...), or None while all run.
    """
    while True:
        ended = others()
        if ended is not None:
            raise PartEndedError(f"demo: {ended} stopped on its own (logs in the demo directory)")
        code = hass.exit_code()
        if code == RESTART_EXIT_CODE:
            say("demo: Home Assistant restarts, as asked from its UI")
            try:
                hass.relaunch()
                hass.wait_until_running()
            except RuntimeError as error:  # it did not come back: say so once, no loop
                raise PartEndedError(f"demo: Home Assistant did not restart: {error}") from None
            say("demo: Home Assistant is back")
        elif code is not None:
            raise PartEndedError(
                f"demo: Home Assistant stopped on its own (exit code {code}); its log: {hass.log}"
            )
        time.sleep(poll)
