"""The report model: one agency's report for one year, its narratives and its cell values.

A cell key missing from ``values`` is *not answered yet*; a key present with ``None`` is a blank
cell (as found in a published report); 0 is zero. Totals (derived cells) are computed from their
terms and never entered through the bot; a parsed report may carry them, and validation checks them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from . import formats
from .formats import Format

Value = int | Decimal | None


@dataclass
class Report:
    format: Format
    year: int
    agency: str = ""
    narratives: dict[str, str] = field(default_factory=dict)
    values: dict[str, Value] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)

    @classmethod
    def new(cls, agency: str, year: int, format_id: str | None = None) -> Report:
        return cls(format=formats.for_year(year, format_id), year=year, agency=agency)

    # -- values --------------------------------------------------------------------
    @property
    def title(self) -> str:
        return self.format.title(self.agency, self.year)

    def is_answered(self, key: str) -> bool:
        return key in self.values

    def entered(self, key: str) -> Value:
        return self.values.get(key)

    def effective(self) -> dict[str, Value]:
        """Every cell's value: entered values, with derived totals computed where not entered.

        A derived cell is computed only when all its terms are known; otherwise it is absent.
        """
        out: dict[str, Value] = dict(self.values)
        derived = [i for i in self.format.identities if i.derived]
        changed = True
        while changed:
            changed = False
            for ident in derived:
                target = ident.target
                if target in out:
                    continue
                terms = [out.get(k) for k in ident.rhs]
                if all(t is not None for t in terms) and all(k in out for k in ident.rhs):
                    out[target] = sum(terms, start=0)
                    changed = True
        return out

    def value(self, key: str) -> Value:
        return self.effective().get(key)

    def set(self, key: str, value: Value) -> None:
        if key not in self.format.cells:
            raise KeyError(key)
        self.values[key] = value

    def copy(self, **changes: Any) -> Report:
        """A copy whose narratives, values and units are new dicts (changing one leaves ``self`` as
        it is); ``changes`` replace fields as :func:`dataclasses.replace` does (a dict given is used
        as it is, not copied)."""
        fields = {"narratives": dict(self.narratives), "values": dict(self.values), "units": dict(self.units)}
        return replace(self, **{**fields, **changes})

    def with_answers(
        self,
        values: Mapping[str, Value] | None = None,
        narratives: Mapping[str, str | None] | None = None,
        units: Mapping[str, str | None] | None = None,
    ) -> Report:
        """A copy with answers applied as they are saved: a value, text or unit replaces the old
        one; None removes it (back to "not answered")."""
        rep = self.copy()
        for target, changes in ((rep.values, values), (rep.narratives, narratives), (rep.units, units)):
            for k, v in (changes or {}).items():
                if v is None:
                    target.pop(k, None)
                else:
                    target[k] = v
        return rep

    def without_derived(self) -> Report:
        """A copy with entered totals dropped (what the bot stores)."""
        derived = self.format.derived_keys
        return self.copy(values={k: v for k, v in self.values.items() if k not in derived})

    def filled(self) -> dict[str, Value]:
        """Every cell of the format with its effective value (None when unknown); for renderers."""
        eff = self.effective()
        return {k: eff.get(k) for k in self.format.cells}

    # -- sections --------------------------------------------------------------------
    def section_keys(self, section_id: str) -> list[str]:
        section = self.format.section(section_id)
        if section.kind == "narrative":
            return [p.key for p in section.parts]
        return [k for t in section.tables for k in (t.key(r.id, c.id) for r in t.rows for c in t.columns)]

    def section_input_keys(self, section_id: str) -> list[str]:
        section = self.format.section(section_id)
        if section.kind == "narrative":
            return [p.key for p in section.parts]
        derived = self.format.derived_keys
        return [k for k in self.section_keys(section_id) if k not in derived]

    def section_answered(self, section_id: str) -> tuple[int, int]:
        """(answered, total) input items of a section."""
        keys = self.section_input_keys(section_id)
        section = self.format.section(section_id)
        if section.kind == "narrative":
            done = sum(1 for k in keys if k in self.narratives)
        else:
            done = sum(1 for k in keys if k in self.values)
        return done, len(keys)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Report):
            return NotImplemented
        return (
            self.format.id == other.format.id
            and self.year == other.year
            and self.agency == other.agency
            and self.narratives == other.narratives
            and self.values == other.values
            and self.units == other.units
        )
