"""The desk in a real headless browser (Playwright driving the distribution's Chromium) against the
app served by uvicorn on a loopback port: sign in through a link made by the bot's code, the
board, a report with an identity error, the docx download, approving, reminding, inviting, the
office page — and the refusals, each leaving the database as it was."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from docx import Document
from openpyxl import load_workbook
from sqlalchemy import func, select

from storage import invitations as inv
from storage import web_login
from storage.db import session_scope
from storage.models import AuditEvent, ReminderOutbox, WebSession

from .conftest import (
    COORD_TG,
    IDENTITY_CELL,
    NOW,
    OFFICER_TG,
    REVIEWER_TG,
    YEAR,
    browser_sign_in,
    link_for,
)

pytestmark = [pytest.mark.db, pytest.mark.browser]


def _sessions(store) -> int:
    with session_scope(store.engine) as s:
        return s.execute(select(func.count(WebSession.id))).scalar()


def _outbox(store) -> list:
    with session_scope(store.engine) as s:
        return list(s.execute(select(ReminderOutbox)).scalars())


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


def test_coordinator_signs_in_and_reads_the_board(page, store, served, world):
    browser_sign_in(page, store, served, COORD_TG)
    assert page.get_by_text("当前用户：王协调").is_visible()
    page.get_by_role("link", name="填报进度").click()
    rows = page.locator("table.board tbody tr")
    assert rows.count() == 4  # the other office's agency is not there
    status = {rows.nth(i).get_attribute("data-agency"): rows.nth(i).locator(".badge").inner_text()
              for i in range(4)}
    assert status == {"甲县市场监督管理局": "待审核", "乙县教育局": "填报中", "丙县财政局": "已提交", "丁镇人民政府": "逾期"}
    overdue = page.locator("tr.overdue")
    assert overdue.count() == 1 and overdue.get_attribute("data-agency") == "丁镇人民政府"
    assert page.locator(".count.st-overdue .n").inner_text() == "1"
    # the awaiting row names who must act; the broken one counts its errors
    assert "等待审核人：张审核" in page.locator('tr[data-agency="甲县市场监督管理局"]').inner_text()
    assert page.locator('tr[data-agency="乙县教育局"] td[data-label="错误"]').inner_text() != "0"
    # sort by errors, most first; then filter to the overdue
    page.get_by_role("link", name="错误").click()
    page.get_by_role("link", name="错误 ▲").click()
    assert page.locator("table.board tbody tr").first.get_attribute("data-agency") == "乙县教育局"
    page.get_by_label("状态").select_option("overdue")
    page.get_by_role("button", name="筛选").click()
    assert page.locator("table.board tbody tr").count() == 1
    # readable on a phone: no page-level sideways scroll at 390 px
    page.set_viewport_size({"width": 390, "height": 844})
    _no_sideways_scroll(page)


def test_report_with_identity_error_highlights_the_cell_and_downloads_its_docx(page, store, served, world):
    browser_sign_in(page, store, served, COORD_TG)
    page.goto(f"{served.base}/office/{world.office.id}/board?year={YEAR}")
    page.get_by_role("link", name="乙县教育局").click()
    cell = page.locator(f'td[data-key="{IDENTITY_CELL}"]')
    assert "problem" in cell.get_attribute("class") and "error" in cell.get_attribute("class")
    assert cell.locator(".v").inner_text() == "7"
    message = cell.get_attribute("title")
    assert "三、收到和处理政府信息公开申请情况" in message
    problems = page.locator(".problems li.error")
    assert any(message.startswith(problems.nth(i).inner_text().split(" ", 1)[1][:20]) for i in range(problems.count()))
    # a table as the format prints it: merged header cells, caption and scopes
    table = cell.locator("xpath=ancestor::table")
    assert table.locator("caption").inner_text().startswith("三、")
    assert table.locator("thead th[colspan]").count() > 0
    page.set_viewport_size({"width": 390, "height": 844})
    _no_sideways_scroll(page)
    with page.expect_download() as info:
        page.get_by_role("link", name="Word 文档（.docx）").click()
    download = info.value
    assert download.suggested_filename == "2024年乙县教育局政府信息公开工作年度报告.docx"
    doc = Document(io.BytesIO(open(download.path(), "rb").read()))
    rows = [[c.text for c in row.cells] for t in doc.tables for row in t.rows]
    carried_over = next(r for r in rows if "四、结转下年度继续办理" in r[0])
    assert carried_over[3:] == ["7", "1", "1", "1", "1", "1", "12"]


def test_reviewer_approves_with_a_comment(page, store, served, world):
    browser_sign_in(page, store, served, REVIEWER_TG)
    page.get_by_role("link", name=f"{YEAR}年度报告").click()
    assert "待审核" in page.locator(".state").inner_text()
    # last year's figures beside this year's
    assert page.locator("td .prev").count() > 0
    page.get_by_label("审核意见（可选）").fill("数字已核对。")
    page.get_by_role("button", name="批准提交").click()
    assert page.get_by_text("已批准，报告状态为：已提交。").is_visible()
    assert "已提交" in page.locator(".state").inner_text()
    assert store.get_report_info(world.rid_awaiting).status == "submitted"
    events = store.audit_events(world.rid_awaiting)
    assert [(e.key, e.new, e.source) for e in events[-2:]] == [("status", "submitted", "web"),
                                                              ("comment", "数字已核对。", "web")]
    assert page.locator(".history-table tbody tr").first.inner_text().count("网页") == 1


def test_coordinator_sends_a_reminder_once_and_creates_an_invitation(page, store, served, world):
    browser_sign_in(page, store, served, COORD_TG)
    page.goto(f"{served.base}/office/{world.office.id}/board?year={YEAR}")
    assert page.locator('tr[data-agency="丙县财政局"] button').count() == 0  # submitted: nothing to remind
    page.get_by_role("button", name="立即提醒：乙县教育局").click()
    assert page.get_by_text("1位填报人将在工作时间内收到").is_visible()
    [row] = _outbox(store)
    assert row.kind.startswith("manual:") and row.report_id == world.rid_broken and row.status == "pending"
    # the same form sent again (a double click, a reload) queues nothing more
    page.go_back()
    page.wait_for_load_state()
    request_id = row.kind.removeprefix("manual:")
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value")
    again = page.request.post(f"{served.base}/agency/{world.broken.id}/{YEAR}/remind",
                              form={"csrf": csrf, "request_id": request_id})
    assert again.ok and "未重复发送" in again.text()
    assert len(_outbox(store)) == 1
    # an invitation link for an officer of 丁
    page.goto(f"{served.base}/office/{world.office.id}/board?year={YEAR}")
    page.get_by_label("邀请对象").select_option(label="丁镇人民政府")
    page.get_by_label("角色").select_option(label="填报人")
    page.get_by_role("button", name="生成链接").click()
    link = page.locator("input.link-box").input_value()
    assert link.startswith("https://t.me/TestDeskBot?start=")
    checked = inv.check(store, link.split("start=")[1], now=NOW)
    assert checked.ok and checked.info.agency_id == world.empty.id and checked.info.role == "officer"


def test_office_page_chart_rollup_and_xlsx(page, store, served, world):
    browser_sign_in(page, store, served, COORD_TG)
    page.get_by_role("link", name="汇总与图表").click()
    assert page.locator("svg.chart").count() == 2
    data = page.locator("table.data").first
    assert data.locator("caption").inner_text().startswith("图表数据")
    assert "甲县市场监督管理局" in data.inner_text()
    assert page.locator("table.rollup").count() >= 3
    with page.expect_download() as info:
        page.get_by_role("link", name="下载汇总表（Excel）").click()
    wb = load_workbook(io.BytesIO(open(info.value.path(), "rb").read()))
    assert wb.active["A1"].value == f"某县政务公开办公室{YEAR}年度政府信息公开工作年度报告汇总表"
    page.set_viewport_size({"width": 390, "height": 844})
    _no_sideways_scroll(page)


# -- refusals: nothing changes -------------------------------------------------------------------------
def test_expired_and_reused_links_are_refused(page, store, served, world):
    expired = link_for(store, served, COORD_TG, now=NOW - dt.timedelta(hours=1))
    page.goto(expired)
    assert page.get_by_text("登录链接已过期").is_visible()
    assert page.get_by_role("button", name="登录").count() == 0
    assert _sessions(store) == 0
    link = link_for(store, served, COORD_TG)
    page.goto(link)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(served.base + "/")
    assert _sessions(store) == 1
    page.context.clear_cookies()
    response = page.goto(link)
    assert response.status == 410 and page.get_by_text("登录链接已被使用").is_visible()
    assert _sessions(store) == 1


def test_a_link_for_another_user_does_not_switch_the_signed_in_browser(page, store, served, world):
    browser_sign_in(page, store, served, COORD_TG)
    officers = link_for(store, served, OFFICER_TG)
    response = page.goto(officers)
    assert response.status == 409 and page.get_by_text("已以另一位用户的身份登录").is_visible()
    token = officers.rsplit("/", 1)[1]
    assert web_login.link_user(store, token, NOW) == (store.find_user(OFFICER_TG).id, None)  # not spent
    page.goto(served.base + "/")
    assert page.get_by_text("当前用户：王协调").is_visible()
    assert _sessions(store) == 1


def test_forged_or_modified_cookie_is_refused(page, store, served, world):
    board = f"{served.base}/office/{world.office.id}/board?year={YEAR}"
    page.context.add_cookies([{"name": "desk_session", "value": "A" * 43 + "." + "0" * 64, "url": served.base}])
    response = page.goto(board)
    assert response.status == 401 and page.get_by_text("尚未登录").is_visible()
    browser_sign_in(page, store, served, COORD_TG)
    [cookie] = [c for c in page.context.cookies() if c["name"] == "desk_session"]
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax"
    token, mac = cookie["value"].split(".")
    changed = ("B" if token[0] != "B" else "C") + token[1:]
    page.context.add_cookies([{**cookie, "value": f"{changed}.{mac}"}])
    response = page.goto(board)
    assert response.status == 401
    assert _sessions(store) == 1


def test_a_form_without_its_csrf_token_changes_nothing(page, store, served, world):
    browser_sign_in(page, store, served, REVIEWER_TG)
    version = store.get_report_info(world.rid_awaiting).version
    events = len(store.audit_events(world.rid_awaiting))
    for form in ({"version": str(version)}, {"version": str(version), "csrf": "0" * 64}):
        response = page.request.post(f"{served.base}/report/{world.rid_awaiting}/approve", form=form)
        assert response.status == 403 and "表单已过期或无效" in response.text()
    info = store.get_report_info(world.rid_awaiting)
    assert (info.status, info.version) == ("awaiting_approval", version)
    assert len(store.audit_events(world.rid_awaiting)) == events
    response = page.request.post(f"{served.base}/agency/{world.broken.id}/{YEAR}/remind",
                                 form={"request_id": "abcdefgh1234"})
    assert response.status == 403 and _outbox(store) == []


def test_an_officer_cannot_open_another_agencys_report_or_the_board(page, store, served, world):
    browser_sign_in(page, store, served, OFFICER_TG)
    own = page.goto(f"{served.base}/agency/{world.broken.id}/{YEAR}")
    assert own.status == 200
    for path in (f"/agency/{world.foreign.id}/{YEAR}", f"/agency/{world.foreign.id}/{YEAR}/file.docx",
                 f"/agency/{world.submitted.id}/{YEAR}", f"/office/{world.office.id}/board",
                 f"/office/{world.office.id}", f"/office/{world.office.id}/rollup-{YEAR}.xlsx"):
        response = page.goto(served.base + path) if not path.endswith((".docx", ".xlsx")) else None
        if response is None:
            response = page.request.get(served.base + path)
        assert response.status == 403, path
    # nor act on them: an officer is no reviewer
    page.goto(f"{served.base}/agency/{world.broken.id}/{YEAR}")
    csrf = page.locator('input[name="csrf"]').first.get_attribute("value")
    version = store.get_report_info(world.rid_awaiting).version
    response = page.request.post(f"{served.base}/report/{world.rid_awaiting}/approve",
                                 form={"csrf": csrf, "version": str(version)})
    assert response.status == 403
    assert store.get_report_info(world.rid_awaiting).status == "awaiting_approval"
    with session_scope(store.engine) as s:
        assert s.execute(select(func.count(AuditEvent.id)).where(AuditEvent.source == "web")).scalar() == 0
