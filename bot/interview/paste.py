"""A table pasted from Excel/WPS or a published report, read against the format (pure functions)."""

from __future__ import annotations

from report.model import Report, Value
from report.numbers import NumberError, format_value, parse_value, split_numbers

from .. import messages as M
from .questions import input_columns


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


def parse_table_paste(report: Report, table, text: str) -> tuple[dict[str, Value], list[str]]:
    """A table pasted from Excel/WPS (tab-separated rows, the row label optional in front):
    all input cells of the table, or the list of problems (nothing partial)."""
    fmt = report.format
    problems: list[str] = []
    entries: list[tuple[str, list[str], int]] = []  # (label, numbers, line number)
    for n, line in enumerate(text.splitlines(), start=1):
        cells = [c.strip() for c in line.split("\t")] if "\t" in line else split_numbers(line)
        while cells and not cells[-1]:
            cells.pop()
        if not any(cells):
            continue
        i = len(cells)
        while i > 0 and (_is_number(cells[i - 1]) or (cells[i - 1] == "" and i - 1 > 0 and _is_number(cells[i - 2]))):
            i -= 1
        label_cells, nums = cells[:i], cells[i:]
        if not nums:
            continue  # a header line
        if "" in nums:
            problems.append(M.paste_blank_cell(n))
            continue
        entries.append(("".join(c for c in label_cells if c), nums, n))
    if not entries:
        return {}, [M.PASTE_NO_NUMBERS]
    rows = list(table.rows)
    labelled = [e for e in entries if e[0]]
    assigned: list[tuple] = []
    if labelled and len(labelled) != len(entries):
        return {}, [M.PASTE_MIXED_LABELS]
    if labelled:
        for label, nums, n in entries:
            norm = _norm_label(label)
            matches = [r for r in rows if _norm_label(r.label) and _norm_label(r.label) in norm]
            if not matches:
                matches = [r for r in rows if norm and norm.endswith(_norm_label(r.short or r.label))]
            if not matches:
                problems.append(M.paste_unknown_row(n, label))
                continue
            assigned.append((max(matches, key=lambda r: len(r.label)), nums, n))
    else:
        input_rows = [r for r in rows if input_columns(fmt, table, r)]
        if len(entries) == len(rows):
            order = rows
        elif len(entries) == len(input_rows):
            order = input_rows
        else:
            return {}, [M.paste_row_count(len(entries), len(input_rows), len(rows))]
        assigned = [(r, nums, n) for r, (_, nums, n) in zip(order, entries, strict=True)]
    # One layout per paste: once a row carries its totals, every row must (a lost cell is not guessed).
    full = any(len(nums) == len(table.columns) for _, nums, _ in assigned)
    values: dict[str, Value] = {}
    seen: set[str] = set()
    derived_given: list[tuple] = []
    for row, nums, n in assigned:
        if row.id in seen:
            problems.append(M.paste_duplicate_row(n, row.label))
            continue
        seen.add(row.id)
        in_cols = input_columns(fmt, table, row)
        need = len(table.columns) if full else len(in_cols)
        if len(nums) != need:
            problems.append(M.paste_wrong_count(n, row.label, len(nums), need))
            continue
        cols = list(table.columns) if full else list(in_cols)
        for col, tok in zip(cols, nums, strict=True):
            key = table.key(row.id, col.id)
            try:
                v = parse_value(tok, col.type)
            except NumberError as exc:
                problems.append(M.paste_bad_value(n, row.label, col.label, exc.reason))
                continue
            if key in fmt.derived_keys:
                derived_given.append((key, v, n, row, col))
            else:
                values[key] = v
    missing = [r for r in rows if input_columns(fmt, table, r) and r.id not in seen]
    if missing and not problems:
        problems.append(M.paste_missing_rows([r.label for r in missing]))
    if problems:
        return {}, problems
    # Totals given in the paste must agree with the totals computed from the entered cells.
    eff = report.with_answers(values).effective()
    for key, v, n, row, col in derived_given:
        if key in eff and eff[key] != v:
            problems.append(M.paste_total_mismatch(n, row.label, col.label, format_value(v), format_value(eff[key])))
    if problems:
        return {}, problems
    return values, []
