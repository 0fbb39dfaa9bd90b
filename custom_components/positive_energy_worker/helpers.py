"""The client's errors as Home Assistant's: translated, and in one place for every command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from homeassistant.exceptions import HomeAssistantError

from .client import BridgeAuthError, BridgeClientError, BridgeRefusedError, NotABridgeError
from .const import DOMAIN

_P = ParamSpec("_P")
_T = TypeVar("_T")


def failure(err: BridgeClientError) -> dict[str, Any]:
    """The translated reason a request failed: the bridge unreachable, or its answer unreadable."""
    key = "unexpected_answer" if isinstance(err, NotABridgeError) else "cannot_connect"
    return {
        "translation_domain": DOMAIN,
        "translation_key": key,
        "translation_placeholders": {"error": str(err)},
    }


def bridge_command(
    command: Callable[_P, Awaitable[_T]],
) -> Callable[_P, Coroutine[Any, Any, _T]]:
    """Decorate an entity's or an action's command: the bridge's errors become translated
    HomeAssistantErrors (a refusal says whether a guard refused, and why)."""

    @wraps(command)
    async def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return await command(*args, **kwargs)
        except BridgeRefusedError as err:
            key = "refused_by_guard" if err.code == "refused_by_guard" else "refused"
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key=key,
                translation_placeholders={"reason": str(err)},
            ) from err
        except BridgeAuthError as err:
            raise HomeAssistantError(
                translation_domain=DOMAIN, translation_key="invalid_auth"
            ) from err
        except BridgeClientError as err:
            raise HomeAssistantError(**failure(err)) from err

    return run
