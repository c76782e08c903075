"""Reading numbers the way officers type them.

Half- and full-width digits, spaces, commas, 、 and ， as separators; a minus sign only where the
cell type allows it; decimals only in decimal (万元) cells. Errors carry a Chinese reason.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

FULLWIDTH = str.maketrans(
    "０１２３４５６７８９－．，、；　＋（）：",
    "0123456789-.,,; +():",
)
# Characters that separate numbers in one message.
SEPARATORS = re.compile(r"[\s,;|]+")
INT_RE = re.compile(r"^[+-]?\d+$")
DEC_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")
# A number written with thousands separators (1,234 or 1,234.5), which reads as several numbers.
THOUSANDS_RE = re.compile(r"(?<![\d.,])\d{1,3}(?:,\d{3})+(?:\.\d+)?(?![\d,])")
MINUS_CHARS = str.maketrans({"−": "-", "–": "-", "—": "-", "﹣": "-"})


class NumberError(ValueError):
    """A value that cannot be read; ``reason`` is plain Chinese for the user."""

    def __init__(self, reason: str, token: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.token = token


def normalize(text: str) -> str:
    return text.translate(FULLWIDTH).translate(MINUS_CHARS).strip()


def split_numbers(text: str) -> list[str]:
    """Split one message into number tokens (spaces, tabs, commas, 、 and ， separate)."""
    norm = normalize(text)
    return [t for t in SEPARATORS.split(norm) if t]


def parse_value(token: str, cell_type: str = "int") -> int | Decimal:
    """Read one token as a value of the given cell type, or raise NumberError with the reason."""
    plain = token.isascii() and token.isdigit()  # the common "123": normalized already, an integer
    t = token if plain else normalize(token)
    if not t:
        raise NumberError("没有填写数字", token)
    if cell_type in ("int", "signed_int"):
        if not plain and not INT_RE.match(t):
            if DEC_RE.match(t):
                raise NumberError(f"“{token}”不是整数：这一栏只能填整数（件数）", token)
            raise NumberError(f"“{token}”不是数字", token)
        v = int(t)
        if v < 0 and cell_type == "int":
            raise NumberError(f"“{token}”是负数：这一栏不能为负数", token)
        if abs(v) > 10_000_000:
            raise NumberError(f"“{token}”太大了，请核对", token)
        return v
    if cell_type == "decimal":
        if not DEC_RE.match(t):
            raise NumberError(f"“{token}”不是数字（金额可带小数，如 12.5）", token)
        try:
            d = Decimal(t)
        except InvalidOperation as exc:  # pragma: no cover - regex guards this
            raise NumberError(f"“{token}”不是数字", token) from exc
        if d < 0:
            raise NumberError(f"“{token}”是负数：金额不能为负数", token)
        if d > Decimal("1e12"):
            raise NumberError(f"“{token}”太大了，请核对", token)
        if d == d.to_integral_value() and "." not in t:
            return Decimal(int(d))
        return d
    raise ValueError(f"unknown cell type {cell_type}")


def parse_row(text: str, types: list[str]) -> list[int | Decimal]:
    """Read a whole row (one number per column) from one message."""
    tokens = split_numbers(text)
    if len(tokens) != len(types):
        reason = f"需要 {len(types)} 个数字，收到 {len(tokens)} 个"
        grouped = THOUSANDS_RE.search(normalize(text)) if len(tokens) > len(types) else None
        if grouped:
            plain = grouped.group(0).replace(",", "")
            reason += f"（逗号用来分隔各栏；如果“{grouped.group(0)}”是一个数，请写成 {plain}）"
        raise NumberError(reason)
    return [parse_value(tok, typ) for tok, typ in zip(tokens, types, strict=True)]


def format_value(value: int | Decimal | None) -> str:
    """How a value is printed in a report: zero as 0, an amount as written ("12.50" stays 12.50:
    the Decimal's exponent is kept), never in scientific notation."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format(value, "f")  # 'f': 2.51E+5 → 251000, 12.50 → 12.50
    return str(value)


_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
YEAR_RE = re.compile(r"^(\d{4})\s*(?:年度?|年|度)?$")


def parse_year(text: str) -> int | None:
    """A year as people write it: 2023, 2023年, 2023年度, ２０２３, 二〇二三年; None otherwise."""
    t = normalize(text).rstrip("。.！!").translate(_CHINESE_DIGITS).replace(" ", "")
    m = YEAR_RE.match(t)
    return int(m.group(1)) if m else None


# What officers add to a figure: a unit (12件, 3人次), closing punctuation (3。), or 无 for none.
_UNIT_SUFFIX = re.compile(r"(?<=\d)(?:件|个|条|项|次|人次|人|家|份|元|万元)$")
_NONE_WORDS = frozenset({"无", "没有", "无。", "没有。"})
_TRAILING = "。．.，,；;！!"


def answer_tokens(text: str) -> list[str]:
    """The number tokens of a typed answer, as officers write them: "12件 3个。" → ["12", "3"];
    "无" (none) → ["0"]. What cannot be a figure is left as it is (parse_value refuses it)."""
    out = []
    for tok in split_numbers(text):
        tok = tok.rstrip(_TRAILING)
        if not tok:
            continue
        if tok in _NONE_WORDS:
            out.append("0")
            continue
        out.append(_UNIT_SUFFIX.sub("", tok))
    return out


def parse_answer(text: str, types: list[str], totals: int = 0) -> tuple[list[int | Decimal], list[int | Decimal]]:
    """A row typed by an officer: (the values of its ``types`` columns, the totals typed after them).
    ``totals``: how many total columns the row has; they may be typed too (then they come last).
    "无" means 0 where a count is asked. NumberError with the reason otherwise."""
    tokens = answer_tokens(text)
    n = len(types)
    if len(tokens) not in (n, n + totals):
        reason = f"需要 {n} 个数字，收到 {len(tokens)} 个"
        if totals:
            reason += f"（合计由系统自动计算，只填前 {n} 栏即可）"
        grouped = THOUSANDS_RE.search(normalize(text)) if len(tokens) > n + totals else None
        if grouped:
            plain = grouped.group(0).replace(",", "")
            reason += f"（逗号用来分隔各栏；如果“{grouped.group(0)}”是一个数，请写成 {plain}）"
        raise NumberError(reason)
    values = [parse_value(tok, typ) for tok, typ in zip(tokens[:n], types, strict=True)]
    given = [parse_value(tok, "decimal" if "decimal" in types else "signed_int") for tok in tokens[n:]]
    return values, given


DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def parse_date(text: str):
    """A date as people write it: 2025-01-17, 2025/1/17, 2025.1.17, 2025年1月17日 (full-width digits
    too); None otherwise."""
    import datetime as dt

    m = DATE_RE.match(normalize(text).rstrip("。.").replace(" ", ""))
    if m is None:
        return None
    try:
        return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
