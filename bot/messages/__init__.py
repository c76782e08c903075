"""Every user-visible word of the bot, in Simplified Chinese, in one place.

Official labels never appear here: they come from the report format (report/formats/*.json).
"""

from __future__ import annotations

from collections.abc import Sequence

from report.validation import DONE, HAS_PROBLEMS, IN_PROGRESS, NOT_STARTED

# ---- general ----------------------------------------------------------------------------------------
EXPIRED = "已过期，请用 /menu"
INTERNAL_ERROR = "抱歉，处理时出错了，您的内容没有保存。请稍后再试，或用 /menu 回到主页。"
STALE = "报告刚刚被其他填报人修改过，您这次的输入没有保存。以下是最新内容，请重新填写。"
CANCELLED = "已取消，本题未保存任何内容。"
USE_BUTTONS = "请点击下方按钮，或用 /menu 回到主页。"
INVALID_LINK = "该邀请链接无效或已过期，请向协调人索取新的邀请链接。"
NO_ACCESS = "您已不再是该机关的成员，请用 /agency 选择机关，或向协调人索取邀请链接。"

HELP = (
    "政府信息公开工作年度报告填报助手\n\n"
    "/start 开始或继续填报\n"
    "/menu 主页：各部分进度\n"
    "/report 选择报告年度\n"
    "/preview 预览整份报告\n"
    "/export 导出报告（Word、网页、文本、Markdown、Excel）\n"
    "/template 下载 Excel 填报模板，填好后直接发回即可导入\n"
    "/check 检查全部；也可以接着发送已发布的年度报告文件（.txt / .html / .docx），检查后可导入为本机关某一年度的报告\n"
    "/agency 选择机关（属于多个机关时）\n"
    "/cancel 放弃当前问题，回到主页\n"
    "/help 本帮助\n\n"
    "填写数字时，一行的各栏用空格分隔，如“2 0 15”；全角数字、逗号、顿号均可。"
    "合计栏由系统自动计算，无需填写。也可以从 Excel/WPS 复制整张表粘贴过来。"
)


def unknown_command(name: str) -> str:
    return f"没有 /{name} 这个命令。发送 /help 查看可用命令。"


# ---- registration -------------------------------------------------------------------------------------
WELCOME_NEW = "您好！这里是政府信息公开工作年度报告填报助手。首先请登记您所在的机关。"
REG_ASK_NAME = "请输入您所在机关的全称（如“××市××局”）："
REG_NAME_INVALID = "机关全称应为 2 到 60 个字，且只占一行，请重新输入。"
REG_KIND_USE_BUTTONS = "请点击下方按钮选择机关类型。"
AGENCY_KINDS = {
    "department": "政府部门",
    "government": "人民政府",
    "township": "乡镇（街道）",
    "other": "其他",
}
NEED_INVITATION = (
    "您好！这里是政府信息公开工作年度报告填报助手。\n"
    "您还没有加入任何机关。请向本地区的政务公开协调人索取邀请链接，点开链接即可开始填报。"
)
def need_invitation(telegram_id: int) -> str:
    return (f"{NEED_INVITATION}\n\n您的 Telegram ID 是 {telegram_id}。协调人生成邀请时不需要它；"
            "如果您负责部署本机器人，可以在服务器上运行 disclosure-bot admin add "
            f"{telegram_id} 把自己设为管理员。")


NEED_INVITATION_COORDINATOR = "您目前没有可填报的机关。协调人请用 /agency 选择要查看的机关。"


def reg_ask_kind(name: str) -> str:
    return f"机关：{name}\n请选择机关类型："


def registered(name: str) -> str:
    return f"已登记：{name}。您是本机关的填报人。"


# ---- start / year ---------------------------------------------------------------------------------------
def welcome(agency: str, year: int) -> str:
    return f"您好！这里是政府信息公开工作年度报告填报助手。\n机关：{agency}\n当前报告：{year}年度"


def continue_label(year: int) -> str:
    return f"继续填报{year}年度报告"


BTN_CHOOSE_YEAR = "选择其他年度"


