"""The approval lifecycle when the office wants a reviewer's 批准提交: the officer's 提交 →
awaiting_approval (read-only, the reviewers' requests queued once) → 批准提交 → submitted, or
退回修改 / 撤回提交 → draft."""

from __future__ import annotations

import pytest

from bot import messages as M
from bot.kit.io import Actor, Callback
from bot.messages import coordination as T
from storage import reminders as rem

from .helpers import Chat, make_service
from .test_flow import current_report, fill_zero_report

pytestmark = pytest.mark.db

REVIEWER = Actor(2, "审核人甲", 2)
REVIEWER2 = Actor(3, "审核人乙", 3)


@pytest.fixture
def setup(store):
    service = make_service(store)
    office = store.create_office("某某市政务公开办", needs_approval=True)
    agency = store.create_agency("某某市某某局", "department", office_id=office.id)
    officer = Chat(service, 1, "填报人")
    store.add_membership(store.get_or_create_user(1, "填报人").id, "officer", agency_id=agency.id)
    for actor in (REVIEWER, REVIEWER2):
        store.add_membership(store.get_or_create_user(actor.telegram_id, actor.display_name).id, "reviewer",
                             agency_id=agency.id)
    coord = Presser(service)
    fill_zero_report(officer)
    return store, officer, coord, agency


class Presser:
    """Presses a button (its callback data) as someone, in the same conversation as the officer."""

    def __init__(self, service):
        self.service = service

    def callback(self, actor, data: str):
        return self.service.handle(actor, Callback(data), next(Chat._ids))


def approval_rows(store):
    return [r for r in rem.items(store.engine) if rem.is_approval_kind(r.kind)]


def submit(officer):
    officer.cmd("menu")
    officer.press(M.BTN_SUBMIT)


def test_submit_awaits_approval_read_only_and_asks_every_reviewer_once(setup):
    store, officer, _coord, agency = setup
    submit(officer)
    assert M.AWAITING_APPROVAL in officer.text
    _rep, version, info = current_report(store, officer)
    assert info.status == "awaiting_approval"
    # the hub says who must act; 提交 is gone, 撤回提交 is offered
    assert "状态：待审核（只读）" in officer.text and "等待审核人批准：审核人甲、审核人乙" in officer.text
    assert M.BTN_SUBMIT not in officer.buttons() and M.BTN_WITHDRAW in officer.buttons()
    # every reviewer gets one request, with the agency and the report year for the 查看并审核 button
    rows = approval_rows(store)
    assert sorted(r.chat_id for r in rows) == [REVIEWER.telegram_id, REVIEWER2.telegram_id]
    assert {(r.kind, r.subject, r.report_id) for r in rows} == {
        (f"approval_request_v{version}", f"report:{info.id}", info.id)}
    assert rows[0].payload == {"type": "approval", "year": 2023, "agency": agency.name, "agency_id": agency.id,
                               "by": "填报人"}
    # read-only: a section opens its check screen, an edit is refused, nothing changes
    officer.press("三、收到和处理政府信息公开申请情况")
    assert "修改" not in " ".join(officer.buttons())
    tok = officer.button_data("主页").split(":")[0]
    officer.press_data(f"{tok}:e:r:s3:new")
    assert M.REPORT_AWAITING_READONLY in officer.text
    # 提交 pressed again (a crafted or old button): refused, no second request
    officer.cmd("menu")
    tok = officer.button_data(M.BTN_EXPORT).split(":")[0]
    officer.press_data(f"{tok}:sub")
    assert M.ALREADY_AWAITING in officer.text
    assert rem.request_approval(store.engine, info.id, rem.items(store.engine)[0].due_at) == 0
    assert len(approval_rows(store)) == 2
    assert current_report(store, officer)[1:] == (version, store.get_report_info(info.id))


