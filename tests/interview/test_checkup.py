"""The in-chat check-up of published reports (issue 8): check, import, carry-over, rights, restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import messages as M
from report import interchange, render
from report.model import Report
from report.parsing import parse_bytes
from storage.store import Store

from .helpers import Chat, make_service

pytestmark = pytest.mark.db

AGENCY = "某某市某某局"
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "2020-shuicheng-investment-promotion.txt"
BUSY = Path(__file__).resolve().parents[1] / "fixtures" / "2023-busy.json"
CARRY_IN = ("s3.carried_in.natural", "s3.carried_in.business", "s3.carried_in.research",
            "s3.carried_in.welfare", "s3.carried_in.legal", "s3.carried_in.other")


def sample_bytes() -> bytes:
    return SAMPLE.read_bytes()


def busy(year: int, **values) -> Report:
    """The busy fixture (every table non-zero) moved to ``year``, for this test's agency."""
    src = interchange.loads(BUSY.read_text(encoding="utf-8")).without_derived()
    rep = Report(format=src.format, year=year, agency=AGENCY, narratives=dict(src.narratives),
                 values=dict(src.values), units=dict(src.units))
    rep.values.update(values)
    return rep


def register(chat: Chat, name: str = AGENCY) -> int:
    chat.cmd("start")
    chat.send(name)
    chat.press("政府部门")
    assert M.registered(name) in chat.text
    store = chat.service.store
    return store.memberships(store.find_user(chat.actor.telegram_id).id)[0].agency_id


def stored(store: Store, agency_id: int, year: int):
    info = store.find_report(agency_id, year)
    if info is None:
        return None, None
    rep, version = store.load_report(info.id)
    return rep, version


def position(chat: Chat) -> dict:
    store = chat.service.store
    return store.get_position(store.find_user(chat.actor.telegram_id).id)


def test_sample_is_checked_imported_and_carried_into_next_year(store):
    data = sample_bytes()
    chat = Chat(make_service(store))
    agency_id = register(chat)
    chat.cmd("menu")
    chat.upload("水城区2020年报.txt", data)
    text = chat.text
    assert "年度：2020年度" in text
    assert "机关：六盘水市水城区招商投资促进服务中心" in text
    assert "（2019年版）" in text and "试行" in text
    assert "5.属于三类内部事务信息：应有 7 个数，只有 6 个" in text
    assert "1 个错误" in text
    # the file names another agency: the offer says so
    assert "与本机关不同" in text
    assert store.find_report(agency_id, 2020) is None  # nothing stored by the check-up itself

    chat.press(M.import_label(2020))
    assert "✅ 已导入为2020年度报告" in chat.text
    rep, _ = stored(store, agency_id, 2020)
    expected = parse_bytes(data, "x.txt").report.without_derived()
    assert rep.format.id == "2019"
    assert rep.agency == AGENCY
    assert rep.values == {k: v for k, v in expected.values.items() if v is not None}
    assert rep.narratives == expected.narratives
    lost = [k for k in rep.format.input_keys if k.startswith("s3.deny_5.")]
    assert lost and not any(k in rep.values for k in lost)  # the row that lost a cell: not answered
    events = store.audit_events(store.find_report(agency_id, 2020).id)
    assert events and {e.source for e in events} == {"import"}

    # 2021: the 上年结转 row offers 2020's 结转下年度继续办理
    chat.cmd("report")
    chat.send("2021")  # a fresh report: its first question
    chat.cmd("menu")
    chat.press("三、")
    chat.press("是")
    chat.send("1 0 0 0 0 0")
    assert M.offer_carry(2020, "0 0 0 0 0 0") in chat.text
    chat.press(M.BTN_CONFIRM)
    rep21, _ = stored(store, agency_id, 2021)
    assert [rep21.values[k] for k in CARRY_IN] == [0] * 6


