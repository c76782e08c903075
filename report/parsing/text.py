"""Normalising labels and reading cell values as published reports write them.

Labels are compared after :func:`norm`: NFKC (full-width digits, letters and brackets become
half-width), whitespace and punctuation , ， : ： ; “ ” removed, and "1、" / "1．" read as "1.".
Values are read by :func:`read_value`, which returns the value and the findings about it;
it never guesses silently.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Characters dropped before comparing labels.
_DROP = re.compile(r"[\s,;:：，；、。.“”\"'‘’「」『』《》〈〉·•_\u200b\ufeff]")
_NUMBERED = re.compile(r"^(\d{1,2})[、.．]")
_MINUS = str.maketrans({"−": "-", "–": "-", "﹣": "-", "－": "-"})


@lru_cache(maxsize=8192)
def norm(text: str) -> str:
    """The comparison form of a label."""
    s = unicodedata.normalize("NFKC", text).strip()
    m = _NUMBERED.match(s)
    head = ""
    if m:
        head, s = m.group(1) + "#", s[m.end() :]
    return head + _DROP.sub("", s)


@lru_cache(maxsize=16384)
def clean(text: str) -> str:
    """Collapse whitespace (including &nbsp; and the ideographic space) and trim."""
    return " ".join(text.replace("\xa0", " ").replace("\u3000", " ").split())


def short(text: str, n: int = 30) -> str:
    """A text cut for a message."""
    text = clean(text)
    return text if len(text) <= n else text[:n] + "…"


# -- values -------------------------------------------------------------------------------------

# Marks that stand for "nothing written": read as blank, never as 0.
BLANK_MARKS = frozenset({"-", "--", "—", "——", "/", "\\", "无", "空", "／", "…", "...", "x", "X", "×"})
UNITS = ("万元", "元", "件", "个", "条", "项", "次", "人次", "宗")
AMOUNT_UNITS = ("万元", "元")
_VALUE = re.compile(
    r"^(?P<sign>[+-])?\s*(?P<num>\d[\d,\s]*(?:\.\d*)?|\.\d+)\s*"
    r"(?P<unit>万元|元|件|个|条|项|人次|次|宗)?\s*(?P<note>\(.*\))?$",
    re.S,
)
_OCR_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "i": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9", "q": "9"})
_OCR = re.compile(r"^(?=.*[OoDQlI|iSsBZzgq])(?=.*\d)[\dOoDQlI|iSsBZzgq]{1,9}$|^[OolI]$")
_DECORATION = re.compile(r"^[-=:+~]{3,}$")
_THOUSANDS = re.compile(r"^\d{1,3}(,\d{3})+(\.\d+)?$")


def _prep(raw: str) -> str:
    return unicodedata.normalize("NFKC", raw).translate(_MINUS).replace("\u3000", " ").strip()


def is_decoration(raw: str) -> bool:
    """Markdown/ASCII table rules such as '---' or ':---:'."""
    s = raw.strip()
    return bool(s) and bool(_DECORATION.match(s.replace(" ", "")))


@lru_cache(maxsize=8192)
def kind(raw: str) -> str:
    """'blank', 'mark' (a dash or 无 standing for nothing), 'value' or 'label'."""
    s = _prep(raw)
    if not s:
        return "blank"
    if s in BLANK_MARKS:
        return "mark"
    if _VALUE.match(s) or _OCR.match(s):  # “1O”: a number misread, still a number's place
        return "value"
    return "label"


def is_value_like(raw: str) -> bool:
    return kind(raw) != "label"


@dataclass(frozen=True)
class Finding:
    """Something noticed while reading one cell. ``text`` follows the cell's name in a message."""

    severity: str  # "error" | "warning"
    rule: str
    text: str


@dataclass(frozen=True)
class ReadValue:
    value: int | Decimal | None
    unit: str | None = None
    findings: tuple[Finding, ...] = ()
    blank: bool = False


def _digits(num: str) -> str:
    return re.sub(r"[\s,]", "", num)


def _ambiguous(shown: str, parts: list[str], how: str = "") -> ReadValue:
    """No value: ``shown`` reads as the number ``parts`` joined (``how``) or as several numbers."""
    message = f"“{shown}”可以读作 {''.join(parts)}{how}，也可以读作 {'、'.join(parts)} 几个数，无法确定"
    return ReadValue(None, findings=(Finding("error", "parse.ambiguous", message),))


