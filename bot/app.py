"""Composition only: the PTB Application with its store, its conversation, the ONE ordered list of
handlers, the reminder jobs and the error handler.

``build_application(settings)`` is what ``disclosure-bot run`` starts; tests build it the same way
(offline, or against the local Bot API emulation) and may pass their own ``store``.
"""

from __future__ import annotations

import logging

from telegram import BotCommand
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    MessageHandler,
    filters,
)
from telegram.request import BaseRequest

from storage.store import Store

from . import handlers, maintenance, reminders
from .conversation import build_conversation
from .errors import error_handler
from .messages import BOT_COMMANDS
from .settings import Settings

logger = logging.getLogger(__name__)

# Seconds. The long poll itself lasts POLL_TIMEOUT (see bot/commands/run.py); PTB adds it to the
# read timeout of getUpdates.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 15.0
WRITE_TIMEOUT = 30.0  # documents (.docx, .xlsx) go up in one request
POOL_TIMEOUT = 5.0
CONNECTION_POOL_SIZE = 16

PRIVATE = filters.ChatType.PRIVATE


def handler_list() -> list:
    """Every handler of the bot, in the order PTB tries them. Order matters: in one group the first
    handler whose filter matches takes the update and no other sees it. So the specific come before
    the general — a command before the text catch-all, a document before "anything else" — and the
    catch-alls come last. Buttons need no order among themselves: one handler takes every press and
    the conversation decodes it (bot/kit/actions.py), reminders' and coordination's alike."""
    return [
        # /start <invitation token>, /menu, /board 2024 … and any unknown /command: the conversation
        # knows every command (bot/conversation.py) and answers an unknown one in words.
        MessageHandler(PRIVATE & filters.COMMAND, handlers.on_command),
        # every button of every message the bot sent (interview, coordination, reminders)
        CallbackQueryHandler(handlers.on_press),
        # a file: the Excel template, a narrative part, a published report to check
        MessageHandler(PRIVATE & filters.Document.ALL, handlers.on_document),
        # a typed answer (after the commands: "/…" is a command, not an answer)
        MessageHandler(PRIVATE & filters.TEXT & ~filters.COMMAND, handlers.on_text),
        # last: anything else a person sends in private (a sticker, a photo, a voice message)
        MessageHandler(PRIVATE & ~filters.StatusUpdate.ALL, handlers.on_other),
    ]


async def _post_init(application: Application) -> None:
    me = await application.bot.get_me()
    conversation = application.bot_data[handlers.CONVERSATION]
    conversation.bot_username = conversation.settings.bot_username or me.username or ""
    await application.bot.set_my_commands([BotCommand(command, description) for command, description in BOT_COMMANDS])
    logger.info("Bot @%s ready; %d commands registered", me.username, len(BOT_COMMANDS))


async def _post_shutdown(application: Application) -> None:
    application.bot_data["store"].dispose()


def build_application(
    settings: Settings,
    *,
    store: Store | None = None,
    request: BaseRequest | None = None,
    rate_limiter: bool = True,
    updater: bool = True,
) -> Application:
    """The production Application. Tests may inject a ``request`` (offline recording) and the store."""
    token = settings.token_value
    if not token:
        raise ValueError("settings.token is required to build the application")
    builder = ApplicationBuilder().token(token).base_url(settings.base_url).base_file_url(settings.base_file_url)
    if rate_limiter:
        builder = builder.rate_limiter(AIORateLimiter(max_retries=3))
    if request is not None:
        builder = builder.request(request).get_updates_request(request)
    else:
        builder = (
            builder.connect_timeout(CONNECT_TIMEOUT)
            .read_timeout(READ_TIMEOUT)
            .write_timeout(WRITE_TIMEOUT)
            .pool_timeout(POOL_TIMEOUT)
            .connection_pool_size(CONNECTION_POOL_SIZE)
            .get_updates_connect_timeout(CONNECT_TIMEOUT)
            .get_updates_read_timeout(READ_TIMEOUT)
            .get_updates_write_timeout(WRITE_TIMEOUT)
            .get_updates_pool_timeout(POOL_TIMEOUT)
        )
    if not updater:
        builder = builder.updater(None)
    application = builder.post_init(_post_init).post_shutdown(_post_shutdown).build()
    store = store if store is not None else Store.from_url(settings.database_url, upgrade=True)
    application.bot_data["settings"] = settings
    application.bot_data["store"] = store
    application.bot_data[handlers.CONVERSATION] = build_conversation(store, settings)
    application.add_handlers(handler_list())
    reminders.register_jobs(application, settings, store.engine)
    maintenance.register_jobs(application)
    application.add_error_handler(error_handler)
    return application
