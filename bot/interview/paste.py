"""A table pasted as officers have it — copied from Excel/WPS, from our own Word file, or from a
published report — read against the format (pure functions).

Layouts read: one line per row (tab-separated cells, or numbers separated by spaces), with or
without the row labels in front, with or without the total columns (one layout per paste: a row
that lost a cell is refused, never guessed), header lines skipped; and a table printed as one row
of all its cells (四 as 15 numbers, as every published report prints it). Empty cells between tabs
are blanks: they are handed back to be confirmed as 0 (blank ≠ 0 stays the rule for what a report
publishes). Nothing partial: all the table's cells, or the list of problems.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from report.model import Report, Value
from report.numbers import NumberError, answer_tokens, format_value, parse_value, split_numbers

from .. import messages as M
from ..kit.texts import quote
from .questions import input_columns


@dataclass
class Paste:
    values: dict[str, Value] = field(default_factory=dict)  # the input cells read
    blanks: list[str] = field(default_factory=list)  # input cells left empty
    problems: list[str] = field(default_factory=list)


def _norm_label(s: str) -> str:
    return (s.replace(" ", "").replace("\u3000", "").replace("(", "（").replace(")", "）").replace("．", ".")
            .replace('"', "“").strip())


def _is_number(tok: str) -> bool:
    for kind in ("signed_int", "decimal"):
        try:
            parse_value(tok, kind)
            return True
        except NumberError:
            continue
    return False


def looks_like_table(text: str) -> bool:
    return len([ln for ln in text.splitlines() if ln.strip()]) > 1


def _one_row(report: Report, table, text: str) -> list[str] | None:
    """The tokens of a table printed as one row of all its cells (四 as 15 numbers, header lines
    around it allowed), or None."""
    numeric = [ln for ln in text.splitlines() if any(_is_number(t) for t in split_numbers(ln))]
    if len(numeric) != 1 or len(table.rows) < 2:
        return None
    tokens = answer_tokens(numeric[0])
    n_inputs = sum(len(input_columns(report.format, table, r)) for r in table.rows)
    if len(tokens) in (len(table.rows) * len(table.columns), n_inputs) and all(_is_number(t) for t in tokens):
        return tokens
    return None


def whole_table_line(report: Report, table, text: str) -> bool:
    """The table printed as one row of all its cells (with or without its totals, header lines
    around it allowed): as every published report prints 四."""
    return _one_row(report, table, text) is not None


def _cells(line: str) -> tuple[str, list[str]]:
    """(the row's label, its value cells — "" for an empty cell) of one pasted line."""
    cells = [c.strip() for c in line.split("\t")] if "\t" in line else split_numbers(line)
    last_label = max((i for i, c in enumerate(cells) if c and not _is_number(c)), default=-1)
    label = "".join(c for c in cells[: last_label + 1] if c)
    values = cells[last_label + 1:]
    while values and not values[-1]:
        values.pop()
    return label, values


def read_paste(report: Report, table, text: str) -> Paste:
    fmt = report.format
    out = Paste()
    rows = list(table.rows)
    entries: list[tuple[str, list[str], int]] = []  # (label, cells, line number)
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        label, values = _cells(line)
        if not any(values):
            continue  # a header line
        entries.append((label, values, n))
    if not entries:
        out.problems.append(M.PASTE_NO_NUMBERS)
        return out
    one_row = _one_row(report, table, text)
    if one_row is not None:
        return _whole_table(report, table, one_row, out)
    labelled = [e for e in entries if e[0]]
    if labelled and len(labelled) != len(entries):
        out.problems.append(M.PASTE_MIXED_LABELS)
        return out
    assigned: list[tuple] = []
    if labelled:
        for label, values, n in entries:
            norm = _norm_label(label)
            matches = [r for r in rows if _norm_label(r.label) and _norm_label(r.label) in norm]
            if not matches:
                matches = [r for r in rows if norm and norm.endswith(_norm_label(r.short or r.label))]
            if not matches:
                out.problems.append(M.paste_unknown_row(n, quote(label)))
                continue
            assigned.append((max(matches, key=lambda r: len(r.label)), values, n))
    else:
        input_rows = [r for r in rows if input_columns(fmt, table, r)]
        if len(entries) == len(rows):
            order = rows
        elif len(entries) == len(input_rows):
            order = input_rows
        else:
            out.problems.append(M.paste_row_count(len(entries), len(input_rows), len(rows)))
            return out
        assigned = [(r, values, n) for r, (_, values, n) in zip(order, entries, strict=True)]
    # One layout per paste: once a row carries its totals, every row must (a lost cell is not guessed).
    full = any(len(values) == len(table.columns) for _, values, _ in assigned)
    seen: set[str] = set()
    derived_given: list[tuple] = []
    for row, values, n in assigned:
        if row.id in seen:
            out.problems.append(M.paste_duplicate_row(n, row.label))
            continue
        seen.add(row.id)
        cols = list(table.columns) if full else list(input_columns(fmt, table, row))
        if len(values) < len(cols) and "" in values:
            values = values + [""] * (len(cols) - len(values))  # blank cells at the end of the row
        if len(values) != len(cols):
            out.problems.append(M.paste_wrong_count(n, row.label, len(values), len(cols)))
            continue
        for col, tok in zip(cols, values, strict=True):
            _cell(fmt, table.key(row.id, col.id), tok, (n, row, col), out, derived_given)
    missing = [r for r in rows if input_columns(fmt, table, r) and r.id not in seen]
    if missing and not out.problems:
        out.problems.append(M.paste_missing_rows([r.label for r in missing]))
    if not out.problems:
        _check_totals(report, out, derived_given)
    if out.problems:  # nothing partial
        out.values.clear()
        out.blanks.clear()
    return out


def _cell(fmt, key: str, tok: str, where: tuple, out: Paste, derived_given: list) -> None:
    n, row, col = where
    if key in fmt.derived_keys:
        if tok:
            try:
                derived_given.append((key, parse_value(tok, col.type), n, row, col))
            except NumberError as exc:
                out.problems.append(M.paste_bad_value(n, row.label, col.label, exc.reason))
        return
    if not tok:
        out.blanks.append(key)
        return
    try:
        out.values[key] = parse_value(answer_tokens(tok)[0] if answer_tokens(tok) else tok, col.type)
    except NumberError as exc:
        out.problems.append(M.paste_bad_value(n, row.label, col.label, exc.reason))


def _whole_table(report: Report, table, tokens: list[str], out: Paste) -> Paste:
    """A table printed as one row of all its cells, row after row (四: 3 × 5)."""
    fmt = report.format
    full = len(tokens) == len(table.rows) * len(table.columns)
    it = iter(tokens)
    derived_given: list[tuple] = []
    for row in table.rows:
        for col in (table.columns if full else input_columns(fmt, table, row)):
            _cell(fmt, table.key(row.id, col.id), next(it), (1, row, col), out, derived_given)
    if not out.problems:
        _check_totals(report, out, derived_given)
    return out


def _check_totals(report: Report, out: Paste, derived_given: list) -> None:
    """Totals given in the paste must agree with the ones computed from the cells (blanks as 0)."""
    zeros = {k: Decimal(0) if report.format.cells[k].type == "decimal" else 0 for k in out.blanks}
    eff = report.with_answers({**out.values, **zeros}).effective()
    for key, v, n, row, col in derived_given:
        if key in eff and eff[key] != v:
            out.problems.append(M.paste_total_mismatch(n, row.label, col.label, format_value(v),
                                                      format_value(eff[key])))
    if out.problems:
        out.values.clear()
        out.blanks.clear()


def read_section_paste(report: Report, section, table, text: str) -> Paste:
    """A paste on a question of ``table`` in a section of several tables (二 as published: its four
    blocks in one paste). Labelled lines go to the table whose row they name, and each table named
    is read whole (:func:`read_paste`); unlabelled lines are the section's input rows in order when
    there are as many, else ``table``'s."""
    tables = [t for t in section.tables if any(input_columns(report.format, t, r) for r in t.rows)]
    if len(tables) < 2 or _one_row(report, table, text) is not None:
        return read_paste(report, table, text)
    lines = [ln for ln in text.splitlines() if ln.strip() and any(_cells(ln)[1])]
    labelled = [ln for ln in lines if _cells(ln)[0]]
    if not labelled:
        rows = [(t, r) for t in tables for r in t.rows if input_columns(report.format, t, r)]
        if len(lines) != len(rows):
            return read_paste(report, table, text)
        by_table: dict[str, list[str]] = {}
        for (t, _), line in zip(rows, lines, strict=True):
            by_table.setdefault(t.id, []).append(line)
    else:
        by_table = {}
        for line in lines:
            owner = _owner(tables, _norm_label(_cells(line)[0]))
            if owner is None:
                return read_paste(report, table, text)  # names a row of no table here: say which
            by_table.setdefault(owner.id, []).append(line)
    out = Paste()
    for t in tables:
        if t.id in by_table:
            part = read_paste(report, t, "\n".join(by_table[t.id]))
            out.values.update(part.values)
            out.blanks += part.blanks
            out.problems += part.problems
    if out.problems:
        out.values.clear()
        out.blanks.clear()
    return out


def _owner(tables, norm: str):
    """The table with a row named in ``norm`` (the longest match), or None."""
    best = None
    for t in tables:
        for r in t.rows:
            name = _norm_label(r.label)
            if name and (name in norm or norm.endswith(_norm_label(r.short or r.label))):
                if best is None or len(name) > best[1]:
                    best = (t, len(name))
    return best[0] if best else None
