"""Walking the lines of a published report into the report model, with precise diagnostics.

Rows are found by their labels (matched in comparison form against the format), never by
position alone. A row with too few or too many numbers is named and left blank: which cell was
lost cannot be known, so nothing is shifted. Every reading that is not certain becomes a Problem.
"""

from __future__ import annotations

import re
from decimal import Decimal

from ..formats import Format, Row, Table
from ..model import Signature
from ..validation import ERROR, WARNING, Problem
from . import digitruns
from .closing import CLOSING_HEADING, closing_section, split_signature
from .errors import UnreadableReport
from .lines import Document, Line
from .text import clean, kind, norm, read_value
from .vocab import similarity, vocabulary

SENTENCE_LEN = 60
_REJECTED = object()
_PART = re.compile(r"^\s*[（(]\s*([一二三四五六七八九十]{1,2})\s*[)）]\s*")
_NUMERALS = "一二三四五六七八九十"
_TABLE_NUMBER = re.compile(r"^\s*附?表\s*[一二三四五六七八九十\d]{1,2}\s*[:：.．]?\s*$")
_FOOTER_INLINE = re.compile(r"【(?:打印|关闭|字体|字号)|\[(?:打印|关闭)")
_FOOTER = re.compile(r"^\s*(?:【?打印|【?关闭|相关链接|扫一扫|分享到|上一篇|下一篇|责任编辑|【字体|字号[:：]|附件下载)")


def _short(text: str, n: int = 30) -> str:
    text = clean(text)
    return text if len(text) <= n else text[:n] + "…"


