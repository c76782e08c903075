"""The board with reports awaiting approval, the roll-up treating them like drafts, the agency-level
deadline set from the board's drill-down (and used by the reminders), and the admin attaching an
agency without an office."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from bot.kit.io import Actor
from bot.messages import coordination as T
from bot.settings import Settings
from report import deadlines as dl
from storage import coordination as co
from storage import reminders as repo

from .conftest import ADMIN, COORD, NOW, OFFICER, REVIEWER, YEAR, full_values
from .driver import Coordination, asks

pytestmark = pytest.mark.db

OTHER_COORD = Actor(5, "别的协调人", 5)


@pytest.fixture
def svc(store, migrated_db_url):
    settings = Settings(database_url=migrated_db_url, admins=[ADMIN.telegram_id], bot_username="TestBot")
    with time_machine.travel(NOW, tick=False):
        yield Coordination(store, settings)


@pytest.fixture
def world(store):
    office = store.create_office("某县政务公开办公室", needs_approval=True)
    other = store.create_office("别县政务公开办公室")
    a = store.create_agency("甲县市场监督管理局", "department", office.id)
    b = store.create_agency("乙县教育局", "department", office.id)

    def user(actor):
        return store.get_or_create_user(actor.telegram_id, actor.display_name).id

    store.add_membership(user(COORD), "coordinator", office_id=office.id)
    store.add_membership(user(OTHER_COORD), "coordinator", office_id=other.id)
    store.add_membership(user(OFFICER), "officer", agency_id=a.id)
    store.add_membership(user(REVIEWER), "reviewer", agency_id=a.id)
    for agency, seed in ((a, 3), (b, 5)):
        info = store.get_or_create_report(agency.id, YEAR)
        store.save_answers(info.id, user_id=None, source="chat", values=full_values(YEAR, seed),
                           narratives={p.key: "情况说明。" for p in store.load_report(info.id)[0].format.narrative_parts})
    rid_a = store.find_report(a.id, YEAR).id
    store.set_status(rid_a, "awaiting_approval", user_id=user(OFFICER))
    return office, other, a, b, rid_a


def texts(replies) -> str:
    return "\n".join(r.text for r in replies)


def buttons(replies) -> dict[str, str]:
    return {b.label: b.data for r in replies for row in r.buttons for b in row}


def agency_button(replies, name: str) -> str:
    [data] = [d for label, d in buttons(replies).items() if label.endswith(f". {name}")]
    return data


def test_board_shows_awaiting_approval_and_who_must_act(svc, world):
    office, _other, _a, _b, _rid = world
    text = texts(svc.board_command(COORD))
    assert "已提交 0 · 待审核 1 · 填报中 1 · 未开始 0" in text
    line_a = text[text.index("甲县市场监督管理局：") :]
    assert line_a.startswith("甲县市场监督管理局：待审核，6/6部分")
    assert T.BOARD_AWAITING.format(who="审核人") in line_a
    assert "乙县教育局：填报中" in text and text.count("等待审核人批准") == 1
    # the drill-down shows the status too
    drill = svc.callback(COORD, agency_button(svc.board_command(COORD), "甲县市场监督管理局"))
    assert "状态：待审核" in drill[0].text


def test_rollup_counts_an_awaiting_report_like_a_draft(svc, world, store):
    office, _other, _a, _b, rid_a = world
    before = texts(svc.callback(COORD, f"co:ru:{office.id}:{YEAR}")[:1])
    assert before.startswith(f"{office.name} {YEAR}年度汇总表：已计入2个机关")
    store.set_status(rid_a, "draft", user_id=None)
    assert texts(svc.callback(COORD, f"co:ru:{office.id}:{YEAR}")[:1]) == before


def test_agency_deadline_from_the_drill_down(svc, world, store):
    office, _other, a, b, _rid = world
    board = svc.board_command(COORD)
    drill = svc.callback(COORD, agency_button(board, "甲县市场监督管理局"))
    assert "截止日期：2025年1月31日（法定期限）" in texts(drill)
    prompt = svc.callback(COORD, buttons(drill)[T.BTN_AGENCY_DEADLINE])
    assert asks(prompt) and "当前截止日期为2025年1月31日（法定期限）" in prompt[0].text
    # validated like the office's deadline
    assert texts(svc.answer(COORD, "明天")).startswith(T.DEADLINE_BAD.format(text="明天"))
    assert "应在2025年内" in texts(svc.answer(COORD, "2024-12-20"))
    assert texts(svc.answer(COORD, "2025-02-29")).startswith(T.DEADLINE_BAD.format(text="2025-02-29"))
    assert co.deadline_overrides(store, YEAR, office_id=office.id) == (None, {})
    done = svc.answer(COORD, "2025年1月20日")
    assert texts(done) == T.AGENCY_DEADLINE_SET.format(agency=a.name, year=YEAR, date="2025年1月20日")
    assert co.deadline_overrides(store, YEAR, office_id=office.id) == (None, {a.id: dt.date(2025, 1, 20)})
    text = texts(svc.board_command(COORD))
    assert f"截止2025年1月20日{T.BOARD_OWN_DEADLINE}（" in text
    assert "乙县教育局：填报中，6/6部分\n   截止2025年1月31日（" in text  # the other agency keeps its own
    # an office deadline does not override the agency's own
    co.set_deadline_override(store, YEAR, dt.date(2025, 1, 25), office_id=office.id)
    text = texts(svc.board_command(COORD))
    assert "截止2025年1月20日" in text and "乙县教育局：填报中，6/6部分\n   截止2025年1月25日" in text
    # the reminders use the same deadline
    cfg = repo.PlanConfig()
    found = repo.deadline_for_agency(store.engine, a.name, YEAR, cfg)
    assert (found.deadline, found.source) == (dt.date(2025, 1, 20), "agency")
    # "默认" clears it: back to the office's
    assert asks(svc.callback(COORD, buttons(drill)[T.BTN_AGENCY_DEADLINE]))
    cleared = svc.answer(COORD, "默认")
    assert "现为2025年1月25日（办公室统一设定）" in texts(cleared)
    assert co.deadline_overrides(store, YEAR, office_id=office.id) == (dt.date(2025, 1, 25), {})


def test_agency_deadline_moves_the_reminder_schedule(svc, world, store):
    _office, _other, _a, b, _rid = world
    officer_b = store.get_or_create_user(6, "乙填报人")
    store.add_membership(officer_b.id, "officer", agency_id=b.id)
    when = dt.datetime(2025, 1, 13, 9, 31, tzinfo=dl.ScheduleParams().tz)  # Monday

    def kinds():
        return {r.kind for r in repo.items(store.engine) if r.recipient_user_id == officer_b.id}

    repo.plan(store.engine, when, repo.PlanConfig(), dl.WorkCalendar())
    legal = kinds()
    assert asks(svc.callback(COORD, f"co:ad:{b.id}:{YEAR}"))
    svc.answer(COORD, "2025-01-13")  # due today
    repo.plan(store.engine, when + dt.timedelta(minutes=5), repo.PlanConfig(), dl.WorkCalendar())
    assert kinds() - legal == {"due_day"}
    assert "due_day" not in legal


def test_only_the_agencys_coordinator_sets_its_deadline(svc, world, store):
    _office, _other, a, _b, _rid = world
    for actor in (OTHER_COORD, OFFICER, REVIEWER):
        assert texts(svc.callback(actor, f"co:ad:{a.id}:{YEAR}")) == T.NOT_ALLOWED
        svc.answer(actor, "2025-01-02")  # typed without having been asked: no deadline is set
    # the button is only on a coordinator's drill-down
    assert T.BTN_AGENCY_DEADLINE not in buttons(svc.callback(REVIEWER, f"co:d:{a.id}:{YEAR}"))
    assert co.deadline_overrides(store, YEAR, office_id=a.office_id) == (None, {})
    # an admin may
    prompt = svc.callback(ADMIN, f"co:ad:{a.id}:{YEAR}")
    assert asks(prompt)


def test_admin_attaches_an_agency_without_office(svc, world, store):
    office, other, _a, _b, _rid = world
    loose = store.create_agency("丁县司法局", "department")
    assert texts(svc.callback(COORD, "co:aa")) == T.NOT_ADMIN
    assert texts(svc.callback(COORD, f"co:aa3:{loose.id}:{other.id}")) == T.NOT_ADMIN
    menu = svc.admin(ADMIN)
    listing = svc.callback(ADMIN, buttons(menu)[T.ADMIN_ATTACH])
    assert buttons(listing) == {"丁县司法局": f"co:aa2:{loose.id}"}
    choose = svc.callback(ADMIN, buttons(listing)["丁县司法局"])
    assert set(buttons(choose)) == {office.name, other.name}
    done = svc.callback(ADMIN, buttons(choose)[other.name])
    assert texts(done) == T.ATTACHED.format(agency="丁县司法局", office=other.name)
    assert store.get_agency(loose.id).office_id == other.id
    assert texts(svc.callback(ADMIN, "co:aa")) == T.ATTACH_NONE
    # an agency already in an office is not moved by a replayed button
    assert texts(svc.callback(ADMIN, f"co:aa3:{loose.id}:{office.id}")) == T.ATTACH_ALREADY.format(agency="丁县司法局")
    assert store.get_agency(loose.id).office_id == other.id
    assert "丁县司法局" in texts(svc.callback(ADMIN, f"co:b:{other.id}:{YEAR}"))
