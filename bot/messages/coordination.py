"""Every user-visible word of agencies, roles, invitations, the board, the roll-up and /history."""

from __future__ import annotations

ROLE = {"officer": "填报人", "reviewer": "审核人", "coordinator": "协调人"}
KIND = {"department": "政府部门", "government": "人民政府", "township": "乡镇（街道）", "other": "其他"}
KIND_HINT = {
    "department": "次年1月31日前",
    "government": "次年3月31日前",
    "township": "按本地规定",
    "other": "按本地规定",
}
SOURCE = {"chat": "对话", "excel": "Excel表格", "import": "导入", "console": "终端"}

COMMANDS_EXTRA = [
    ("agency", "选择要填报或审核的机关"),
    ("history", "查看当前报告的修改记录"),
    ("board", "协调人：查看各机关填报进度"),
    ("office", "协调人：管理机关、邀请和截止日期"),
    ("admin", "管理员：新建协调办公室和机关"),
    ("web", "在浏览器中打开工作台（一次性登录链接）"),
]

# -- generic ------------------------------------------------------------------------------------
NOT_ALLOWED = "您没有权限进行此操作。"
NOT_ADMIN = "此命令仅限管理员使用。"
NOT_COORDINATOR = "您不是任何协调办公室的协调人。如需开通，请向管理员索取协调人邀请链接。"
NO_AGENCY = "您还没有加入任何机关。请通过协调人发给您的邀请链接加入。"
UNKNOWN_ACTION = "此按钮已失效，请重新发送命令。"
BACK = "« 返回"
CANCEL = "取消"
CANCELLED = "已取消。"
NONE = "无"

# -- admin ----------------------------------------------------------------------------------------
ADMIN_MENU = "管理员菜单：请选择操作。"
ADMIN_NEW_OFFICE = "新建协调办公室"
ADMIN_NEW_AGENCY = "新建机关"
ADMIN_COORD_INVITE = "协调人邀请"
ADMIN_OFFICES = "管理协调办公室"
ADMIN_ATTACH = "机关归入协调办公室"
ATTACH_CHOOSE_AGENCY = "以下机关还不属于任何协调办公室，请选择要归入的机关："
ATTACH_NONE = "所有机关都已属于某个协调办公室。"
ATTACH_CHOOSE_OFFICE = "将“{agency}”归入哪个协调办公室？"
ATTACHED = "已将“{agency}”归入“{office}”。"
ATTACH_ALREADY = "“{agency}”已属于其他协调办公室，未作更改。"
CHOOSE_OFFICE = "请选择协调办公室："
NO_OFFICE_OPTION = "不属于任何协调办公室"
NO_OFFICES = "还没有协调办公室，请先新建。"
PROMPT_OFFICE_NAME = "请输入新协调办公室的名称（如：某某县政务公开办公室）。发送 /cancel 放弃。"
OFFICE_CREATED = "已新建协调办公室“{name}”。"
CHOOSE_KIND = "请选择机关类型（决定法定报送期限）："
KIND_BUTTON = "{kind}（{hint}）"
PROMPT_AGENCY_NAME = "请输入新机关（{kind}）的全称。发送 /cancel 放弃。"
AGENCY_CREATED = "已新建机关“{name}”（{kind}）。"
NAME_EMPTY = "名称不能为空，请重新输入。"
NAME_INVALID = "名称应为一行、不超过 60 个字，请重新输入。"
OFFICE_EXISTS = "已有同名的协调办公室"
AGENCY_EXISTS = "已有同名的机关"
CREATE_FAILED = "未能新建：{reason}"

