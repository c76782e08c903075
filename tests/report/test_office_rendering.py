"""The files as a new user sees them: the Word file converted by LibreOffice and read back from
the PDF (pdftotext -layout), the web page in headless Chromium at a phone's width.

These run against the real programs; CI installs them (.ci/run) and fails, never skips, without
them.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from pathlib import Path

import pytest

from report import interchange
from report.model import Report, Signature
from report.numbers import format_value
from report.render import render

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

DATE = dt.date(2024, 1, 17)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PAGE_NUMBER = re.compile(r"—\s*(\d+)\s*—")


def big_report() -> Report:
    """The busy report with a distinct four- or five-digit figure in every printed cell (totals
    included, entered as published reports carry them)."""
    rep = interchange.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8"))
    facts = set(rep.format.fact_keys)
    for i, key in enumerate(k for k in rep.format.cells if k not in facts):
        rep.values[key] = 10000 + 37 * i if i % 2 else 1000 + 13 * i
    rep.signature = Signature(date=DATE)
    return rep


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture(scope="module")
def pdf_pages(tmp_path_factory, require_tool) -> list[str]:
    """The big report's .docx through LibreOffice to PDF, as pdftotext -layout pages."""
    soffice = require_tool("soffice")
    pdftotext = require_tool("pdftotext")
    work = tmp_path_factory.mktemp("office")
    source = work / "report.docx"
    source.write_bytes(render(big_report(), "docx", final=True))
    profile = (work / "profile").as_uri()  # its own profile: other LibreOffice runs may be going
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf", "--outdir", str(work), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    text = subprocess.run(
        [pdftotext, "-layout", str(work / "report.pdf"), "-"], check=True, capture_output=True, timeout=60
    ).stdout.decode("utf-8")
    pages = text.split("\f")
    return [p for p in pages if p.strip()]


def test_every_figure_is_intact_on_one_line_with_its_row(pdf_pages: list[str]) -> None:
    rep = big_report()
    lines = [re.findall(r"\d+", line) for page in pdf_pages for line in page.splitlines()]
    eff = rep.effective()
    for table in rep.format.tables:
        if table.layout == "horizontal":  # 四: the fifteen figures form one printed row
            rows = [[table.key(r.id, c.id) for r in table.rows for c in table.columns]]
        else:
            rows = [[table.key(r.id, c.id) for c in table.columns] for r in table.rows]
        for keys in rows:
            want = [format_value(eff[k]) for k in keys]
            assert any(want == found[-len(want) :] for found in lines), (keys[0], want)


def test_every_page_carries_its_number(pdf_pages: list[str]) -> None:
    assert len(pdf_pages) >= 3
    for n, page in enumerate(pdf_pages, start=1):
        assert [int(x) for x in PAGE_NUMBER.findall(page)] == [n], page[-200:]


def test_the_last_page_ends_with_the_agency_and_the_date(pdf_pages: list[str]) -> None:
    rep = big_report()
    lines = [squeeze(x) for x in pdf_pages[-1].splitlines() if x.strip() and not PAGE_NUMBER.search(x)]
    assert lines[-2:] == [rep.agency, "2024年1月17日"]


def test_the_title_phrase_is_on_one_line(pdf_pages: list[str]) -> None:
    lines = [squeeze(x) for x in pdf_pages[0].splitlines() if x.strip()]
    assert lines[:2] == ["示例市示例区市场监督管理局", "2023年政府信息公开工作年度报告"]


def test_no_heading_ends_a_page(pdf_pages: list[str]) -> None:
    rep = big_report()
    headings = {s.title for s in rep.format.sections} | {p.label for p in rep.format.section("一").parts}
    for page in pdf_pages[:-1]:
        lines = [squeeze(x) for x in page.splitlines() if x.strip() and not PAGE_NUMBER.search(x)]
        assert lines[-1] not in headings, lines[-3:]
        captions = {t.caption for t in rep.format.tables if t.caption}
        assert lines[-1] not in captions, lines[-3:]


# -- the web page in a browser --------------------------------------------------------------------
@pytest.fixture(scope="module")
def browser(require_missing):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the [test] extra installs it
        require_missing("playwright is not installed (pip install -e '.[test]')")
    if not Path(CHROMIUM).is_file():
        require_missing(f"{CHROMIUM} is not installed (Debian: see .ci/run)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def page_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_bytes(render(big_report(), "html", final=True))
    return path


def test_a_phone_never_scrolls_sideways(browser, page_file: Path) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(page_file.as_uri())
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # the wide tables scroll in their own box, their row labels staying in view
    wrap = page.locator("#section-3 .table-wrap")
    assert wrap.evaluate("e => e.scrollWidth > e.clientWidth")
    label = page.locator("#section-3 th.l0").first
    before = label.bounding_box()["x"]
    wrap.evaluate("e => { e.scrollLeft = 200; }")
    assert label.bounding_box()["x"] == pytest.approx(before, abs=1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.close()


def test_headers_never_break_inside_a_word_at_desktop_width(browser, page_file: Path) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(page_file.as_uri())
    # a short header (自然人, 总计, 其他) is one line; the tables fit without scrolling
    lines = page.evaluate(
        """() => [...document.querySelectorAll('th.nowrap')].map(th => {
               const r = document.createRange(); r.selectNodeContents(th);
               return [th.textContent, new Set([...r.getClientRects()].map(x => Math.round(x.top))).size];
           })"""
    )
    assert {text for text, _ in lines} >= {"自然人", "总计", "其他"}
    assert all(n == 1 for _, n in lines), lines
    overflowing = page.evaluate(
        "() => [...document.querySelectorAll('.table-wrap')].filter(e => e.scrollWidth > e.clientWidth).length"
    )
    assert overflowing == 0
    page.close()


def test_printed_pages_have_numbers_and_keep_headings_with_what_follows(
    browser, page_file: Path, tmp_path: Path, require_tool
) -> None:
    pdftotext = require_tool("pdftotext")
    page = browser.new_page()
    page.goto(page_file.as_uri())
    page.emulate_media(media="print")
    styles = page.evaluate(
        """() => ({
            thead: getComputedStyle(document.querySelector('#section-3 thead')).display,
            h2: getComputedStyle(document.querySelector('h2')).breakAfter,
            group: getComputedStyle(document.querySelector('#section-2 tbody')).breakInside,
            sticky: getComputedStyle(document.querySelector('#section-3 th.l0')).position,
        })"""
    )
    # header rows repeat on every printed page; a caption row never stays behind at a page foot
    assert styles == {"thead": "table-header-group", "h2": "avoid", "group": "avoid", "sticky": "static"}
    pdf = tmp_path / "page.pdf"
    page.pdf(path=str(pdf), format="A4")
    page.close()
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True).stdout.decode()
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    for n, p in enumerate(pages, start=1):
        assert [int(x) for x in PAGE_NUMBER.findall(p)] == [n]
    figures = re.findall(r"\d+", text)
    # no figure is cut in print either
    rep = big_report()
    eff = rep.effective()
    assert all(format_value(eff[k]) in figures for k in rep.format.cells if k in eff)
