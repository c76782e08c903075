"""Background upkeep of the bot process: forgetting handled update ids once Telegram can no longer
deliver those updates again (it keeps an update for at most 24 hours)."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram.ext import Application, ContextTypes

from storage.positions import REDELIVERY_WINDOW

log = logging.getLogger(__name__)

JOB_NAME = "prune-processed-updates"
PRUNE_EVERY_SECONDS = 6 * 3600


async def prune_updates(context: ContextTypes.DEFAULT_TYPE) -> None:
    store = context.job.data
    cutoff = dt.datetime.now(dt.UTC) - REDELIVERY_WINDOW
    try:
        n = await asyncio.to_thread(store.prune_processed_updates, cutoff)
        log.info("forgot %d handled update ids", n)
    except Exception:  # noqa: BLE001 - the next run tries again
        log.warning("pruning handled update ids failed", exc_info=True)


def register_jobs(application: Application) -> None:
    application.job_queue.run_repeating(
        prune_updates, interval=PRUNE_EVERY_SECONDS, first=60, name=JOB_NAME, data=application.bot_data["store"],
        job_kwargs={"coalesce": True, "max_instances": 1},
    )
