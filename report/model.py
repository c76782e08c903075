"""The report model: one agency's report for one year, its narratives and its cell values.

A cell key missing from ``values`` is *not answered yet*; a key present with ``None`` is a blank
cell (as found in a published report); 0 is zero. Totals (derived cells) are computed from their
terms and never entered through the bot; a parsed report may carry them, and validation checks them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, NamedTuple

from . import formats
from .formats import Format

Value = int | Decimal | None

class _Rules(NamedTuple):
    """The derived identities of a format, computed once per format."""

    ordered: tuple[tuple[str, tuple[str, ...]], ...]  # (target, terms), in format order
    # Targets computed by one rule whose terms are entered cells or such targets again: their
    # effective value follows from the entered values alone. (A target of several rules is
    # computed by the first rule whose terms are known in the passes of _compute_effective.)
    single: dict[str, tuple[str, ...]]


_DERIVED_RULES: dict[str, tuple[Format, _Rules]] = {}


def _rules(fmt: Format) -> _Rules:
    """The format's rules, built once per format object (kept by its id string, checked to be the
    same object: a test may build its own format under a shipped id)."""
    found = _DERIVED_RULES.get(fmt.id)
    if found is None or found[0] is not fmt:
        found = _DERIVED_RULES[fmt.id] = (fmt, _build_rules(fmt))
    return found[1]


def _build_rules(fmt: Format) -> _Rules:
    ordered = tuple((i.target, tuple(i.rhs)) for i in fmt.identities if i.derived)
    by_target: dict[str, list[tuple[str, ...]]] = {}
    for target, rhs in ordered:
        by_target.setdefault(target, []).append(rhs)
    single: dict[str, tuple[str, ...]] = {}
    unresolved: set[str] = set()  # targets found to depend on a target of several rules (or a cycle)

    def resolve(target: str, path: frozenset[str]) -> bool:
        if target in single:
            return True
        if target in unresolved or target in path or len(by_target[target]) > 1:
            return False
        (rhs,) = by_target[target]
        if all(t not in by_target or resolve(t, path | {target}) for t in rhs):
            single[target] = rhs
            return True
        unresolved.add(target)
        return False

    for target in by_target:
        resolve(target, frozenset())
    return _Rules(ordered, single)


def _derived_rules(fmt: Format) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(target, terms) of the format's derived identities, in order; computed once per format."""
    return _rules(fmt).ordered


@dataclass(frozen=True)
class Signature:
    """The 落款 under the last section: the agency's full name and the 成文日期.

    An empty ``agency`` means the report's agency; ``date`` None means not dated yet (a final
    rendering then uses the day of rendering and says so)."""

    agency: str = ""
    date: dt.date | None = None


@dataclass
class Report:
    format: Format
    year: int
    agency: str = ""
    narratives: dict[str, str] = field(default_factory=dict)
    values: dict[str, Value] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)
    # The opening paragraph (根据《中华人民共和国政府信息公开条例》…): None is the standard one, filled
    # from the agency and the year; "" means none; any other text is the officer's own.
    preamble: str | None = None
    signature: Signature = field(default_factory=Signature)

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

    def _effective(self) -> dict[str, Value]:
        """effective() without the copy, for callers that only read it."""
        return self._compute_effective()

    def effective(self) -> dict[str, Value]:
        """Every cell's value: entered values, with derived totals computed where not entered.

        A derived cell is computed only when all its terms are known; otherwise it is absent.
        """
        return self._compute_effective()

    def _compute_effective(self) -> dict[str, Value]:
        """Passes over the derived identities in format order until one computes nothing. A rule
        whose target is known (entered, or computed by an earlier rule of the same target) never
        computes again, so each pass visits only the rules still waiting for a term."""
        out: dict[str, Value] = dict(self.values)
        get = out.get
        waiting = [rule for rule in _derived_rules(self.format) if rule[0] not in out]
        while waiting:
            still: list[tuple[str, tuple[str, ...]]] = []
            for rule in waiting:
                target, rhs = rule
                if target in out:
                    continue
                terms = list(map(get, rhs))
                # every term known and not blank (get gives None for a missing key)
                if None in terms:
                    still.append(rule)
                else:
                    out[target] = sum(terms, start=0)
            if len(still) == len(waiting):  # nothing computed in this pass
                break
            waiting = still
        return out

    def value(self, key: str) -> Value:
        return self._effective().get(key)

    def effective_value(self, key: str, default: Any = None) -> Any:
        """``effective().get(key, default)``; a total computed by a single identity (over entered
        cells or such totals) is computed from its terms alone, without the whole report."""
        if key in self.values:
            return self.values[key]
        rules = _rules(self.format)
        if key in rules.single:
            found = self._single_total(key, rules.single)
            return default if found is None else found
        return self._effective().get(key, default)

    def _single_total(self, key: str, single: dict[str, tuple[str, ...]]) -> Value:
        """The value of a key of ``single`` that is not entered (None when it is not computed: a
        term is missing or blank), as _compute_effective finds it."""
        terms = []
        for term in single[key]:
            if term in self.values:
                value = self.values[term]
            elif term in single:
                value = self._single_total(term, single)
            else:
                return None  # neither entered nor computed
            if value is None:
                return None
            terms.append(value)
        return sum(terms, start=0)

    def set(self, key: str, value: Value) -> None:
        if key not in self.format.cells:
            raise KeyError(key)
        self.values[key] = value

    def copy(self, **changes: Any) -> Report:
        """A copy whose narratives, values and units are new dicts (changing one leaves ``self`` as
        it is); ``changes`` replace fields as :func:`dataclasses.replace` does (a dict given is used
        as it is, not copied)."""
        if not changes:  # the common case, without dataclasses.replace's walk over the fields
            return type(self)(
                format=self.format,
                year=self.year,
                agency=self.agency,
                narratives=dict(self.narratives),
                values=dict(self.values),
                units=dict(self.units),
                preamble=self.preamble,
                signature=self.signature,
            )
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
        eff = self._effective()
        return {k: eff.get(k) for k in self.format.cells}

    # -- sections --------------------------------------------------------------------
    def section_keys(self, section_id: str) -> list[str]:
        return list(self.format.keys_of(section_id))

    def section_input_keys(self, section_id: str) -> list[str]:
        return list(self.format.input_keys_of(section_id))

    def section_answered(self, section_id: str) -> tuple[int, int]:
        """(answered, total) input items of a section."""
        keys = self.format.input_keys_of(section_id)
        answers = self.narratives if self.format.section(section_id).kind == "narrative" else self.values
        return sum(map(answers.__contains__, keys)), len(keys)

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
            and self.preamble == other.preamble
            and self.signature == other.signature
        )
