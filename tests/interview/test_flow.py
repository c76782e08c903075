"""The interview end to end through InterviewService and a real Store (no Telegram)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bot import messages as M
from bot.kit.io import Callback, Command, Text
from storage.store import Store

from .helpers import Chat, make_service

pytestmark = pytest.mark.db


def register(chat: Chat, name: str = "某某市某某局") -> None:
    chat.cmd("start")
    assert M.REG_ASK_NAME in chat.text
    chat.send(name)
    chat.press("政府部门")
    assert M.registered(name) in chat.text


def current_report(store: Store, chat: Chat, year: int = 2023):
    user = store.find_user(chat.actor.telegram_id)
    agency_id = store.memberships(user.id)[0].agency_id
    info = store.find_report(agency_id, year)
    rep, version = store.load_report(info.id)
    return rep, version, store.get_report_info(info.id)


def fill_narratives_one(chat: Chat) -> None:
    """One message per part: each saved part stays open for more text until 下一题."""
    parts = ("主动公开情况。", "依申请公开情况。", "政府信息管理情况。", "平台建设情况。", "监督保障情况。")
    labels = ("（一）主动公开", "（二）依申请公开", "（三）政府信息管理", "（四）平台建设", "（五）监督保障")
    for i, text in enumerate(parts):
        chat.send(text)
        assert chat.text.startswith(f"✅ 已保存{labels[i]}，共 {len(text)} 字。"), chat.text
        chat.press(M.BTN_NEXT)
        if i + 1 < len(labels):
            assert f"请填写“一、总体情况{labels[i + 1]}”" in chat.text, chat.text


def fill_zero_report(chat: Chat) -> None:
    """The shared sample's shape: every figure 0, 二 through its all-zero gate, 三 and 四 through
    theirs; each completed section leads straight to the next one."""
    chat.cmd("menu")
    chat.press("一、总体情况")
    fill_narratives_one(chat)
    assert "✅ 一、总体情况：已完成（5 部分" in chat.text
    assert "是否都为 0" in chat.text
    chat.press(M.BTN_ALL_ZERO)
    assert M.SECTION_GATES["三"] in chat.text
    chat.press("否")
    assert M.SECTION_GATES["四"] in chat.text
    chat.press("否")
    assert "“五、存在的主要问题及改进情况”" in chat.text
    chat.send("存在的问题是……改进措施是……")
    chat.press(M.BTN_NEXT)
    assert "六、其他需要报告的事项" in chat.text and "“信息处理费”" in chat.text
    chat.press(M.BTN_NO_FEES)
    chat.press("采用草稿")
    assert "【检查全部】" in chat.text


def test_short_report_from_start_to_submission(store):
    chat = Chat(make_service(store))
    register(chat)
    fill_zero_report(chat)
    rep, _, info = current_report(store, chat)
    assert info.status == "draft"
    assert all(rep.values[k] == 0 for k in rep.format.input_keys)
    assert rep.narratives["n6"] == "本年度未收取信息处理费。无其他需要报告的事项。"  # the fees, nothing else
    assert rep.narratives["n5"] == "存在的问题是……改进措施是……"
    chat.press("提交")
    assert M.SUBMITTED in chat.text
    assert "已完成 6/6" in chat.text
    rep, _, info = current_report(store, chat)
    assert info.status == "submitted"
    # Read-only now: answers are refused, nothing changes.
    chat.press("五、")
    assert "修改" not in "".join(chat.buttons())
    chat.send("再加一句")
    assert M.USE_BUTTONS in chat.text
    chat.cmd("menu")
    chat.press("重新打开")
    assert M.REOPENED in chat.text
    assert current_report(store, chat)[2].status == "draft"


def test_busy_report_identity_error_corrected_through_edit(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("二、")
    assert "是否都为 0" in chat.text
    for answer in ("2 0 15", "１、０，３", "120", "35", "4", "12.5"):  # figures typed on the gate: row 1
        chat.send(answer)
    assert "✅ 二、主动公开政府信息情况：已完成（10 个数字，其中 8 个不为 0）" in chat.text  # on to 三
    chat.press("是")
    chat.send("3 1 0 1 0 0")  # 一: total 5
    assert "总计 5" in chat.text
    chat.send("1 0 0 0 0 0")  # 二
    chat.send("2 1 0 0 0 0")  # （一）
    chat.send("0 0 0 1 0 0")  # （二）
    chat.press("有")  # （三）不予公开
    chat.send("1 0 0 0 0 0")
    for _ in range(7):
        chat.send("0 0 0 0 0 0")
    chat.press("无")  # （四）
    chat.press("无")  # （五）
    chat.press("无")  # （六）
    chat.send("2 0 0 0 0 0")  # 四、结转 — natural column: 3+1 != 3+2
    text = chat.text
    assert "【核对】三、收到和处理政府信息公开申请情况" in text
    assert "自然人列：一+二=4，但（七）总计+四=5" in text
    chat.press("修改：四、结转下年度继续办理")
    assert "“四、结转下年度继续办理”" in chat.text
    chat.send("1 0 0 0 0 0")
    assert "【核对】三、" in chat.text  # back on the check screen after the answer
    assert "一+二" not in chat.text
    assert M.CHECK_OK in chat.text
    chat.press("下一部分")  # the check screen shown for the errors goes on to 四
    chat.press("是")
    chat.send("1 0 0 1")
    assert "总计 2" in chat.text
    chat.send("0 1 0 0")
    chat.send("0 0 0 0")
    rep, _, _ = current_report(store, chat)
    eff = rep.effective()
    assert eff["s3.new.total"] == 5
    assert eff["s3.total.natural"] == 3
    assert rep.values["s2.i8.fees.fees"] == Decimal("12.5")
    assert rep.values["s2.i1.normative.issued"] == 1
    assert eff["s4.review.total"] == 2
    # The draft for 一（二） is generated from the figures.
    chat.cmd("menu")
    chat.press("一、")
    chat.send("主动公开")  # saved, open for more text until 下一题
    chat.press("下一题")  # on to （二） with its draft
    assert "本年度共收到政府信息公开申请5件，上年结转1件。" in chat.text
    assert "予以公开3件" in chat.text and "结转下年度继续办理1件" in chat.text
    chat.press("采用草稿")  # one press: saved, and on to （三）
    assert current_report(store, chat)[0].narratives["n1.request"].startswith("本年度共收到政府信息公开申请5件")
    assert "（三）政府信息管理”" in chat.text


def test_submit_blocked_by_errors_and_warnings_need_confirmation(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("提交")
    assert "还不能提交" in chat.text
    assert current_report(store, chat)[2].status == "draft"
    fill_zero_report(chat)
    # Empty a required part of 一 (a warning, not an error).
    rep, version, info = current_report(store, chat)
    store.save_answers(info.id, user_id=None, source="chat", narratives={"n1.management": None})
    chat.cmd("menu")
    chat.press("提交")
    assert "仍然提交" in chat.buttons()
    assert "（三）政府信息管理：尚未填写" in chat.text
    assert current_report(store, chat)[2].status == "draft"
    chat.press("仍然提交")
    assert current_report(store, chat)[2].status == "submitted"


def test_narrative_in_several_messages_append_replace(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("五、")
    chat.send("第一段。")
    assert chat.text.startswith("✅ 已保存五、存在的主要问题及改进情况，共 4 字。")
    chat.send("第二段。")  # the part is still open: added to it
    assert chat.text.startswith("✅ 已接在五、存在的主要问题及改进情况后面（本条 4 字，现共 9 字）。")
    chat.press(M.BTN_NEXT)
    assert "✅ 五、存在的主要问题及改进情况：已完成（共 9 字）" in chat.text
    assert "【六、其他需要报告的事项】" in chat.text  # moved on to the next section
    # a part with text, answered again: 追加 / 替换
    chat.cmd("menu")
    chat.press("五、")
    assert "【核对】五、" in chat.text
    chat.press("修改：存在的主要问题及改进情况")
    chat.send("第三段。")
    assert M.ask_append_replace(4) in chat.text
    chat.send("第四段。")  # still pending: accumulated
    chat.press("追加")
    assert current_report(store, chat)[0].narratives["n5"] == "第一段。\n第二段。\n第三段。\n第四段。"
    assert "【核对】五、" in chat.text  # an edit returns to the check screen
    chat.press("修改：存在的主要问题及改进情况")
    chat.send("全新内容。")
    chat.press("替换")
    assert current_report(store, chat)[0].narratives["n5"] == "全新内容。"
    chat.press("修改：存在的主要问题及改进情况")
    chat.send("不要的。")
    chat.press("放弃新文字")
    assert current_report(store, chat)[0].narratives["n5"] == "全新内容。"


def test_text_files_fill_a_part_and_other_files_are_refused(store):
    import io

    import docx

    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("五、")
    chat.upload("问题.txt", "存在的问题：人员不足。".encode("gb18030"))
    assert current_report(store, chat)[0].narratives["n5"] == "存在的问题：人员不足。"
    chat.cmd("menu")
    chat.press("五、")
    chat.press("修改：存在的主要问题及改进情况")
    d = docx.Document()
    d.add_paragraph("第一段文字。")
    d.add_paragraph("")
    d.add_paragraph("第二段文字。")
    buf = io.BytesIO()
    d.save(buf)
    chat.upload("问题.docx", buf.getvalue())
    chat.press("替换")
    assert current_report(store, chat)[0].narratives["n5"] == "第一段文字。\n第二段文字。"
    chat.press("修改：存在的主要问题及改进情况")
    _, version, _ = current_report(store, chat)
    chat.upload("问题.pdf", b"%PDF-1.4")  # a damaged PDF
    assert "PDF 文件已损坏" in chat.text and "未保存" in chat.text
    chat.upload("坏.docx", b"not a zip")
    assert "不是有效的 Word 文件" in chat.text and "未保存" in chat.text
    assert current_report(store, chat)[1] == version
    chat.cmd("menu")
    chat.upload("问题.txt", "文字".encode())
    assert M.TEXT_FILE_OUTSIDE_NARRATIVE in chat.text


def test_table_pasted_from_excel_fills_the_whole_table(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("三、")
    chat.press("是")
    fmt_rows = [
        ("一、本年新收政府信息公开申请数量", "3\t0\t0\t1\t0\t0\t4"),
        ("二、上年结转政府信息公开申请数量", "0\t0\t0\t0\t0\t0\t0"),
        ("三、本年度办理结果\t（一）予以公开", "2\t0\t0\t1\t0\t0\t3"),
        ("\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "0\t0\t0\t0\t0\t0\t0"),
    ]
    lines = ["\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计"]
    lines += [f"{label}\t{nums}" for label, nums in fmt_rows]
    subgroup_rows = (
        ["（三）不予公开\t" + r for r in ("1.属于国家秘密", "2.其他法律行政法规禁止公开", "3.危及“三安全一稳定”",
                                         "4.保护第三方合法权益", "5.属于三类内部事务信息", "6.属于四类过程性信息",
                                         "7.属于行政执法案卷", "8.属于行政查询事项")]
        + ["（四）无法提供\t" + r for r in ("1.本机关不掌握相关政府信息", "2.没有现成信息需要另行制作",
                                          "3.补正后申请内容仍不明确")]
        + ["（五）不予处理\t" + r for r in ("1.信访举报投诉类申请", "2.重复申请", "3.要求提供公开出版物",
                                          "4.无正当理由大量反复申请", "5.要求行政机关确认或重新出具已获取信息")]
        + ["（六）其他处理\t" + r for r in (
            "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "3.其他")]
    )
    lines += [f"{label}\t0\t0\t0\t0\t0\t0\t0" for label in subgroup_rows]
    lines.append("（七）总计\t2\t0\t0\t1\t0\t0\t3")
    lines.append("四、结转下年度继续办理\t1\t0\t0\t0\t0\t0\t1")
    good = "\n".join(lines)
    # A damaged paste first: one row loses a cell -> all-or-nothing, problems listed.
    bad = good.replace("5.属于三类内部事务信息\t0\t0\t0\t0\t0\t0\t0", "5.属于三类内部事务信息\t0\t0\t0\t0\t0\t0")
    _, version, _ = current_report(store, chat)
    chat.send(bad)
    assert "整表都没有保存" in chat.text and "5.属于三类内部事务信息" in chat.text
    assert current_report(store, chat)[1] == version
    chat.send(good)
    assert "已从粘贴的表格导入" in chat.text
    rep, _, _ = current_report(store, chat)
    assert rep.values["s3.new.natural"] == 3 and rep.values["s3.open.legal"] == 0
    assert rep.values["s3.open.welfare"] == 1
    assert all(k in rep.values for k in rep.section_input_keys("三"))
    assert "✅ 三、收到和处理政府信息公开申请情况：已完成（" in chat.text  # no errors: on to 四
    assert M.SECTION_GATES["四"] in chat.text


def test_excel_template_round_trip_and_refusal(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("template")
    (reply,) = chat.replies
    name, data = reply.document
    assert name == "2023年某某市某某局年度报告填报模板.xlsx"
    before = current_report(store, chat)[1]
    chat.upload(name, b"PK\x03\x04 not really")
    assert "Excel 模板未导入" in chat.text
    assert current_report(store, chat)[1] == before
    import io

    import openpyxl

    from report import excel_template

    rep, _, _ = current_report(store, chat)
    for key in rep.format.input_keys:
        rep.values[key] = 0
    rep.values["s2.i1.rules.issued"] = 7
    filled = excel_template.make_template(rep)
    assert openpyxl.load_workbook(io.BytesIO(filled))  # a real workbook
    chat.upload(name, filled)
    assert "已从 Excel 模板导入" in chat.text
    rep2, version, _ = current_report(store, chat)
    assert rep2.values["s2.i1.rules.issued"] == 7
    assert version > before


def test_export_every_kind_and_preview(store):
    chat = Chat(make_service(store))
    register(chat)
    fill_zero_report(chat)
    for label, ext in (("Word", "docx"), ("网页", "html"), ("文本", "txt"), ("Markdown", "md"), ("Excel", "xlsx")):
        chat.cmd("export")
        chat.press(label)
        if ext == "docx":  # the first final file: the 成文日期 is confirmed once
            assert "成文日期" in chat.text
            chat.press(M.BTN_SIGN_TODAY)
        (reply,) = chat.replies
        assert reply.document[0] == f"2023年某某市某某局政府信息公开工作年度报告.{ext}"
        assert len(reply.document[1]) > 100
    chat.cmd("preview")
    assert "某某市某某局2023年政府信息公开工作年度报告" in chat.text
    assert all(len(r.text) <= 4096 for r in chat.replies)


def test_carry_over_prefilled_from_last_years_report(store):
    service = make_service(store)
    chat = Chat(service)
    register(chat)
    user = store.find_user(chat.actor.telegram_id)
    agency_id = store.memberships(user.id)[0].agency_id
    last = store.get_or_create_report(agency_id, 2022)
    store.save_answers(
        last.id, user_id=user.id, source="chat",
        values={f"s3.carried_over.{c}": v for c, v in zip(
            ("natural", "business", "research", "welfare", "legal", "other"), (2, 1, 0, 0, 0, 0), strict=True)},
    )
    chat.cmd("menu")
    chat.press("三、")
    chat.press("是")
    chat.send("0 0 0 0 0 0")
    assert "2022年度报告的“结转下年度继续办理”为：2 1 0 0 0 0" in chat.text
    chat.press("确认")
    rep, _, _ = current_report(store, chat)
    assert rep.values["s3.carried_in.natural"] == 2 and rep.values["s3.carried_in.business"] == 1


def test_2019_format_signed_change_and_unit(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("report")
    chat.send("2020")
    assert M.year_opened(2020, "2019") in chat.text and "第 1/5 题 · 2020年度报告" in chat.text
    chat.cmd("menu")
    chat.press("二、")
    assert "规范性文件、行政许可、其他对外管理服务事项" in chat.text  # the rows listed by the 2019 gate
    chat.send("1 1 5")
    chat.send("0 0 0")
    chat.send("10 -2 3")  # 本年增/减 may be negative
    chat.send("0 0 0")
    chat.send("0 0 0")
    chat.send("0 0 0")
    chat.send("0 -1")
    chat.send("2 -5")
    assert "不能为负数" in chat.text
    chat.send("2 35.5")
    assert "政府集中采购 采购总金额”的单位是？" in chat.text
    chat.press("万元")
    rep, _, _ = current_report(store, chat, 2020)
    assert rep.format.id == "2019"
    assert rep.values["s2.i5.licensing.change"] == -2
    assert rep.values["s2.i9.procurement.amount"] == Decimal("35.5")
    assert rep.units["s2.i9.procurement.amount"] == "万元"
    assert "万元" in chat.text  # shown on the check screen


def test_three_failures_show_an_example(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("四、")
    chat.press("是")
    for bad in ("一二三四", "1 2", "1.5 0 0 0"):
        chat.send(bad)
        assert "未保存" in chat.text and "“行政复议”" in chat.text
    assert "示例：3 0 0 1" in chat.text


def test_reviewer_is_read_only(store):
    service = make_service(store)
    officer = Chat(service, 1, "填报人")
    register(officer)
    agency = store.find_agency("某某市某某局")
    reviewer = Chat(service, 2, "审核人")
    user = store.get_or_create_user(2, "审核人")
    store.add_membership(user.id, "reviewer", agency_id=agency.id)
    reviewer.cmd("menu")
    version = current_report(store, officer)[1]
    assert "提交" not in reviewer.buttons()
    reviewer.press("二、")
    assert "【核对】二、" in reviewer.text
    assert not any(lab.startswith("修改") for lab in reviewer.buttons())
    # A forged edit callback with the right token is still refused by the role check.
    tok = reviewer.button_data("主页").split(":")[0]
    reviewer.press_data(f"{tok}:e:r:s2.i1:rules")
    assert M.READONLY_ROLE in reviewer.text
    reviewer.send("1 2 3")
    assert current_report(store, officer)[1] == version


def test_closed_registration_asks_for_an_invitation(store):
    chat = Chat(make_service(store, open_registration=False))
    chat.cmd("start")
    assert chat.text.startswith(M.NEED_INVITATION) and "Telegram ID 是 42" in chat.text
    chat.send("某某局")
    assert store.find_agency("某某局") is None
    chat.cmd("start", "abcdef")
    assert "无效" in chat.text
    assert store.memberships(store.find_user(42).id) == []


def test_duplicate_update_changes_nothing(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("五、")
    uid = next(chat._ids)  # update ids only grow (Telegram's)
    chat.send("第一段。", update_id=uid)
    rep, version, _ = current_report(store, chat)
    pos = store.get_position(store.find_user(42).id)
    assert chat.send("第一段。", update_id=uid) == []
    assert chat.service.handle(chat.actor, Text("别的"), uid) == []
    assert chat.service.handle(chat.actor, Command("menu"), uid) == []
    assert chat.service.handle(chat.actor, Command("menu"), uid - 1) == []  # older: handled before
    assert current_report(store, chat)[1] == version
    assert store.get_position(store.find_user(42).id) == pos
    assert current_report(store, chat)[0].narratives["n5"] == "第一段。"


def test_old_button_is_expired(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    old = chat.button_data("三、")
    chat.press("四、")
    chat.press_data(old)
    assert [r.text for r in chat.replies] == [M.EXPIRED]
    chat.press_data("garbage")
    assert [r.text for r in chat.replies] == [M.EXPIRED]


def test_concurrent_change_by_another_officer_is_refused(store):
    service = make_service(store)
    a = Chat(service, 1, "甲")
    register(a)
    agency = store.find_agency("某某市某某局")
    b = Chat(service, 2, "乙")
    store.add_membership(store.get_or_create_user(2, "乙").id, "officer", agency_id=agency.id)
    a.cmd("menu")
    a.press("二、")
    a.press(M.BTN_FILL_EACH)
    b.cmd("menu")
    b.press("二、")
    b.send("5 5 5")
    a.send("1 1 1")
    assert M.STALE in a.text
    assert "“规章”" in a.text  # the question is asked again, with the fresh report
    assert "当前：5 5 5" in a.text
    assert current_report(store, a)[0].values["s2.i1.rules.issued"] == 5
    a.send("1 1 1")
    assert current_report(store, a)[0].values["s2.i1.rules.issued"] == 1


def test_cancel_and_menu_work_in_every_state(store):
    chat = Chat(make_service(store))
    register(chat)
    chat.cmd("menu")
    chat.press("五、")
    chat.send("文字")
    chat.press("下一题")
    chat.cmd("menu")
    chat.press("五、")
    chat.press("修改：存在的主要问题及改进情况")
    chat.send("待定的文字")  # waits for 追加 / 替换
    chat.cmd("cancel")
    assert M.CANCELLED in chat.text and "进度" in chat.text
    assert current_report(store, chat)[0].narratives["n5"] == "文字"
    chat.press("三、")
    chat.cmd("menu")
    assert "进度" in chat.text
    chat.cmd("help")
    assert "/template" in chat.text
    assert isinstance(chat.replies[0].text, str)
    chat.service.handle(chat.actor, Callback("x"))


@pytest.mark.db
def test_reminder_continue_button_opens_the_hub_whatever_the_state(store):
    """The reminders' 继续填写 button (callback "menu") is not an expired button: it opens the hub."""
    from bot.kit.io import Callback
    from bot.reminders.actions import MENU_CALLBACK

    chat = Chat(make_service(store))
    register(chat)
    chat._go(Callback(MENU_CALLBACK))
    assert "进度" in chat.text and "已过期" not in chat.text
