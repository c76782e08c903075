"""The unit of an amount whose unit the format leaves open (the 2019 format's 采购总金额)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from report.formats import Column, Row, Table
from report.model import Report

from ... import messages as M
from .. import actions as A
from .base import Question, Refused, Result, Saved


@dataclass(frozen=True)
class UnitQuestion(Question):
    table: Table | None = None
    row: Row | None = None
    column: Column | None = None
    kind: ClassVar[str] = "unit"

    @property
    def choices(self) -> tuple[str, ...]:
        return self.column.unit_choices

    def answered(self, report: Report) -> bool:
        # a unit is asked only for an amount other than 0
        return self.cells[0] in report.units or report.values.get(self.cells[0]) == 0

    def ask(self, ctx) -> tuple[str, list, list]:
        cell = ctx.report.format.cells[self.cells[0]]
        body = M.ask_unit(cell.label, ctx.report.units.get(self.cells[0]))
        row = tuple(ctx.button(u, A.ChooseUnit(i)) for i, u in enumerate(self.choices))
        return body, [row], []

    def saved(self, unit: str) -> Saved:
        return Saved(units={self.cells[0]: unit}, prefix=M.unit_saved(unit))

    def text(self, ctx, text: str) -> Result:
        text = text.strip()
        return self.saved(text) if text in self.choices else Refused(M.unit_invalid(self.choices))

    def press(self, ctx, act) -> Result | None:
        if isinstance(act, A.ChooseUnit):
            return self.saved(self.choices[act.index]) if act.index < len(self.choices) else Refused(
                M.unit_invalid(self.choices))
        return None

    def example(self) -> str:
        return M.example("unit", [], self.choices)