def ask_year(current: int) -> str:
    return f"当前报告：{current}年度。请选择要填报的年度（也可直接输入年份，如 2023）："


def year_label(year: int) -> str:
    return f"{year}年度"


def year_invalid(this_year: int) -> str:
    return f"请输入 2019 到 {this_year} 之间的年份，如 {this_year - 1}。"


# ---- hub ---------------------------------------------------------------------------------------------------
STATUS_NOT_STARTED = NOT_STARTED
STATUS_IN_PROGRESS = IN_PROGRESS
STATUS_DONE = DONE
STATUS_PROBLEMS = HAS_PROBLEMS
STATUS_ICONS = {NOT_STARTED: "⬜", IN_PROGRESS: "✏️", DONE: "✅", HAS_PROBLEMS: "⚠️"}
REPORT_STATUS = {"draft": "填报中", "awaiting_approval": "待审核（只读）", "submitted": "已提交（只读）"}
ROLE_NAMES = {"officer": "填报人", "reviewer": "审核人（只读）", "coordinator": "协调人（只读）"}

BTN_CHECK_ALL = "检查全部"
BTN_PREVIEW = "预览"
BTN_EXPORT = "导出"
BTN_EXPORT_WORD = "导出 Word"
BTN_SUBMIT = "提交"
BTN_REOPEN = "重新打开"
BTN_WITHDRAW = "撤回提交"
BTN_HUB = "主页"


def awaiting_whom(reviewers: Sequence[str]) -> str:
    """Who must act on a report awaiting approval."""
    if not reviewers:
        return "等待审核人批准（本机关还没有审核人，请联系协调人邀请）"
    return f"等待审核人批准：{'、'.join(reviewers)}"


def hub_header(
    agency: str, year: int, format_name: str, status: str, role: str | None, reviewers: Sequence[str] = ()
) -> str:
    text = (
        f"{agency}\n{year}年度政府信息公开工作年度报告\n"
        f"格式：{format_name}\n状态：{REPORT_STATUS.get(status, status)}｜{ROLE_NAMES.get(role or '', '')}\n"
    )
    if status == "awaiting_approval":
        text += f"{awaiting_whom(reviewers)}\n"
    return text


def hub_section_line(title: str, status: str) -> str:
    return f"{STATUS_ICONS.get(status, '')} {title}：{status}"


def hub_progress(done: int, total: int) -> str:
    return f"\n进度：已完成 {done}/{total} 部分。点击下方按钮进入各部分。"


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


def ask_subgroup_gate(subgroup: str) -> str:
    return f"本年度办理结果中，有无“{subgroup}”的申请？"


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


# ---- table paste ---------------------------------------------------------------------------------------
PASTE_NO_NUMBERS = "粘贴的内容里没有找到数字"
PASTE_MIXED_LABELS = "粘贴的各行有的带栏目名称、有的不带，请整表复制"


BTN_BLANKS_ZERO = "空白按 0 处理"
PASTE_LOST = "待确认的粘贴内容已失效，请重新粘贴"


def paste_blanks(cells: list[str]) -> str:
    listed = "、".join(cells[:8]) + ("等" if len(cells) > 8 else "")
    return (f"粘贴的表格读好了，但有 {len(cells)} 个空白单元格：{listed}。\n"
            f"空白不等于 0：如果这些确实是 0，请点“{BTN_BLANKS_ZERO}”保存整表；否则请补全后重新粘贴。")


def paste_blanks_pending(n: int) -> str:
    return f"（待确认：刚才粘贴的表格有 {n} 个空白单元格）"


def paste_unknown_row(line: int, label: str) -> str:
    return f"第 {line} 行“{label}”不是本表的栏目"


def paste_row_count(got: int, inputs: int, rows: int) -> str:
    if inputs == rows:
        return f"粘贴了 {got} 行数字，本表应为 {rows} 行"
    return f"粘贴了 {got} 行数字，本表应为 {inputs} 行（不含合计行）或 {rows} 行"


def paste_duplicate_row(line: int, label: str) -> str:
    return f"第 {line} 行“{label}”重复出现"


