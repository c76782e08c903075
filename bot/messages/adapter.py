"""The words of the adapters: the console, the command menu, sizes, downloads, errors."""

from __future__ import annotations

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
