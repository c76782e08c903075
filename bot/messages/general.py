"""The words of moving around: general answers, registration, choosing the year, the task list."""

from __future__ import annotations

from collections.abc import Sequence

from report import terms
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
NEED_INVITATION = (
    "您好！这里是政府信息公开工作年度报告填报助手。\n"
    "您还没有加入任何机关。请向本地区的政务公开协调人索取邀请链接，点开链接即可开始填报。"
)
def need_invitation(telegram_id: int) -> str:
    return (f"{NEED_INVITATION}\n\n您的 Telegram ID 是 {telegram_id}。协调人生成邀请时不需要它；"
            "如果您负责部署本机器人，可以在服务器上运行 disclosure-bot admin add "
            f"{telegram_id} 把自己设为管理员。")


NEED_INVITATION_COORDINATOR = "您目前没有可填报的机关。协调人请用 /agency 选择要查看的机关。"


def agency_exists(name: str) -> str:
    return (f"“{name}”已经在本机器人中登记，不能重复登记。请向该机关的填报人或本地区政务公开协调人索取邀请链接，"
            "点开链接即可加入；我们已把这次登记尝试告知该机关。如果您的机关名称不同，请重新输入全称：")


def month_day(mm_dd: str) -> str:
    """"02-20" → 2月20日"""
    month, day = (int(x) for x in mm_dd.split("-"))
    return f"{month}月{day}日"


def reg_ask_kind(name: str, township_deadline: str, other_deadline: str) -> str:
    kinds = {
        "department": "县级以上人民政府的工作部门（如××局、××委）。法定期限：次年1月31日前报送并向社会公布。",
        "government": "县级以上人民政府本身。法定期限：次年3月31日前向社会公布。",
        "township": f"乡镇人民政府、街道办事处。期限由本地规定，默认次年{month_day(township_deadline)}。",
        "other": "以上之外、以自己名义履行行政管理职能的机关或组织（派出机构、法律法规授权的事业单位等）。"
                 f"期限由本地规定，默认次年{month_day(other_deadline)}。",
    }
    lines = [f"机关：{name}", "请选择机关类型（决定报告的截止日期）："]
    lines += [f"· {terms.agency_kind(code)}：{text}" for code, text in kinds.items()]
    lines.append("事业单位、派出机构：以自己名义对外履行职能、单独编报年度报告的，选“其他机关”；"
                 "由主管部门统一编报的不必单独登记，请向主管部门的填报人索取邀请。")
    return "\n".join(lines)


def registered(name: str) -> str:
    return f"已登记：{name}。您是本机关的填报人。"


# ---- start / year ---------------------------------------------------------------------------------------
def welcome(agency: str, year: int) -> str:
    return (f"您好！这里是政府信息公开工作年度报告填报助手。\n机关：{agency}\n当前报告：{year}年度"
            "（换年度：/report；任务清单：/menu）")


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
READ_ONLY = "（只读）"

BTN_CHECK_ALL = "检查全部"
BTN_PREVIEW = "预览"
BTN_PREAMBLE = "开头段落"
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
        f"格式：{format_name}\n状态：{terms.report_status(status)}{READ_ONLY if status != 'draft' else ''}"
        f"｜{terms.role(role)}{READ_ONLY if role and role != 'officer' else ''}\n"
    )
    if status == "awaiting_approval":
        text += f"{awaiting_whom(reviewers)}\n"
    return text


def year_opened(year: int, format_id: str) -> str:
    return f"已打开{year}年度政府信息公开工作年度报告（{format_id}年版格式），从第一题开始；发送 /menu 查看任务清单。"


def hub_section_line(title: str, status: str) -> str:
    return f"{STATUS_ICONS.get(status, '')} {title}：{status}"


def hub_progress(done: int, total: int) -> str:
    return f"\n进度：已完成 {done}/{total} 部分。点击下方按钮进入各部分。"


# ---- the opening paragraph ----------------------------------------------------------------------------
PREAMBLE_STANDARD = "标准开头段落（按本机关名称和报告年度自动生成）"
PREAMBLE_OWN = "自己编写的开头段落"
PREAMBLE_NONE = "不使用开头段落"
BTN_PREAMBLE_STANDARD = "改用标准开头段落"
BTN_PREAMBLE_NONE = "不要开头段落"
PREAMBLE_SET_STANDARD = "✅ 已改用标准开头段落。"
PREAMBLE_SET_NONE = "✅ 报告将不含开头段落。"


def preamble_view(choice: str, text: str, can_write: bool) -> str:
    lines = ["【开头段落】报告正文之前的说明段落（依据、主要内容、统计期限）。", f"当前：{choice}"]
    if text:
        lines += ["", text]
    if can_write:
        lines += ["", "如需修改，直接发送您要使用的开头段落全文。"]
    return "\n".join(lines)


def preamble_saved(n: int) -> str:
    return f"✅ 已保存自己编写的开头段落，共 {n} 字。"


def preamble_too_long(n: int, limit: int) -> str:
    return f"开头段落太长（{n} 字），最多 {limit} 字，未保存。"