class Walker:
    def __init__(self, fmt: Format, agency: str | None = None):
        self.fmt = fmt
        self.v = vocabulary(fmt.id)
        self.agency = agency
        self.section: str | None = None
        self.table: Table | None = None
        self.labels: list[str] = []
        self.vals: list[str] = []
        self.merged = 0  # value cells of the current row given by a merged cell (rowspan or colspan)
        self.spans: list[int] = []  # the columns each value of the current row spans
        self.right = False
        self.narr: dict[str, list[str]] = {}
        self.values: dict[str, int | Decimal | None] = {}
        self.units: dict[str, str] = {}
        self.raw_rows: dict[tuple[str, str], list[str]] = {}
        self.last_row: dict[str, int] = {}
        self.empty_rows: set[tuple[str, str]] = set()
        self.handled_rows: set[tuple[str, str]] = set()
        self.header_units: dict[tuple[str, str], str] = {}
        self.seen_headings: set[str] = set()
        self.problems: list[Problem] = []
        self.runs: list[digitruns.Run] = []
        self.signature: Signature | None = None
        self.tail = ""  # the rest of the last row's label, when it was broken across lines
        self.first_table = next(i for i, s in enumerate(fmt.sections) if s.kind == "tables")

    # -- diagnostics ---------------------------------------------------------------------------
    def problem(self, severity: str, rule: str, message: str, cells=(), section: str | None = None) -> None:
        self.problems.append(Problem(severity, rule, message, tuple(cells), section or self.section))

    def table_name(self, table: Table) -> str:
        title = self.fmt.section(table.section_id).title
        return f"{title} {table.caption}" if table.caption else title

    def row_name(self, table: Table, row: Row) -> str:
        label = f"{row.subgroup} {row.label}" if row.subgroup else row.label
        return f"{self.table_name(table)}：{label}"

    # -- the walk ------------------------------------------------------------------------------
    def run(self, doc: Document) -> None:
        for line in doc.lines:
            self.line(line)
        self.flush()

    def heading(self, raw: str) -> tuple[str, str] | None:
        """(section id, text after the heading on the same line) when the cell is a section heading."""
        n = norm(raw)
        if not n or n in self.v.rows or n in self.v.struct:
            return None
        for sid, h in self.v.headings.items():
            if not n.startswith(sid):
                continue
            rest = n[len(sid) :]
            if rest == h or (h in rest and len(rest) <= len(h) + 12) or similarity(rest, h) >= 0.6:
                return sid, ""
            for sep in ("：", ":", "。"):
                if sep in raw:
                    head, _, tail = raw.partition(sep)
                    found = self.heading(head)
                    if found:
                        return found[0], tail.strip()
            return None
        return None

    def closing_heading(self, raw: str) -> bool:
        """A renamed or renumbered closing section after the tables (五、当前存在的突出问题,
        六、下一步改进举措, 七、其他需说明事项): read into 五 or 六, and said so."""
        m = CLOSING_HEADING.match(clean(raw))
        if not m or not self.section or self.fmt.sections.index(self.fmt.section(self.section)) < self.first_table:
            return False
        current = self.fmt.section(self.section)
        if current.kind == "narrative" and _NUMERALS.find(m.group(1)) <= _NUMERALS.find(self.section):
            return False  # “五、加强培训” inside 五 is a list item, not a heading
        sid = closing_section(self.fmt, m.group(1), m.group(2))
        if sid is None:
            return False
        target = self.fmt.section(sid)
        again = sid in self.seen_headings
        self.enter(sid)
        if again:  # a second heading read into the same section: its title stays as a line of text
            self.narr.setdefault(sid, []).append(clean(raw))
        self.problem(
            WARNING,
            "parse.section_renamed",
            f"标题“{clean(raw)}”与格式的标题不同，已按内容读入“{target.title}”，请核对",
            tuple(p.key for p in target.parts),
            sid,
        )
        return True

    def signal(self, line: Line) -> Table | None:
        """A table caption or row label on a line outside the tables: the tables start here."""
        for cell in line.cells:
            n = norm(cell) if cell else ""
            if not n:
                continue
            if n in self.v.captions:
                return self.v.captions[n]
            if n in self.v.rows:
                return self.v.rows[n][0][0]
            if line.grid and (n in self.v.struct or n in self.v.columns):
                for tables in (self.v.columns.get(n, []),):
                    if tables:
                        return tables[0][0]
        return None

    def enter(self, sid: str) -> None:
        self.flush()
        self.section = sid
        self.seen_headings.add(sid)
        section = self.fmt.section(sid)
        self.table = section.tables[0] if len(section.tables) == 1 else None

    def line(self, line: Line) -> None:
        distinct = {c.strip() for c, cont in zip(line.cells, line.cont, strict=False) if c.strip() and not cont}
        if len(distinct) == 1:
            (only,) = distinct
            found = self.heading(only)
            if found:
                sid, rest = found
                self.enter(sid)
                if rest and self.fmt.section(sid).kind == "narrative":
                    self.narr.setdefault(sid, []).append(rest)
                return
            if self.closing_heading(only):
                return
        kind_of_section = self.v.kinds.get(self.section) if self.section else None
        if kind_of_section != "tables":
            table = self.signal(line)
            if table is None:
                if self.section:
                    self.narr.setdefault(self.section, []).append(line.text)
                return
            self.flush()
            self.section = table.section_id
            self.table = table
        if line.grid:
            self.grid_row(line)
        else:
            for cell in line.cells:
                self.feed(cell)

    def feed(self, cell: str) -> None:
        k = kind(cell)
        if k != "label":
            self.vals.append(cell)
            return
        n = norm(cell)
        if n in self.v.captions:
            self.flush()
            self.table = self.v.captions[n]
            return
        if self.vals:
            self.flush()
        if self.take_tail(cell):
            return
        if len(clean(cell)) > SENTENCE_LEN or "。" in cell:
            self.problem(WARNING, "parse.text", f"{self.where()}表格部分有一段文字未读入：“{_short(cell)}”")
            return
        self.labels.append(cell)

    def where(self) -> str:
        if self.table is not None:
            return self.table_name(self.table) + "："
        if self.section:
            return self.fmt.section(self.section).title + "："
        return ""

    def grid_row(self, line: Line) -> None:
        if self.vals:
            self.flush()  # labels still pending (a label wrapped onto the line above) join this row
        cells, conts = line.cells, line.cont
        kinds = [kind(c) for c in cells]
        first_value = next((i for i, k in enumerate(kinds) if k in ("value", "mark") and not conts[i]), len(cells))
        last_label = max((i for i in range(first_value) if kinds[i] == "label"), default=-1)
        for i in range(last_label + 1):
            if kinds[i] != "label":
                continue
            cell = cells[i]
            n = norm(cell)
            if n in self.v.captions:
                if self.v.captions[n] is not self.table:
                    self.flush()
                    self.table = self.v.captions[n]
                continue
            if not self.labels and self.take_tail(cell):
                continue
            if len(clean(cell)) > SENTENCE_LEN or "。" in cell:
                if not conts[i]:
                    self.problem(WARNING, "parse.text", f"{self.where()}表格中有一段文字未读入：“{_short(cell)}”")
                continue
            if not self.labels or self.labels[-1] != cell:
                self.labels.append(cell)
        for i in range(last_label + 1, len(cells)):
            # A value cell merged down from the row above (rowspan) holds this row's value too.
            if conts[i] and kinds[i] in ("value", "mark"):
                self.merged += 1
            elif conts[i] and kinds[i] == "label":
                continue
            self.vals.append(cells[i])
            self.spans.append(line.spans[i] if i < len(line.spans) else 1)
        self.right = line.right
        self.flush()

    # -- rows ------------------------------------------------------------------------------------
    def flush(self) -> None:
        labels, vals, merged, right, spans = self.labels, self.vals, self.merged, self.right, self.spans
        self.labels, self.vals, self.merged, self.right, self.spans = [], [], 0, False, []
        if not labels and not vals:
            return
        labels = self.rejoin(labels)
        if vals and not merged and all(kind(v) == "blank" for v in vals):
            # Blank cells after a label: a blank row when they fill the row exactly, else layout.
            found = self.resolve(labels, len(vals), fuzzy=False)
            if found is not None and found is not _REJECTED:
                table, row, used, _note = found
                trimmed, _ = self.trim(vals, len(table.columns), right)
                if len(trimmed) == len(table.columns):
                    self.check_prefix(labels[: len(labels) - used], data_follows=True)
                    self.assign(table, row, trimmed, 0, right)
                    return
            vals = []
        if not vals:
            self.check_prefix(labels, data_follows=False)
            return
        found = self.resolve(labels, len(vals))
        if found is _REJECTED:
            return
        if found is None:
            self.check_prefix(labels, data_follows=True)
            self.orphan(labels, vals)
            return
        table, row, used, note = found
        self.check_prefix(labels[: len(labels) - used], data_follows=True)
        if note:
            self.problem(WARNING, "parse.unknown_label", note, [table.key(row.id, c.id) for c in table.columns])
        if len(vals) < len(table.columns) and len(spans) == len(vals) and sum(spans) == len(table.columns):
            # A value cell spanning columns: the same value in each column it spans.
            vals = [v for v, n in zip(vals, spans, strict=True) for _ in range(n)]
            merged += sum(n - 1 for n in spans)
        self.assign(table, row, vals, merged, right)

    def candidates_tables(self) -> list[Table]:
        if self.table is not None:
            return [self.table]
        if self.section and self.fmt.section(self.section).kind == "tables":
            return list(self.fmt.section(self.section).tables)
        return self.fmt.tables

    def pick(self, hits: list[tuple[Table, Row]]) -> tuple[Table, Row]:
        for pool in (self.candidates_tables(), self.fmt.section(self.section).tables if self.section else ()):
            for table, row in hits:
                if table in pool:
                    return table, row
        return hits[0]

    def resolve(self, labels: list[str], nvals: int, fuzzy: bool = True):
        """(table, row, label cells used, note) for the row the labels name; None when the labels end
        in a header (numbers without a row label); _REJECTED when they name no row (reported)."""
        norms = [norm(x) for x in labels]
        idx = [i for i, n in enumerate(norms) if n]
        if not idx:
            return None
        for k in range(1, min(4, len(idx)) + 1):
            picked = [norms[i] for i in idx[-k:]]
            cand = "".join(picked)
            hits = self.v.rows.get(cand) or self.v.rows.get(self.strip_groups(cand))
            if hits:
                table, row = self.pick(hits)
                self.switch_to(table)
                return table, row, len(labels) - idx[-k], ""
        for k in range(min(4, len(idx)), 0, -1):
            cand = "".join(norms[i] for i in idx[-k:])
            if len(cand) < 4:
                continue
            # A label broken across lines, its rest printed after the numbers.
            heads = [
                (label, t, r)
                for label, t, r in self.v.all_row_labels(self.candidates_tables())
                if label.startswith(cand) and (t.id, r.id) not in self.raw_rows
            ]
            if len(heads) == 1:
                label, t, r = heads[0]
                self.switch_to(t)
                self.tail = label[len(cand) :]
                return t, r, len(labels) - idx[-k], ""
        last = norms[idx[-1]]
        if not fuzzy or last in self.v.struct or last in self.v.captions:
            return None
        table = self.table
        if len(last) <= 2 or (table is not None and len(table.rows) > 1 and nvals == len(table.columns) * len(table.rows)):
            return None  # a header's fragment (“计” of 总计 printed vertically), not a row label
        # Not an official row label: the closest one, if it is clearly the one meant.
        pool = [(norm(r.label), t, r) for t in self.candidates_tables() for r in t.rows]
        scored = []
        for text in {last, "".join(norms[i] for i in idx[-2:])}:
            for label, t, r in pool:
                if text[:2].endswith("#") and label[:2].endswith("#") and text[:2] != label[:2]:
                    continue
                scored.append((similarity(text, label), t, r))
        scored.sort(key=lambda x: -x[0])
        raw_last = clean(labels[idx[-1]])
        if scored:
            best, bt, br = scored[0]
            second = next((s for s, t, r in scored if (t.id, r.id) != (bt.id, br.id)), 0.0)
            taken = (bt.id, br.id) in self.raw_rows
            if best >= 0.75 and best - second >= 0.05 and not taken:
                self.switch_to(bt)
                note = f"{self.table_name(bt)}：行名称“{raw_last}”不是官方标签，按最接近的“{br.label}”读入，请核对"
                return bt, br, len(labels) - idx[-1], note
            hint = f"（最接近的官方行名称是“{br.label}”）" if best >= 0.4 else ""
        else:
            hint = ""
        self.problem(
            ERROR,
            "parse.unknown_label",
            f"{self.where()}“{raw_last}”不是本表的行名称{hint}，这一行的 {nvals} 个数未读入",
        )
        return _REJECTED

    def strip_groups(self, n: str) -> str:
        changed = True
        while changed:
            changed = False
            for g in self.v.groups:
                if n.startswith(g) and len(n) > len(g):
                    n = n[len(g) :]
                    changed = True
        return n

    def switch_to(self, table: Table) -> None:
        if table.section_id != self.section:
            self.section = table.section_id
        if self.table is not table:
            self.table = table

    def rejoin(self, labels: list[str]) -> list[str]:
        """Label pieces joined back against the official labels: a label or header broken over
        lines (“本年制发” + “件数”, “自” “然” “人” printed vertically), headers of one row split
        into two lines column by column (“信息内容 本年制发 本年废止” over “件数 件数”), several
        headers on one line; a table number left from the layout (“表三”) dropped."""
        known = self.v.known
        if len(labels) == 1 and " " not in labels[0] or all(norm(x) in known for x in labels):
            return labels if not (len(labels) == 1 and _TABLE_NUMBER.match(labels[0])) else []
        labels = [x for x in labels if not _TABLE_NUMBER.match(x)]
        out: list[str] = []
        i = 0
        while i < len(labels):
            upper, lower = labels[i].split(), labels[i + 1].split() if i + 1 < len(labels) else []
            if 1 < len(upper) and 0 < len(lower) <= len(upper):
                paired = upper[: len(upper) - len(lower)] + [a + b for a, b in zip(upper[-len(lower) :], lower, strict=True)]
                if all(norm(x) in known for x in paired):
                    out += paired
                    i += 2
                    continue
            out.append(labels[i])
            i += 1
        tokens = [t for x in out for t in x.split()]
        joined = self._join(tokens)
        if all(norm(x) in known for x in joined):
            return joined
        return self._join(out)

    def _join(self, pieces: list[str]) -> list[str]:
        """Consecutive pieces that together make a known label, joined (longest first)."""
        known, prefixes = self.v.known, self.v.prefixes
        out: list[str] = []
        i = 0
        while i < len(pieces):
            joined, best = "", None
            for j in range(i, min(i + 12, len(pieces))):
                joined += norm(pieces[j])
                if joined in known:
                    best = j
                elif joined not in prefixes:
                    break
            end = best if best is not None else i
            out.append("".join(pieces[i : end + 1]))
            i = end + 1
        return out

    def take_tail(self, cell: str) -> bool:
        """The rest of a row label broken across lines, after the row's numbers: consumed."""
        n = norm(cell)
        if self.tail and n and self.tail.startswith(n):
            self.tail = self.tail[len(n) :]
            return True
        self.tail = ""
        return False

    def check_prefix(self, labels: list[str], data_follows: bool) -> None:
        for raw in labels:
            n = norm(raw)
            if not n:
                continue
            if n in self.v.rows:
                for table, row in self.v.rows[n]:
                    if self.table is None or table is self.table:
                        self.empty_rows.add((table.id, row.id))
                continue
            if self.table is not None:
                for col in self.table.columns:
                    cn = norm(col.label)
                    if col.type == "decimal" and n.startswith(cn) and n != cn:
                        unit = "万元" if "万元" in n else ("元" if "元" in n else None)
                        if unit:
                            self.header_units[(self.table.id, col.id)] = unit
                            n = cn
            if n in self.v.struct:
                continue
            if len(n) >= 2 and any(c.startswith(n) for c in self.v.columns):
                continue  # a header cut short (本年新 for 本年新制作数量)
            pool = list(self.v.struct) + list(self.v.rows)
            best = max(pool, key=lambda p: similarity(n, p)) if pool else ""
            score = similarity(n, best) if best else 0.0
            label_of = self.official_text(best)
            hint = f"（最接近的官方标签是“{label_of}”）" if score >= 0.5 and label_of else ""
            self.problem(WARNING, "parse.unknown_label", f"{self.where()}表格中的“{_short(raw)}”不是官方标签{hint}")

    def official_text(self, n: str) -> str:
        if n in self.v.rows:
            return self.v.rows[n][0][1].label
        for t in self.fmt.tables:
            for text in [t.caption, t.label_header, t.note, t.column_header]:
                if text and norm(text) == n:
                    return text
            for c in t.columns:
                if norm(c.label) == n:
                    return c.label
                if c.group and norm(c.group) == n:
                    return c.group
            for r in t.rows:
                for g in (r.group, r.subgroup):
                    if g and norm(g) == n:
                        return g
        return ""

    def orphan(self, labels: list[str], vals: list[str]) -> None:
        nonblank = [v for v in vals if kind(v) != "blank"]
        if not nonblank:
            return
        last = next((norm(x) for x in reversed(labels) if norm(x)), "")
        table = self.table
        if (
            table is not None
            and len(table.rows) > 1
            and len(vals) == len(table.columns) * len(table.rows)
            and not any((table.id, r.id) in self.raw_rows for r in table.rows)
        ):
            self.wide(table, vals)  # the table's headers, then all its rows in one line (四)
            return
        if last in self.v.groups:
            rows = self.v.groups[last]
            gtable = rows[0][0]
            names = "；".join(r.label for _, r in rows)
            keys = [gtable.key(r.id, c.id) for _, r in rows for c in gtable.columns]
            for _, r in rows:
                self.handled_rows.add((gtable.id, r.id))
            self.problem(
                ERROR,
                "parse.group_values",
                f"{self.table_name(gtable)}：“{clean(labels[-1])}”在{self.fmt.name}中是分组标题，下分 {len(rows)} 行"
                f"（{names}），这里却直接填了 {len(vals)} 个数，未读入",
                keys,
                gtable.section_id,
            )
            return
        if table is not None and len(table.rows) > 1 and not any((table.id, r.id) in self.raw_rows for r in table.rows):
            if len(vals) > len(table.columns):
                self.wide(table, vals)
                return
            if digitruns.is_run(vals, len(table.columns) * len(table.rows)):
                keys = tuple(table.key(r.id, c.id) for r in table.rows for c in table.columns)
                self.runs.append(digitruns.Run(keys, vals[0].strip(), self.table_name(table), table.section_id))
                for r in table.rows:
                    self.raw_rows[(table.id, r.id)] = list(vals)
                return
        where = self.where()
        shown = " ".join(clean(v) or "□" for v in vals)
        after = f"（前面的标签是“{clean(labels[-1])}”）" if labels else ""
        self.problem(
            ERROR,
            "parse.unplaced",
            f"{where}有 {len(vals)} 个数（{_short(shown, 40)}）找不到所属的行{after}，未读入",
        )

    @staticmethod
    def trim(vals: list[str], n: int, right: bool) -> tuple[list[str], str]:
        """Blank cells beyond the row's width: merged label area (before) or residue (after).

        When blanks on both ends could be the extra ones, nothing is dropped and the row is
        reported, since dropping the wrong one would shift every value.
        """
        extra = len(vals) - n
        if extra <= 0:
            return list(vals), ""
        blank = [kind(v) == "blank" for v in vals]
        if all(blank):
            return list(vals[:n]), ""
        lead = next((i for i, b in enumerate(blank) if not b), len(vals))
        trail = next((i for i, b in enumerate(reversed(blank)) if not b), len(vals))
        if right and lead >= extra:
            return list(vals[extra:]), ""
        if lead == 0 and trail >= extra:
            return list(vals[:n]), ""
        if trail == 0 and lead >= extra:
            return list(vals[extra:]), ""
        if lead and trail and lead + trail >= extra:
            return list(vals), "；前后都有空格，无法确定哪一格是多出来的"
        return list(vals), ""

    def wide(self, table: Table, vals: list[str]) -> None:
        """All rows of a table in one line, as 四 is printed: rows × columns numbers in order."""
        n = len(table.columns)
        expected = n * len(table.rows)
        vals = list(vals)
        while len(vals) > expected and kind(vals[-1]) == "blank":
            vals.pop()
        if len(vals) != expected:
            keys = [table.key(r.id, c.id) for r in table.rows for c in table.columns]
            for k in keys:
                self.values[k] = None
            for r in table.rows:
                self.raw_rows[(table.id, r.id)] = []
            few = "只有" if len(vals) < expected else "却有"
            self.problem(
                ERROR,
                "parse.missing_cell" if len(vals) < expected else "parse.extra_cell",
                f"{self.table_name(table)}：应有 {expected} 个数，{few} {len(vals)} 个"
                f"（读到：{' '.join(clean(v) or '□' for v in vals)}）。无法确定是哪一格有误，"
                f"本表各格均按空白（未知）处理",
                keys,
                table.section_id,
            )
            return
        for i, row in enumerate(table.rows):
            self.assign(table, row, vals[i * n : (i + 1) * n], 0)

    def assign(self, table: Table, row: Row, vals: list[str], merged: int, right: bool = False) -> None:
        cols = table.columns
        n = len(cols)
        vals, trim_note = self.trim(vals, n, right)
        if len(vals) == n * len(table.rows) and len(table.rows) > 1 and not any(
            (table.id, r.id) in self.raw_rows for r in table.rows
        ):
            self.wide(table, vals)
            return
        key = (table.id, row.id)
        keys = [table.key(row.id, c.id) for c in cols]
        where = self.row_name(table, row)
        shown = [clean(v) or "□" for v in vals]
        if key in self.raw_rows:
            before = self.raw_rows[key]
            if [norm(x) for x in before] == [norm(x) for x in vals]:
                self.problem(WARNING, "parse.duplicate_row", f"{where}：这一行出现了两次（数值相同）", keys, table.section_id)
                return
            for k in keys:
                self.values[k] = None
            self.problem(
                ERROR,
                "parse.duplicate_row",
                f"{where}：这一行出现了两次，数值不同（{' '.join(clean(x) or '□' for x in before)} 与 "
                f"{' '.join(shown)}），无法确定哪个正确，本行按空白处理",
                keys,
                table.section_id,
            )
            return
        self.raw_rows[key] = list(vals)
        if digitruns.is_run(vals, n):
            self.runs.append(digitruns.Run(tuple(keys), vals[0].strip(), where, table.section_id))
            return
        index = self.v.row_index[(table.id, row.id)]
        previous = self.last_row.get(table.id)
        if previous is not None and index < previous:
            self.problem(
                WARNING,
                "parse.order",
                f"{where}：这一行出现在“{table.rows[previous].label}”之后，与官方表格的行序不同"
                f"（已按行名称读入，请核对是否错行）",
                keys,
                table.section_id,
            )
        self.last_row[table.id] = max(index, previous if previous is not None else -1)
        if len(vals) != n:
            for k in keys:
                self.values[k] = None
            merged_note = f"；有 {merged} 格是合并单元格" if merged else ""
            merged_note += trim_note
            if len(vals) < n:
                rule, what = "parse.missing_cell", f"只有 {len(vals)} 个"
            else:
                rule, what = "parse.extra_cell", f"却有 {len(vals)} 个"
            self.problem(
                ERROR,
                rule,
                f"{where}：应有 {n} 个数，{what}（读到：{' '.join(shown)}{merged_note}）。"
                f"无法确定是哪一格{'缺失' if len(vals) < n else '多余'}，本行 {n} 格均按空白（未知）处理",
                keys,
                table.section_id,
            )
            return
        if merged:
            self.problem(
                WARNING,
                "parse.merged",
                f"{where}：有 {merged} 格是跨行或跨列的合并单元格，已把合并单元格中的数填入它跨过的每一格，请核对",
                keys,
                table.section_id,
            )
        blanks = []
        for col, raw in zip(cols, vals, strict=True):
            k = table.key(row.id, col.id)
            rv = read_value(raw, col.type, col.unit, col.unit_choices)
            self.values[k] = rv.value
            unit = rv.unit or self.header_units.get((table.id, col.id))
            if unit and col.unit_choices and not col.unit:
                self.units[k] = unit
            if rv.blank and not rv.findings:
                blanks.append(col.label)
            for f in rv.findings:
                self.problem(f.severity, f.rule, f"{where} {col.label}：{f.text}", (k,), table.section_id)
        if blanks:
            blank_keys = [table.key(row.id, c.id) for c in cols if c.label in blanks]
            self.problem(
                ERROR,
                "parse.blank",
                f"{where}：{'、'.join(blanks)} 为空白（没有数据应填 0）",
                blank_keys,
                table.section_id,
            )

    # -- results ---------------------------------------------------------------------------------
    def finish(self) -> None:
        if not self.raw_rows:
            raise UnreadableReport("no_tables")
        self.decode_runs()
        for table in self.fmt.tables:
            missing = [r for r in table.rows if (table.id, r.id) not in self.raw_rows]
            missing = [r for r in missing if (table.id, r.id) not in self.handled_rows]
            if not missing:
                continue
            n = len(table.columns)
            if len(missing) == len(table.rows) and not any((table.id, r.id) in self.empty_rows for r in missing):
                keys = [table.key(r.id, c.id) for r in missing for c in table.columns]
                self.problem(ERROR, "parse.missing_table", f"没有找到表格：{self.table_name(table)}", keys, table.section_id)
                continue
            for r in missing:
                keys = [table.key(r.id, c.id) for c in table.columns]
                if "optional_row" in r.tags and (table.id, r.id) not in self.empty_rows:
                    self.problem(
                        WARNING,
                        "parse.missing_row",
                        f"{self.row_name(table, r)}：没有这一行（不制定{r.label}的部门可以不列），按未填写处理",
                        keys,
                        table.section_id,
                    )
                    continue
                if (table.id, r.id) in self.empty_rows:
                    self.problem(
                        ERROR, "parse.missing_cell", f"{self.row_name(table, r)}：应有 {n} 个数，一个也没有", keys, table.section_id
                    )
                else:
                    self.problem(ERROR, "parse.missing_row", f"{self.row_name(table, r)}：没有找到这一行", keys, table.section_id)
        for section in self.fmt.sections:
            if section.id not in self.seen_headings:
                self.problem(WARNING, "parse.missing_heading", f"没有找到标题“{section.title}”", (), section.id)

    def decode_runs(self) -> None:
        """Rows printed as one run of digits, decided together (see :mod:`.digitruns`)."""
        if not self.runs:
            return
        digitruns.resolve(self.fmt, self.runs, self.values)
        for run in self.runs:
            if run.decoded is not None:
                self.values.update(zip(run.keys, run.decoded, strict=True))
                how = "每格一位数" if len(run.digits) == len(run.keys) else "按表内勾稽关系只有一种拆法"
                self.problem(
                    WARNING,
                    "parse.digit_run",
                    f"{run.name}：数字连在一起（“{run.digits}”），{how}，读作 {' '.join(map(str, run.decoded))}，请核对",
                    run.keys,
                    run.section,
                )
                continue
            for k in run.keys:
                self.values[k] = None
            if run.candidates:
                shown = "；".join(" ".join(map(str, c)) for c in run.candidates[:3])
                more = f"等 {len(run.candidates)} 种" if len(run.candidates) > 3 else f"共 {len(run.candidates)} 种"
                why = f"可以拆成 {shown}（{more}），无法确定"
            else:
                why = "无法拆成符合勾稽关系的数" if run.candidates is not None else "位数太多，无法拆分"
            self.problem(
                ERROR,
                "parse.digit_run",
                f"{run.name}：数字连在一起（“{run.digits}”），{why}，本行 {len(run.keys)} 格均按空白（未知）处理",
                run.keys,
                run.section,
            )

    def narratives(self) -> dict[str, str]:
        out: dict[str, str] = {}
        last_narrative = None
        for section in self.fmt.sections:
            if section.kind == "narrative" and section.id in self.narr:
                last_narrative = section.id
        for section in self.fmt.sections:
            if section.kind != "narrative":
                continue
            lines = [x for raw in self.narr.get(section.id, []) for x in raw.split("\n")]
            lines = [clean(x) for x in lines]
            lines = [x for x in lines if x]
            if section.id == last_narrative:
                lines = self.trim_footer(lines)
            if not lines:
                continue
            if len(section.parts) == 1:
                out[section.parts[0].key] = "\n".join(lines)
            else:
                out.update(self.split_parts(section, lines))
        return out

    def trim_footer(self, lines: list[str]) -> list[str]:
        """The web page's footer dropped, the 落款 (agency, 成文日期) taken into ``signature``."""
        for i, x in enumerate(lines):
            if _FOOTER.match(x):
                lines = lines[:i]
                break
            inline = _FOOTER_INLINE.search(x)  # a page footer run into the last paragraph (PDF)
            if inline:
                lines = lines[:i] + ([x[: inline.start()].rstrip()] if inline.start() else [])
                break
        lines, signature = split_signature(lines, self.agency)
        if signature is not None:
            self.signature = signature
        return lines

    def split_parts(self, section, lines: list[str]) -> dict[str, str]:
        by_ordinal = {}
        for part in section.parts:
            m = _PART.match(part.label)
            if m:
                by_ordinal[m.group(1)] = part
        order = [p.key for p in section.parts]
        current = None
        intro: list[str] = []
        buf: dict[str, list[str]] = {}
        for x in lines:
            m = _PART.match(x)
            part = by_ordinal.get(m.group(1)) if m else None
            if part is not None and (current is None or order.index(part.key) > order.index(current.key)):
                current = part
                rest = x[m.end() :].strip()
                heading, text = self.split_heading(rest)
                core = norm(part.label[_PART.match(part.label).end() :])
                if heading and norm(heading) and core not in norm(heading) and similarity(norm(heading), core) < 0.5:
                    self.problem(
                        WARNING,
                        "parse.narrative",
                        f"{section.title}：小标题“{_short(x, 20)}”与格式的“{part.label}”不同，已按序号读入",
                        (part.key,),
                        section.id,
                    )
                buf.setdefault(part.key, [])
                if text:
                    buf[part.key].append(text)
                continue
            if current is None:
                intro.append(x)
            else:
                buf[current.key].append(x)
        first = section.parts[0]
        if not buf:
            return {first.key: "\n".join(intro)} if intro else {}
        if intro:
            buf.setdefault(first.key, [])
            buf[first.key] = intro + buf[first.key]
            self.problem(
                WARNING,
                "parse.narrative",
                f"{section.title}：小标题前的一段文字已并入{first.label}",
                (first.key,),
                section.id,
            )
        return {k: "\n".join(v) for k, v in buf.items() if v}

    @staticmethod
    def split_heading(rest: str) -> tuple[str, str]:
        """'主动公开情况。' → (heading, ''); '政府信息管理。强化…' → (heading, text)."""
        stripped = rest.rstrip("。：:;；.")
        if len(stripped) <= 20 and "。" not in stripped:
            return stripped, ""
        for i, ch in enumerate(rest[:21]):
            if ch in "。：:":
                return rest[:i], rest[i + 1 :].strip()
        return "", rest
