"""The words of a reminder message, rendered from templates/messages/reminders/ (approval.j2,
review.j2, reminder.j2, digest.j2; cli.j2 for ``disclosure-bot deadlines``).

The domain (report/deadlines.py) computes dates, working days and progress; storage keeps the
payload of each outbox row; this module turns them into the Chinese text the recipient reads.
Button names quoted in a message come from bot/messages, as on the buttons themselves.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Any

from report import deadlines as dl
from report.render import chinese_date
from storage import reminders as repo

from ..messages import coordination as CM
from ..messages import reminders as R

WEEKDAYS = "一二三四五六日"


@lru_cache(maxsize=1)
def _env():
    import jinja2

    import templates

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(Path(templates.__file__).parent / "messages" / "reminders")),
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # templates are package data; no stat() per render
    )


def render(template: str, **context: Any) -> str:
    """templates/messages/reminders/<name>.j2 with the button names it quotes."""
    buttons = {"review_button": R.REVIEW_BUTTON, "approve_button": CM.BTN_APPROVE, "return_button": CM.BTN_RETURN}
    return _env().get_template(f"{template}.j2").render(**buttons, **context).strip()


def day_text(day: dt.date) -> str:
    """2025年1月31日（星期五）"""
    return f"{chinese_date(day)}（星期{WEEKDAYS[day.weekday()]}）"


def _countdown(deadline: dt.date, today: dt.date, calendar: dl.WorkCalendar) -> dict[str, Any]:
    return {
        "deadline": day_text(deadline),
        "calendar_days": (deadline - today).days,
        "working_days": dl.working_days_left(today, deadline, calendar),
        "today_is_workday": calendar.is_workday(today),
    }


def reminder_text(*, year: int, deadline: dt.date, today: dt.date, calendar: dl.WorkCalendar, done: int,
                  total: int, missing=(), errors=(), agency: str = "") -> str:
    """The reminder an officer reads: year, deadline, days left, progress, what is missing."""
    return render("reminder", year=year, agency=agency, done=done, total=total, missing=list(missing),
                  errors=list(errors), **_countdown(deadline, today, calendar))


def review_text(*, year: int, agency: str, deadline: dt.date, today: dt.date, calendar: dl.WorkCalendar) -> str:
    """The reminder a reviewer reads while a report awaits approval."""
    return render("review", year=year, agency=agency, **_countdown(deadline, today, calendar))


def approval_text(*, year: int, agency: str, by: str) -> str:
    """The request sent to reviewers when an officer submits for approval."""
    return render("approval", year=year, agency=agency, by=by)


def digest_text(*, office: str, year: int, today: dt.date, counts: dl.DigestCounts, deadlines) -> str:
    """The coordinator's summary of the office's progress."""
    return render("digest", office=office, year=year, today=day_text(today), c=counts,
                  deadlines=[day_text(d) for d in sorted(set(deadlines))])


def message_text(item: repo.OutboxItem, now: dt.datetime, params: dl.ScheduleParams,
                 calendar: dl.WorkCalendar) -> str:
    """The text of an outbox row, from its payload and the current time."""
    p = item.payload
    today = now.astimezone(params.tz).date()
    if p.get("type") == repo.APPROVAL_PAYLOAD:
        return approval_text(year=p["year"], agency=p.get("agency", ""), by=p.get("by", ""))
    if p.get("type") == repo.REGISTRATION_ATTEMPT_PAYLOAD:
        return render("registration_attempt", agency=p.get("agency", ""), name=p.get("name", ""),
                      telegram_id=p.get("telegram_id", ""))
    if p.get("type") == repo.DIGEST_PAYLOAD:
        c = p["counts"]
        counts = repo.DigestCounts(
            submitted=c["submitted"], awaiting_approval=c.get("awaiting_approval", 0),
            in_progress=c["in_progress"], not_started=c["not_started"], overdue=c["overdue"],
            failed_deliveries=c["failed_deliveries"], overdue_agencies=tuple(c.get("overdue_agencies", ())),
        )
        return digest_text(office=p.get("office") or "", year=p["year"], today=dt.date.fromisoformat(p["today"]),
                           counts=counts, deadlines=[dt.date.fromisoformat(d) for d in p["deadlines"]])
    deadline = dt.date.fromisoformat(p["deadline"])
    if repo.for_reviewer(p):
        return review_text(year=p["year"], agency=p.get("agency", ""), deadline=deadline, today=today,
                           calendar=calendar)
    return reminder_text(year=p["year"], deadline=deadline, today=today, calendar=calendar, done=p["done"],
                         total=p["total"], missing=p.get("missing", ()), errors=p.get("errors", ()),
                         agency=p.get("agency", ""))