@pytest.mark.parametrize("kind", ["txt", "html", "docx"])
def test_rendered_report_imports_and_its_carry_over_is_offered(store, kind):
    chat = Chat(make_service(store))
    agency_id = register(chat)
    last = busy(2022)
    chat.cmd("menu")
    chat.upload(f"2022年报.{kind}", render.render(last, kind))
    assert "年度：2022年度" in chat.text and f"机关：{AGENCY}" in chat.text and "（2021年版）" in chat.text
    assert M.CHECKUP_NO_PROBLEMS in chat.text
    assert "与本机关不同" not in chat.text
    chat.press(M.import_label(2022))
    assert "2023年度报告的“上年结转”一行会带出" in chat.text
    rep, _ = stored(store, agency_id, 2022)
    assert rep.values == last.values and rep.narratives == last.narratives

    chat.press("三、")
    chat.press("是")
    chat.send("1 0 0 0 0 0")
    assert M.offer_carry(2022, "2 2 2 1 4 2") in chat.text
    chat.press(M.BTN_CONFIRM)
    rep23, _ = stored(store, agency_id, 2023)
    assert [rep23.values[k] for k in CARRY_IN] == [2, 2, 2, 1, 4, 2]


def test_cross_year_problems_against_stored_reports(store):
    chat = Chat(make_service(store))
    agency_id = register(chat)
    chat.cmd("menu")
    chat.upload("2022.txt", render.render(busy(2022), "txt"))
    chat.press(M.import_label(2022))
    assert store.find_report(agency_id, 2022) is not None
    # year Y with a stored Y-1: this year's 上年结转 (4 3 5 1 3 2) vs 2022's 结转 (2 2 2 1 4 2)
    chat.upload("2023.txt", render.render(busy(2023), "txt"))
    assert "已与本机关已存的2022年度报告跨年度核对" in chat.text
    assert "2022年度报告“四、结转下年度继续办理”为2" in chat.text
    chat.press(M.BTN_NO_IMPORT)
    assert M.NOT_IMPORTED in chat.text
    # year Y with a stored Y+1: 2021's 结转 (2 2 2 1 4 2) vs the stored 2022's 上年结转 (4 3 5 1 3 2)
    chat.upload("2021.txt", render.render(busy(2021), "txt"))
    assert "已与本机关已存的2022年度报告跨年度核对" in chat.text
    assert "（与2022年度报告核对）" in chat.text
    # a year without neighbours: no cross-year line
    chat.press(M.BTN_NO_IMPORT)
    chat.upload("2019.txt", render.render(Report.new(AGENCY, 2019), "txt"))
    assert "跨年度核对" not in chat.text


def test_overwrite_needs_confirmation_and_no_import_changes_nothing(store):
    chat = Chat(make_service(store))
    agency_id = register(chat)
    chat.cmd("menu")
    chat.press("五、")
    chat.send("已有的问题和改进。")
    before, version = stored(store, agency_id, 2023)
    q = position(chat)["q"]
    # an .html on a narrative question is a published report, not the part's text
    chat.upload("2023.html", render.render(busy(2023), "html"))
    assert "【报告检查】2023.html" in chat.text
    chat.press(M.BTN_NO_IMPORT)
    assert M.NOT_IMPORTED in chat.text
    assert position(chat)["screen"] == "q" and position(chat)["q"] == q  # back where the user was
    assert stored(store, agency_id, 2023) == (before, version)

    chat.cmd("menu")
    chat.upload("2023.html", render.render(busy(2023), "html"))
    chat.press(M.import_label(2023))
    assert M.import_overwrite(2023) in chat.text
    assert stored(store, agency_id, 2023) == (before, version)
    chat.press(M.BTN_IMPORT_OVERWRITE)
    assert "✅ 已导入为2023年度报告" in chat.text
    rep, new_version = stored(store, agency_id, 2023)
    assert rep.values == busy(2023).values and rep.narratives == busy(2023).narratives
    assert new_version == version + 1
    # the hub now shows the imported report (the stored truth)
    assert "进度：已完成" in chat.text