# -- office -------------------------------------------------------------------------------------
OFFICE_MENU = "协调办公室“{name}”\n机关数：{agencies}\n报送须经审核人批准：{approval}"
YES = "是"
NO = "否"
BTN_BOARD = "填报进度"
BTN_NEW_AGENCY = "新建机关"
BTN_INVITE = "生成邀请链接"
BTN_OPEN_INVITES = "未使用的邀请"
BTN_DEADLINE = "截止日期"
BTN_APPROVAL_ON = "开启审核批准"
BTN_APPROVAL_OFF = "关闭审核批准"
APPROVAL_SET = "已设置：报送须经审核人批准 —— {value}。"
INVITE_FOR = "为谁生成邀请链接？"
BTN_CO_COORDINATOR = "共同协调人"
NO_AGENCIES = "本办公室还没有机关，请先新建机关。"
CHOOSE_ROLE = "“{agency}”：邀请哪种角色？"
INVITATION_MADE = (
    "邀请链接（{role}，{target}）：\n{link}\n\n"
    "此链接仅可使用一次，{expires}前有效。请通过可靠渠道发给本人；如发错，可在“未使用的邀请”中撤销。"
)
NO_BOT_USERNAME = "无法生成链接：未配置机器人用户名（bot_username）。"
OPEN_INVITES = "未使用的邀请（{n}个）："
OPEN_INVITE_LINE = "{i}. {role} · {target} · {expires}前有效"
NO_OPEN_INVITES = "没有未使用的邀请。"
BTN_REVOKE = "撤销 {i}"
REVOKED = "已撤销该邀请。"
REVOKE_FAILED = "该邀请已被使用或已撤销。"
DEADLINE_CHOOSE_YEAR = "设置哪一年度报告的截止日期？"
YEAR_BUTTON = "{year}年度"
PROMPT_DEADLINE = (
    "{year}年度报告：当前截止日期为{current}。\n"
    "请输入本办公室各机关的截止日期（如 {example}），输入“默认”恢复法定期限。发送 /cancel 放弃。"
)
DEADLINE_DEFAULT_WORDS = ("默认", "法定", "清除")
DEADLINE_LEGAL = "法定期限"
DEADLINE_SET = "已将{year}年度报告截止日期设为{date}。"
DEADLINE_CLEARED = "已恢复{year}年度报告的法定截止日期。"
DEADLINE_BAD = "无法识别日期“{text}”，请按 2025-01-20 的格式输入。"
DEADLINE_BAD_YEAR = "{year}年度报告的截止日期应在{next_year}年内。"
BTN_AGENCY_DEADLINE = "设置本机关截止日期"
PROMPT_AGENCY_DEADLINE = (
    "“{agency}”{year}年度报告：当前截止日期为{current}（{source}）。\n"
    "请输入本机关的截止日期（如 {example}），输入“默认”恢复为办公室统一或法定期限。发送 /cancel 放弃。"
)
DEADLINE_SOURCE = {"legal": "法定期限", "default": "默认期限，可在配置中修改", "config": "配置文件指定", "office": "办公室统一设定", "agency": "本机关单独设定"}
AGENCY_DEADLINE_SET = "已将“{agency}”{year}年度报告截止日期设为{date}。"
AGENCY_DEADLINE_CLEARED = "已取消“{agency}”{year}年度报告的单独截止日期，现为{date}（{source}）。"
VIEW_DEADLINE = "截止日期：{date}（{source}）"

# -- board --------------------------------------------------------------------------------------
BOARD_HEAD = (
    "“{office}” {year}年度报告填报进度（{n}个机关）\n"
    "已提交 {submitted} · 待审核 {awaiting} · 填报中 {draft} · 未开始 {none}"
)
BOARD_LINE = (
    "{i}. {agency}：{status}，{done}/{total}部分{errors}\n"
    "   截止{deadline}（{left}）{activity}{failed}"
)
BOARD_ERRORS = "，{n}处错误"
BOARD_OWN_DEADLINE = "，本机关单独设定"
BOARD_AWAITING = "\n   等待审核人批准：{who}"
BOARD_NO_REVIEWER = "尚无审核人"
BOARD_ACTIVITY = "，最近填写 {at}"
BOARD_FAILED = "\n   ⚠ 提醒未能送达（{n}条）"
BOARD_DIGEST_FAILED = "\n⚠ 发给协调人的进度汇总未能送达（{n}条）"
DAYS_LEFT = "剩{n}个工作日"
DAYS_DUE_TODAY = "今天截止"
DAYS_OVERDUE = "已逾期{n}个工作日"
BOARD_EMPTY = "本办公室还没有机关。"
BTN_ROLLUP = "汇总表"
BTN_PREV_YEAR = "« {year}年度"
BTN_NEXT_YEAR = "{year}年度 »"
BTN_AGENCY = "{i}. {agency}"
ROLLUP_SENT = "{office} {year}年度汇总表：已计入{counted}个机关；未报{missing}个，未填完{incomplete}个，有错误{errors}个。"
ROLLUP_MIXED = "注意：{n}个机关的报告使用了其他格式（{names}），未计入汇总。"

