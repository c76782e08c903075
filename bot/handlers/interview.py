"""Thin PTB handlers for the interview: update -> Input -> InterviewService -> replies sent.

Nothing here decides anything about the report: commands, text, button presses and documents are
turned into :mod:`bot.interview.io` inputs, handed to the service (one per Application, cached in
``bot_data``), and each returned :class:`~bot.interview.io.Reply` is sent. The service commits before
it returns and ignores a redelivered ``update_id``.

The service call is synchronous (SQL). On PostgreSQL it runs in a worker thread
(``asyncio.to_thread``), so a slow network or server never stalls the event loop; on SQLite (in
process, a step is ~0.5 ms of CPU) it runs on the loop, because the hop to a thread and back costs
about as much again (docs/benchmarks.md, "Interview"). Uploads always go to a thread: reading a
file can take a while. Updates are handled one at a time either way.

Uploads are refused *before* downloading when Telegram reports a size above
``settings.max_upload_bytes``; nothing is stored then.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from telegram import InputFile, Update
from telegram.constants import MessageLimit
from telegram.error import TelegramError
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot import messages as M
from bot.interview import io
from bot.interview.io import Callback, Command, Document, Input, Reply, Text, parse_command

from .actors import actor_of

log = logging.getLogger(__name__)

SERVICE_KEY = "interview_service"
# Where the (blocking) service call runs: None decides per database and input (module docstring);
# True / False force a worker thread / the event loop (the benchmark measures both).
RUN_IN_THREAD: bool | None = None

INTERVIEW_COMMANDS: list[tuple[str, str]] = list(M.INTERVIEW_COMMANDS)


# -- texts of the adapter itself (templates/messages/adapter/*.j2) ---------------------------
@cache
def _env() -> Environment:
    return Environment(
        loader=PackageLoader("templates", "messages/adapter"),
        autoescape=False,
        undefined=StrictUndefined,
        keep_trailing_newline=False,
    )


def text(name: str, **kw: Any) -> str:
    return _env().get_template(f"{name}.j2").render(**kw).strip()


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return M.bytes_size(n)


# -- the service ---------------------------------------------------------------------------
def get_service(application: Application) -> Any:
    """The InterviewService of this Application (built on first use from bot_data)."""
    bot_data = application.bot_data
    service = bot_data.get(SERVICE_KEY)
    if service is None:
        from bot.interview.service import InterviewService

        service = InterviewService(bot_data["store"], bot_data["settings"])
        bot_data[SERVICE_KEY] = service
    return service


def _in_thread(application: Application, inp: Input) -> bool:
    if RUN_IN_THREAD is not None:
        return RUN_IN_THREAD
    if isinstance(inp, Document):
        return True
    return not getattr(application.bot_data.get("store"), "in_process", False)


async def _call(in_thread: bool, fn: Callable[..., list[Reply]], *args: Any) -> list[Reply]:
    if in_thread:
        return await asyncio.to_thread(fn, *args)
    return fn(*args)


# -- sending ---------------------------------------------------------------------------------
def keyboard(reply: Reply) -> dict[str, Any] | None:
    """The reply's buttons as the Bot API's ``reply_markup`` (an InlineKeyboardMarkup object:
    rows of buttons, each a ``text`` and its ``callback_data``), or None without buttons.

    Sent with ``api_kwargs``, python-telegram-bot's pass-through of Bot API parameters, instead
    of as ``telegram.InlineKeyboardMarkup``: building the PTB objects and serialising them back
    to this very dict cost ~0.1 ms per message, as much as the rest of sending it
    (docs/benchmarks.md, "Interview"); every question carries a keyboard."""
    if not reply.buttons:
        return None
    return {"inline_keyboard": [[{"text": b.label, "callback_data": b.data} for b in row] for row in reply.buttons]}


def _with_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    return {"reply_markup": markup} if markup is not None else None


def split_text(body: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Split a long text at line ends into chunks Telegram accepts (none empty)."""
    if len(body) <= limit:
        return [body]
    return [c for c in io.split_text(body, limit) if c.strip()] or [body[:limit]]


