"""Small bar charts drawn on the server as SVG (no script, no style attributes: the page's CSP
allows neither). Text is escaped; the numbers come with a data table on the page for screen readers
and for print."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

WIDTH = 640
LABEL_W = 190
BAR_H = 12
GAP = 10
FILLS = ("#9ab6d8", "#4f7fb8", "#1f4e8c", "#0f2f5c", "#5c7a99")  # oldest year lightest


def _nice_max(value: int) -> int:
    if value <= 5:
        return 5
    step = 10 ** (len(str(value)) - 1)
    return ((value + step - 1) // step) * step


def grouped_bars(title: str, series: dict[str, dict[int, int | None]], years: Sequence[int], missing: str) -> Markup:
    """Horizontal bars: one group per label (agency), one bar per year, the value at the bar's end."""
    years = list(years)
    top = 28
    group_h = len(years) * BAR_H + GAP
    height = top + max(1, len(series)) * group_h + 10
    peak = _nice_max(max((v for row in series.values() for v in row.values() if v), default=0))
    plot = WIDTH - LABEL_W - 50
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="chart-t" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12">',
        f'<title id="chart-t">{escape(title)}</title>',
    ]
    x = LABEL_W
    for i, year in enumerate(years):  # legend
        fill = FILLS[i % len(FILLS)]
        parts.append(f'<rect x="{x}" y="6" width="12" height="12" fill="{fill}"/>')
        parts.append(f'<text x="{x + 16}" y="16">{year}</text>')
        x += 70
    y = top
    for label, row in series.items():
        short = label if len(label) <= 14 else label[:13] + "…"
        parts.append(f'<text x="{LABEL_W - 6}" y="{y + group_h / 2}" text-anchor="end">'
                     f'<title>{escape(label)}</title>{escape(short)}</text>')
        for i, year in enumerate(years):
            value = row.get(year)
            by = y + i * BAR_H
            w = 0 if not value else max(1, round(plot * value / peak))
            fill = FILLS[i % len(FILLS)]
            parts.append(f'<rect x="{LABEL_W}" y="{by}" width="{w}" height="{BAR_H - 2}" fill="{fill}">'
                         f'<title>{escape(label)} {year}：{"" if value is None else value}</title></rect>')
            text = missing if value is None else str(value)
            parts.append(f'<text x="{LABEL_W + w + 4}" y="{by + BAR_H - 3}" font-size="10">{escape(text)}</text>')
        y += group_h
    parts.append(f'<line x1="{LABEL_W}" y1="{top - 2}" x2="{LABEL_W}" y2="{y - GAP + 2}" stroke="#333"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def column_bars(title: str, totals: dict[int, int], chart_id: str = "chart-total") -> Markup:
    """Vertical bars: the office's total per year."""
    height, base, top = 200, 170, 24
    peak = _nice_max(max(totals.values(), default=0))
    n = max(1, len(totals))
    slot = (WIDTH - 40) / n
    bar = min(60, slot * 0.6)
    parts = [
        f'<svg class="chart chart-small" viewBox="0 0 {WIDTH} {height}" role="img" aria-labelledby="{chart_id}" '
        f'xmlns="http://www.w3.org/2000/svg" font-size="12">',
        f'<title id="{chart_id}">{escape(title)}</title>',
        f'<line x1="20" y1="{base}" x2="{WIDTH - 20}" y2="{base}" stroke="#333"/>',
    ]
    for i, (year, value) in enumerate(sorted(totals.items())):
        h = 0 if not value else max(1, round((base - top) * value / peak))
        x = 20 + i * slot + (slot - bar) / 2
        parts.append(f'<rect x="{x:.1f}" y="{base - h}" width="{bar:.1f}" height="{h}" fill="{FILLS[1]}">'
                     f'<title>{year}：{value}</title></rect>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{base - h - 4}" text-anchor="middle">{value}</text>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{base + 16}" text-anchor="middle">{year}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