def paste_wrong_count(line: int, label: str, got: int, need: int) -> str:
    return f"第 {line} 行“{label}”有 {got} 个数字，应为 {need} 个"


def paste_bad_value(line: int, row: str, col: str, reason: str) -> str:
    return f"第 {line} 行“{row}”的“{col}”：{reason}"


def paste_missing_rows(labels: list[str]) -> str:
    more = "等" if len(labels) > 3 else ""
    return f"缺少 {len(labels)} 行：{'、'.join(labels[:3])}{more}"


def paste_total_mismatch(line: int, row: str, col: str, given: str, computed: str) -> str:
    return f"第 {line} 行“{row}”的“{col}”为 {given}，但按各栏计算应为 {computed}"


def paste_refused(problems: list[str]) -> str:
    return "粘贴的表格未导入，整表都没有保存：\n" + "\n".join(f"· {p}" for p in problems[:12])


def paste_applied(table: str, n: int) -> str:
    return f"✅ 已从粘贴的表格导入“{table}”共 {n} 个数字。"


# ---- check your answers --------------------------------------------------------------------------------
CHECK_OK = "✅ 本部分已填完，未发现问题。"
BTN_TASK_LIST = "返回任务清单"


def section_done(title: str, detail: str) -> str:
    """One line when the walk moves on from a completed section."""
    return f"✅ {title}：已完成（{detail}）。接下来："


def summary_narrative(parts: int, chars: int) -> str:
    return f"{parts} 部分，共 {chars} 字" if parts > 1 else f"共 {chars} 字"


def summary_table(cells: int, nonzero: int) -> str:
    if nonzero == 0:
        return f"{cells} 个数字，全部为 0"
    return f"{cells} 个数字，其中 {nonzero} 个不为 0"

CHECK_PAIR_SEP = "／"
BTN_NEXT_SECTION = "下一部分"


def check_header(title: str) -> str:
    return f"【核对】{title}"


def check_missing(n: int) -> str:
    return f"还有 {n} 项未填写。"


def check_part_line(label: str, text: str) -> str:
    if not text:
        return f"{label}：未填写"
    flat = " ".join(text.split())
    preview = flat if len(flat) <= 40 else flat[:40] + "……"
    return f"{label}：{preview}（{len(text)} 字）"


def check_caption(caption: str) -> str:
    return f"· {caption}"


def check_columns(columns: str) -> str:
    return f"（各栏：{columns}）"


def check_pair(label: str, value: str, unit: str | None) -> str:
    return f"{label} {value}{unit or ''}"


def check_row_line(label: str, body: str) -> str:
    return f"  {label}：{body}"


def problem_line(is_error: bool, message: str) -> str:
    return f"{'❌' if is_error else '⚠️'} {message}"


def check_problems(lines: list[str]) -> str:
    return "\n需要注意：\n" + "\n".join(lines)


def edit_label(label: str) -> str:
    return f"修改：{label}"


def check_section_label(title: str) -> str:
    return f"核对：{title}"


def check_all_summary(errors: list[str], warnings: list[str]) -> str:
    if not errors and not warnings:
        return "【检查全部】没有发现问题，可以提交。"
    parts = ["【检查全部】"]
    if errors:
        parts.append(f"有 {len(errors)} 个问题必须修改后才能提交：\n" + "\n".join(errors))
    if warnings:
        parts.append(f"{len(warnings)} 条提示（可以提交，但请核实）：\n" + "\n".join(warnings))
    return "\n\n".join(parts)


