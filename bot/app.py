"""Composition only: build the PTB Application with its store, handlers, jobs and error handler.

``build_application(settings)`` is what ``disclosure-bot run`` starts; tests build it the same way
(against the local Bot API emulation) or pass their own ``store``.
"""

from __future__ import annotations

import logging
from typing import Any

from telegram import BotCommand
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder
from telegram.request import BaseRequest

from storage.store import Store

from . import handlers, maintenance, reminders
from .errors import error_handler
from .settings import Settings

logger = logging.getLogger(__name__)

# Seconds. The long poll itself lasts POLL_TIMEOUT (see bot/commands/run.py); PTB adds it to the
# read timeout of getUpdates.
CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 15.0
WRITE_TIMEOUT = 30.0  # documents (.docx, .xlsx) go up in one request
POOL_TIMEOUT = 5.0
CONNECTION_POOL_SIZE = 16


def _register_reminders(application: Application, settings: Settings) -> None:
    """The reminders join the application: their buttons and the repeating sweeper job."""
    reminders.register_handlers(application)
    reminders.register_jobs(application, settings)


async def _post_init(application: Application) -> None:
    me = await application.bot.get_me()
    settings: Settings = application.bot_data["settings"]
    application.bot_data["bot_username"] = settings.bot_username or me.username
    await application.bot.set_my_commands(
        [BotCommand(command, description) for command, description in handlers.COMMANDS]
    )
    logger.info("Bot @%s ready; %d commands registered", me.username, len(handlers.COMMANDS))
    maintenance.settle_heap()


async def _post_shutdown(application: Application) -> None:
    store = application.bot_data.get("store")
    dispose = getattr(store, "dispose", None)
    if dispose is not None:
        dispose()


def build_application(
    settings: Settings,
    *,
    store: Any = None,
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
    application.bot_data["settings"] = settings
    application.bot_data["store"] = store if store is not None else Store.from_url(settings.database_url, upgrade=True)
    handlers.register(application)
    _register_reminders(application, settings)
    maintenance.register_jobs(application)
    application.add_error_handler(error_handler)
    return application
