"""Background upkeep of the bot process: SQLite's write-ahead log checkpoints and a settled heap.

- A repeating job copies SQLite's write-ahead log into the database file (a passive checkpoint, in
  a worker thread) every :data:`WAL_CHECKPOINT_SECONDS`. Left to itself, SQLite does this in the
  commit that crosses the WAL's page limit, and that officer's answer then waits several
  milliseconds for it (two fsyncs); storage/db.py raises that limit to a safety net.
- :func:`settle_heap` moves everything alive after start-up (modules, formats, templates, the
  Application) out of the garbage collector's reach: it lives as long as the process, and the
  collector's full passes then only walk what the updates create.
"""

from __future__ import annotations

import asyncio
import gc
import logging

from telegram.ext import Application, ContextTypes

log = logging.getLogger(__name__)

JOB_NAME = "wal-checkpoint"
WAL_CHECKPOINT_SECONDS = 0.5


async def checkpoint_wal(context: ContextTypes.DEFAULT_TYPE) -> None:
    store = context.job.data
    try:
        await asyncio.to_thread(store.checkpoint_wal)
    except Exception:  # noqa: BLE001 - the next run tries again; SQLite's own limit still applies
        log.warning("WAL checkpoint failed", exc_info=True)


def register_jobs(application: Application) -> None:
    """The checkpoint job, for a store whose database is an SQLite file in this process."""
    store = application.bot_data.get("store")
    if store is None or not getattr(store, "in_process", False):
        return
    application.job_queue.run_repeating(
        checkpoint_wal,
        interval=WAL_CHECKPOINT_SECONDS,
        first=WAL_CHECKPOINT_SECONDS,
        name=JOB_NAME,
        data=store,
        job_kwargs={"coalesce": True, "max_instances": 1, "misfire_grace_time": 1},
    )


def settle_heap() -> None:
    """Collect, then freeze what survives (:func:`gc.freeze`): called once the bot is ready."""
    gc.collect()
    gc.freeze()
