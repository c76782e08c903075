"""The product's shared terms, each defined once in Simplified Chinese.

Everything a user reads about an agency's kind, a report's status, a person's role, or where a
change came from is worded here; the chat (bot/messages), the web desk and the command line all
read these. Codes (the keys) are what the database and the code use.
"""

from __future__ import annotations

# Agency kinds (storage.models.AGENCY_KINDS). The kind decides the legal deadline
# (report/deadlines.py): 条例 Art. 49.
AGENCY_KINDS: dict[str, str] = {
    "department": "政府部门",
    "government": "人民政府",
    "township": "乡镇（街道）",
    "other": "其他机关",
}

# Where an agency's deadline comes from (report/deadlines.resolve_deadline).
DEADLINE_SOURCES: dict[str, str] = {
    "legal": "法定期限",
    "default": "默认期限，可在配置中修改",
    "config": "配置文件指定",
    "office": "办公室统一设定",
    "agency": "本机关单独设定",
}

# Where a report stands (the board's column). "not_started": no answer yet; "overdue": not
# submitted by the deadline. The others are storage.models.REPORT_STATUSES.
NOT_STARTED, DRAFT, AWAITING, SUBMITTED, OVERDUE = (
    "not_started", "draft", "awaiting_approval", "submitted", "overdue"
)
REPORT_STATUSES: dict[str, str] = {
    NOT_STARTED: "未开始",
    DRAFT: "填报中",
    AWAITING: "待审核",
    SUBMITTED: "已提交",
    OVERDUE: "逾期",
}

# Roles (storage.models.ROLES) and the administrator.
ROLES: dict[str, str] = {
    "officer": "填报人",
    "reviewer": "审核人",
    "coordinator": "协调人",
    "admin": "管理员",
}

# Where a change to a report came from (storage.models.AUDIT_SOURCES).
SOURCES: dict[str, str] = {
    "chat": "对话",
    "excel": "Excel表格",
    "import": "导入",
    "console": "终端",
    "web": "网页",
}


# What an entry of a report's history changed, when it is not a cell or a text (report/history.py).
HISTORY_ITEMS: dict[str, str] = {
    "status": "报告状态",
    "format": "报告格式",
    "comment": "审核意见",
    "meta.preamble": "开头段落",
    "meta.signature": "落款",
}
HISTORY_UNIT = "{label}（单位）"
HISTORY_EMPTY = "（空）"


def agency_kind(code: str) -> str:
    return AGENCY_KINDS.get(code, code)


def report_status(code: str | None) -> str:
    return REPORT_STATUSES.get(code or NOT_STARTED, code or "")


def role(code: str | None) -> str:
    return ROLES.get(code or "", code or "")
