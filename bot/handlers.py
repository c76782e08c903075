"""The Telegram adapter: every update becomes one input of the conversation (bot/conversation.py),
handled in a worker thread (its database work must not stall the event loop), and what comes back
is sent. Nothing here decides anything; bot/app.py registers these handlers in their one order.

Texts are cleaned at the boundary: NUL and other control characters (but newline and tab) never
reach the conversation or the database. A document is refused before it is downloaded when
Telegram says it is larger than the configured limit.
"""

from __future__ import annotations

import asyncio
import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Update
from telegram.error import TelegramError
from telegram.ext import ContextTypes

from . import messages as M
from .kit.io import Actor, Button, Callback, Command, Document, Input, Reply, Text, parse_command
from .kit.texts import clean

log = logging.getLogger(__name__)

CONVERSATION = "conversation"  # bot_data key


def actor_of(update: Update) -> Actor | None:
    """The sender as an Actor (their Telegram id, display name and chat), or None without a sender."""
    user = update.effective_user
    if user is None:
        return None
    chat = update.effective_chat
    return Actor(telegram_id=user.id, display_name=clean(user.full_name or "")[:64],
                 chat_id=chat.id if chat else user.id)


def markup(rows: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in rows])


async def send(bot, chat_id: int, replies: list[Reply]) -> None:
    for reply in replies:
        if reply.document is not None:
            name, data = reply.document
            await bot.send_document(chat_id, InputFile(data, filename=name), caption=reply.text or None,
                                    parse_mode=reply.parse_mode if reply.text else None,
                                    reply_markup=markup(reply.buttons))
        else:
            await bot.send_message(chat_id, reply.text, parse_mode=reply.parse_mode, reply_markup=markup(reply.buttons))


async def _run(update: Update, context: ContextTypes.DEFAULT_TYPE, inp: Input):
    actor = actor_of(update)
    if actor is None:
        return None
    conversation = context.application.bot_data[CONVERSATION]
    outcome = await asyncio.to_thread(conversation.respond, actor, inp, update.update_id)
    await send(context.bot, actor.chat_id, outcome.replies)
    return outcome


# -- the handlers bot/app.py registers ------------------------------------------------------------
async def on_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or not message.text:
        return
    await _run(update, context, parse_command(clean(message.text)) or Command("start"))


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.text is None:
        return
    await _run(update, context, Text(clean(message.text)))


async def on_press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None:
        return
    try:
        outcome = await _run(update, context, Callback(query.data or ""))
    except Exception:
        await _answer(query)
        raise
    await _answer(query, outcome.toast if outcome else None, bool(outcome and outcome.alert))
    if outcome is not None and outcome.keep_buttons is not None:
        try:
            await query.edit_message_reply_markup(markup(outcome.keep_buttons))
        except TelegramError:  # the message is too old, or already shows these buttons
            log.info("could not change the buttons of a pressed message")


async def _answer(query, text: str | None = None, alert: bool = False) -> None:
    try:
        await query.answer(text=text, show_alert=alert)
    except TelegramError:  # an old query (> 15 min) cannot be answered; nothing to do
        log.debug("could not answer a callback query", exc_info=True)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is None or message.document is None:
        return
    doc = message.document
    limit = context.application.bot_data[CONVERSATION].settings.max_upload_bytes
    chat_id = update.effective_chat.id
    if doc.file_size is not None and doc.file_size > limit:
        await context.bot.send_message(chat_id, M.upload_too_large(doc.file_size, limit))
        return
    try:
        data = bytes(await (await doc.get_file()).download_as_bytearray())
    except TelegramError:
        log.warning("a document could not be downloaded", exc_info=True)
        await context.bot.send_message(chat_id, M.DOWNLOAD_FAILED)
        return
    if len(data) > limit:  # the size was unknown before downloading
        await context.bot.send_message(chat_id, M.upload_too_large(len(data), limit))
        return
    await _run(update, context, Document(filename=clean(doc.file_name or "file")[:200], data=data))


async def on_other(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stickers, photos, voice…: said what the bot can read (never silence)."""
    chat = update.effective_chat
    if chat is not None:
        await context.bot.send_message(chat.id, M.UNSUPPORTED_MESSAGE)
