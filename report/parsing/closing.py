"""The end of a published report: renamed closing sections, the 落款 (agency and 成文日期), and
the cleaning of an agency name taken from a title or a 落款.

Agencies rename and renumber the closing sections (五、当前存在的突出问题 / 六、下一步改进举措 /
七、其他需说明事项): after the tables, a numbered heading that names other matters is the
format's last narrative section (六), any other is the first closing one (五). The 落款 is
the last lines of the report: the agency's name (optional) above the date it was written,
in Arabic or Chinese numerals (2024年1月17日, 二〇二四年一月十七日).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from ..formats import Format
from ..model import Signature

CLOSING_HEADING = re.compile(r"^\s*([五六七八九十])\s*[、.．]\s*(\S.{1,30}?)\s*[。:：]?\s*$")
_OTHER = re.compile(r"其他|其它")
_CN_DIGITS = {"〇": 0, "○": 0, "零": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_DATE = re.compile(r"^\s*([0-9〇○零Ｏ一二三四五六七八九]{4})\s*年\s*([0-9一二三四五六七八九十]{1,3})\s*月\s*([0-9一二三四五六七八九十]{1,3})\s*日\s*$")
_AGENCY_END = re.compile(r"(?:局|委|委员会|办|办公室|院|政府|中心|会|厅|部|处|所|站|室|队|署|馆|社|司|庭|街道|镇|乡|区|县|市|省|公司|集团|管委会|管理处)$")
_MARKUP = re.compile(r"^[\s#>*_\-|`~]+|[\s#*_|`~]+$")


def closing_section(fmt: Format, numeral: str, text: str) -> str | None:
    """The section a renamed closing heading stands for: the last narrative section for “other
    matters”, the first narrative section after the tables for anything else."""
    last_table = max((i for i, s in enumerate(fmt.sections) if s.kind == "tables"), default=-1)
    closing = [s.id for s in fmt.sections[last_table + 1 :] if s.kind == "narrative"]
    if not closing or numeral not in "五六七八九十":
        return None
    return closing[-1] if _OTHER.search(text) else closing[0]


def _number(text: str) -> int | None:
    if text.isdigit():
        return int(text)
    if all(c in _CN_DIGITS for c in text):  # 二〇二四
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    if "十" in text:  # 十七, 二十, 十
        tens, _, ones = text.partition("十")
        t = _CN_DIGITS.get(tens, 0) if tens else 1
        o = _CN_DIGITS.get(ones, 0) if ones else 0
        return t * 10 + o
    return None


def parse_date(line: str) -> dt.date | None:
    """A 成文日期 line, in Arabic or Chinese numerals; None for anything else."""
    m = _DATE.match(unicodedata.normalize("NFKC", line).replace(" ", ""))
    if not m:
        return None
    year, month, day = (_number(g) for g in m.groups())
    try:
        return dt.date(year, month, day) if None not in (year, month, day) else None
    except ValueError:
        return None


def clean_agency(text: str) -> str:
    """An agency name without markdown or list debris (“# ”, “**”, “> ”) and surrounding space."""
    return _MARKUP.sub("", unicodedata.normalize("NFKC", text)).strip()


def looks_like_agency(text: str) -> bool:
    s = clean_agency(text)
    return 2 <= len(s) <= 40 and not re.search(r"[。，,；;：:！？《》“”]", s) and bool(_AGENCY_END.search(s))


def split_signature(lines: list[str], agency: str | None) -> tuple[list[str], Signature | None]:
    """The 落款 taken off the end of the last section's lines: (the lines before it, the signature)."""
    for back in range(1, min(4, len(lines)) + 1):
        date = parse_date(lines[-back])
        if date is None:
            continue
        before = lines[: len(lines) - back]
        name = ""
        if before and (looks_like_agency(before[-1]) or (agency and clean_agency(before[-1]) == agency)):
            name = clean_agency(before.pop())
        return before, Signature(name, date)  # what follows the date (“此件公开发布”) is not text
    return lines, None
