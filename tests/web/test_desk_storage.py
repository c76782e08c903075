"""The board's computation (storage/desk.py), the approve/return rule (storage/approval.py) and
"send a reminder now" (storage/desk_actions.py)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from sqlalchemy import event, select

from report import terms
from report.deadlines import report_gaps
from storage import access, approval, desk, desk_actions
from storage.db import session_scope
from storage.models import ReminderOutbox
from storage.reminders import report_facts

from .conftest import COORD_TG, OFFICER_TG, REVIEWER_TG, YEAR, _fill

pytestmark = pytest.mark.db

TODAY = dt.date(2025, 1, 13)


@contextlib.contextmanager
def statements(engine):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _who(store, tg: int) -> access.Principal:
    return access.principal(store, tg)


def test_board_rows_states_and_figures(store, world):
    result = desk.board(store, world.office, YEAR, TODAY, desk.DeadlineRules())
    rows = {r.agency.name: r for r in result.rows}
    assert {n: (r.state, r.status) for n, r in rows.items()} == {
        "甲县市场监督管理局": (terms.AWAITING, terms.AWAITING),
        "乙县教育局": (terms.DRAFT, terms.DRAFT),
        "丙县财政局": (terms.SUBMITTED, terms.SUBMITTED),
        "丁镇人民政府": (terms.NOT_STARTED, terms.OVERDUE),
    }
    assert rows["乙县教育局"].errors == 2 and rows["甲县市场监督管理局"].errors == 0
    assert (rows["甲县市场监督管理局"].done, rows["甲县市场监督管理局"].total) == (6, 6)
    assert rows["甲县市场监督管理局"].reviewers == ("张审核",)
    assert rows["甲县市场监督管理局"].last_change_by == "李填报"  # who set it awaiting approval
    assert rows["丁镇人民政府"].deadline == dt.date(2025, 1, 10) and rows["丁镇人民政府"].deadline_source == "agency"
    assert result.counts()[terms.OVERDUE] == 1 and result.state_counts()[terms.NOT_STARTED] == 1


def test_board_reads_a_fixed_number_of_statements_whatever_the_number_of_agencies(store, world):
    with statements(store.engine) as few:
        desk.board(store, world.office, YEAR, TODAY, desk.DeadlineRules())
    for i in range(20):
        agency = store.create_agency(f"新增机关{i:02d}", "department", world.office.id)
        _fill(store, agency, 3 + i % 4)
    with statements(store.engine) as many:
        result = desk.board(store, world.office, YEAR, TODAY, desk.DeadlineRules())
    assert len(result.rows) == 24
    assert len(many) == len(few)


def test_approve_is_the_reviewers_and_refuses_errors_and_stale_versions(store, world):
    version = store.get_report_info(world.rid_awaiting).version
    coordinator = _who(store, COORD_TG)
    assert approval.approve(store, coordinator, world.rid_awaiting, expected_version=version).result == approval.NOT_ALLOWED
    reviewer = _who(store, REVIEWER_TG)
    assert approval.approve(store, reviewer, world.rid_awaiting, expected_version=version - 1).result == approval.STALE
    assert approval.approve(store, reviewer, world.rid_broken, expected_version=None).result == approval.NOT_ALLOWED
    out = approval.approve(store, reviewer, world.rid_awaiting, expected_version=version, comment=" 好 ", source="web")
    assert out.ok and out.info.status == "submitted" and out.info.version == version + 1
    events = store.audit_events(world.rid_awaiting)[-2:]
    assert [(e.key, e.old, e.new) for e in events] == [("status", "awaiting_approval", "submitted"), ("comment", None, "好")]
    again = approval.approve(store, reviewer, world.rid_awaiting, expected_version=version + 1)
    assert again.result == approval.ALREADY_SUBMITTED
    back = approval.return_report(store, reviewer, world.rid_awaiting, comment="请补充第五部分。")
    assert back.ok and store.get_report_info(world.rid_awaiting).status == "draft"
    assert approval.return_report(store, reviewer, world.rid_awaiting).result == approval.NOTHING_TO_RETURN


def test_approve_refuses_a_report_with_errors(store, world):
    reviewer = _who(store, REVIEWER_TG)
    officer = store.find_user(OFFICER_TG).id
    info = store.get_report_info(world.rid_awaiting)
    store.save_answers(info.id, user_id=officer, source="chat", values={"s3.carried_over.natural": 9})
    store.set_status(info.id, "awaiting_approval", user_id=officer)
    version = store.get_report_info(info.id).version
    out = approval.approve(store, reviewer, info.id, expected_version=version)
    assert out.result == approval.HAS_ERRORS and out.errors > 0
    assert store.get_report_info(info.id).status == "awaiting_approval"


def test_send_now_queues_one_row_per_officer_once(store, world):
    info = store.get_report_info(world.rid_broken)
    report, _ = store.load_report(info.id)
    args = dict(report=info, gaps=report_gaps(report), today=TODAY)
    first = desk_actions.send_now(store, world.broken, YEAR, dt.date(2025, 1, 31), request_id="req-00000001", **args)
    assert (first.queued, first.officers, first.muted) == (1, 1, 0)
    again = desk_actions.send_now(store, world.broken, YEAR, dt.date(2025, 1, 31), request_id="req-00000001", **args)
    assert (again.queued, again.already) == (0, 1)
    other = desk_actions.send_now(store, world.broken, YEAR, dt.date(2025, 1, 31), request_id="req-00000002", **args)
    assert other.queued == 1
    with session_scope(store.engine) as s:
        rows = list(s.execute(select(ReminderOutbox)).scalars())
    assert len(rows) == 2 and {r.subject for r in rows} == {f"report:{info.id}"}
    assert report_facts(store.engine, info.id)[0] == "draft"  # what the sweeper reads before sending
    with pytest.raises(ValueError):
        desk_actions.send_now(store, world.submitted, YEAR, dt.date(2025, 1, 31), request_id="req-00000003",
                              report=store.find_report(world.submitted.id, YEAR), gaps=None)
    with pytest.raises(ValueError):
        desk_actions.send_now(store, world.broken, YEAR, dt.date(2025, 1, 31), request_id="bad id!", **args)


def test_applications_per_agency_and_year(store, world):
    series = desk.applications(store, world.office.id, [YEAR - 1, YEAR])
    assert series["丁镇人民政府"] == {YEAR - 1: None, YEAR: None}
    # seed 3: new = 3 + column index over the six applicant columns
    assert series["甲县市场监督管理局"][YEAR] == sum(3 + i for i in range(6))
    assert series["甲县市场监督管理局"][YEAR - 1] == sum(2 + i for i in range(6))
    assert "别县卫生健康局" not in series
