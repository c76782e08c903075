"""QA findings: the Excel import names blank cells and problems, /export says when the report is
unfinished, /report offers the current year in November and December."""

from __future__ import annotations

import datetime as dt

import pytest

from bot import messages as M
from bot.conversation import build_conversation
from report import excel_template
from report.validation import unfinished

from .helpers import Chat, make_service, make_settings
from .test_flow import current_report, register

pytestmark = pytest.mark.db


def _agency_id(store, chat: Chat) -> int:
    user = store.find_user(chat.actor.telegram_id)
    return store.memberships(user.id)[0].agency_id


def test_excel_import_with_blank_cells_counts_them_and_lists_the_problems(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("一、总体情况")
    chat.send("主动公开情况。")
    chat.send("本年共收到申请5件。")  # the tables will say 3: a warning
    rep, _, _ = current_report(store, chat)
    for key in rep.format.input_keys:
        rep.values[key] = 0
    rep.values["s3.new.natural"] = rep.values["s3.open.natural"] = 3
    blank = [k for k in rep.section_input_keys("四")][:3]
    for key in blank:
        del rep.values[key]
    chat.upload("模板.xlsx", excel_template.make_template(rep))
    text = chat.text
    assert "✅ 已从 Excel 模板导入整份报告。" in text
    assert "有 3 个单元格是空白的，视为未填写" in text and "四、" in text and "尚未完成" in text
    assert "1 条提示" in text and "写“收到申请5件”" in text
    stored, _, _ = current_report(store, chat)
    assert all(k not in stored.values for k in blank)


def test_excel_import_of_a_complete_clean_table_says_nothing_is_missing(store):
    chat = Chat(make_service(store))
    register(chat)
    rep, _, _ = current_report(store, chat)
    for key in rep.format.input_keys:
        rep.values[key] = 0
    chat.upload("模板.xlsx", excel_template.make_template(rep))
    assert "✅ 已从 Excel 模板导入整份报告。" in chat.text
    assert "空白" not in chat.text and "检查发现" not in chat.text


def test_export_of_an_unfinished_report_says_how_much_is_missing(store):
    pytest.importorskip("report.render")

    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("export")
    chat.press("Word")
    (reply,) = chat.replies
    assert reply.document is not None  # still sent, as a draft that says so
    rep, _, _ = current_report(store, chat)
    missing = unfinished(rep)
    assert "这是草稿" in reply.text and f"还有 {len(missing)} 部分未填写" in reply.text
    assert missing[0] in reply.text and reply.text != M.EXPORT_DONE


def test_export_of_a_complete_report_with_errors_says_so(store):
    pytest.importorskip("report.render")

    chat = Chat(make_service(store))
    register(chat)
    user = store.find_user(chat.actor.telegram_id)
    agency_id = _agency_id(store, chat)
    last = store.get_or_create_report(agency_id, 2022)
    store.save_answers(last.id, user_id=user.id, source="chat", values={"s3.carried_over.natural": 2})
    rep, version, info = current_report(store, chat)
    store.save_answers(
        info.id, user_id=user.id, source="chat",
        values={k: 0 for k in rep.format.input_keys},  # 上年结转 0, but 2022 carried 2 over: an error
        narratives={p.key: "情况说明。" for p in rep.format.narrative_parts},
    )
    chat.cmd("export")
    chat.press("Word")
    chat.press(M.BTN_SIGN_TODAY)  # the 成文日期 of the final file
    (reply,) = chat.replies
    assert reply.document is not None
    assert "报告有 1 个错误" in reply.text and "未填写" not in reply.text


def test_export_of_a_finished_report_just_says_exported(store):
    pytest.importorskip("report.render")

    chat = Chat(make_service(store))
    register(chat)
    user = store.find_user(chat.actor.telegram_id)
    rep, _, info = current_report(store, chat)
    store.save_answers(
        info.id, user_id=user.id, source="chat",
        values={k: 0 for k in rep.format.input_keys},
        narratives={p.key: "情况说明。" for p in rep.format.narrative_parts},
    )
    chat.cmd("export")
    chat.press("Word")
    assert "成文日期" in chat.text
    chat.press(M.BTN_SIGN_TODAY)
    assert chat.replies[0].text == M.EXPORT_DONE


@pytest.mark.parametrize(
    ("today", "years"),
    [
        (dt.date(2026, 11, 27), ["2026年度", "2025年度", "2024年度"]),
        (dt.date(2026, 12, 31), ["2026年度", "2025年度", "2024年度"]),
        (dt.date(2026, 10, 31), ["2025年度", "2024年度"]),
        (dt.date(2026, 1, 10), ["2025年度", "2024年度"]),
    ],
)
def test_report_year_choice_offers_the_current_year_in_november_and_december(store, today, years):
    chat = Chat(build_conversation(store, make_settings(), clock=lambda: today))
    chat.cmd("start")
    chat.send("某某市某某局")
    chat.press("政府部门")
    chat.cmd("report")
    assert M.ask_year(today.year - 1) in chat.text  # the default stays last calendar year
    assert [lab for lab in chat.buttons() if lab.endswith("年度")] == years
    if today.month >= 11:
        chat.press(f"{today.year}年度")
        assert f"{today.year}年度" in chat.text
        rep, _, _ = current_report(store, chat, today.year)
        assert rep.year == today.year
