"""The interview state: a small JSON-able dict stored per user as the interview position.

Keys (all optional):
  tok        int   bumped on every state change; callback data carries it ("<tok>:<action>")
  agency_id  int   the agency being reported on
  year       int   the report year
  screen     str   one of SCREENS
  q          str   the current question id (screen "q"), see bot.interview.questions
  sec        str   the section of the check screen (screen "check")
  ret        str   "check" or "all": where an edit returns after the answer
  fails      int   failed answers to the current question
  pending    str   text waiting for 追加 / 替换
  reg_name   str   the agency name given during registration
  ver        int   the version of report "rid" the user last saw (optimistic lock)
  rid        int   the report that "ver" belongs to
  wait       int   1 after /check: the next document is a published report to check
  imp        dict  the checked published report waiting for 导入 / 不导入 (interchange JSON, screen
                   "checkup"; capped at MAX_IMPORT_CHARS)
  ovr        int   1 once 导入 found answers in the target year's report (asks 将覆盖…)
  back       dict  where 不导入 returns to: {"screen", "q", "sec", "ret"}
  adv        str   the section just completed when the walk moved on to the next section (its
                   one-line summary and 返回任务清单 are shown with the question)
  mv         dict  {"k": part key, "t": text}: a text taken as the continuation of part "k" (a
                   long message split by Telegram) that 改为本题答案 may move to the current part
  lp, lt, ln       the narrative part last saved from a text, when (epoch seconds, service clock)
                   and the length of that text: a text arriving within CONTINUATION_SECONDS after
                   a long one continues that part
  skp        list  question ids skipped in this walk (the auto-advance does not ask them again)
"""

from __future__ import annotations

START = "start"
HUB = "hub"
QUESTION = "q"
CHECK = "check"
CHECK_ALL = "all"
SUBMIT = "submit"
YEAR = "year"
EXPORT = "export"
REG_NAME = "reg_name"
REG_KIND = "reg_kind"
AWAIT_FILE = "await_file"  # /check without a report of one's own: waiting for a published report
CHECKUP = "checkup"  # a published report was checked; 导入 / 不导入
SCREENS = (START, HUB, QUESTION, CHECK, CHECK_ALL, SUBMIT, YEAR, EXPORT, REG_NAME, REG_KIND, AWAIT_FILE, CHECKUP)

# The parsed report kept in the state for 导入 (a report's interchange JSON is about 3–10 KB).
MAX_IMPORT_CHARS = 60_000
# Keys of the "back" dict (the screen a check-up returns to).
BACK_KEYS = ("screen", "q", "sec", "ret")

# Keys that may change without expiring the buttons already on screen.
_UNTRACKED = ("tok", "fails", "ver", "rid", "lp", "lt", "ln", "skp")
# Keys that belong to one screen and are dropped when the screen changes.
_SCREEN_KEYS = ("q", "sec", "ret", "fails", "pending", "reg_name", "wait", "imp", "ovr", "back", "adv", "mv")


def token(state: dict) -> int:
    return int(state.get("tok") or 0)


def goto(state: dict, screen: str, **kw) -> dict:
    """A copy of the state on another screen (screen-specific keys reset unless given)."""
    out = {k: v for k, v in state.items() if k not in _SCREEN_KEYS}
    out["screen"] = screen
    for k, v in kw.items():
        if v is not None:
            out[k] = v
    return out


def with_token(old: dict, new: dict) -> dict:
    """``new`` with its token: the old token, bumped when anything that matters changed."""
    tok = token(old)
    a = {k: v for k, v in old.items() if k not in _UNTRACKED}
    b = {k: v for k, v in new.items() if k not in _UNTRACKED}
    out = dict(new)
    out["tok"] = tok + 1 if a != b else tok
    return out


def back_of(state: dict) -> dict:
    """Where the user is now, to return to after a check-up."""
    return {k: state[k] for k in BACK_KEYS if state.get(k) is not None}


def go_back(state: dict) -> dict:
    """The state on the screen saved by :func:`back_of` (the hub when nothing was saved)."""
    back = state.get("back") if isinstance(state.get("back"), dict) else {}
    screen = back.get("screen") if back.get("screen") in SCREENS else HUB
    if screen in (CHECKUP, AWAIT_FILE):
        screen = HUB
    return goto(state, screen, **{k: back.get(k) for k in BACK_KEYS if k != "screen"})