def test_unreadable_file_keeps_the_user_on_the_same_question(store):
    chat = Chat(make_service(store))
    agency_id = register(chat)
    chat.cmd("menu")
    chat.press("二、")
    chat.press("否，逐项填写")  # past the all-zero gate of 二: a row question
    pos = position(chat)
    _, version = stored(store, agency_id, 2023)
    reports = store.reports_of_agency(agency_id)
    chat.upload("报告.html", b"<html><body><p>hello</p></body></html>")
    assert "❌ 无法检查这个文件：没有找到政府信息公开工作年度报告的表格" in chat.text
    assert "表：" in chat.text  # the same question is shown again
    assert position(chat) == pos
    assert store.reports_of_agency(agency_id) == reports
    assert stored(store, agency_id, 2023)[1] == version
    chat.upload("报告.txt", b"\x00\x01\x02" * 50)
    assert "文件不是文本" in chat.text and position(chat) == pos
    chat.send("2 0 15")
    assert "✅ 已保存" in chat.text


def test_check_command_then_file(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("check")
    assert "【检查全部】" in chat.text and M.CHECKUP_ASK_FILE in chat.text
    chat.upload("2022.txt", render.render(busy(2022), "txt"))
    assert "【报告检查】2022.txt" in chat.text and M.import_label(2022) in chat.buttons()
    # unreadable after /check: no hint about narrative parts
    chat.cmd("check")
    chat.upload("x.txt", "文字".encode())
    assert "无法检查这个文件" in chat.text and M.TEXT_FILE_OUTSIDE_NARRATIVE not in chat.text


def test_check_without_an_agency(store):
    chat = Chat(make_service(store, open_registration=False), telegram_id=77)
    chat.cmd("check")
    assert M.CHECKUP_ASK_FILE in chat.text
    chat.upload("2022.docx", render.render(busy(2022), "docx"))
    assert "【报告检查】2022.docx" in chat.text and "年度：2022年度" in chat.text
    assert not any("导入" in label for label in chat.buttons())
    assert store.find_agency(AGENCY) is None


def test_reviewer_cannot_import(store):
    officer = Chat(make_service(store))
    agency_id = register(officer)
    reviewer_user = store.get_or_create_user(99, "李四")
    store.add_membership(reviewer_user.id, "reviewer", agency_id=agency_id)
    reviewer = Chat(make_service(store), telegram_id=99, name="李四")
    reviewer.cmd("menu")
    reviewer.upload("2022.txt", render.render(busy(2022), "txt"))
    assert "年度：2022年度" in reviewer.text
    assert not any("导入" in label for label in reviewer.buttons())
    # a forged button with the reviewer's current token does nothing either
    tok = position(reviewer).get("tok", 0)
    reviewer.press_data(f"{tok}:imp")
    reviewer.press_data(f"{tok}:impok")
    assert store.find_report(agency_id, 2022) is None

    # an officer demoted to reviewer after the check-up cannot press the old button
    officer.cmd("menu")
    officer.upload("2022.txt", render.render(busy(2022), "txt"))
    data = officer.button_data(M.import_label(2022))
    officer_user = store.find_user(officer.actor.telegram_id)
    store.add_membership(officer_user.id, "reviewer", agency_id=agency_id)
    assert store.remove_membership(officer_user.id, "officer", agency_id=agency_id)
    officer.press_data(data)
    assert M.READONLY_ROLE in officer.text
    assert store.find_report(agency_id, 2022) is None


def test_restart_between_checkup_and_import_still_imports(store):
    chat = Chat(make_service(store))
    agency_id = register(chat)
    chat.cmd("menu")
    chat.upload("2022.docx", render.render(busy(2022), "docx"))
    data = chat.button_data(M.import_label(2022))
    assert position(chat)["screen"] == "checkup"

    restarted = Chat(make_service(store))  # a new service, same database and user
    restarted.press_data(data)
    assert "✅ 已导入为2022年度报告" in restarted.text
    rep, _ = stored(store, agency_id, 2022)
    assert rep is not None and rep.values == busy(2022).values
    assert {e.source for e in store.audit_events(store.find_report(agency_id, 2022).id)} == {"import"}
    # the button does not import twice (its token has expired)
    restarted.press_data(data)
    assert M.EXPIRED in restarted.text
