"""Walking the lines of a published report into the report model, with precise diagnostics.

Rows are found by their labels (matched in comparison form against the format), never by
position alone. A row with too few or too many numbers is named and left blank: which cell was
lost cannot be known, so nothing is shifted. Every reading that is not certain becomes a Problem.
The walk is here; labels (:mod:`.labels`), rows (:mod:`.rows`) and the end of the walk
(:mod:`.results`) are mixins of the one Walker.
"""

from __future__ import annotations

from decimal import Decimal

from ..formats import Format, Row, Table
from ..model import Signature
from ..validation import ERROR, WARNING, Problem
from . import digitruns
from .closing import CLOSING_HEADING, closing_section
from .labels import Labels
from .lines import Document, Line
from .results import Results
from .rows import Rows
from .text import clean, kind, norm, short
from .vocab import similarity, vocabulary

SENTENCE_LEN = 60
_REJECTED = object()
_NUMERALS = "一二三四五六七八九十"


class Walker(Labels, Rows, Results):
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
            self.problem(WARNING, "parse.text", f"{self.where()}表格部分有一段文字未读入：“{short(cell)}”")
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
                    self.problem(WARNING, "parse.text", f"{self.where()}表格中有一段文字未读入：“{short(cell)}”")
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

