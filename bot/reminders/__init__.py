"""Deadline reminders: the outbox sweeper job (sweeper.py) and the buttons under a reminder
(actions.py, buttons.py: declared with the conversation kit like every other button).

``register_jobs`` puts the :class:`~bot.reminders.sweeper.Sweeper` on the bot's database engine in
``application.bot_data["reminders"]`` (the schema is upgraded by the application at start, not here).
"""

from __future__ import annotations

from .sweeper import Sweeper, sweep

BOT_DATA_KEY = "reminders"
JOB_NAME = "reminder-sweep"
FIRST_SWEEP_SECONDS = 10.0


def register_jobs(application, settings, engine) -> Sweeper:
    """The reminder sweep, every ``reminders.sweep_interval_seconds``, on the bot's database."""
    sweeper = Sweeper(engine, settings)
    application.bot_data[BOT_DATA_KEY] = sweeper
    interval = float(settings.reminders.sweep_interval_seconds)
    application.job_queue.run_repeating(
        sweep,
        interval=interval,
        first=FIRST_SWEEP_SECONDS,
        name=JOB_NAME,
        data=sweeper,
        job_kwargs={
            # A sweep missed by less than one interval (e.g. a slow previous sweep) still runs once;
            # missed runs are coalesced into one, and never two sweeps at once in a process.
            "misfire_grace_time": max(1, int(interval)),
            "coalesce": True,
            "max_instances": 1,
        },
    )
    return sweeper


__all__ = ["Sweeper", "register_jobs", "sweep"]
