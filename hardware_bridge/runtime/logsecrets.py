"""No secret in a log line: the API token, or whatever a client sent after ``Bearer``.

aiohttp logs a request it cannot parse with the offending header line in its exception, and an
``Authorization`` header is as likely to be that line as any: the owner's token went to the
journal, readable by every member of ``adm``. A filter on the handlers takes it out of the
message and out of the traceback before any handler formats them.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

# The scheme in any case, then the credentials up to the end of the token's characters.
BEARER = re.compile(r"(?i)(\bbearer)([ \t]+|%20|\\x20|\\t)+[^\s'\"\\,;]+")
HIDDEN = "[redacted]"
_FORMATTER = logging.Formatter()


class RedactSecrets(logging.Filter):
    """Replaces ``secret`` and any bearer credentials with ``[redacted]`` in every record."""

    def __init__(self, secret: str) -> None:
        super().__init__()
        self._secret = secret

    def redact(self, text: str) -> str:
        if self._secret:
            text = text.replace(self._secret, HIDDEN)
        return BEARER.sub(rf"\1 {HIDDEN}", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            message = str(record.msg)
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[0] is not None:
            # Formatted here, once: the handler's formatter uses exc_text when it is set.
            text = record.exc_text or _FORMATTER.formatException(record.exc_info)
            record.exc_text = self.redact(text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def redact_secrets(handlers: Iterable[logging.Handler], secret: str) -> RedactSecrets:
    """Put the filter on each handler; ``remove_filter`` takes it off again."""
    redactor = RedactSecrets(secret)
    for handler in handlers:
        handler.addFilter(redactor)
    return redactor


def remove_filter(handlers: Iterable[logging.Handler], log_filter: logging.Filter) -> None:
    for handler in handlers:
        handler.removeFilter(log_filter)
