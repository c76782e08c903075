"""The national report formats, read from the JSON data files beside this module.

Each format file describes sections, tables, rows, columns, cell types and the identities.
Nothing else in the project hard-codes a label: everything reads a :class:`Format`.
Adding a national format means adding one JSON file here (and its templates), no code.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources

CELL_TYPES = ("int", "signed_int", "decimal")


@dataclass(frozen=True)
class Column:
    id: str
    label: str
    type: str = "int"
    short: str = ""
    group: str | None = None
    unit: str | None = None
    unit_choices: tuple[str, ...] = ()
    additive: bool = True


@dataclass(frozen=True)
class Row:
    id: str
    label: str
    short: str = ""
    group: str | None = None
    subgroup: str | None = None
    tags: tuple[str, ...] = ()  # roles other parts read, e.g. "fee_unpaid" (the 六 draft)


@dataclass(frozen=True)
class Cell:
    key: str
    table: Table
    row: Row
    column: Column
    derived: bool

    @property
    def type(self) -> str:
        return self.column.type

    @property
    def label(self) -> str:
        """A human label naming the cell, e.g. '第二十条第（一）项 规章 本年制发件数'."""
        prefix = f"{self.table.caption} " if self.table.caption else ""
        return f"{prefix}{self.row.label} {self.column.label}"

    @property
    def short_label(self) -> str:
        return f"{self.row.short or self.row.label}·{self.column.short or self.column.label}"


@dataclass(frozen=True)
class Table:
    id: str
    section_id: str
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    caption: str | None = None
    label_header: str | None = None
    note: str | None = None
    column_header: str | None = None
    layout: str = "vertical"  # "horizontal": all rows side by side in one printed row (Section 四)

    def key(self, row_id: str, col_id: str) -> str:
        return f"{self.id}.{row_id}.{col_id}"

    def row(self, row_id: str) -> Row:
        for r in self.rows:
            if r.id == row_id:
                return r
        raise KeyError(row_id)

    def column(self, col_id: str) -> Column:
        for c in self.columns:
            if c.id == col_id:
                return c
        raise KeyError(col_id)


@dataclass(frozen=True)
class NarrativePart:
    key: str
    label: str
    section_id: str
    required: bool = True
    draft: str | None = None
    empty_text: str | None = None


@dataclass(frozen=True)
class Section:
    id: str
    heading: str
    kind: str  # "narrative" | "tables"
    parts: tuple[NarrativePart, ...] = ()
    tables: tuple[Table, ...] = ()
    # Figures a section asks for that are not a published table (2021, 六: the 信息处理费 facts):
    # cells like any other (keys, types, answers), printed only through the section's text.
    facts: tuple[Table, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.id}、{self.heading}"

    @property
    def lead_key(self) -> str | None:
        """The narrative key of the text a section of several parts may open with, before its first
        sub-heading (一、总体情况 often does): printed under the title, never folded into （一）."""
        if self.kind != "narrative" or len(self.parts) < 2:
            return None
        return self.parts[0].key.split(".", 1)[0] + ".lead"


@dataclass(frozen=True)
class Identity:
    """One concrete arithmetic rule: sum(lhs) == sum(rhs).

    For a derived identity, ``target`` is the single lhs cell and is computed, never entered.
    """

    rule: str
    lhs: tuple[str, ...]
    rhs: tuple[str, ...]
    derived: bool
    message: str
    describe: str
    row_label: str = ""
    col_label: str = ""

    @property
    def target(self) -> str | None:
        return self.lhs[0] if self.derived else None

    @cached_property  # validation reads it for every identity of every report
    def cells(self) -> tuple[str, ...]:
        return self.lhs + self.rhs


@dataclass(frozen=True)
class Format:
    id: str
    name: str
    notice: str
    first_year: int
    last_year: int | None
    markers: tuple[str, ...]
    title_template: str
    sections: tuple[Section, ...]
    identities: tuple[Identity, ...]
    carry_over: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    cells: dict[str, Cell] = field(default_factory=dict, hash=False, compare=False, repr=False)

    # A format is identified by its id: cheap to hash (caches key on it) and to compare.
    def __hash__(self) -> int:
        return hash(self.id)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Format) and other.id == self.id

    # -- lookups -----------------------------------------------------------------
    # A format never changes once built: lookups computed from it are cached on the instance.
    @cached_property
    def _sections_by_id(self) -> dict[str, Section]:
        found: dict[str, Section] = {}
        for s in self.sections:
            found.setdefault(s.id, s)  # the first section of an id, as a scan finds it
        return found

    def section(self, section_id: str) -> Section:
        try:
            return self._sections_by_id[section_id]
        except (KeyError, TypeError):  # TypeError: an unhashable id names no section either
            raise KeyError(section_id) from None

    @cached_property
    def _section_keys(self) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
        out: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
        derived = self.derived_keys
        for section in self._sections_by_id.values():
            if section.kind == "narrative":
                keys = tuple(p.key for p in section.parts)
                out[section.id] = (keys, keys)
            else:
                keys = tuple(t.key(r.id, c.id) for t in section.tables for r in t.rows for c in t.columns)
                out[section.id] = (keys, tuple(k for k in keys if k not in derived))
        return out

    def keys_of(self, section_id: str) -> tuple[str, ...]:
        """Every item of a section in reading order: its cells, or a narrative section's part keys."""
        return self._keys_of(section_id)[0]

    def input_keys_of(self, section_id: str) -> tuple[str, ...]:
        """The items of a section an officer enters: :meth:`keys_of` without derived totals."""
        return self._keys_of(section_id)[1]

    def _keys_of(self, section_id: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        try:
            return self._section_keys[section_id]
        except (KeyError, TypeError):  # as section() says
            raise KeyError(section_id) from None

    def table(self, table_id: str) -> Table:
        for s in self.sections:
            for t in s.tables + s.facts:
                if t.id == table_id:
                    return t
        raise KeyError(table_id)

    @cached_property
    def fact_keys(self) -> tuple[str, ...]:
        """The cells of the sections' facts blocks (not printed as tables), in reading order."""
        return tuple(t.key(r.id, c.id) for s in self.sections for t in s.facts for r in t.rows for c in t.columns)

    @property
    def tables(self) -> list[Table]:
        return [t for s in self.sections for t in s.tables]

    @property
    def narrative_parts(self) -> list[NarrativePart]:
        return [p for s in self.sections for p in s.parts]

    @cached_property
    def lead_keys(self) -> frozenset[str]:
        """The keys of the sections' leads (:attr:`Section.lead_key`)."""
        return frozenset(s.lead_key for s in self.sections if s.lead_key)

    def narrative_part(self, key: str) -> NarrativePart:
        for p in self.narrative_parts:
            if p.key == key:
                return p
        raise KeyError(key)

    @cached_property
    def derived_keys(self) -> frozenset[str]:
        return frozenset(k for k, c in self.cells.items() if c.derived)

    @cached_property
    def input_keys(self) -> tuple[str, ...]:
        """The table cells an officer enters, in reading order (the facts blocks, asked for apart
        from the tables, are :attr:`fact_keys`)."""
        facts = set(self.fact_keys)
        return tuple(k for k, c in self.cells.items() if not c.derived and k not in facts)

    def section_of(self, key: str) -> Section:
        if key in self.cells:
            return self.section(self.cells[key].table.section_id)
        return self.section(self.narrative_part(key).section_id)

    def title(self, agency: str, year: int) -> str:
        return self.title_template.format(agency=agency, year=year)

    def applies_to(self, year: int) -> bool:
        return year >= self.first_year and (self.last_year is None or year <= self.last_year)


def _build(doc: dict) -> Format:
    sections: list[Section] = []
    cells: dict[str, Cell] = {}
    tables: list[Table] = []
    for s in doc["sections"]:
        parts = tuple(
            NarrativePart(
                key=p["key"],
                label=p["label"],
                section_id=s["id"],
                required=p.get("required", True),
                draft=p.get("draft"),
                empty_text=p.get("empty_text"),
            )
            for p in s.get("parts", [])
        )
        stables = []
        sfacts = []
        specs = [(t, False) for t in s.get("tables", [])] + [(t, True) for t in s.get("facts", [])]
        for t, is_fact in specs:
            cols = tuple(
                Column(
                    id=c["id"],
                    label=c["label"],
                    type=c.get("type", "int"),
                    short=c.get("short", c["label"]),
                    group=c.get("group"),
                    unit=c.get("unit"),
                    unit_choices=tuple(c.get("unit_choices", ())),
                    additive=c.get("additive", True),
                )
                for c in t["columns"]
            )
            for c in cols:
                if c.type not in CELL_TYPES:
                    raise ValueError(f"format {doc['id']}: unknown cell type {c.type!r}")
            rows = tuple(
                Row(
                    id=r["id"],
                    label=r["label"],
                    short=r.get("short", r["label"]),
                    group=r.get("group"),
                    subgroup=r.get("subgroup"),
                    tags=tuple(r.get("tags", ())),
                )
                for r in t["rows"]
            )
            table = Table(
                id=t["id"],
                section_id=s["id"],
                columns=cols,
                rows=rows,
                caption=t.get("caption"),
                label_header=t.get("label_header"),
                note=t.get("note"),
                column_header=t.get("column_header"),
                layout=t.get("layout", "vertical"),
            )
            (sfacts if is_fact else stables).append(table)
            tables.append(table)
        sections.append(
            Section(
                id=s["id"],
                heading=s["heading"],
                kind=s["kind"],
                parts=parts,
                tables=tuple(stables),
                facts=tuple(sfacts),
            )
        )
    identities = _expand_identities(doc["identities"], tables)
    derived = {i.target for i in identities if i.derived}
    for table in tables:
        for row in table.rows:
            for col in table.columns:
                key = table.key(row.id, col.id)
                cells[key] = Cell(key=key, table=table, row=row, column=col, derived=key in derived)
    for ident in identities:
        for k in ident.cells:
            if k not in cells:
                raise ValueError(f"format {doc['id']}: identity {ident.rule} names unknown cell {k}")
    return Format(
        id=doc["id"],
        name=doc["name"],
        notice=doc["notice"],
        first_year=doc["first_year"],
        last_year=doc.get("last_year"),
        markers=tuple(doc.get("markers", ())),
        title_template=doc["title_template"],
        sections=tuple(sections),
        identities=tuple(identities),
        carry_over=dict(doc.get("carry_over", {})),
        cells=cells,
    )


def _expand_identities(specs: list[dict], tables: list[Table]) -> list[Identity]:
    by_id = {t.id: t for t in tables}
    out: list[Identity] = []
    for spec in specs:
        (var, values), = spec["for_each"].items()
        for value in values:
            def sub(template: str, _var=var, _v=value) -> str:
                return template.replace("{" + _var + "}", _v)

            if spec.get("derived"):
                lhs = (sub(spec["target"]),)
                rhs = tuple(sub(t) for t in spec["terms"])
            else:
                lhs = tuple(sub(t) for t in spec["lhs"])
                rhs = tuple(sub(t) for t in spec["rhs"])
            table = by_id[lhs[0].rsplit(".", 2)[0]]
            row_label = col_label = ""
            if var == "row":
                row_label = table.row(value).short
            else:
                col_label = table.column(value).short
            out.append(
                Identity(
                    rule=spec["id"],
                    lhs=lhs,
                    rhs=rhs,
                    derived=bool(spec.get("derived")),
                    message=spec["message"],
                    describe=spec.get("describe", ""),
                    row_label=row_label,
                    col_label=col_label,
                )
            )
    return out


def available() -> list[str]:
    """Ids of the formats shipped with this package, oldest first."""
    return list(_shipped())


@cache
def _shipped() -> tuple[str, ...]:
    # the package's files do not change while it runs: listed once
    return tuple(sorted(p.name[:-5] for p in resources.files(__package__).iterdir() if p.name.endswith(".json")))


@cache
def load(format_id: str) -> Format:
    if format_id not in _shipped():
        raise KeyError(f"unknown report format {format_id!r}; known: {', '.join(available())}")
    text = resources.files(__package__).joinpath(f"{format_id}.json").read_text(encoding="utf-8")
    return _build(json.loads(text))


def report_years(today: dt.date) -> range:
    """The report years one may open: from the first year a format applies to (2019) through the
    current year (its report is drafted from November on)."""
    first = min(load(f).first_year for f in _shipped())
    return range(first, today.year + 1)


def for_year(year: int, override: str | None = None) -> Format:
    """The format that applies to a report year (2019–2020 → 2019, 2021 on → 2021), or the override."""
    if override:
        return load(override)
    return _for_year(year)


@cache
def _for_year(year: int) -> Format:
    candidates = [load(f) for f in _shipped()]
    for fmt in sorted(candidates, key=lambda f: f.first_year, reverse=True):
        if fmt.applies_to(year):
            return fmt
    # Before the first format: use the oldest one.
    return min(candidates, key=lambda f: f.first_year)
