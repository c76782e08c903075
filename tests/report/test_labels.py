"""Every label of both format files equals the official text as written in the format document.

The document (the team's shared/docs/report-format.md, copied verbatim into tests/fixtures so a
fresh clone runs this test) is parsed: a typo in a format file (a half-width bracket, a missing 、,
straight quotes) fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from report import formats

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "tests" / "fixtures" / "report-format.md"


@pytest.fixture(scope="module")
def doc() -> str:
    return DOC.read_text(encoding="utf-8")


def _chapter(doc: str, heading: str) -> str:
    """The text of a '## heading' chapter, up to the next '## '."""
    start = doc.index(f"## {heading}")
    end = doc.find("\n## ", start + 1)
    return doc[start : end if end != -1 else None]


def _table_rows(chapter: str) -> list[list[str]]:
    rows = []
    for line in chapter.splitlines():
        if line.startswith("|") and not re.match(r"^\|[-| ]+\|$", line):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows[1:]  # without the header row


def _strip_md(text: str) -> str:
    return text.replace("**", "").strip()


# -- Sections -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_section_headings_and_parts(doc: str, fid: str) -> None:
    fmt = formats.load(fid)
    rows = _table_rows(_chapter(doc, "Sections (both formats)"))
    assert [r[0] for r in rows] == [s.id for s in fmt.sections]
    assert [r[1] for r in rows] == [s.heading for s in fmt.sections]
    parts_doc = re.findall(r"（[一二三四五六七八九]）[^（ .]+", rows[0][2])
    assert [p.label for p in fmt.section("一").parts] == parts_doc
    assert [s.kind for s in fmt.sections] == [
        "narrative",
        "tables",
        "tables",
        "tables",
        "narrative",
        "narrative",
    ]


def test_format_names_notices_and_title(doc: str) -> None:
    rows = _table_rows(doc[: doc.index("## Legal basis")])
    for row in rows:
        fid = _strip_md(row[0]).split()[0]
        fmt = formats.load(fid)
        notice = re.search(r"国办公开办函〔\d+〕\d+号", row[1]).group(0)
        name = re.search(r"《([^》]+)》", row[1]).group(1)
        assert fmt.notice == notice
        assert fmt.name == name
    title = re.search(r"a title “(〔机关全称〕XXXX年[^”]+)”", doc).group(1)
    for fid in ("2019", "2021"):
        assert formats.load(fid).title_template.format(agency="〔机关全称〕", year="XXXX") == title


# -- Section 二 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_section_2_tables(doc: str, fid: str) -> None:
    fmt = formats.load(fid)
    rows = _table_rows(_chapter(doc, f"Section 二 tables — {fid} format"))
    tables = fmt.section("二").tables
    assert [r[0] for r in rows] == [t.caption for t in tables]
    for row, table in zip(rows, tables, strict=True):
        header, *columns = [c.strip() for c in row[1].split(" / ")]
        assert table.label_header == header
        assert [c.label for c in table.columns] == columns
        assert [r.label for r in table.rows] == [r.strip() for r in row[2].split(";")]


def test_section_2_cell_types(doc: str) -> None:
    fmt19, fmt21 = formats.load("2019"), formats.load("2021")
    assert len([k for k in fmt21.cells if k.startswith("s2.")]) == 10
    assert len([k for k in fmt19.cells if k.startswith("s2.")]) == 22
    signed = {c.column.label for c in fmt19.cells.values() if c.type == "signed_int"}
    assert signed == {"本年增/减"}
    decimal21 = {c.column.label for c in fmt21.cells.values() if c.type == "decimal"}
    assert decimal21 == {"本年收费金额（单位：万元）"}


# -- Section 三 -------------------------------------------------------------------------------------
def _section_3_rows_2021(chapter: str) -> list[tuple[str, str | None, str | None]]:
    """(label, group, subgroup) per data row, from the indented code block of the document."""
    block = chapter.split("```")[1]
    out: list[tuple[str, str | None, str | None]] = []
    group = subgroup = None
    for line in block.splitlines():
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        tokens = re.split(r"\s{2,}", line.strip())
        if indent == 0:
            # A top-level line followed by indented lines is a merged group label (三、本年度办理结果).
            group = subgroup = None
            out.append((tokens[0], None, None))
            continue
        if group is None:
            group = out.pop()[0]
        if tokens[0].startswith("（"):
            if len(tokens) > 1:
                subgroup = tokens[0]
                tokens = tokens[1:]
            else:
                subgroup = None
                out.append((tokens[0], group, None))
                continue
        for t in tokens:
            out.append((t, group, subgroup))
    return out


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_section_3_rows(doc: str, fid: str) -> None:
    chapter = _chapter(doc, "Section 三 table")
    expected = _section_3_rows_2021(chapter)
    assert len(expected) == int(re.search(r"Rows, 2021 format \((\d+)\)", chapter).group(1))
    if fid == "2019":
        # "2019 format: （六）其他处理 is a single row, so 23 data rows."
        single = re.search(r"2019 format: (（六）[^ ]+) is a single row, so (\d+) data rows", chapter)
        first = next(i for i, r in enumerate(expected) if r[2] == single.group(1))
        group = expected[first][1]
        expected = [r for r in expected if r[2] != single.group(1)]
        expected.insert(first, (single.group(1), group, None))
        assert len(expected) == int(single.group(2))
    table = formats.load(fid).table("s3")
    assert [(r.label, r.group, r.subgroup) for r in table.rows] == expected


@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_section_3_header(doc: str, fid: str) -> None:
    chapter = _chapter(doc, "Section 三 table")
    table = formats.load(fid).table("s3")
    note = re.search(r"top-left merged cell: (（[^）]*）)", chapter).group(1)
    assert table.note == note
    merged = re.search(r"a merged (\S+); under it (\S+) \| (\S+) \((\w+) sub-columns\) \| (\S+)\.", chapter)
    column_header, first, group, count, last = merged.groups()
    assert table.column_header == column_header
    columns = re.search(r"Columns \((\d+)\): ([^.]+)\.", chapter)
    labels = [c.strip() for c in columns.group(2).split(",")]
    assert len(labels) == int(columns.group(1))
    assert [c.label for c in table.columns] == labels
    assert labels[0] == first and labels[-1] == last
    grouped = [c.label for c in table.columns if c.group == group]
    assert grouped == labels[1:-1] and count == "five" and len(grouped) == 5
    assert [c.group for c in table.columns if c.label in (first, last)] == [None, None]


# -- Section 四 -------------------------------------------------------------------------------------
@pytest.mark.parametrize("fid", ["2019", "2021"])
def test_section_4_labels(doc: str, fid: str) -> None:
    chapter = _chapter(doc, "Section 四 table")
    m = re.search(r"(\S+): ((?:\S+ / )+\S+) — then (\S+), split into (\S+) and (\S+), each", chapter)
    review, columns, suit, direct, after = m.groups()
    table = formats.load(fid).table("s4")
    assert [c.label for c in table.columns] == columns.split(" / ")
    assert [(r.label, r.group) for r in table.rows] == [(review, None), (direct, suit), (after, suit)]
    assert len(table.rows) * len(table.columns) == int(re.search(r"(\d+) cells", chapter).group(1))
    section = _table_rows(_chapter(doc, "Sections (both formats)"))[3]
    assert section[1] == formats.load(fid).section("四").heading
