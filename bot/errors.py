"""The Application's error handler.

It logs a short reference, the kind of update, the exception type and the traceback frames, and
tells the user (if there is a chat) “出错了，请稍后再试（编号 XXXXXX）” with the same reference, so a
report from a user can be matched to the log line.

It never logs message contents, user data or the token: not the update, not the chat or user id,
and not the exception message (an exception raised while handling input can carry that input, an
SQL error its parameters) — except for Telegram API errors, whose messages are the API's own
descriptions (token-shaped strings are redacted anyway by bot.logging_setup).
"""

from __future__ import annotations

import logging
import secrets
import traceback

from telegram import Update
from telegram.error import Conflict, NetworkError, TelegramError, TimedOut
from telegram.ext import ContextTypes

from . import messages

logger = logging.getLogger(__name__)

_REF_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read out over the phone
REF_LENGTH = 6


def new_reference() -> str:
    return "".join(secrets.choice(_REF_ALPHABET) for _ in range(REF_LENGTH))


def user_message(ref: str) -> str:
    return messages.internal_error(ref)


def describe_update(update: object) -> str:
    """The kind of update and its id, nothing the user wrote or who they are."""
    if isinstance(update, Update):
        kinds = [
            name
            for name in (
                "message",
                "edited_message",
                "callback_query",
                "my_chat_member",
                "chat_member",
                "inline_query",
            )
            if getattr(update, name, None) is not None
        ]
        kind = kinds[0] if kinds else "other"
        if update.message is not None:
            m = update.message
            kind += ".document" if m.document else ".command" if (m.text or "").startswith("/") else ".text"
        return f"update {update.update_id} ({kind})"
    if update is None:
        return "no update"
    return f"non-update {type(update).__name__}"


def describe_exception(error: BaseException | None) -> str:
    """Type names and traceback frames of the exception and its causes, without their messages."""
    if error is None:
        return "no exception"
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        name = f"{type(current).__module__}.{type(current).__qualname__}"
        header = f"{name}: {current}" if isinstance(current, TelegramError) else name
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"{header}\nTraceback (most recent call last):\n{frames}".rstrip())
        current = current.__cause__ or (None if current.__suppress_context__ else current.__context__)
    return "\n-- caused by --\n".join(parts)


async def error_handler(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    error = context.error
    if update is None and isinstance(error, (NetworkError, TimedOut, Conflict)):
        # Polling hiccups: PTB retries by itself. One line, no traceback.
        logger.warning("Bot API unreachable or busy: %s", type(error).__name__)
        return
    ref = new_reference()
    logger.error("Error %s while handling %s:\n%s", ref, describe_update(update), describe_exception(error))
    if not isinstance(update, Update):
        return
    if update.callback_query is not None:
        try:
            await update.callback_query.answer()
        except TelegramError:
            pass  # already answered, or too old
    chat = update.effective_chat
    if chat is None:
        return
    try:
        await context.bot.send_message(chat.id, user_message(ref))
    except Exception as exc:  # the error reply must never raise out of the error handler
        logger.warning("Could not tell the user about error %s: %s", ref, type(exc).__name__)
