"""Word files with merged cells, and hostile or broken files refused cleanly."""

from __future__ import annotations

import io
import os
import zipfile

import docx
import pytest

from report.model import Report
from report.parsing import UnreadableReport, parse_bytes, parse_file


def word(report: Report) -> bytes:
    """The report as an official-style Word file: merged label cells, merged headers."""
    fmt = report.format
    eff = report.effective()

    def v(key: str) -> str:
        return str(eff[key])

    d = docx.Document()

    def grid(table):
        """Cell lookup on a snapshot (python-docx's table.cell() rescans the table on every call);
        merged regions never overlap, so the snapshot stays valid."""
        cells, cols = table._cells, len(table.columns)
        return lambda r, c: cells[r * cols + c]

    d.add_paragraph(f"{report.agency}{report.year}年政府信息公开工作年度报告")
    for section in fmt.sections:
        d.add_paragraph(section.title)
        for part in section.parts:
            if len(section.parts) > 1:
                d.add_paragraph(part.label)
            for para in report.narratives.get(part.key, "").split("\n"):
                d.add_paragraph(para)
        if section.id == "二":
            width = max(len(t.columns) for t in section.tables) + 1
            nrows = sum(2 + len(t.rows) for t in section.tables)
            tbl = d.add_table(rows=nrows, cols=width)
            cell = grid(tbl)
            r = 0
            for t in section.tables:
                cap = cell(r, 0).merge(cell(r, width - 1))
                cap.text = t.caption
                cell(r + 1, 0).text = t.label_header
                last = cell(r + 1, len(t.columns))
                if len(t.columns) < width - 1:  # a narrow table's last column spans the rest
                    last = last.merge(cell(r + 1, width - 1))
                for i, c in enumerate(t.columns):
                    cell(r + 1, i + 1).text = c.label
                for j, row in enumerate(t.rows):
                    rr = r + 2 + j
                    if len(t.columns) < width - 1:
                        cell(rr, len(t.columns)).merge(cell(rr, width - 1))
                    cell(rr, 0).text = row.label
                    for i, c in enumerate(t.columns):
                        cell(rr, i + 1).text = v(t.key(row.id, c.id))
                r += 2 + len(t.rows)
        elif section.id == "三":
            t = fmt.table("s3")
            tbl = d.add_table(rows=3 + len(t.rows), cols=10)
            cell = grid(tbl)
            cell(0, 0).merge(cell(2, 2)).text = t.note
            cell(0, 3).merge(cell(0, 9)).text = t.column_header
            cell(1, 3).merge(cell(2, 3)).text = "自然人"
            cell(1, 4).merge(cell(1, 8)).text = "法人或其他组织"
            cell(1, 9).merge(cell(2, 9)).text = "总计"
            for i, c in enumerate(c for c in t.columns if c.group):
                cell(2, 4 + i).text = c.label
            spans: dict[str, list[int]] = {}
            for j, row in enumerate(t.rows):
                rr = 3 + j
                for g in (row.group, row.subgroup):
                    if g:
                        spans.setdefault(g, []).append(rr)
                start = (1 if row.group else 0) + (1 if row.subgroup else 0)
                cell(rr, start).merge(cell(rr, 2)).text = row.label
                for i, c in enumerate(t.columns):
                    cell(rr, 3 + i).text = v(t.key(row.id, c.id))
            for label, rows in spans.items():
                col = 0 if label.startswith("三") else 1
                cell(rows[0], col).merge(cell(rows[-1], col)).text = label
        elif section.id == "四":
            t = fmt.table("s4")
            tbl = d.add_table(rows=4, cols=15)
            cell = grid(tbl)
            cell(0, 0).merge(cell(0, 4)).text = "行政复议"
            cell(0, 5).merge(cell(0, 14)).text = "行政诉讼"
            for i, c in enumerate(t.columns):
                cell(1, i).merge(cell(2, i)).text = c.label
                cell(2, 5 + i).text = c.label
                cell(2, 10 + i).text = c.label
            cell(1, 5).merge(cell(1, 9)).text = "未经复议直接起诉"
            cell(1, 10).merge(cell(1, 14)).text = "复议后起诉"
            for k, (r, c) in enumerate((r, c) for r in t.rows for c in t.columns):
                cell(3, k).text = v(t.key(r.id, c.id))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def busy_docx() -> bytes:
    """Built once: python-docx's merge is slow."""
    from report import interchange

    from .conftest import FIXTURES

    return word(interchange.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8")))


def test_word_with_merged_cells(busy, busy_docx):
    data = busy_docx
    # the file really has horizontal and vertical merges
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    assert b"w:gridSpan" in xml and b"w:vMerge" in xml
    result = parse_bytes(data, "报告.docx")
    assert result.source == "docx"
    assert (result.detected_year, result.detected_agency, result.detected_format) == (2023, busy.agency, "2021")
    assert not result.errors, [p.message for p in result.errors]
    assert result.report.filled() == busy.filled()  # merged cells counted once
    assert result.report.narratives == busy.narratives


def test_word_blank_cell(busy_docx):
    d = docx.Document(io.BytesIO(busy_docx))
    d.tables[1].rows[-1].cells[-1].text = ""  # 四、结转下年度继续办理 · 总计
    buf = io.BytesIO()
    d.save(buf)
    result = parse_bytes(buf.getvalue(), "r.docx")
    assert result.report.values["s3.carried_over.total"] is None
    (p,) = [p for p in result.diagnostics if p.rule == "parse.blank"]
    assert "四、结转下年度继续办理：总计 为空白" in p.message


# -- hostile and broken files ---------------------------------------------------------------------


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _refused(data: bytes, name: str) -> str:
    with pytest.raises(UnreadableReport) as exc:
        parse_bytes(data, name)
    return exc.value.message_zh


def test_zip_bomb_by_ratio():
    data = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document>" + b" " * 5_000_000})
    assert len(data) < 100_000
    assert "疑似压缩炸弹" in _refused(data, "bomb.docx")


def test_zip_bomb_by_size():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        with zf.open("word/document.xml", "w") as fh:
            for _ in range(51):
                fh.write(b"\0" * (1024 * 1024))
    data = buf.getvalue()
    message = _refused(data, "bomb.docx")
    assert "解压后过大" in message and "疑似压缩炸弹" in message


def test_billion_laughs_refused(busy_docx):
    lol = (
        b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        + b"".join(
            f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'.encode() for i in range(1, 10)
        )
        + b']>\n<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>&lol9;</w:t></w:r></w:p></w:body></w:document>"
    )
    src = zipfile.ZipFile(io.BytesIO(busy_docx))
    members = {i.filename: src.read(i) for i in src.infolist()}
    members["word/document.xml"] = lol
    message = _refused(_zip(members), "laughs.docx")
    assert "DTD" in message and "拒绝读取" in message


def test_malformed_docx():
    assert "不是有效的 Word" in _refused(b"PK\x03\x04" + os.urandom(2000), "broken.docx")
    assert "不是有效的 Word" in _refused(b"just some text", "notreally.docx")


def test_zip_without_document():
    assert "找不到正文" in _refused(_zip({"hello.txt": b"hi"}), "x.docx")


def test_binary_junk():
    junk = bytes(range(256)) * 64
    assert "不是文本" in _refused(junk, "junk.txt")
    assert "不是文本" in _refused(b"\x00\x01\x02" * 1000, "junk")


def test_file_over_size_limit(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.truncate(50 * 1024 * 1024)  # 50 MB, sparse: refused before reading
    with pytest.raises(UnreadableReport) as exc:
        parse_file(big)
    assert "文件太大" in exc.value.message_zh and "10.0 MB" in exc.value.message_zh
    with pytest.raises(UnreadableReport):
        parse_file(b"x" * 2001, "small.txt", max_bytes=2000)


def test_unsupported_types():
    assert ".doc" in _refused(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old.doc")
    assert "PDF" in _refused(b"%PDF-1.7\n...", "report.pdf")
    assert "PDF" in _refused(b"%PDF-1.7\n...", "noext")
    assert "不支持的文件类型" in _refused(b"MZ\x90\x00", "tool.exe")
    assert "文件是空的" in _refused(b"   \n", "empty.txt")


def test_text_without_tables():
    assert "没有找到" in _refused("关于开展政务公开工作的通知\n各单位：请认真做好年报工作。".encode(), "notice.txt")


def test_missing_path(tmp_path):
    with pytest.raises(UnreadableReport) as exc:
        parse_file(tmp_path / "nope.docx")
    assert "无法打开文件" in exc.value.message_zh
