"""The words of the questions: prompts, answers refused and saved, narratives, drafts."""

from __future__ import annotations

# ---- questions -----------------------------------------------------------------------------------------------
BTN_BACK = "上一题"
BTN_SKIP = "跳过"
BTN_NEXT = "下一题"
BTN_KEEP = "保持不变"
BTN_RETURN_CHECK = "返回核对"
BTN_APPEND = "追加"
BTN_REPLACE = "替换"
BTN_DROP_PENDING = "放弃新文字"
BTN_USE_DRAFT = "采用草稿"
BTN_CONFIRM = "确认"
BTN_YES = "是"
BTN_NO = "否"
BTN_HAVE = "有"
BTN_HAVE_NOT = "无"
YES_WORDS = ("是", "有", "是的", "有的", "y", "yes", "Y")
NO_WORDS = ("否", "无", "没有", "不是", "n", "no", "N")
THERE_ARE_WORDS = ("有", "有的")  # typed on "are all the figures 0?": not all 0
THERE_ARE_NONE_WORDS = ("无", "没有", "都没有", "全部为0", "都为0")

CANNOT_SKIP = "表格中的数字不能跳过；没有的请填 0。"
EMPTY_TEXT = "没有收到文字内容"
GATE_USE_BUTTONS = "请点击“是/否”（或“有/无”）按钮回答"
PENDING_DROPPED = "已放弃刚才发送的文字，原文不变。"
DRAFT_NEEDS_TABLE = "提示：填完“三、收到和处理政府信息公开申请情况”后，这里会根据数字生成一段草稿供您采用。"
TEXT_FILE_OUTSIDE_NARRATIVE = "文字文件（.txt / .docx）只能用于文字部分。请先进入要填写的部分（一、五、六），再发送文件。"
FILE_EMPTY = "文件里没有文字内容，未保存。"
def file_refused(reason: str) -> str:
    """A file not read (the reason worded by report/uploads), nothing stored."""
    return f"❌ 未保存：{reason}。"



SECTION_GATES = {
    "三": "本年度是否收到政府信息公开申请，或有上年结转的申请？",
    "四": "本年度是否有因政府信息公开工作被申请行政复议或提起行政诉讼的情况？",
}


def question_header(year: int, section_title: str, number: int, total: int) -> str:
    return f"【{section_title}】第 {number}/{total} 题 · {year}年度报告"


def ask_narrative(title: str, label: str, current: str) -> str:
    lines = [f"请填写“{title}”。", "可分几条消息发送，也可以上传 .txt 或 .docx 文件（每一部分最多 20000 字）。"]
    if current:
        preview = current if len(current) <= 300 else current[:300] + "……"
        lines.append(f"\n当前内容（{len(current)} 字）：\n{preview}")
        lines.append("\n再发送文字可追加到原文之后或替换原文。")
    return "\n".join(lines)


def narrative_too_long(n: int, limit: int) -> str:
    return f"这一部分的文字将达到 {n} 字，每一部分最多 {limit} 字，请删减后再发送"


def ask_append_replace(n: int) -> str:
    return f"您发送了新的文字（{n} 字）。要追加到原文之后，还是替换原文？"


def offer_draft(draft: str) -> str:
    return f"根据已填数字生成的草稿：\n{draft}\n\n点“采用草稿”即可使用；也可以直接发送您自己的文字。"


def narrative_saved(label: str, n: int) -> str:
    return f"✅ 已保存{label}，共 {n} 字。"


def narrative_added(label: str, added: int, total: int) -> str:
    return f"✅ 已接在{label}后面（本条 {added} 字，现共 {total} 字）。"


def ask_more_narrative(title: str, current: str) -> str:
    preview = current if len(current) <= 120 else "……" + current[-120:]
    return (f"正在填写“{title}”（已有 {len(current)} 字）：\n{preview}\n\n"
            "可以继续发送，会接在后面；这一部分写完了，请点“下一题”。")


SPLIT_REPLACED = "替换了原有内容"
LEAD_LABEL = "开头一段"
SPLIT_APPENDED = "接在原文之后"


def split_saved(items: list[tuple[str, int, str]]) -> str:
    """A text with the sub-headings of a section, saved part by part: (label, characters, note)."""
    lines = ["✅ 已按小标题分别保存："]
    lines += [f"{label}，共 {n} 字" + (f"（{note}）" if note else "") for label, n, note in items]
    return "\n".join(lines)


BTN_MOVE_HERE = "改为本题答案"
MOVE_LOST = "无法移动：那段文字已被修改，原文未变。"


def continued(label: str, n: int, total: int, movable: bool) -> str:
    """A text that arrived right after a long one (Telegram splits long messages)."""
    text = f"↩️ 这段文字（{n} 字）紧接上一条长消息到达，已作为{label}的后续内容追加（现共 {total} 字）。"
    if movable:
        text += f"\n如果它其实是下面这一题的回答，请点“{BTN_MOVE_HERE}”。"
    return text


def moved(label: str) -> str:
    return f"已把这段文字从{label}移出。"


def ask_section_gate(section_id: str, section_title: str) -> str:
    return SECTION_GATES.get(section_id, f"“{section_title}”本年度是否有需要填报的数字？")


