"""Every word of the web desk that is not a shared term (report/terms.py) or a format label."""

from __future__ import annotations

TITLE = "政府信息公开年报工作台"
SIGN_OUT = "退出登录"
HOME = "首页"

# -- signing in -------------------------------------------------------------------------------------
LOGIN_TITLE = "登录工作台"
LOGIN_ASK = "点击下方按钮登录。此链接只能使用一次，几分钟后失效。"
LOGIN_BUTTON = "登录"
LOGIN_REFUSED = {
    "unknown": "登录链接无效。请在 Telegram 中向机器人发送 /web 获取新的链接。",
    "expired": "登录链接已过期。请在 Telegram 中向机器人发送 /web 获取新的链接。",
    "used": "登录链接已被使用（每个链接只能使用一次）。请在 Telegram 中向机器人发送 /web 获取新的链接。",
}
LOGIN_OTHER_USER = "此浏览器已以另一位用户的身份登录。请先退出登录，再使用这个链接。"
SIGNED_OUT = "您已退出登录。需要时请在 Telegram 中向机器人发送 /web 获取新的登录链接。"
NOT_SIGNED_IN = "您尚未登录或登录已过期。请在 Telegram 中向机器人发送 /web 获取登录链接。"
BAD_FORM = "表单已过期或无效，未作任何更改。请返回后刷新页面再试。"
NOT_ALLOWED = "您没有权限查看或进行此操作，未作任何更改。"
NOT_FOUND = "找不到该页面。"
SERVER_ERROR = "服务器出错，未作任何更改。请稍后再试；如仍有问题，请把编号 {ref} 告诉管理员。"
TOO_LARGE = "提交的内容过大。"

# -- home -------------------------------------------------------------------------------------------
HOME_OFFICES = "协调办公室"
HOME_AGENCIES = "我所在的机关"
HOME_NOTHING = "您还没有可查看的机关或协调办公室。请通过协调人发给您的邀请链接加入。"
LINK_BOARD = "填报进度"
LINK_OFFICE = "汇总与图表"
LINK_REPORT = "{year}年度报告"
SIGNED_IN_AS = "当前用户：{name}"

# -- board ------------------------------------------------------------------------------------------
BOARD_TITLE = "“{office}” {year}年度报告填报进度"
BOARD_CAPTION = "各机关{year}年度报告填报情况（{n}个机关）"
BOARD_SUMMARY = "共{n}个机关"
BOARD_PROGRESS = "已提交 {submitted}/{n} 个机关；已完成 {done}/{total} 个部分"
COL_AGENCY = "机关"
COL_KIND = "类型"
COL_DEADLINE = "截止日期"
COL_STATUS = "状态"
COL_PROGRESS = "进度"
COL_ERRORS = "错误"
COL_WARNINGS = "提示"
COL_CHANGED = "最近修改"
COL_ACTIONS = "操作"
SORT_HINT = "点击列名排序"
FILTER = "筛选"
FILTER_STATUS = "状态"
FILTER_KIND = "类型"
FILTER_ALL = "全部"
FILTER_NAME = "机关名称包含"
FILTER_APPLY = "筛选"
FILTER_CLEAR = "清除筛选"
FILTER_NONE = "没有符合条件的机关。"
BOARD_EMPTY = "本办公室还没有机关。"
OWN_DEADLINE = "（本机关单独设定）"
CHANGED_BY = "{at}（{who}）"
NEVER_CHANGED = "—"
AWAITING_WHO = "等待审核人：{who}"
NO_REVIEWER = "尚无审核人"
FAILED = "提醒未能送达 {n} 条"
DIGEST_FAILED = "发给协调人的进度汇总未能送达 {n} 条"
PREV_YEAR = "« {year}年度"
NEXT_YEAR = "{year}年度 »"
OPEN = "查看"
REMIND = "立即提醒"