async def send_replies(context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Reply]) -> None:
    bot = context.bot
    for reply in replies:
        markup = keyboard(reply)
        if reply.document is not None:
            filename, data = reply.document
            caption = reply.text if reply.text and len(reply.text) <= MessageLimit.CAPTION_LENGTH else None
            await bot.send_document(
                chat_id=chat_id,
                document=InputFile(data, filename=filename),
                caption=caption,
                parse_mode=reply.parse_mode if caption else None,
                api_kwargs=_with_keyboard(markup if caption or not reply.text else None),
            )
            if caption is not None or not reply.text:
                continue
        chunks = split_text(reply.text or " ")
        for i, chunk in enumerate(chunks):
            last = i == len(chunks) - 1
            await bot.send_message(
                chat_id=chat_id,
                text=chunk,
                parse_mode=reply.parse_mode,
                api_kwargs=_with_keyboard(markup if last else None),
            )


async def _run(update: Update, context: ContextTypes.DEFAULT_TYPE, inp: Input) -> None:
    actor = actor_of(update)
    if actor is None:
        return
    service = get_service(context.application)
    replies = await _call(_in_thread(context.application, inp), service.handle, actor, inp, update.update_id)
    await send_replies(context, actor.chat_id, replies)


async def _guard(update: Update, context: ContextTypes.DEFAULT_TYPE, coro) -> None:
    """Await the handler body; on any error make sure the user gets a reply, then re-raise.

    The Application's error handler (bot/errors.py) logs the error and tells the user with a
    reference number; only when no error handler is registered does the adapter reply itself.
    """
    try:
        await coro
    except Exception:
        chat = update.effective_chat
        if chat is not None and not context.application.error_handlers:
            try:
                await context.bot.send_message(chat_id=chat.id, text=text("internal_error"))
            except Exception:  # the user could not be told; the error is still raised and logged
                log.warning("could not send the error message", exc_info=True)
        raise


# -- handlers --------------------------------------------------------------------------------
async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    cmd = parse_command(message.text) or Command("start")
    await _guard(update, context, _run(update, context, cmd))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    await _guard(update, context, _run(update, context, Text(message.text)))


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    try:
        await _guard(update, context, _run(update, context, Callback(query.data or "")))
    finally:
        try:
            await query.answer()
        except TelegramError:  # an old query (> 15 min) cannot be answered; nothing to do
            log.debug("could not answer callback query %s", query.id, exc_info=True)


async def _document_body(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    doc = message.document
    settings = context.application.bot_data["settings"]
    limit = int(settings.max_upload_bytes)
    chat_id = update.effective_chat.id
    if doc.file_size is not None and doc.file_size > limit:
        await context.bot.send_message(
            chat_id=chat_id, text=text("upload_too_large", size=human_size(doc.file_size), limit=human_size(limit))
        )
        return
    try:
        tg_file = await doc.get_file()
        data = bytes(await tg_file.download_as_bytearray())
    except TelegramError:
        log.warning("download of %s failed", doc.file_id, exc_info=True)
        await context.bot.send_message(chat_id=chat_id, text=text("download_failed"))
        return
    if len(data) > limit:  # the size was unknown before downloading
        await context.bot.send_message(
            chat_id=chat_id, text=text("upload_too_large", size=human_size(len(data)), limit=human_size(limit))
        )
        return
    await _run(update, context, Document(filename=doc.file_name or "file", data=data))


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.document is None:
        return
    await _guard(update, context, _document_body(update, context))


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    chat = update.effective_chat
    if chat is None:
        return
    await context.bot.send_message(chat_id=chat.id, text=text("unsupported"))


def register(application: Application) -> None:
    names = [name for name, _ in INTERVIEW_COMMANDS]
    private = filters.ChatType.PRIVATE
    application.add_handler(CommandHandler(names, on_command, filters=private))
    # Any other command also goes to the service, which answers "unknown command" in its words.
    application.add_handler(MessageHandler(private & filters.COMMAND, on_command))
    application.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, on_text))
    application.add_handler(MessageHandler(private & filters.Document.ALL, on_document))
    application.add_handler(CallbackQueryHandler(on_callback))
    application.add_handler(
        MessageHandler(private & ~filters.TEXT & ~filters.COMMAND & ~filters.Document.ALL & ~filters.StatusUpdate.ALL,
                       on_other)
    )
