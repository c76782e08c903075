"""report/deadlines.py: legal deadlines, overrides, the working-day calendar, the schedule, texts."""

from __future__ import annotations

import datetime as dt
import logging
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reminders import texts
from report import deadlines as dl
from report.model import Report

SHANGHAI = ZoneInfo("Asia/Shanghai")
D = dt.date


def test_legal_deadlines_by_kind():
    assert dl.legal_deadline(2024, "department") == D(2025, 1, 31)
    assert dl.legal_deadline(2024, "government") == D(2025, 3, 31)
    assert dl.legal_deadline(2024, "township", township_deadline="02-20") == D(2025, 2, 20)
    assert dl.legal_deadline(2024, "other", other_deadline="01-15") == D(2025, 1, 15)
    with pytest.raises(ValueError):
        dl.legal_deadline(2024, "ministry")


def test_agency_override_beats_office_override_beats_default():
    assert dl.effective_deadline(2024, "department") == D(2025, 1, 31)
    assert dl.effective_deadline(2024, "department", office_override=D(2025, 1, 26)) == D(2025, 1, 26)
    assert dl.effective_deadline(
        2024, "department", office_override=D(2025, 1, 26), agency_override=D(2025, 1, 20)
    ) == D(2025, 1, 20)


def test_resolve_deadline_with_config_and_database_overrides():
    cfg = [
        SimpleNamespace(year=2024, date=D(2025, 1, 24), agency=None, office="某县政务公开办"),
        SimpleNamespace(year=2024, date=D(2025, 1, 22), agency="某县教育局", office=None),
        SimpleNamespace(year=2023, date=D(2024, 1, 10), agency="某县教育局", office=None),
    ]
    kw = dict(config_overrides=cfg)
    assert dl.resolve_deadline(2024, "department", agency="某县卫健委", office="别的办", **kw) == (
        D(2025, 1, 31), dl.SOURCE_LEGAL)
    assert dl.resolve_deadline(2024, "department", agency="某县卫健委", office="某县政务公开办", **kw) == (
        D(2025, 1, 24), dl.SOURCE_OFFICE)
    assert dl.resolve_deadline(2024, "department", agency="某县教育局", office="某县政务公开办", **kw) == (
        D(2025, 1, 22), dl.SOURCE_AGENCY)
    # the database beats the config at the same level; an agency date beats any office date
    assert dl.resolve_deadline(2024, "department", agency="某县卫健委", office="某县政务公开办",
                               db_office_date=D(2025, 1, 23), **kw) == (D(2025, 1, 23), dl.SOURCE_OFFICE)
    assert dl.resolve_deadline(2024, "department", agency="某县卫健委", office="某县政务公开办",
                               db_agency_date=D(2025, 1, 21), **kw) == (D(2025, 1, 21), dl.SOURCE_AGENCY)
    # a config override naming neither applies to everyone that year
    every = [SimpleNamespace(year=2024, date=D(2025, 1, 27), agency=None, office=None)]
    assert dl.resolve_deadline(2024, "government", config_overrides=every) == (D(2025, 1, 27), dl.SOURCE_CONFIG)


def test_calendar_knows_the_2025_spring_festival_and_its_make_up_day():
    cal = dl.WorkCalendar()
    assert cal.is_workday(D(2025, 1, 26))  # Sunday, 调休 make-up working day
    assert cal.is_workday(D(2025, 1, 27))  # Monday before the holiday
    assert not cal.is_workday(D(2025, 1, 25))  # Saturday
    for day in range(28, 32):
        assert not cal.is_workday(D(2025, 1, day))
    for day in range(1, 5):
        assert not cal.is_workday(D(2025, 2, day))
    assert cal.is_workday(D(2025, 2, 5))
    assert cal.is_workday(D(2025, 2, 8))  # Saturday, make-up day
    assert cal.previous_workday(D(2025, 1, 31)) == D(2025, 1, 27)
    assert cal.next_workday(D(2025, 1, 31)) == D(2025, 2, 5)


def test_working_days_between_and_left():
    cal = dl.WorkCalendar()
    # 2025-01-20 .. 2025-01-31: Mon-Fri 20-24, Sun 26, Mon 27 are working days
    assert cal.working_days_between(D(2025, 1, 20), D(2025, 2, 1)) == 7
    assert cal.working_days_between(D(2025, 2, 1), D(2025, 1, 20)) == -7
    assert cal.working_days_between(D(2025, 1, 20), D(2025, 1, 20)) == 0
    assert dl.working_days_left(D(2025, 1, 27), D(2025, 1, 31), cal) == 1
    assert dl.working_days_left(D(2025, 1, 24), D(2025, 1, 31), cal) == 3  # Fri, Sun 26, Mon 27
    assert dl.working_days_left(D(2025, 2, 6), D(2025, 1, 31), cal) == -2  # Feb 5, Feb 6
    assert cal.add_working_days(D(2025, 1, 31), 2) == D(2025, 2, 6)


