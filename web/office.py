"""The office: applications received per agency and year (SVG), the roll-up table and its .xlsx."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from report import rollup as ru
from report.numbers import format_value
from storage import desk

from . import chart
from . import texts as T
from .board import _office
from .desk import Visitor
from .views import desk_of, download, not_allowed, page, render, year_param

CHART_YEARS = 3  # the year shown and the two before it, per agency
TOTAL_YEARS = 5  # the office's totals


def rollup_blocks(r: ru.Rollup) -> list[dict]:
    """Per summed table: its title, header labels and rows of (label, values) — as the .xlsx has them."""
    blocks = []
    for t in ru.summed_tables(r.format):
        cols = ru.summed_columns(t)
        blocks.append({
            "title": r.format.section(t.section_id).title + (f" {t.caption}" if t.caption else ""),
            "header": [t.label_header or ru.LABELS.item]
            + [f"{c.group} {c.label}" if c.group and t.section_id == "三" else c.label for c in cols],
            "rows": [(ru.row_label(row), [format_value(r.values.get(t.key(row.id, c.id))) for c in cols])
                     for row in t.rows],
        })
    return blocks


@page
def office_page(request: Request, visitor: Visitor) -> Response:
    d = desk_of(request)
    office = _office(request, visitor)
    if office is None:
        return not_allowed(request, visitor)
    year = year_param(request.query_params.get("year"), d.default_year())
    years = list(range(year - TOTAL_YEARS + 1, year + 1))
    series = desk.applications(d.store, office.id, years)
    shown = years[-CHART_YEARS:]
    per_agency = {name: {y: row[y] for y in shown} for name, row in series.items()}
    totals = {y: sum(row[y] or 0 for row in series.values()) for y in years}
    result = ru.rollup(year, desk.office_reports(d.store, office.id, year), office=office.name)
    return render(request, "office.html", {
        "office": office, "year": year, "years": shown, "series": per_agency,
        "chart": chart.grouped_bars(T.CHART_TITLE, per_agency, shown, T.CHART_MISSING),
        "total_chart": chart.column_bars(T.CHART_TOTAL_TITLE, totals),
        "rollup": result, "blocks": rollup_blocks(result),
    }, visitor=visitor)


@page
def rollup_xlsx(request: Request, visitor: Visitor) -> Response:
    d = desk_of(request)
    office = _office(request, visitor)
    if office is None:
        return not_allowed(request, visitor)
    year = year_param(str(request.path_params["year"]), 0)
    if not year:
        return not_allowed(request, visitor)
    result = ru.rollup(year, desk.office_reports(d.store, office.id, year), office=office.name)
    name = ru.FILENAME.format(year=year, office=office.name, ext="xlsx")
    return download(ru.to_xlsx(result, ru.LABELS), name,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
