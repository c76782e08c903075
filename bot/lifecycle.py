"""The Application's lifecycle around a way of receiving updates (bot/polling.py, bot/webhook.py),
as PTB's run_polling and run_webhook have it: initialize, post_init, start; on the way out stop,
post_stop, shutdown, post_shutdown — whatever happened in between."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Sequence

from telegram.ext import Application

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGABRT)


@contextlib.asynccontextmanager
async def running(application: Application, stop_signals: Sequence[int] = STOP_SIGNALS) -> AsyncIterator[asyncio.Event]:
    """The Application initialized and started; yields the event a stop signal sets. A signal that
    came during start-up leaves the Application unstarted (``application.running`` is False): the
    caller then receives nothing."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in stop_signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        await application.initialize()
        if application.post_init:
            await application.post_init(application)
        if not stop.is_set():
            await application.start()
        yield stop
    finally:
        for sig in stop_signals:
            loop.remove_signal_handler(sig)
        if application.running:
            await application.stop()
            if application.post_stop:
                await application.post_stop(application)
        await application.shutdown()
        if application.post_shutdown:
            await application.post_shutdown(application)
