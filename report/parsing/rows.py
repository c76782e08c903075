"""Numbers placed into rows: a row's cells checked against its width, a whole table in one line
(四), rows without a label. A mixin of :class:`report.parsing.walker.Walker`.
"""

from __future__ import annotations

from ..formats import Row, Table
from ..validation import ERROR, WARNING
from . import digitruns
from .text import clean, kind, norm, read_value, short


class Rows:
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
            f"{where}有 {len(vals)} 个数（{short(shown, 40)}）找不到所属的行{after}，未读入",
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
