"""A table row: every input column in one message (the totals are computed, never asked), or the
whole table pasted."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from report.formats import Column, Row, Table
from report.model import Report, Value
from report.numbers import NumberError, format_value, parse_answer, parse_value

from ... import messages as M
from .. import actions as A
from .base import Question, Refused, Result, Saved, Stay

_ABSENT = object()  # no effective value (a total whose terms are not all known)


def row_text(values: list[Value]) -> str:
    return " ".join(format_value(v) if v is not None else "?" for v in values)


@dataclass(frozen=True)
class RowQuestion(Question):
    table: Table | None = None
    row: Row | None = None
    columns: tuple[Column, ...] = ()  # the input columns
    kind: ClassVar[str] = "row"

    @property
    def types(self) -> list[str]:
        return [c.type for c in self.columns]

    def answered(self, report: Report) -> bool:
        return all(k in report.values for k in self.cells)

    def totals(self, report: Report) -> list[tuple[str, Value]]:
        """(column label, value) of the row's totals that have a value (None for a blank total)."""
        derived = report.format.derived_keys
        found = ((c.label, report.effective_value(self.table.key(self.row.id, c.id), _ABSENT))
                 for c in self.table.columns if self.table.key(self.row.id, c.id) in derived)
        return [(label, v) for label, v in found if v is not _ABSENT]

    def prompt(self, current: str | None, totals: list[tuple[str, str]]) -> str:
        return M.ask_row(
            caption=self.table.caption, note=self.table.note, column_header=self.table.column_header,
            group=" ".join(x for x in (self.row.group, self.row.subgroup) if x), row_label=self.row.label,
            columns=[M.column_hint(c.label, c.type, c.unit) for c in self.columns], current=current, totals=totals,
        )

    def ask(self, ctx) -> tuple[str, list, list]:
        report = ctx.report
        current = [report.values.get(k) for k in self.cells]
        complete = None not in current
        if complete:
            totals = [(lab, format_value(v)) for lab, v in self.totals(report)]
            body = self.prompt(row_text(current), totals)
        else:
            body = self.prompt(None, [])
        rows, nav = [], []
        if ctx.state.paste:
            body = M.paste_blanks_pending(len(ctx.state.paste.get("b") or ())) + "\n\n" + body
            rows.append((ctx.button(M.BTN_BLANKS_ZERO, A.BlanksAreZero()),))
        suggestion = self.carry_suggestion(ctx) if not complete else None
        if suggestion:
            body += "\n\n" + M.offer_carry(ctx.previous.year, row_text([suggestion[k] for k in self.cells]))
            rows.append((ctx.button(M.BTN_CONFIRM, A.ConfirmCarry()),))
        if complete:
            nav.append(ctx.button(M.BTN_RETURN_CHECK if ctx.state.ret else M.BTN_KEEP, A.Keep()))
        return body, rows, nav

    def text(self, ctx, text: str) -> Result:
        from ..paste import looks_like_table, read_section_paste, whole_table_line

        text = text.strip()
        if looks_like_table(text) or whole_table_line(ctx.report, self.table, text):
            paste = read_section_paste(ctx.report, ctx.report.format.section(self.section_id), self.table, text)
            if paste.problems:
                return Refused(M.paste_refused(paste.problems))
            if paste.blanks:  # shown back; one press takes them as 0
                kept = {k: str(v) for k, v in paste.values.items()}
                return Stay(ctx.state.replace(paste={"v": kept, "b": paste.blanks}),
                            prefix=M.paste_blanks(self.blank_names(ctx, paste.blanks)))
            return self.pasted(ctx, paste.values)
        total_keys = self.trailing_totals(ctx.report.format)
        try:
            nums, given = parse_answer(text, self.types, len(total_keys))
        except NumberError as exc:
            return Refused(exc.reason)
        values = dict(zip(self.cells, nums, strict=True))
        if given:  # typed with its totals: accepted when they agree with the computed ones
            applied = ctx.report.with_answers(values)
            for (label, key), typed in zip(total_keys, given, strict=True):
                computed = applied.effective_value(key)
                if computed != typed:
                    return Refused(M.row_total_mismatch(label, format_value(typed), format_value(computed)))
        return self.saved(ctx, values)

    def trailing_totals(self, fmt) -> list[tuple[str, str]]:
        """(label, key) of the row's total columns when they come after all its input columns (as
        printed: 总计 last), so a row may be typed with them."""
        cols = list(self.table.columns)
        keys = [self.table.key(self.row.id, c.id) for c in cols]
        derived = [k in fmt.derived_keys for k in keys]
        n = len(self.columns)
        if all(not d for d in derived[:n]) and all(derived[n:]):
            return [(c.short or c.label, k) for c, k in zip(cols[n:], keys[n:], strict=True)]
        return []

    def saved(self, ctx, values: dict) -> Saved:
        applied = ctx.report.with_answers(values)
        shown = row_text([applied.values.get(k) for k in self.cells])
        totals = [(lab, format_value(v)) for lab, v in self.totals(applied) if v is not None]
        return Saved(values=values, prefix=M.row_saved(self.row.short or self.row.label, shown, totals))

    def pasted(self, ctx, values: dict) -> Saved:
        whole_section = any(not k.startswith(f"{self.table.id}.") for k in values)
        title = ctx.report.format.section(self.section_id).title if whole_section or not self.table.caption \
            else self.table.caption
        return Saved(values=values, prefix=M.paste_applied(title, len(values)))

    def blank_names(self, ctx, keys: list[str]) -> list[str]:
        cells = ctx.report.format.cells
        return [f"{cells[k].row.label} {cells[k].column.short or cells[k].column.label}" for k in keys]

    def press(self, ctx, act) -> Result | None:
        if isinstance(act, A.BlanksAreZero):
            return self.blanks_as_zero(ctx)
        if isinstance(act, A.ConfirmCarry):
            suggestion = self.carry_suggestion(ctx)
            return self.saved(ctx, suggestion) if suggestion is not None else Refused(M.CARRY_GONE)
        return None

    def blanks_as_zero(self, ctx) -> Result:
        """空白按 0 处理: the paste waiting in the state, its blank cells as 0."""
        paste = ctx.state.paste or {}
        fmt = ctx.report.format
        try:
            values = {k: parse_value(v, fmt.cells[k].type) for k, v in (paste.get("v") or {}).items()}
            zeros = {k: Decimal(0) if fmt.cells[k].type == "decimal" else 0 for k in paste.get("b") or ()}
        except (KeyError, NumberError, TypeError, AttributeError):
            return Refused(M.PASTE_LOST)
        if not zeros or any(k not in fmt.cells for k in values):
            return Refused(M.PASTE_LOST)
        return self.pasted(ctx, {**values, **zeros})

    def carry_suggestion(self, ctx) -> dict[str, Value] | None:
        """Last year's 结转下年度继续办理 for this year's 上年结转 row (when last year's report is stored)."""
        prev, fmt = ctx.previous, ctx.report.format
        to_row = fmt.carry_over.get("to_row")
        if prev is None or not to_row or f"{self.table.id}.{self.row.id}" != to_row:
            return None
        from_row = prev.format.carry_over.get("from_row")
        if not from_row:
            return None
        eff = prev.effective()
        out: dict[str, Value] = {}
        for col in self.columns:
            v = eff.get(f"{from_row}.{col.id}")
            if v is None:
                return None
            out[self.table.key(self.row.id, col.id)] = v
        return out

    def example(self) -> str:
        return M.example("row", self.types)