# ---- submit --------------------------------------------------------------------------------------------
BTN_SUBMIT_ANYWAY = "仍然提交"
SUBMITTED = "✅ 报告已提交。提交后为只读；如需修改，请点“重新打开”。"
REOPENED = "报告已重新打开，可以继续修改。修改完请再次提交。"
ALREADY_SUBMITTED = "报告已经提交过了。"
REPORT_SUBMITTED_READONLY = "报告已提交，目前只读。如需修改，请在主页点“重新打开”。"
READONLY_ROLE = "您在本机关是只读身份（审核人或协调人），不能修改报告。"
AWAITING_APPROVAL = (
    "📨 报告已送审，状态为“待审核”：审核人批准后即为已提交。"
    "审核期间报告只读；如需修改，请点“撤回提交”，改好后再次提交。"
)
ALREADY_AWAITING = "报告已送审，正等待审核人批准。如需修改，请先点“撤回提交”。"
REPORT_AWAITING_READONLY = "报告已送审，等待审核人批准，目前只读。如需修改，请在主页点“撤回提交”。"
WITHDRAWN = "已撤回提交，报告回到“填报中”，可以继续修改。改好后请再次提交。"
NOT_AWAITING = "报告当前不在待审核状态，无需撤回。"
APPROVED_READONLY = "报告已由审核人批准提交。如需修改，请联系审核人“退回修改”。"


def submit_blocked(errors: list[str]) -> str:
    return "❌ 还不能提交，请先修改以下问题：\n" + "\n".join(errors)


def submit_warnings(warnings: list[str]) -> str:
    return "提交前请核实以下提示：\n" + "\n".join(warnings) + "\n\n确认无误请点“仍然提交”。"


# ---- files ----------------------------------------------------------------------------------------------
EXPORT_ASK = "请选择导出格式："
EXPORT_KINDS = {"docx": "Word", "html": "网页", "txt": "文本", "md": "Markdown", "xlsx": "Excel"}
EXPORT_DONE = "报告已导出。"


def export_incomplete(missing: int, errors: int) -> str:
    """The export's caption for a report that is not finished: say so, so nobody signs it as final."""
    parts = []
    if missing:
        parts.append(f"报告尚未填完：还有 {missing} 项未填写（文件中为空白）")
    if errors:
        parts.append(f"{'' if missing else '报告'}有 {errors} 个错误")
    return (
        "⚠️ " + "，".join(parts) + "。\n报告已导出，但这不是最终稿：请填完并改正后再签发（/check 查看详情）。"
    )
def export_draft(missing: list[str]) -> str:
    listed = "、".join(missing[:6]) + ("等" if len(missing) > 6 else "")
    return (f"⚠️ 这是草稿（文件中已标明“草稿”）：还有 {len(missing)} 部分未填写——{listed}。\n"
            "填完后再导出，即为可以签发的正式文件。")


BTN_SIGN_TODAY = "今天"


def ask_signature_date(today: str) -> str:
    return (f"报告已填完。导出正式文件前，请确认落款的成文日期：\n点“{BTN_SIGN_TODAY}”即为 {today}，"
            "也可以直接输入日期（如 2025-01-17 或 2025年1月17日）。")


def sign_today_label(today: str) -> str:
    return f"{BTN_SIGN_TODAY}（{today}）"


def signature_date_invalid(year: int) -> str:
    return f"无法识别这个日期。成文日期应在 {year + 1} 年，如 {year + 1}-01-17 或 {year + 1}年1月17日"


EXPORT_UNKNOWN = "不支持这种导出格式。"
EXPORT_UNAVAILABLE = "导出功能暂不可用，请稍后再试。"
TEMPLATE_CAPTION = "这是本年度报告的 Excel 填报模板。填好后直接把文件发回给我即可导入（会整体替换已填数字）。"
TEMPLATE_UNAVAILABLE = "Excel 模板功能暂不可用，请稍后再试。"
XLSX_UNREADABLE = "无法读取这个 Excel 文件，请使用 /template 下载的模板填写后再发送。"


def template_filename(year: int, agency: str) -> str:
    return f"{year}年{agency}年度报告填报模板.xlsx"


def report_filename(year: int, agency: str, ext: str) -> str:
    return f"{year}年{agency}政府信息公开工作年度报告.{ext}"


def unsupported_file(filename: str) -> str:
    return (
        f"不支持的文件“{filename}”。可以发送：Excel 填报模板（.xlsx）、文字部分的 .txt / .docx 文件，"
        "或已发布的年度报告（.txt / .html / .docx）进行检查。"
    )


def xlsx_refused(problems: list[str]) -> str:
    return "Excel 模板未导入，报告没有任何改动。请修改以下问题后重新发送：\n" + "\n".join(problems[:20])


