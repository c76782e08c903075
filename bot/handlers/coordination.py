"""Thin PTB handlers for agencies, roles, invitations, the board, the roll-up and /history.

Each handler builds an Actor from the update, calls :class:`bot.coordination.service.CoordinationService`
and sends the replies. Rights are checked there, from the store, on every call.

Dependencies are looked up in ``application.bot_data``: ``"store"`` (storage.store.Store),
``"settings"`` (bot.settings.Settings) and, optionally, ``"interview"`` (the InterviewService, for
``select_agency``). An InterviewService found there also supplies store and settings if missing.
"""

from __future__ import annotations

import asyncio
import io

from telegram import ForceReply, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from ..coordination import texts
from ..coordination.service import CoordinationService, Prompt
from ..interview.io import Reply
from .actors import actor_of

COMMANDS_EXTRA: list[tuple[str, str]] = list(texts.COMMANDS_EXTRA)
COMMANDS = COMMANDS_EXTRA  # the name bot/handlers/__init__.py reads
PRIVATE = filters.ChatType.PRIVATE

STORE_KEYS = ("store",)
SETTINGS_KEYS = ("settings",)
INTERVIEW_KEYS = ("interview", "interview_service", "service")


def _first(data: dict, keys: tuple[str, ...]):
    for k in keys:
        if data.get(k) is not None:
            return data[k]
    return None


def service_for(context: ContextTypes.DEFAULT_TYPE) -> CoordinationService:
    data = context.application.bot_data
    interview = _first(data, INTERVIEW_KEYS)
    if interview is None and data.get("store") is not None and data.get("settings") is not None:
        try:
            from . import interview as interview_handlers
        except ImportError:
            interview_handlers = None
        getter = getattr(interview_handlers, "get_service", None)
        if getter is not None:
            try:
                interview = getter(context.application)
            except ImportError:  # the interview service is not there yet
                interview = None
    store = _first(data, STORE_KEYS) or getattr(interview, "store", None)
    settings = _first(data, SETTINGS_KEYS) or getattr(interview, "settings", None)
    if store is None or settings is None:
        raise RuntimeError("bot_data needs 'store' and 'settings' (or an 'interview' service carrying them)")
    try:
        username = context.bot.username
    except RuntimeError:  # bot not initialized (getMe not called yet)
        username = None
    return CoordinationService(store, settings, interview=interview, bot_username=username)


def _markup(reply: Reply):
    if isinstance(reply, Prompt):
        return ForceReply(selective=True)
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.data) for b in row] for row in reply.buttons]
    )


async def send(context: ContextTypes.DEFAULT_TYPE, chat_id: int, replies: list[Reply]) -> None:
    for r in replies:
        if r.document is not None:
            name, data = r.document
            await context.bot.send_document(
                chat_id, InputFile(io.BytesIO(data), filename=name), caption=r.text or None, parse_mode=r.parse_mode
            )
        else:
            await context.bot.send_message(chat_id, r.text, reply_markup=_markup(r), parse_mode=r.parse_mode)


def _command(method: str, with_arg: bool = False):
    async def handler(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        actor = actor_of(update)
        if actor is None:
            return
        service = service_for(context)
        fn = getattr(service, method)
        args = (actor, " ".join(context.args or [])) if with_arg else (actor,)
        replies = await asyncio.to_thread(fn, *args)
        await send(context, actor.chat_id, replies)

    handler.__name__ = f"co_{method}"
    return handler


async def start_with_payload(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    actor = actor_of(update)
    if actor is None or not context.args:
        return
    replies = await asyncio.to_thread(service_for(context).start_payload, actor, context.args[0])
    await send(context, actor.chat_id, replies)


async def on_callback(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    actor = actor_of(update)
    if query is None or actor is None:
        return
    await query.answer()
    replies = await asyncio.to_thread(service_for(context).callback, actor, query.data or "")
    await send(context, actor.chat_id, replies)


class _AnswerToPrompt(filters.MessageFilter):
    """A text message replying to one of our ForceReply prompts."""

    def filter(self, message: Message) -> bool:
        prompt = message.reply_to_message
        return bool(
            prompt is not None
            and prompt.from_user is not None
            and prompt.from_user.is_bot
            and CoordinationService.is_prompt(prompt.text)
        )


ANSWER_TO_PROMPT = _AnswerToPrompt(name="co_answer_to_prompt")


async def on_answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    actor = actor_of(update)
    if message is None or actor is None or message.reply_to_message is None:
        return
    service = service_for(context)
    replies = await asyncio.to_thread(service.answer, actor, message.reply_to_message.text or "", message.text or "")
    await send(context, actor.chat_id, replies)


def register(application: Application) -> None:
    """Add the handlers; call before the interview's handlers (same group) so these win."""
    deep_link = filters.Regex(r"^/start(@\w+)?\s+\S+")
    application.add_handler(CommandHandler("start", start_with_payload, filters=PRIVATE & deep_link))
    application.add_handler(CommandHandler("admin", _command("admin"), filters=PRIVATE))
    application.add_handler(CommandHandler("office", _command("office"), filters=PRIVATE))
    application.add_handler(CommandHandler("board", _command("board_command", with_arg=True), filters=PRIVATE))
    application.add_handler(CommandHandler("agency", _command("agency_command"), filters=PRIVATE))
    application.add_handler(CommandHandler("history", _command("history_command"), filters=PRIVATE))
    application.add_handler(CallbackQueryHandler(on_callback, pattern=r"^co:"))
    application.add_handler(
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND & filters.REPLY & ANSWER_TO_PROMPT, on_answer)
    )