@lru_cache(maxsize=16384)
def read_value(raw: str, cell_type: str, fixed_unit: str | None = None, unit_choices: tuple[str, ...] = ()) -> ReadValue:
    """Read one published cell for a column of the given type.

    ``fixed_unit`` is the unit the format prints in the header (万元); ``unit_choices`` are the
    units an open amount column accepts (元 / 万元).
    """
    s = _prep(raw)
    if not s:
        return ReadValue(None, blank=True)
    if s in BLANK_MARKS:
        return ReadValue(
            None, blank=True, findings=(Finding("error", "parse.blank", f"写的是“{raw.strip()}”，按空白处理（没有数据应填 0）"),)
        )
    m = _VALUE.match(s)
    if not m:
        if _OCR.match(s):  # a letter recognised for a digit: the candidate is named, not taken
            candidate = s.translate(_OCR_DIGITS)
            message = f"“{raw.strip()}”不是数字，可能是 {candidate}（文字识别把数字认成了字母），无法确定"
            return ReadValue(None, findings=(Finding("error", "parse.ambiguous", message),))
        return ReadValue(None, findings=(Finding("error", "parse.not_number", f"“{raw.strip()}”不是数字"),))
    sign, num, unit, note = m.group("sign") or "", m.group("num"), m.group("unit"), m.group("note")
    findings: list[Finding] = []
    shown = raw.strip()
    compact = num.strip()

    # Several readings of one cell: report the candidates, keep nothing.
    if re.search(r"\d\s+\d", compact):
        return _ambiguous(shown, compact.split())
    if "," in compact:
        if cell_type == "decimal" and _THOUSANDS.match(compact):
            compact = compact.replace(",", "")
        else:
            return _ambiguous(shown, [p for p in compact.split(",") if p], "（千位分隔）")
    digits = _digits(compact)
    if note:
        findings.append(Finding("warning", "parse.annotation", f"“{shown}”按 {sign}{digits} 读取，括号中的说明未计入"))

    if unit in AMOUNT_UNITS:
        if cell_type != "decimal":
            return ReadValue(None, findings=(Finding("error", "parse.unit", f"“{shown}”带金额单位，但这一栏是件数"),))
        if fixed_unit and unit != fixed_unit:
            return ReadValue(
                None,
                findings=(Finding("error", "parse.unit", f"“{shown}”的单位是{unit}，这一栏应以{fixed_unit}填写"),),
            )
        if not fixed_unit and unit_choices and unit not in unit_choices:
            return ReadValue(None, findings=(Finding("error", "parse.unit", f"“{shown}”的单位不是 {'或'.join(unit_choices)}"),))
    elif unit and cell_type == "decimal":
        return ReadValue(None, findings=(Finding("error", "parse.unit", f"“{shown}”的单位不是金额单位"),))

    if cell_type in ("int", "signed_int"):
        if "." in digits:
            whole, _, frac = digits.partition(".")
            if frac.strip("0") == "" and whole:
                findings.append(Finding("warning", "parse.decimal", f"“{shown}”按整数 {sign}{int(whole)} 读取"))
                digits = whole
            else:
                candidates = [f"{sign}{digits}"]
                if whole and frac:
                    candidates += [f"{sign}{whole}{frac}", f"{whole} 与 {frac} 两个数"]
                return ReadValue(
                    None,
                    findings=(
                        Finding(
                            "error",
                            "parse.ambiguous",
                            f"“{shown}”不是整数（这一栏只能填件数）：可能是 {'、'.join(candidates)}，无法确定",
                        ),
                    ),
                )
        value: int | Decimal = int(sign + digits)
        if abs(value) > 10_000_000:
            findings.append(Finding("warning", "parse.large", f"“{shown}”数值很大，请核对"))
        return ReadValue(value, None, tuple(findings))

    try:
        d = Decimal(sign + digits)
    except InvalidOperation:  # pragma: no cover - the pattern guards this
        return ReadValue(None, findings=(Finding("error", "parse.not_number", f"“{shown}”不是数字"),))
    if d == d.to_integral_value() and "." not in digits:
        d = Decimal(int(d))
    keep_unit = unit if (unit and not fixed_unit) else None
    return ReadValue(d, keep_unit, tuple(findings))
