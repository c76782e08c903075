"""The snooze / mute buttons under a reminder.

Callback data ``rem:s1:<outbox id>`` / ``rem:s3:<outbox id>`` / ``rem:mute:<outbox id>``. The server
checks that the user pressing is the reminder's recipient (callback data can be forged, and a
reminder forwarded into a group carries its buttons along).
- 1天后提醒 / 3天后提醒: no reminders until the send time of that day (moved to the next working
  day), and this reminder is queued again for then;
- 今年不再提醒: muted through 31 December of the current year (local time zone).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import Application, CallbackQueryHandler, ContextTypes

from report import deadlines as dl
from storage import reminders as repo

from .sweeper import CALLBACK_PREFIX, Sweeper, primary_button

log = logging.getLogger(__name__)

PATTERN = rf"^{CALLBACK_PREFIX}:(s1|s3|mute):(\d+)$"
BOT_DATA_KEY = "reminders"


def snooze_until(now: dt.datetime, days: int, params: dl.ScheduleParams, calendar: dl.WorkCalendar) -> dt.datetime:
    local = now.astimezone(params.tz)
    day = calendar.next_workday(local.date() + dt.timedelta(days=days))
    return dt.datetime.combine(day, params.send_time, tzinfo=params.tz)


def mute_until(now: dt.datetime, params: dl.ScheduleParams) -> dt.date:
    return dt.date(now.astimezone(params.tz).year, 12, 31)


async def on_reminder_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is None or query.data is None:
        return
    sweeper: Sweeper | None = context.application.bot_data.get(BOT_DATA_KEY)
    action, raw_id = query.data.split(":")[1:3]
    if sweeper is None:
        log.error("reminder button pressed but register_jobs() was not called")
        await query.answer(dl.label("gone_answer"), show_alert=True)
        return
    found = await asyncio.to_thread(repo.get_item, sweeper.engine, int(raw_id))
    if found is None:
        await query.answer(dl.label("gone_answer"), show_alert=True)
        return
    item, telegram_id = found
    if update.effective_user is None or update.effective_user.id != telegram_id:
        await query.answer(dl.label("not_yours_answer"), show_alert=True)
        return
    now = sweeper.clock()
    if action == "mute":
        until = mute_until(now, sweeper.params)
        await asyncio.to_thread(repo.mute, sweeper.engine, item.recipient_user_id, until)
        await query.answer(dl.label("muted_answer"), show_alert=True)
    else:
        days = 1 if action == "s1" else 3
        until = snooze_until(now, days, sweeper.params, sweeper.calendar)
        await asyncio.to_thread(repo.snooze, sweeper.engine, item.recipient_user_id, until, again_from=item.id)
        local = until.astimezone(sweeper.params.tz)
        when = f"{dl.chinese_date(local.date())}{local:%H:%M}"
        await query.answer(dl.label("snoozed_answer").format(when), show_alert=True)
    try:  # keep only the button to continue (继续填写, or 查看并审核 for a reviewer)
        await query.edit_message_reply_markup(
            InlineKeyboardMarkup([[primary_button(item)]])
        )
    except TelegramError as exc:
        log.info("could not edit reminder %s buttons: %s", item.id, exc)


def register_handlers(application: Application) -> None:
    application.add_handler(CallbackQueryHandler(on_reminder_button, pattern=PATTERN))
