"""The buttons under a reminder, as free actions (they stay valid while the officer works): 继续填写
(the task list), 查看并审核 (a reviewer's screen of the report: bot/coordination), 1天后提醒 / 3天后
提醒 / 今年不再提醒. Their wire format is the one reminders have always carried (``rem:s1:<id>``,
``menu``), so reminders sent before an upgrade keep working."""

from __future__ import annotations

from ..coordination import actions as C
from ..kit.actions import Id, action, encode
from ..kit.io import Button
from ..messages import reminders as R

REM = "rem"


@action("", family="menu")
class OpenTaskList: ...


@action("s1", family=REM)
class SnoozeOneDay:
    outbox: Id


@action("s3", family=REM)
class SnoozeThreeDays:
    outbox: Id


@action("mute", family=REM)
class MuteThisYear:
    outbox: Id


MENU_CALLBACK = encode(OpenTaskList())


def primary_button(payload: dict, reviewer: bool) -> Button:
    """继续填写 (the officer's task list), or 查看并审核 for a reviewer's message."""
    if reviewer and "agency_id" in payload and "year" in payload:
        return Button(R.REVIEW_BUTTON, encode(C.Review(int(payload["agency_id"]), int(payload["year"]))))
    return Button(R.CONTINUE_BUTTON, MENU_CALLBACK)


def reminder_buttons(outbox_id: int, payload: dict, reviewer: bool, approval: bool) -> tuple[tuple[Button, ...], ...]:
    """The keyboard of a reminder: continue, and (but for an approval request) snooze and mute."""
    first = (primary_button(payload, reviewer),)
    if approval:
        return (first,)
    return (
        first,
        (Button(R.SNOOZE_1_BUTTON, encode(SnoozeOneDay(outbox_id))),
         Button(R.SNOOZE_3_BUTTON, encode(SnoozeThreeDays(outbox_id)))),
        (Button(R.MUTE_BUTTON, encode(MuteThisYear(outbox_id))),),
    )
