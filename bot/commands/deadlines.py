"""``disclosure-bot deadlines``: the deadline of a report year and its reminder schedule."""

from __future__ import annotations

import argparse
import datetime as dt
from zoneinfo import ZoneInfo

from report import deadlines as dl
from report import terms

from ..messages import reminders as R
from ..reminders import texts
from ._common import fail


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "deadlines",
        help="显示截止日期和提醒时间表 / show the deadline and the reminder schedule",
        description="显示某年度报告的截止日期，以及每条提醒的发送时间、剩余工作日和类型。"
        " / Show a report year's deadline and each reminder's send time, working days left and kind.",
    )
    p.add_argument(
        "--year",
        type=int,
        help="报告年度，默认上一年 / report year (default: last calendar year)",
    )
    p.add_argument(
        "--kind",
        choices=dl.AGENCY_KINDS,
        default=dl.DEPARTMENT,
        help="机关类型（默认 department）/ agency kind (default: department)",
    )
    p.add_argument(
        "--agency",
        metavar="NAME",
        help="按单位名称读取数据库中的类型和截止日期 / read the agency's kind and deadline overrides "
        "from the database",
    )
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings) -> int:
    tz = ZoneInfo(settings.timezone)
    year = args.year if args.year is not None else dt.datetime.now(tz).year - 1
    r = settings.reminders
    kind = args.kind
    if args.agency:
        try:
            from storage import reminders as repo
            from storage.db import make_engine, upgrade_schema

            engine = make_engine(settings.database_url)
            try:
                upgrade_schema(engine)
                found = repo.deadline_for_agency(engine, args.agency, year, repo.PlanConfig.from_settings(settings))
            finally:
                engine.dispose()
        except Exception as exc:  # noqa: BLE001 - any database failure is reported, not raised
            return fail(R.CLI_NO_DATABASE.format(exc), 1)
        if found is None:
            return fail(R.CLI_NO_AGENCY.format(args.agency), 1)
        kind, deadline, source = found.kind, found.deadline, found.source
    else:
        deadline, source = dl.DeadlineRules.from_settings(settings).resolve(year, kind)
    calendar = dl.WorkCalendar(extra_holidays=r.extra_holidays, extra_workdays=r.extra_workdays)
    params = dl.ScheduleParams.from_settings(r, settings.timezone)
    rows = [
        {
            "send_at": rem.send_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            "left": rem.working_days_left,
            "kind": rem.kind,
            "merged": "、".join(rem.merged),
        }
        for rem in dl.schedule(deadline, params, calendar)
    ]
    print(
        texts.render(
            "cli",
            year=year,
            kind_label=terms.agency_kind(kind),
            agency=args.agency or "",
            deadline=texts.day_text(deadline),
            source=terms.DEADLINE_SOURCES[source],
            rows=rows,
        )
    )
    return 0
