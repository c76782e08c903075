"""Where a user stands: one frozen, validated object, loaded once per update from the database
(the interview position's JSON; its short wire names are kept) and stored back before the reply.

Nothing in it is trusted for rights: it only says what the user was doing. Every field is checked
on load — a wrong type, an out-of-range number or an overlong text is dropped — so the screens read
plain typed values. Fields that belong to one screen are dropped when the screen changes
(:meth:`State.goto`). ``tok`` changes whenever anything but the untracked fields changes; buttons
carry it, so a button of an earlier screen is recognised as stale.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from typing import Any

MAX_TEXT = 20_000  # a narrative part's cap: pending text is bounded by it
MAX_IMPORT_CHARS = 60_000  # a checked published report kept for 导入 (its interchange JSON)
MAX_LIST = 60


@dataclass(frozen=True)
class State:
    tok: int = 0
    screen: str = "start"
    agency_id: int | None = None  # the agency being reported on
    year: int | None = None  # the report year
    ver: int | None = None  # the version of report ``rid`` the user last saw (optimistic lock)
    rid: int | None = None
    # -- the interview ------------------------------------------------------------------------------
    q: str | None = None  # the current question (screen "q")
    sec: str | None = None  # the section of the check screen
    ret: str | None = None  # "check" / "all": where an edit returns to
    fails: int = 0  # failed answers to the current question
    pending: str | None = None  # a text waiting for 追加 / 替换
    open: str | None = None  # the narrative part being written: further texts are added to it
    adv: str | None = None  # the section just completed when the walk moved on
    mv: dict | None = None  # {"k": part key, "t": text}: a continuation 改为本题答案 may move here
    lp: str | None = None  # the narrative part last written to, when (epoch seconds) and how long
    lt: float | None = None
    ln: int | None = None
    skp: tuple[str, ...] = ()  # questions skipped in this walk
    hist: tuple[str, ...] = ()  # questions answered in this walk, latest last (上一题 goes back)
    paste: dict | None = None  # {"v": {key: value text}, "b": [blank keys]}: a paste awaiting 空白填 0
    # -- registration, the check-up, import ----------------------------------------------------------
    reg_name: str | None = None
    wait: bool = False  # after /check: the next document is a published report to check
    imp: dict | None = None  # the checked report waiting for 导入 (interchange JSON)
    ovr: bool = False  # 导入 found answers in the target year's report
    back: dict | None = None  # where the check-up returns to: {"screen", "q", "sec", "ret"}
    # -- coordination prompts (the text the user types next answers them) --------------------------
    office: int | None = None
    agency: int | None = None
    report: int | None = None
    kind: str | None = None
    cy: int | None = None  # a coordination year (an office's or agency's deadline)

    # ------------------------------------------------------------------------------------------------
    @classmethod
    def load(cls, raw: Any) -> State:
        """The state stored as ``raw`` (a dict; anything else is a fresh state), every field checked."""
        if not isinstance(raw, dict):
            return cls()
        values = {}
        for f in dataclasses.fields(cls):
            if f.name in raw:
                value = _CHECKS[f.name](raw[f.name])
                if value is not None:
                    values[f.name] = value
        return cls(**values)

    def wire(self) -> dict:
        """The JSON-able dict stored in the database (defaults left out)."""
        out = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value != _DEFAULTS[f.name]:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    def replace(self, **changes: Any) -> State:
        return dataclasses.replace(self, **changes)

    def goto(self, screen: str, **params: Any) -> State:
        """This state on another screen: the fields of the old screen are reset, ``params`` set."""
        reset = {name: _DEFAULTS[name] for name in SCREEN_FIELDS}
        reset.update({k: v for k, v in params.items() if v is not None})
        return dataclasses.replace(self, screen=screen, **reset)

    def with_token_after(self, old: State) -> State:
        """This state with its token: ``old``'s, bumped when anything tracked changed."""
        changed = any(getattr(self, n) != getattr(old, n) for n in _TRACKED)
        return dataclasses.replace(self, tok=(old.tok + 1) % 10**9 if changed else old.tok)

    def back_to(self) -> dict:
        """Where the user is now, to return to after a check-up."""
        return {k: getattr(self, k) for k in ("screen", "q", "sec", "ret") if getattr(self, k) is not None}


# Fields of one screen, reset when the screen changes.
SCREEN_FIELDS = ("q", "sec", "ret", "fails", "pending", "open", "adv", "mv", "paste", "reg_name", "wait", "imp", "ovr",
                 "back", "office", "agency", "report", "kind", "cy")
# Fields that change without expiring the buttons on screen.
_UNTRACKED = {"tok", "fails", "ver", "rid", "lp", "lt", "ln", "skp", "hist"}
_TRACKED = tuple(f.name for f in dataclasses.fields(State) if f.name not in _UNTRACKED)
_DEFAULTS = {f.name: (f.default if f.default is not dataclasses.MISSING else f.default_factory())
             for f in dataclasses.fields(State)}


# -- field checks: a valid value, or None (dropped) -------------------------------------------------
def _int(lo: int, hi: int):
    def check(v):
        return v if isinstance(v, int) and not isinstance(v, bool) and lo <= v <= hi else None
    return check


def _text(max_len: int):
    def check(v):
        return v if isinstance(v, str) and 0 < len(v) <= max_len else None
    return check


def _flag(v):
    return bool(v) if isinstance(v, (bool, int)) else None


def _number(v):
    return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _keys(v):
    if not isinstance(v, list):
        return None
    return tuple(x for x in v if isinstance(x, str) and 0 < len(x) <= 64)[-MAX_LIST:]


def _small_dict(max_chars: int):
    def check(v):
        if not isinstance(v, dict):
            return None
        return v if len(json.dumps(v, ensure_ascii=False)) <= max_chars else None
    return check


_ID = _int(1, 2**31 - 1)
_CHECKS = {
    "tok": _int(0, 10**9), "screen": _text(32), "agency_id": _ID, "year": _int(2000, 2100), "ver": _ID, "rid": _ID,
    "q": _text(64), "sec": _text(8), "ret": _text(8), "fails": _int(0, 1000), "pending": _text(MAX_TEXT),
    "open": _text(64),
    "adv": _text(8), "mv": _small_dict(MAX_TEXT + 200), "lp": _text(64), "lt": _number, "ln": _int(0, 10**7),
    "skp": _keys, "hist": _keys, "paste": _small_dict(20_000), "reg_name": _text(60), "wait": _flag,
    "imp": _small_dict(MAX_IMPORT_CHARS), "ovr": _flag, "back": _small_dict(400), "office": _ID, "agency": _ID,
    "report": _ID, "kind": _text(16), "cy": _int(2000, 2100),
}
assert set(_CHECKS) == {f.name for f in dataclasses.fields(State)}