def xlsx_blank_section(title: str, n: int) -> str:
    return f"{title} {n} 项"


XLSX_MAX_LISTED = 5  # problems listed after an Excel import; the rest are counted


def xlsx_applied(blank: int, blank_sections: list[str], errors: int, warnings: int, problems: list[str]) -> str:
    """The Excel import's confirmation: blank cells (not answered), then the validation's counts and
    its first few problems."""
    lines = ["✅ 已从 Excel 模板导入整份报告。"]
    if blank:
        where = f"（{'、'.join(blank_sections)}）" if blank_sections else ""
        lines.append(f"⚠️ 有 {blank} 个单元格是空白的，视为未填写{where}，相应部分尚未完成。没有的请填 0。")
    if errors or warnings:
        counts = "、".join(x for x in (f"{errors} 个错误" if errors else "", f"{warnings} 条提示" if warnings else "") if x)
        lines.append(f"检查发现 {counts}：")
        lines += problems[:XLSX_MAX_LISTED]
        if len(problems) > XLSX_MAX_LISTED:
            lines.append(f"另有 {len(problems) - XLSX_MAX_LISTED} 条，请用 /check 查看。")
    elif not blank:
        lines.append("检查未发现问题。")
    return "\n".join(lines)


# ---- check-up of a published report ----------------------------------------------------------------
CHECKUP_ASK_FILE = "请发送已发布的年度报告文件（.txt / .html / .docx），我来检查其中的数字，并可导入为本机关某一年度的报告。"
CHECKUP_FAILED = "读取这个文件时出错了，未能完成检查，没有保存任何内容。"
CHECKUP_NO_PROBLEMS = "✅ 未发现问题。"
CHECKUP_UNKNOWN = "未能识别"
BTN_NO_IMPORT = "不导入"
BTN_IMPORT_OVERWRITE = "确认覆盖"
NOT_IMPORTED = "未导入，报告没有任何改动。"
IMPORT_LOST = "待导入的报告已失效，请重新发送文件。"
IMPORT_TOO_LARGE = "这份报告内容太长，无法在对话中导入；检查结果见上。"


def checkup_unreadable(reason: str, narrative_hint: bool) -> str:
    text = f"❌ 无法检查这个文件：{reason}。没有保存任何内容。"
    if narrative_hint:
        text += "\n如果这是文字部分的内容：" + TEXT_FILE_OUTSIDE_NARRATIVE
    return text


def checkup_report(
    filename: str,
    year: int | None,
    agency: str | None,
    format_name: str,
    format_id: str,
    compared: list[int],
    n_errors: int,
    n_warnings: int,
    shown: list[str],
) -> str:
    """The check-up of a published report; ``shown`` is the capped list of problem lines."""
    lines = [
        f"【报告检查】{filename}",
        f"年度：{f'{year}年度' if year else CHECKUP_UNKNOWN}",
        f"机关：{agency or CHECKUP_UNKNOWN}",
        f"格式：{format_name}（{format_id}年版）",
    ]
    if compared:
        lines.append("已与本机关已存的" + "、".join(f"{y}年度" for y in compared) + "报告跨年度核对。")
    if not n_errors and not n_warnings:
        lines.append(CHECKUP_NO_PROBLEMS)
        return "\n".join(lines)
    lines.append(f"\n发现 {n_errors} 个错误、{n_warnings} 条提示：")
    lines += shown
    more = n_errors + n_warnings - len(shown)
    if more > 0:
        lines.append(f"另有 {more} 条")
    return "\n".join(lines)


def checkup_next_year(year: int, message: str) -> str:
    return f"（与{year}年度报告核对）{message}"


def import_label(year: int) -> str:
    return f"导入为{year}年度报告"


def import_offer(year: int, agency: str, detected_agency: str | None) -> str:
    text = (
        f"要把这份报告导入为“{agency}”的{year}年度报告吗？"
        "导入后可在对话中查看和修改；导入上一年度的报告后，本年度的“上年结转”会自动带出供确认。"
    )
    if detected_agency and detected_agency != agency:
        text += f"\n⚠️ 文件中的机关是“{detected_agency}”，与本机关不同，请确认是本机关的报告。"
    return text