def test_2024_reports_due_in_the_spring_festival_are_reminded_on_working_days_before_it():
    cal = dl.WorkCalendar()
    deadline = dl.legal_deadline(2024, "department")
    assert deadline == D(2025, 1, 31) and not cal.is_workday(deadline)
    rems = dl.schedule(deadline, dl.ScheduleParams(), cal)
    before = [r for r in rems if not r.overdue]
    assert [(r.kind, r.send_at.date(), r.working_days_left) for r in before] == [
        ("before_30", D(2024, 12, 31), 20),  # 2025-01-01 is New Year's Day
        ("before_14", D(2025, 1, 17), 8),
        ("before_7", D(2025, 1, 24), 3),
        ("due_day", D(2025, 1, 27), 1),  # the last working day before the holiday
    ]
    assert before[-1].merged == ("before_1", "before_3")  # 28th and 30th fall in the holiday: merged
    for r in before:
        assert cal.is_workday(r.send_at.date())
        assert r.send_at.date() < D(2025, 1, 28)
        assert r.send_at.tzinfo is not None
        assert r.send_at.astimezone(SHANGHAI).time() == dt.time(9, 30)
    overdue = [r for r in rems if r.overdue]
    assert [r.send_at.date() for r in overdue] == [
        D(2025, 2, 6), D(2025, 2, 8), D(2025, 2, 11), D(2025, 2, 13), D(2025, 2, 17)]
    assert [r.working_days_left for r in overdue] == [-2, -4, -6, -8, -10]


def test_schedule_params_from_settings_and_other_time_zone():
    from bot.settings import ReminderSettings

    r = ReminderSettings(offsets_days=[5, 0], overdue_every_working_days=1, overdue_max=1, send_time=dt.time(8, 0))
    params = dl.ScheduleParams.from_settings(r, "Asia/Urumqi")
    rems = dl.schedule(D(2025, 3, 31), params, dl.WorkCalendar())
    assert [r.kind for r in rems] == ["before_5", "due_day", "overdue_1"]
    assert rems[0].send_at == dt.datetime(2025, 3, 26, 8, 0, tzinfo=ZoneInfo("Asia/Urumqi"))
    assert rems[2].send_at.date() == D(2025, 4, 1)


def test_year_without_calendar_data_falls_back_to_weekends_and_config_and_logs_once(caplog):
    cal = dl.WorkCalendar(extra_holidays=[D(2040, 1, 30)], extra_workdays=[D(2040, 1, 28)])
    assert not cal.has_data(2040)
    assert D(2040, 1, 27).weekday() == 4  # a Friday
    with caplog.at_level(logging.WARNING, logger="report.deadlines"):
        assert cal.is_workday(D(2040, 1, 27))
        assert cal.is_workday(D(2040, 1, 28))  # Saturday, but a make-up day from the config
        assert not cal.is_workday(D(2040, 1, 29))  # Sunday
        assert not cal.is_workday(D(2040, 1, 30))  # Monday, a holiday from the config
        assert cal.is_workday(D(2040, 1, 31))
        assert not cal.is_workday(D(2040, 2, 4))  # Saturday
        rems = dl.schedule(D(2040, 1, 30), dl.ScheduleParams(offsets_days=(0, 3), overdue_max=1), cal)
    assert [(r.kind, r.send_at.date()) for r in rems] == [
        ("before_3", D(2040, 1, 27)),
        ("due_day", D(2040, 1, 28)),
        ("overdue_1", D(2040, 2, 1)),  # Jan 31, Feb 1
    ]
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "2040" in warnings[0].getMessage()
    # a second year without data is logged once too
    with caplog.at_level(logging.WARNING, logger="report.deadlines"):
        cal.is_workday(D(2041, 3, 1))
        cal.is_workday(D(2041, 3, 2))
    assert len([r for r in caplog.records if "2041" in r.getMessage()]) == 1


