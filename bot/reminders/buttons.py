"""What the buttons under a reminder do. The server checks that whoever presses is the reminder's
recipient (callback data can be forged, and a reminder forwarded into a group carries its buttons):
- 1天后提醒 / 3天后提醒: no reminders until the send time of that day (moved to the next working
  day), and this reminder is queued again for then;
- 今年不再提醒: muted through 31 December of the current year (local time zone);
- 继续填写: the officer's task list."""

from __future__ import annotations

import datetime as dt

from report import deadlines as dl
from storage import reminders as repo

from ..kit.screen import Free, Step, on
from ..messages import reminders as R
from . import actions as A
from .texts import day_text


def snooze_until(now: dt.datetime, days: int, params: dl.ScheduleParams, calendar: dl.WorkCalendar) -> dt.datetime:
    local = now.astimezone(params.tz)
    day = calendar.next_workday(local.date() + dt.timedelta(days=days))
    return dt.datetime.combine(day, params.send_time, tzinfo=params.tz)


def mute_until(now: dt.datetime, params: dl.ScheduleParams) -> dt.date:
    return dt.date(now.astimezone(params.tz).year, 12, 31)


class ReminderActions(Free):
    @on(A.OpenTaskList)
    def task_list(self, ctx, act) -> Step:
        return Step(ctx.state.goto("hub" if ctx.agency_id is not None else "start"))

    @on(A.SnoozeOneDay, A.SnoozeThreeDays, A.MuteThisYear)
    def later(self, ctx, act) -> Step:
        found = repo.get_item(ctx.store.engine, act.outbox)
        if found is None:
            return Step(ctx.state, show=False, toast=R.GONE, alert=True)
        item, telegram_id = found
        if telegram_id != ctx.user.telegram_id:
            return Step(ctx.state, show=False, toast=R.NOT_YOURS, alert=True)
        cfg = repo.PlanConfig.from_settings(ctx.settings)
        params = cfg.params
        if isinstance(act, A.MuteThisYear):
            repo.mute(ctx.store.engine, item.recipient_user_id, mute_until(ctx.now, params))
            toast = R.MUTED
        else:
            days = 1 if isinstance(act, A.SnoozeOneDay) else 3
            until = snooze_until(ctx.now, days, params, repo.calendar_from_settings(ctx.settings))
            repo.snooze(ctx.store.engine, item.recipient_user_id, until, again_from=item.id)
            local = until.astimezone(params.tz)
            toast = R.SNOOZED.format(when=f"{day_text(local.date())}{local:%H:%M}")
        keep = ((A.primary_button(item.payload, repo.for_reviewer(item.payload)),),)
        return Step(ctx.state, show=False, toast=toast, alert=True, keep_buttons=keep)