def test_reviewer_approves_and_the_report_is_submitted(setup):
    store, officer, coord, agency = setup
    submit(officer)
    _rep, _version, info = current_report(store, officer)
    # the button of the request opens the reviewer's screen for that report's year
    screen = coord.callback(REVIEWER, f"co:r:{agency.id}:{info.year}")
    labels = {b.label: b.data for r in screen for row in r.buttons for b in row}
    assert "状态：待审核" in screen[0].text and T.BTN_APPROVE in labels and T.BTN_RETURN in labels
    # nobody else approves (rights re-checked on the server)
    assert coord.callback(officer.actor, labels[T.BTN_APPROVE])[0].text == T.NOT_ALLOWED
    assert coord.callback(officer.actor, f"co:r:{agency.id}:{info.year}")[0].text == T.NOT_ALLOWED
    done = coord.callback(REVIEWER, labels[T.BTN_APPROVE])
    assert done[0].text == T.APPROVED.format(agency=agency.name, year=info.year)
    assert store.get_report_info(info.id).status == "submitted"
    officer.cmd("menu")
    assert "状态：已提交（只读）" in officer.text
    assert M.BTN_WITHDRAW not in officer.buttons() and M.BTN_REOPEN not in officer.buttons()
    statuses = [(e.old, e.new) for e in store.audit_events(info.id) if e.key == "status"]
    assert statuses == [("draft", "awaiting_approval"), ("awaiting_approval", "submitted")]


def test_reviewer_returns_it_and_a_new_submission_asks_again(setup):
    store, officer, coord, agency = setup
    submit(officer)
    _rep, v1, info = current_report(store, officer)
    back = coord.callback(REVIEWER, f"co:rt:{info.id}")
    assert back[0].text == T.RETURNED.format(agency=agency.name, year=info.year)
    assert store.get_report_info(info.id).status == "draft"
    officer.cmd("menu")
    assert "状态：填报中" in officer.text and M.BTN_SUBMIT in officer.buttons()
    # writable again: an edit opens its question
    officer.press("三、收到和处理政府信息公开申请情况")
    assert any(label.startswith("修改") for label in officer.buttons())
    submit(officer)
    _rep, v2, info = current_report(store, officer)
    assert info.status == "awaiting_approval" and v2 > v1
    kinds = sorted({r.kind for r in approval_rows(store)})
    assert kinds == sorted({f"approval_request_v{v1}", f"approval_request_v{v2}"})
    assert len(approval_rows(store)) == 4


def test_officer_withdraws_and_can_edit_again(setup):
    store, officer, coord, agency = setup
    submit(officer)
    _rep, _v, info = current_report(store, officer)
    officer.press(M.BTN_WITHDRAW)
    assert M.WITHDRAWN in officer.text
    assert store.get_report_info(info.id).status == "draft"
    assert M.BTN_SUBMIT in officer.buttons() and M.BTN_WITHDRAW not in officer.buttons()
    # the reviewer has nothing to approve any more
    screen = coord.callback(REVIEWER, f"co:r:{agency.id}:{info.year}")
    assert T.BTN_APPROVE not in {b.label for r in screen for row in r.buttons for b in row}
    v = store.get_report_info(info.id).version
    assert coord.callback(REVIEWER, f"co:ok:{info.id}:{v}")[0].text == T.APPROVE_NOT_AWAITING
    # a second 撤回提交 (old button replayed) changes nothing
    tok = officer.button_data(M.BTN_EXPORT).split(":")[0]
    officer.press_data(f"{tok}:wd")
    assert M.NOT_AWAITING in officer.text and store.get_report_info(info.id).version == v


def test_a_reviewer_cannot_withdraw_or_submit(setup):
    store, officer, _coord, agency = setup
    submit(officer)
    reviewer = Chat(officer.service, REVIEWER.telegram_id, REVIEWER.display_name)
    reviewer.cmd("menu")
    assert "状态：待审核" in reviewer.text and M.BTN_WITHDRAW not in reviewer.buttons()
    tok = reviewer.button_data(M.BTN_EXPORT).split(":")[0]
    reviewer.press_data(f"{tok}:wd")
    assert M.READONLY_ROLE in reviewer.text
    assert current_report(store, officer)[2].status == "awaiting_approval"