@settings(max_examples=60, deadline=None)
@given(
    deadline=st.dates(min_value=D(2020, 1, 1), max_value=D(2026, 10, 31)),
    offsets=st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=6),
    every=st.integers(min_value=1, max_value=5),
)
def test_schedule_properties(deadline, offsets, every):
    cal = dl.WorkCalendar()
    params = dl.ScheduleParams(offsets_days=tuple(offsets), overdue_every_working_days=every, overdue_max=3)
    rems = dl.schedule(deadline, params, cal)
    days = [r.send_at.date() for r in rems]
    assert days == sorted(days) and len(set(days)) == len(days)  # one reminder per day, in order
    kinds = [r.kind for r in rems] + [k for r in rems for k in r.merged]
    assert sorted(kinds) == sorted({dl.kind_for_offset(o) for o in offsets} | {"overdue_1", "overdue_2", "overdue_3"})
    for r in rems:
        assert cal.is_workday(r.send_at.date())
        if r.overdue:
            assert r.send_at.date() > deadline
            assert dl.working_days_left(r.send_at.date(), deadline, cal) == r.working_days_left
        else:
            assert r.send_at.date() <= deadline
            assert r.working_days_left == dl.working_days_left(r.send_at.date(), deadline, cal) >= 0


def test_latest_due_picks_the_current_reminder():
    rems = dl.schedule(D(2025, 1, 31), dl.ScheduleParams(), dl.WorkCalendar())
    assert dl.latest_due(rems, dt.datetime(2024, 12, 31, 9, 29, tzinfo=SHANGHAI)) is None
    assert dl.latest_due(rems, dt.datetime(2025, 1, 25, 12, 0, tzinfo=SHANGHAI)).kind == "before_7"
    assert dl.latest_due(rems, dt.datetime(2025, 1, 27, 9, 30, tzinfo=SHANGHAI)).kind == "due_day"


def test_gaps_of_a_report():
    rep = Report.new("某县教育局", 2024)
    gaps = dl.report_gaps(rep)
    assert (gaps.done, gaps.total, gaps.errors) == (0, 6, ())
    assert gaps.missing[2] == "三、收到和处理政府信息公开申请情况"
    for key in [p.key for p in rep.format.narrative_parts]:
        rep.narratives[key] = "已填写。"
    gaps = dl.report_gaps(rep)
    assert gaps.done == 3
    assert "三、收到和处理政府信息公开申请情况" in gaps.missing and "一、总体情况" not in gaps.missing


def test_reminder_text_says_year_deadline_days_progress_and_what_is_missing():
    cal = dl.WorkCalendar()
    text = texts.reminder_text(
        year=2024, deadline=D(2025, 1, 31), today=D(2025, 1, 24),
        calendar=cal, done=4, total=6, missing=["三、收到和处理政府信息公开申请情况"],
        errors=["四、政府信息公开行政复议、行政诉讼情况"], agency="某县教育局",
    )
    assert "2024年度政府信息公开工作年度报告（某县教育局）" in text
    assert "截止日期：2025年1月31日（星期五）" in text
    assert "距截止还有 7 天，其中工作日 3 天（含今天）" in text
    assert "已完成 4/6 部分" in text
    assert "待填：三、收到和处理政府信息公开申请情况" in text
    assert "有问题：四、政府信息公开行政复议、行政诉讼情况" in text
    late = texts.reminder_text(
        year=2024, deadline=D(2025, 1, 31), today=D(2025, 2, 6),
        calendar=cal, done=6, total=6,
    )
    assert "已逾期 6 天（2 个工作日）" in late and "待填" not in late


def test_digest_text():
    text = texts.digest_text(
        office="某县政务公开办", year=2024, today=D(2025, 1, 27),
        counts=dl.DigestCounts(submitted=1, in_progress=2, not_started=3, overdue=1, failed_deliveries=4,
                               overdue_agencies=("某县卫健委",)),
        deadlines=[D(2025, 3, 31), D(2025, 1, 31)],
    )
    for part in ("已提交：1", "填报中：2", "未开始：3", "已逾期：1", "提醒发送失败：4", "逾期单位：某县卫健委",
                 "截止日期：2025年1月31日（星期五）、2025年3月31日（星期一）"):
        assert part in text


def test_digest_days_weekly_then_daily():
    cal = dl.WorkCalendar()
    days = dl.digest_days([D(2025, 3, 31)], cal)
    assert days == {
        D(2025, 2, 28), D(2025, 3, 7), D(2025, 3, 14), D(2025, 3, 21),  # 30, 23, 16, 9 days before
        D(2025, 3, 24), D(2025, 3, 25), D(2025, 3, 26), D(2025, 3, 27), D(2025, 3, 28), D(2025, 3, 31),
    }