# -- actions ----------------------------------------------------------------------------------------
REMINDED = "已将提醒放入发送队列：{n}位填报人将在工作时间内收到（每人一次）。"
REMINDED_AGAIN = "这次提醒已经在发送队列中，未重复发送。"
REMINDED_MUTED = "{n}位填报人已暂停提醒，未发送给他们。"
REMIND_NOBODY = "该机关还没有填报人，无人可提醒。请先生成填报人邀请链接。"
REMIND_DONE = "该报告已提交或正等待审核，无需提醒填报人。"
APPROVE = "批准提交"
RETURN = "退回修改"
COMMENT = "审核意见（可选）"
APPROVED = "已批准，报告状态为：已提交。"
RETURNED = "已退回，报告状态为：填报中。"
APPROVAL_REFUSED = {
    "already_submitted": "该报告已经提交。",
    "not_needed": "本办公室未开启审核批准，报告由填报人自行提交。",
    "not_awaiting": "填报人尚未提交送审，暂不能批准。",
    "stale": "报告在您查看后已被修改，未作更改。请查看最新内容后再操作。",
    "has_errors": "报告还有{n}处错误或未填项，暂不能批准。",
    "nothing_to_return": "该报告目前为“填报中”，无需退回。",
    "comment_too_long": "审核意见过长（最多2000字），未作更改。",
    "not_allowed": NOT_ALLOWED,
}
INVITE_TITLE = "生成邀请链接"
INVITE_FOR = "邀请对象"
INVITE_CO_COORDINATOR = "本办公室的共同协调人"
INVITE_ROLE = "角色"
INVITE_BUTTON = "生成链接"
INVITE_MADE = "邀请链接（{role}，{target}）："
INVITE_NOTE = "此链接仅可使用一次，{expires}前有效。请通过可靠渠道发给本人。"
INVITE_BAD = "请选择本办公室的机关和对应的角色（填报人、审核人），或选择共同协调人。"
NO_BOT_USERNAME = "无法生成链接：未配置机器人用户名（bot_username）。"
BACK_TO_BOARD = "« 返回填报进度"

# -- one report -------------------------------------------------------------------------------------
REPORT_TITLE = "“{agency}” {year}年度报告"
NO_REPORT = "“{agency}”尚未开始填报{year}年度报告。"
REPORT_STATE = "状态：{status} · 进度 {done}/{total} · 版本 {version}"
REPORT_DEADLINE = "截止日期：{date}"
DOWNLOADS = "下载"
DOWNLOAD_KIND = {"docx": "Word 文档", "html": "网页", "xlsx": "Excel 表格", "txt": "纯文本"}
PROBLEMS = "发现的问题（{n}处）"
NO_PROBLEMS = "未发现问题。"
PROBLEM_ERROR = "错误"
PROBLEM_WARNING = "提示"
PREVIOUS = "上年 {value}"
CHANGE = "（{sign}{delta}）"
PREVIOUS_NOTE = "数字下方的小字为{year}年度报告的数字及变化。"
NO_PREVIOUS = "没有{year}年度报告可对比。"
NARRATIVE_EMPTY = "（未填写）"
HISTORY = "修改记录"
HISTORY_CAPTION = "修改记录（最近{shown}条，共{total}条）"
HISTORY_EMPTY = "还没有修改记录。"
COL_TIME = "时间"
COL_WHO = "修改人"
COL_SOURCE = "来源"
COL_WHAT = "项目"
COL_OLD = "原值"
COL_NEW = "新值"
UNKNOWN_USER = "未知用户"
REVIEW = "审核"
REMIND_TITLE = "提醒填报人"

# -- the office -------------------------------------------------------------------------------------
OFFICE_TITLE = "“{office}” {year}年度汇总"
CHART_TITLE = "各机关收到的政府信息公开申请（本年新收，件）"
CHART_TOTAL_TITLE = "全办公室各年度收到的申请（件）"
CHART_TABLE = "图表数据：各机关各年度收到的申请（件）"
CHART_MISSING = "未填"
ROLLUP = "汇总表"
ROLLUP_DOWNLOAD = "下载汇总表（Excel）"
ROLLUP_COUNTS = "已计入{counted}个机关；未报{missing}个，未填完{incomplete}个，有错误{errors}个。"
ROLLUP_MIXED = "注意：{n}个机关的报告使用了其他格式（{names}），未计入汇总。"

DATETIME = "{d.year}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}"
DATE = "{d.year}年{d.month}月{d.day}日"
