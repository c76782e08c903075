"""The words of pasted tables, of checking one's answers and of submitting."""

from __future__ import annotations

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
