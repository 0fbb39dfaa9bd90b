"""The client's errors as Home Assistant's: translated, in one place for setup, updates and
every command."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Coroutine
from functools import wraps
from typing import Any, ParamSpec, TypeVar

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ConfigEntryAuthFailed, HomeAssistantError
from homeassistant.helpers import issue_registry as ir

from .const import DOMAIN
from .errors import BridgeAuthError, BridgeClientError, BridgeRefusedError, NotABridgeError

_P = ParamSpec("_P")
_T = TypeVar("_T")


def translated(
    err: BridgeClientError,
    failed: type[HomeAssistantError],
    token_refused: type[HomeAssistantError] = ConfigEntryAuthFailed,
) -> HomeAssistantError:
    """``err`` as Home Assistant's error: ``token_refused`` when the bridge refused the token
    (by default, what starts a reauthentication), ``failed`` saying why for everything else."""
    if isinstance(err, BridgeAuthError):
        return token_refused(translation_domain=DOMAIN, translation_key="invalid_auth")
    if isinstance(err, BridgeRefusedError):
        key = "refused_by_guard" if err.code == "refused_by_guard" else "refused"
        placeholders = {"reason": str(err)}
    else:
        key = "unexpected_answer" if isinstance(err, NotABridgeError) else "cannot_connect"
        placeholders = {"error": str(err)}
    return failed(
        translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders
    )


def bridge_command(
    command: Callable[_P, Awaitable[_T]],
) -> Callable[_P, Coroutine[Any, Any, _T]]:
    """Decorate an entity's or an action's command: the bridge's errors become translated
    HomeAssistantErrors (a refusal says whether a guard refused, and why)."""

    @wraps(command)
    async def run(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        try:
            return await command(*args, **kwargs)
        except BridgeClientError as err:
            raise translated(err, HomeAssistantError, HomeAssistantError) from err

    return run


def set_issue(
    hass: HomeAssistant,
    issue_id: str,
    kind: str,
    placeholders: dict[str, str] | None,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
) -> None:
    """Raise the repair issue ``kind`` (its translation key) with ``placeholders``, or clear it
    with None: every repair of the integration is one the owner fixes outside Home Assistant."""
    if placeholders is None:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=severity,
        translation_key=kind,
        translation_placeholders=placeholders,
    )