def import_overwrite(year: int) -> str:
    return (
        f"⚠️ 将覆盖已填写的{year}年度报告：已填的数字和文字会全部换成文件中的内容"
        "（原值留在修改记录中）。确定导入吗？"
    )


def import_year_invalid(year: int, this_year: int) -> str:
    return f"只能导入 2019 到 {this_year} 年度的报告，这份是 {year} 年度的，未提供导入。"


def import_target_submitted(year: int) -> str:
    return f"{year}年度报告已提交（只读），不能导入。如需导入，请先在该年度主页点“重新打开”。"


def import_target_awaiting(year: int) -> str:
    return f"{year}年度报告正等待审核人批准（只读），不能导入。如需导入，请先在该年度主页点“撤回提交”。"


def imported(year: int, n: int, carry_to: int | None) -> str:
    text = f"✅ 已导入为{year}年度报告（{n} 个数字），已记入修改记录（来源：文件导入）。"
    if carry_to:
        text += f"\n{carry_to}年度报告的“上年结转”一行会带出该报告的“结转下年度继续办理”，请在第三部分确认。"
    return text


# ---- console ----------------------------------------------------------------------------------------------
CONSOLE_BANNER = (
    "政府信息公开工作年度报告填报助手（终端版）\n"
    "输入文字回答问题；输入按钮前的数字即按下该按钮；/help 查看命令；"
    ":file 路径 上传文件；:paste 与 :end 之间的多行作为一条消息发送；Ctrl-D 退出。"
)
CONSOLE_PASTE_HINT = "[多行消息：请输入或粘贴内容，最后单独一行输入 :end 发送]"
CONSOLE_PASTE_EMPTY = "[多行消息为空，未发送]"
CONSOLE_PASTE_UNFINISHED = "[多行消息没有以 :end 结束，未发送]"
CONSOLE_BYE = "再见。"


def console_saved(path: str) -> str:
    return f"[文件已保存：{path}]"


def console_file_missing(path: str) -> str:
    return f"[找不到文件：{path}]"


def console_bad_choice(n: int) -> str:
    return f"[没有第 {n} 个按钮]"


CONSOLE_DEFAULT_NAME = "终端用户"


def console_file_too_big(mb: int) -> str:
    return f"[文件太大：不能超过 {mb} MB]"


# -- the bot's command menu (set_my_commands) and shared adapter texts -------------------------
INTERVIEW_COMMANDS: tuple[tuple[str, str], ...] = (
    ("start", "开始或继续填报"),
    ("menu", "填报进度（任务清单）"),
    ("report", "选择报告年度"),
    ("preview", "预览报告"),
    ("export", "导出报告文件"),
    ("template", "下载 Excel 填报模板"),
    ("check", "检查全部，或检查已发布的报告文件"),
    ("help", "使用说明"),
    ("cancel", "取消当前操作"),
)


def bytes_size(n: int) -> str:
    return f"{n} 字节"


def human_size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):.1f} MB"
    if n >= 1024:
        return f"{n / 1024:.0f} KB"
    return bytes_size(n)


DOWNLOAD_FAILED = "文件下载失败，请稍后重新发送。"
UNSUPPORTED_MESSAGE = "暂时只能处理文字、按钮和文件（.xlsx、.docx、.txt、.pdf）。请发送文字，或发送 /menu 查看填报进度。"


def upload_too_large(size: int, limit: int) -> str:
    return (f"文件太大（{human_size(size)}），最多只能接收 {human_size(limit)}。请压缩或删去图片后再发送；"
            "数字表格可以用 /template 下载 Excel 模板填写。")


def internal_error(ref: str) -> str:
    return f"出错了，请稍后再试（编号 {ref}）"


def _bot_commands() -> tuple[tuple[str, str], ...]:
    from .coordination import COMMANDS_EXTRA

    return INTERVIEW_COMMANDS + tuple(COMMANDS_EXTRA)


# The bot's command menu (set_my_commands): (command, description).
BOT_COMMANDS = _bot_commands()