# -- read-only view (drill-down / reviewer) --------------------------------------------------------
VIEW_HEAD = "{title}\n状态：{status} · 进度 {done}/{total} · 版本 {version}"
VIEW_NO_REPORT = "“{agency}”尚未开始填报{year}年度报告。"
VIEW_SECTION = "{title}：{status}"
VIEW_PROBLEMS = "发现的问题（{n}处）："
VIEW_NO_PROBLEMS = "未发现问题。"
VIEW_MORE = "……（另有{n}项）"
VIEW_NARRATIVE = "  {label}：{text}"
VIEW_NARRATIVE_SINGLE = "  {text}"
VIEW_NARRATIVE_EMPTY = "（未填写）"
VIEW_ROW = "  {label}：{values}"
VIEW_COMMENTS = "审核意见："
VIEW_COMMENT = "  {at} {who}：{text}"
BTN_APPROVE = "批准提交"
BTN_RETURN = "退回修改"
BTN_COMMENT = "写审核意见"
BTN_BACK_BOARD = "« 返回进度表"
APPROVED = "已批准，“{agency}”{year}年度报告状态为：已提交。"
APPROVE_HAS_ERRORS = "报告还有{n}处错误或未填项，暂不能批准。"
APPROVE_NOT_NEEDED = "本办公室未开启审核批准，报告由填报人自行提交。"
APPROVE_NOT_AWAITING = "填报人尚未提交送审，暂不能批准。"
ALREADY_SUBMITTED = "该报告已经提交。"
RETURNED = "已退回，“{agency}”{year}年度报告状态为：填报中。"
RETURN_NOTHING = "该报告目前为“填报中”，无需退回。"
PROMPT_COMMENT = "请输入对“{agency}”{year}年度报告的审核意见。发送 /cancel 放弃。"
COMMENT_SAVED = "审核意见已记录。"

# -- /agency ------------------------------------------------------------------------------------
CHOOSE_AGENCY = "请选择机关："
BTN_FILL = "填报：{agency}"
BTN_REVIEW = "审核：{agency}"
BTN_OVERSEE = "查看：{agency}"

# -- join ---------------------------------------------------------------------------------------
JOIN_ASK_AGENCY = "邀请您以“{role}”身份加入“{agency}”{office}。\n确认加入吗？"
JOIN_ASK_OFFICE = "邀请您以“{role}”身份加入协调办公室“{office}”。\n确认加入吗？"
JOIN_OFFICE_SUFFIX = "（{office}）"
BTN_JOIN = "确认加入"
JOINED_AGENCY = "您已作为“{role}”加入“{agency}”。"
JOINED_OFFICE = "您已作为协调人加入“{office}”。发送 /board 查看各机关填报进度，/office 管理机关和邀请。"
JOINED_REVIEWER_HINT = "发送 /agency 选择机关，查看报告并审核。"
JOIN_REFUSED = {
    "unknown": "邀请链接无效。请向协调人核对链接，或索取新的邀请。",
    "expired": "邀请链接已过期。请向协调人索取新的邀请。",
    "used": "邀请链接已被使用（每个链接只能使用一次）。请向协调人索取新的邀请。",
    "revoked": "邀请链接已被撤销。请向协调人索取新的邀请。",
}
JOIN_ALREADY = "您已通过此邀请加入“{target}”。"

# -- history ------------------------------------------------------------------------------------
HISTORY_HEAD = "“{agency}”{year}年度报告修改记录（第{first}–{last}条，共{total}条）："
HISTORY_EMPTY = "“{agency}”{year}年度报告还没有修改记录。"
HISTORY_NO_REPORT = "您当前没有正在填报的报告。请先发送 /agency 选择机关。"
HISTORY_LINE = "{at} {who}（{source}）\n  {what}：{old} → {new}"
HISTORY_UNKNOWN_USER = "未知用户"
BTN_OLDER = "« 更早"
BTN_NEWER = "更新 »"

DATETIME = "{d.year}-{d.month:02d}-{d.day:02d} {d.hour:02d}:{d.minute:02d}"
DATE = "{d.year}年{d.month}月{d.day}日"

# -- the desk in a browser (/web) --------------------------------------------------------------------
WEB_LINK = "网页工作台登录链接（{minutes} 分钟内有效，只能使用一次，仅限您本人，请勿转发）：\n{url}"
WEB_NOT_CONFIGURED = "网页工作台尚未开通（需要在配置中设置 web.public_url），请联系信息化人员。"
