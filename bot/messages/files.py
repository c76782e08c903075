"""The words of the report files (export, preview, template) and of the check-up of a published report."""

from __future__ import annotations

from .questions import TEXT_FILE_OUTSIDE_NARRATIVE

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