ZERO_GATES = {"二": "本年度主动公开的各项（{rows}）是否都为 0？"}
BTN_ALL_ZERO = "是（全部填 0）"
BTN_FILL_EACH = "否，逐项填写"


def ask_zero_gate(section_id: str, section_title: str, rows: list[str]) -> str:
    listed = "、".join(rows)
    text = ZERO_GATES.get(section_id, "“{title}”的各项（{rows}）是否都为 0？")
    return text.format(rows=listed, title=section_title) + "\n也可以直接输入第一行的数字，逐项填写。"


def ask_subgroup_gate(subgroup: str, rows: list[str]) -> str:
    return "\n".join([f"本年度办理结果中，有无“{subgroup}”的申请？", *rows,
                      "有的话，可以直接回复有数字的项的序号（如 1 3），其余各项记为 0。"])


def subgroup_select_invalid(n: int) -> str:
    return f"请回复 1 到 {n} 之间的序号（如 1 3），或点击“有/无”按钮"


def subgroup_selected(rows: list[str], zeros: int) -> str:
    return f"✅ 其余各项已填为 0（{zeros} 个栏目）。接下来请填写：{'、'.join(rows)}。"


def gate_zero_filled(n: int) -> str:
    return f"✅ 已将相应 {n} 个栏目填为 0。"


def ask_unit(label: str, current: str | None) -> str:
    cur = f"\n当前单位：{current}" if current else ""
    return f"“{label}”的单位是？{cur}"


def unit_saved(unit: str) -> str:
    return f"✅ 单位已保存：{unit}"


def unit_invalid(choices: tuple[str, ...]) -> str:
    return "请选择单位：" + " / ".join(choices)


def unit_edit_label(row: str) -> str:
    return f"{row}单位"


def column_hint(label: str, cell_type: str, unit: str | None) -> str:
    if cell_type == "signed_int":
        return f"{label}（可为负数，如 -8）"
    if cell_type == "decimal":
        return f"{label}（可带小数）"
    return label


def ask_row(
    *,
    caption: str | None,
    note: str | None,
    column_header: str | None,
    group: str,
    row_label: str,
    columns: list[str],
    current: str | None,
    totals: list[tuple[str, str]],
) -> str:
    lines = []
    if caption:
        lines.append(f"表：{caption}")
    if note:
        lines.append(note)
    if group:
        lines.append(group)
    lines.append(f"“{row_label}”")
    head = f"{column_header}：" if column_header else ""
    if len(columns) == 1:
        lines.append(f"请输入{head}{columns[0]}：")
    else:
        lines.append(f"请按顺序输入 {len(columns)} 个数字，用空格分隔：")
        lines.append(head + " ".join(columns))
    if current is not None:
        tot = "".join(f"（{lab} {v}）" for lab, v in totals)
        lines.append(f"当前：{current}{tot}")
    lines.append("也可以从 Excel/WPS 复制整张表粘贴过来。")
    return "\n".join(lines)


def row_total_mismatch(column: str, typed: str, computed: str) -> str:
    return (f"最后的“{column}”填的是 {typed}，但按各栏相加应为 {computed}（合计由系统自动计算，可以不填）。"
            "请核对各栏数字")


def row_saved(label: str, shown: str, totals: list[tuple[str, str]]) -> str:
    tot = "".join(f"，{lab} {v}" for lab, v in totals)
    return f"✅ 已保存 {label}：{shown}{tot}"


def offer_carry(prev_year: int, row: str) -> str:
    return f"{prev_year}年度报告的“结转下年度继续办理”为：{row}\n点“确认”沿用，或输入修改后的数字。"


def answer_refused(reason: str) -> str:
    return f"❌ 未保存：{reason}。请重新输入。"


def example(kind: str, types: list[str], unit_choices: tuple[str, ...] = ()) -> str:
    """A short valid answer, shown after three failed attempts."""
    if kind == "gate":
        return "示例：点击“是”或“否”按钮（或回复“是”/“否”）。"
    if kind == "unit":
        return "示例：点击按钮，或回复“" + "”/“".join(unit_choices) + "”。"
    if kind == "narrative":
        return "示例：直接发送一段文字。"
    sample = {"int": ["3", "0", "0", "1", "0", "0", "2"], "signed_int": ["-8"], "decimal": ["12.5"]}
    vals = [sample[t][i % len(sample[t])] for i, t in enumerate(types)]
    return f"示例：{' '.join(vals)}（共 {len(types)} 个数字，用空格分隔；没有的填 0）"


# ---- figures asked outside the tables (2021, 六: 信息处理费) ---------------------------------------
BTN_NO_FEES = "本年度未收取信息处理费"
NO_FEES_WORDS = ("本年度未收取信息处理费", "未收取信息处理费", "未收取", "未收费", "没有收费", "不收费")


def facts_column(label: str, unit: str | None) -> str:
    return f"{label}（{unit}）" if unit else label


def ask_facts(*, note: str | None, row_label: str, columns: list[str], current: str | None) -> str:
    lines = [f"“{row_label}”"]
    if note:
        lines.append(note)
    lines.append(f"请按顺序输入 {len(columns)} 个数字，用空格分隔：")
    lines.append(" ".join(columns))
    if current is not None:
        lines.append(f"当前：{current}")
    lines.append(f"本年度没有收费的，点“{BTN_NO_FEES}”。")
    return "\n".join(lines)
