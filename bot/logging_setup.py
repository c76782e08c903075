"""Logging for ``disclosure-bot run``.

The bot token is part of every Bot API URL, and some library loggers print URLs, request
parameters or whole updates (message texts, names) at DEBUG/INFO. So, whatever the configured
level:

* the HTTP loggers (httpx, httpcore, telegram.request) stay at WARNING or above;
* the PTB loggers that print request parameters or updates at DEBUG (telegram.Bot,
  telegram.ext.ExtBot, telegram.ext.Application, telegram.ext.Updater) stay at INFO or above;
* and, as defence in depth, every root handler gets a :class:`RedactingFilter` that replaces the
  token, its secret part, and anything shaped like ``bot<digits>:<secret>`` or a bare bot token,
  in the message, the arguments, the traceback and the stack.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable

REDACTED = "[REDACTED]"

# Minimum levels, applied whatever the configured level is.
LOGGER_FLOORS: dict[str, int] = {
    "httpx": logging.WARNING,  # "HTTP Request: POST https://…/bot<token>/getUpdates" at INFO
    "httpcore": logging.WARNING,  # connection / request tracing at DEBUG
    "telegram.request": logging.WARNING,  # BaseRequest / HTTPXRequest
    "telegram.Bot": logging.INFO,  # "Set Bot API URL: …<token>", request parameters at DEBUG
    "telegram.ext.ExtBot": logging.INFO,  # same as telegram.Bot
    "telegram.ext.Application": logging.INFO,  # "Processing update …" (whole update) at DEBUG
    "telegram.ext.Updater": logging.INFO,  # "Webhook received data: …" at DEBUG
    "tornado.access": logging.WARNING,  # one line per webhook request
    "apscheduler": logging.WARNING,  # a line per job run (the reminder sweep runs every minute)
}

_TOKEN_PATTERNS = (
    re.compile(r"bot\d+:[A-Za-z0-9_-]+"),  # …/bot123456:ABC…/method
    re.compile(r"\b\d{5,}:[A-Za-z0-9_-]{30,}"),  # a bare bot token
)

_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_MARK = "_disclosure_bot_handler"


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every given secret and every token-shaped string replaced."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, REDACTED)
    for pattern in _TOKEN_PATTERNS:
        text = pattern.sub(REDACTED, text)
    return text


def token_secrets(token: str | None) -> list[str]:
    """The strings to redact for a token: the token and its secret part (after the colon)."""
    if not token:
        return []
    secrets = [token]
    _, _, secret = token.partition(":")
    if len(secret) >= 8:  # a short fragment would redact innocent text; the patterns cover it anyway
        secrets.append(secret)
    return secrets


class RedactingFilter(logging.Filter):
    """Rewrites each record so that no secret (and nothing token-shaped) reaches a handler."""

    def __init__(self, secrets: Iterable[str] = ()):
        super().__init__()
        self.secrets = [s for s in secrets if s]
        self._formatter = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the template, drop the arguments
            message = str(record.msg)
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


def parse_level(level: str | int) -> int:
    if isinstance(level, int):
        return level
    value = logging.getLevelName(str(level).strip().upper())
    if not isinstance(value, int):
        raise ValueError(f"unknown log level: {level!r}")
    return value


def configure_logging(level: str | int = "INFO", *, secrets: Iterable[str] = ()) -> logging.Handler:
    """Log to stderr at ``level`` with the floors above and the redacting filter on every root
    handler. Calling it again replaces the handler it installed before. Returns that handler."""
    numeric = parse_level(level)
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _MARK, False):
            root.removeHandler(handler)
    handler = logging.StreamHandler(sys.stderr)
    setattr(handler, _MARK, True)
    handler.setFormatter(logging.Formatter(_FORMAT))
    root.addHandler(handler)
    root.setLevel(numeric)
    for name, floor in LOGGER_FLOORS.items():
        logging.getLogger(name).setLevel(max(numeric, floor))
    install_redaction(secrets)
    logging.captureWarnings(True)
    return handler


def install_redaction(secrets: Iterable[str] = ()) -> None:
    """Put a :class:`RedactingFilter` with ``secrets`` on every root handler (replacing ours)."""
    secrets = list(secrets)
    for handler in logging.getLogger().handlers:
        for existing in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(existing)
        handler.addFilter(RedactingFilter(secrets))
