"""The interview's screen names, as stored in the state (wire names kept from earlier versions)."""

START = "start"
HUB = "hub"
QUESTION = "q"
CHECK = "check"
CHECK_ALL = "all"
SUBMIT = "submit"
YEAR = "year"
EXPORT = "export"
SIGN = "sign"  # the 成文日期 asked before the final file
PREAMBLE = "preamble"  # the opening paragraph: standard, own text or none
REG_NAME = "reg_name"
REG_KIND = "reg_kind"
AWAIT_FILE = "await_file"  # /check without a report of one's own: waiting for a published report
CHECKUP = "checkup"  # a published report was checked; 导入 / 不导入
