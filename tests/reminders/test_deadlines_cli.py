"""``disclosure-bot deadlines``."""

from __future__ import annotations

import argparse
import datetime as dt
import re

import pytest
import time_machine

from bot.commands import deadlines as cmd
from bot.settings import DeadlineOverride, Settings

from .conftest import make_settings


def run(argv: list[str], settings: Settings, capsys) -> tuple[int, list[str], str]:
    parser = argparse.ArgumentParser(prog="disclosure-bot")
    cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["deadlines", *argv])
    code = args.handler(args, settings)
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def test_department_2024_output(capsys):
    code, lines, _ = run(["--year", "2024", "--kind", "department"], Settings(), capsys)
    assert code == 0
    assert lines[0] == "2024年度报告（政府部门）截止日期：2025年1月31日（星期五）（法定期限）"
    assert lines[1:] == [
        "2024-12-31 09:30  剩余工作日 20  before_30",
        "2025-01-17 09:30  剩余工作日 8  before_14",
        "2025-01-24 09:30  剩余工作日 3  before_7",
        "2025-01-27 09:30  剩余工作日 1  due_day（合并：before_1、before_3）",
        "2025-02-06 09:30  剩余工作日 -2  overdue_1",
        "2025-02-08 09:30  剩余工作日 -4  overdue_2",
        "2025-02-11 09:30  剩余工作日 -6  overdue_3",
        "2025-02-13 09:30  剩余工作日 -8  overdue_4",
        "2025-02-17 09:30  剩余工作日 -10  overdue_5",
    ]
    for line in lines[1:]:
        assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d  ", line)


def test_default_year_is_last_calendar_year_and_config_overrides_apply(capsys):
    settings = Settings(deadline_overrides=[DeadlineOverride(year=2025, date=dt.date(2026, 1, 20))])
    with time_machine.travel(dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC), tick=False):
        code, lines, _ = run(["--kind", "government"], settings, capsys)
    assert code == 0
    assert lines[0] == "2025年度报告（人民政府）截止日期：2026年1月20日（星期二）（配置文件指定）"


def test_township_deadline_from_config(capsys):
    settings = Settings(reminders={"township_deadline": "02-10", "offsets_days": [0], "overdue_max": 1})
    code, lines, _ = run(["--year", "2024", "--kind", "township"], settings, capsys)
    assert code == 0
    assert lines == [
        "2024年度报告（乡镇（街道））截止日期：2025年2月10日（星期一）（默认期限，可在配置中修改）",
        "2025-02-10 09:30  剩余工作日 1  due_day",
        "2025-02-12 09:30  剩余工作日 -2  overdue_1",
    ]


@pytest.mark.db
def test_agency_reads_kind_and_overrides_from_the_database(world, capsys):
    from storage import coordination as co

    settings = make_settings(str(world.store.engine.url.render_as_string(hide_password=False)))
    code, lines, _ = run(["--year", "2024", "--agency", "某县人民政府"], settings, capsys)
    assert code == 0
    assert lines[0] == "2024年度报告（人民政府，某县人民政府）截止日期：2025年3月31日（星期一）（法定期限）"
    co.set_deadline_override(world.store, 2024, dt.date(2025, 3, 20), office_id=world.office.id)
    code, lines, _ = run(["--year", "2024", "--agency", "某县人民政府"], settings, capsys)
    assert lines[0].endswith("截止日期：2025年3月20日（星期四）（办公室统一设定）")
    co.set_deadline_override(world.store, 2024, dt.date(2025, 3, 18), agency_id=world.gov.id)
    code, lines, _ = run(["--year", "2024", "--agency", "某县人民政府"], settings, capsys)
    assert lines[0].endswith("截止日期：2025年3月18日（星期二）（本机关单独设定）")
    assert lines[-1].endswith("overdue_5")
    code, lines, err = run(["--year", "2024", "--agency", "不存在的单位"], settings, capsys)
    assert code == 1 and "找不到单位：不存在的单位" in err
