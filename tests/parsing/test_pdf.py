"""PDF reports built the way agencies make them — the project's own Word file exported by
LibreOffice, a hand-made government web page printed by Chromium — read cell by cell."""

from __future__ import annotations

import pytest

from report import interchange
from report.parsing import check, parse_bytes
from report.parsing.pdf import _tables
from report.render import render
from report.uploads import read_pages
from report.uploads.pdftext import lines_of

from .conftest import FIXTURES
from .test_html import page
from .tools import chromium_pdf, soffice_pdf


def table_cells(fmt) -> list[str]:
    """Every cell of the format's tables (the figures a published report prints)."""
    return [t.key(r.id, c.id) for t in fmt.tables for r in t.rows for c in t.columns]


def _busy():
    return interchange.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def word_pdf() -> bytes:
    return soffice_pdf(render(_busy(), "docx"), "report.docx")


@pytest.fixture(scope="module")
def web_pdf() -> bytes:
    return chromium_pdf(page(_busy()).encode("gb18030"))


def assert_every_cell(result, busy) -> None:
    eff = busy.effective()
    assert result.source == "pdf"
    assert (result.detected_year, result.detected_agency, result.detected_format) == (2023, busy.agency, "2021")
    wrong = {k: (result.report.values.get(k), eff[k]) for k in table_cells(busy.format) if result.report.values.get(k) != eff[k]}
    assert not wrong, wrong
    assert result.report.narratives == busy.narratives
    assert not [p.message for p in check(result) if p.is_error]


def _page_of(data: bytes, text: str) -> int:
    for p in read_pages(data):
        if any(text in line.text for line in lines_of(p.glyphs, p.number)):
            return p.number
    raise AssertionError(text)


def test_word_file_exported_by_libreoffice(word_pdf):
    busy = _busy()
    result = parse_bytes(word_pdf, "2023年报告.pdf")
    assert_every_cell(result, busy)
    # the application table runs over a page break: joined, its repeated headers ignored
    assert _page_of(word_pdf, "一、本年新收政府信息公开申请数量") < _page_of(word_pdf, "四、结转下年度继续办理")
    assert not [p for p in result.diagnostics if p.rule in ("parse.unknown_label", "parse.duplicate_row")]


def test_web_page_printed_by_chromium(web_pdf):
    busy = _busy()
    result = parse_bytes(web_pdf, "report.pdf")
    assert_every_cell(result, busy)
    assert not [p.message for p in result.diagnostics]


def test_check_command_reads_pdf(word_pdf, tmp_path, capsys):
    from bot.cli import main

    path = tmp_path / "report.pdf"
    path.write_bytes(word_pdf)
    assert main(["check", str(path)]) == 0
    out = capsys.readouterr().out
    assert "年度：2023" in out and "未发现问题" in out


def test_borderless_table_read_from_positions():
    """A web page whose tables have no borders, printed to PDF: rows from the words' positions."""
    busy = _busy()
    html = page(busy).replace("border=1", "border=0").replace("border:solid windowtext 1.0pt", "border:none")
    data = chromium_pdf(html.encode("gb18030"))
    assert not any(_tables(p) for p in read_pages(data))  # really no ruled table
    result = parse_bytes(data, "noborder.pdf")
    eff = busy.effective()
    wrong = {k: (result.report.values.get(k), eff[k]) for k in table_cells(busy.format) if result.report.values.get(k) != eff[k]}
    assert not wrong, wrong
    assert not [p.message for p in check(result) if p.is_error]
