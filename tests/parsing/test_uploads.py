"""The one guarded upload reader: hostile and oversize files refused with their messages, quickly
and in bounded memory; ordinary narrative files read to their text."""

from __future__ import annotations

import io
import json
import random
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from report import uploads
from report.excel_template import make_template, read_template
from report.parsing import parse_bytes
from report.uploads import NARRATIVE_MAX_CHARS, UploadRefused, narrative_text

from . import pdfmake
from .tools import soffice_pdf

ROOT = Path(__file__).resolve().parents[2]
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def refused(fn, *args, **kwargs) -> UploadRefused:
    with pytest.raises(UploadRefused) as exc:
        fn(*args, **kwargs)
    return exc.value


def word_file(paragraphs: list[str]) -> bytes:
    d = docx.Document()
    for p in paragraphs:
        d.add_paragraph(p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def docx_with_body(write_body, level: int = 9) -> bytes:
    """A minimal Word package whose document.xml body is streamed by ``write_body(fh)``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        with zf.open("word/document.xml", "w") as fh:
            fh.write(f'<w:document xmlns:w="{W_NS}"><w:body>'.encode())
            write_body(fh)
            fh.write(b"</w:body></w:document>")
    return buf.getvalue()


def peak_memory(path: Path, call: str) -> dict:
    """Run ``call`` on the file in a fresh interpreter: the refusal's code and the peak RSS (MB)
    before and after, measured with resource.getrusage."""
    script = f"""
import json, resource, sys
from report import uploads
from report.parsing import parse_bytes
from report.uploads import UploadRefused, narrative_text
data = open({str(path)!r}, "rb").read()
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
code = None
try:
    {call}
except UploadRefused as exc:
    code = exc.code
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"code": code, "before": before / 1024, "after": after / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=300, check=True)
    return json.loads(out.stdout)


# -- Word: the narrative answer of issue 17 --------------------------------------------------------
def test_narrative_word_file_reads_its_paragraphs():
    text = narrative_text("第一部分.docx", word_file(["\u3000\u3000本年度主动公开信息 1286 条。", "", "  全年未发生责任追究。  "]))
    assert text == "本年度主动公开信息 1286 条。\n全年未发生责任追究。"


def test_docx_bomb_of_millions_of_characters_refused_before_inflating(tmp_path):
    """The hostile run's file: ~186 KB whose document.xml holds 9 million characters (27 MB)."""
    sentence = "政府信息公开工作年度报告全文。".encode()
    para = b"<w:p><w:r><w:t>" + sentence * 200 + b"</w:t></w:r></w:p>"

    def body(fh):
        for _ in range(9_000_000 // (15 * 200)):
            fh.write(para)

    data = docx_with_body(body)
    assert len(data) < 200_000
    path = tmp_path / "bomb.docx"
    path.write_bytes(data)
    result = peak_memory(path, 'narrative_text("bomb.docx", data)')
    assert result["code"] == "zip_bomb"
    assert result["after"] - result["before"] < 50, result  # MB; inflating it took 1.18 GB
    exc = refused(narrative_text, "bomb.docx", data)
    assert exc.params["reason"] == "ratio" and "疑似压缩炸弹" in exc.message and "word/document.xml" in exc.message
    assert refused(parse_bytes, data, "bomb.docx").code == "zip_bomb"  # the check-up path: the same reader


def test_docx_of_millions_of_plain_characters_stops_at_the_cap(tmp_path):
    """A file that compresses like real text (ratio ~4) but holds 3 million characters: streamed,
    refused once the narrative cap is passed, never held whole."""
    rng = random.Random(15)
    alphabet = "政府信息公开工作年度报告主动依申请办理结果行政复议诉讼规章规范性文件处罚许可强制收费本年新收结转予以部分不属于国家秘密"

    def body(fh):
        for _ in range(300):
            fh.write(b"<w:p><w:r><w:t>" + "".join(rng.choices(alphabet, k=10_000)).encode() + b"</w:t></w:r></w:p>")

    data = docx_with_body(body, level=1)
    assert 1_000_000 < len(data) < 10 * 1024 * 1024
    path = tmp_path / "long.docx"
    path.write_bytes(data)
    result = peak_memory(path, 'narrative_text("long.docx", data)')
    assert result["code"] == "text_too_long"
    assert result["after"] - result["before"] < 50, result
    exc = refused(narrative_text, "long.docx", data)
    assert exc.message == f"文字太长，超过 {NARRATIVE_MAX_CHARS} 字的上限，请删减后再发送"


def test_docx_of_millions_of_tiny_elements_refused_as_a_report(tmp_path):
    rng = random.Random(7)

    def body(fh):
        for _ in range(600_000):
            fh.write(b'<w:p w:rsidR="%08X"/>' % rng.getrandbits(32))

    data = docx_with_body(body, level=1)
    path = tmp_path / "elements.docx"
    path.write_bytes(data)
    result = peak_memory(path, 'parse_bytes(data, "elements.docx")')
    assert result["code"] == "too_complex"
    assert result["after"] - result["before"] < 250, result


def test_oversize_text_refused_with_the_limit():
    exact = "公" * NARRATIVE_MAX_CHARS
    assert narrative_text("a.txt", exact.encode()) == exact
    exc = refused(narrative_text, "a.txt", (exact + "开").encode("gb18030"))
    assert exc.code == "text_too_long" and f"{NARRATIVE_MAX_CHARS} 字" in exc.message
    lines = "\n".join(["一行文字"] * 5000)  # 24,999 characters with the newlines
    assert refused(narrative_text, "a.txt", lines.encode()).code == "text_too_long"
    assert narrative_text("a.txt", b"x" * 50, max_chars=50) == "x" * 50


def test_narrative_text_cleaned_at_the_boundary():
    assert narrative_text("a.txt", "第一段\r\n\r\n\u3000\u3000第二段\x07\f第三段".encode("gb18030")) == "第一段\n第二段\n第三段"
    assert refused(narrative_text, "a.txt", b"a\x00b\x00c" * 100).code == "not_text"
    assert refused(narrative_text, "a.txt", b"  \n \r\n").code == "empty"
    assert refused(narrative_text, "a.docx", word_file(["", "  "])).code == "empty"


def test_size_checked_before_anything():
    exc = refused(narrative_text, "a.txt", b"x" * 2001, max_bytes=2000)
    assert exc.code == "too_large" and "2000" not in exc.message and "MB" in exc.message
    assert refused(uploads.check_size, 11 * 1024 * 1024).message == "文件太大（11.0 MB），超过 10.0 MB 的上限，拒绝读取"


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("tool.exe", b"MZ\x90\x00", "unsupported_type"),
        ("page.html", b"<html><body>hi</body></html>", "unsupported_type"),
        ("old.doc", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old_format"),
        ("noext", b"\xd0\xcf\x11\xe0" + b"\0" * 100, "old_format"),
        ("files.zip", b"PK\x03\x04", "archive"),
        ("template.xlsx", b"PK\x03\x04", "wrong_kind"),
        ("broken.docx", b"PK\x03\x04" + bytes(range(256)) * 8, "zip_damaged"),
        ("broken.pdf", b"%PDF-1.7\nnot really", "pdf_damaged"),
    ],
)
def test_narrative_refusals(name, data, code):
    assert refused(narrative_text, name, data).code == code


def test_every_message_is_written_once_and_formats():
    samples = {
        "too_large": {"size": 11 << 20, "limit": 10 << 20}, "empty": {},
        "unsupported_type": {"ext": ".exe", "accepted": "x"}, "old_format": {"app": "Word", "ext": ".doc", "new": ".docx"},
        "archive": {"ext": ".zip", "accepted": "x"}, "wrong_kind": {"found": "Excel", "purpose": "x", "accepted": "y"},
        "not_text": {"why": "x"}, "text_too_long": {"limit": 20000}, "zip_damaged": {"kind": "Word"},
        "zip_bomb": {"kind": "Word", "reason": "entries", "entries": 5000, "limit": 1000},
        "part_missing": {"kind": "Word", "part": "x"}, "xml_damaged": {"kind": "Word", "part": "x"},
        "xml_dtd": {"kind": "Word", "part": "x"}, "pdf_damaged": {}, "encrypted": {}, "scanned_pdf": {},
        "too_many_pages": {"pages": 3000, "limit": 100}, "too_complex": {"kind": "PDF", "where": "第 1 页", "count": 9, "limit": 8},
        "json_invalid": {"why": "x"}, "no_tables": {}, "html_empty": {}, "html_damaged": {},
        "cannot_open": {"name": "a", "why": "b"},
    }
    assert set(samples) == set(uploads.MESSAGES)
    for code, params in samples.items():
        message = UploadRefused(code, **params).message
        assert "{" not in message and message
    with pytest.raises(KeyError):
        UploadRefused("no_such_code")


# -- Excel ---------------------------------------------------------------------------------------------
def _xlsx(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_xlsx_bombs_refused_before_openpyxl(busy):
    base = {"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"}
    by_ratio = _xlsx({**base, "xl/worksheets/sheet1.xml": b"<c>0</c>" * 700_000})  # 5.6 MB, under the size limit
    exc = refused(uploads.check_xlsx, by_ratio)
    assert exc.code == "zip_bomb" and exc.params["reason"] == "ratio" and "Excel" in exc.message
    by_entries = _xlsx({**base, **{f"xl/media/{i}.xml": b"<x/>" for i in range(300)}})
    assert refused(uploads.check_xlsx, by_entries).params["reason"] == "entries"
    for data in (by_ratio, by_entries):
        new, problems = read_template(data, busy)
        assert new is None and problems[0].rule == "template.too_large" and "疑似压缩炸弹" in problems[0].message
    # the real template passes the same checks and reads back
    uploads.check_xlsx(make_template(busy))


# -- PDF -----------------------------------------------------------------------------------------------
def test_pdf_of_thousands_of_pages_refused():
    data = pdfmake.many_pages(3000)
    exc = refused(narrative_text, "a.pdf", data)
    assert exc.code == "too_many_pages" and exc.message == "PDF 文件有 3000 页，超过 100 页的上限，拒绝读取"
    assert refused(parse_bytes, data, "report.pdf").code == "too_many_pages"


def test_scanned_pdf_refused_with_advice():
    exc = refused(parse_bytes, pdfmake.scanned(), "scan.pdf")
    assert exc.code == "scanned_pdf"
    assert "没有文字层" in exc.message and "网页" in exc.message and "Word" in exc.message
    assert refused(narrative_text, "scan.pdf", pdfmake.scanned()).code == "scanned_pdf"


def test_pdf_deflate_bomb_refused_without_inflating_it(tmp_path):
    data = pdfmake.deflate_bomb(400)
    assert len(data) < 1_000_000
    path = tmp_path / "bomb.pdf"
    path.write_bytes(data)
    result = peak_memory(path, 'parse_bytes(data, "bomb.pdf")')
    assert result["code"] == "zip_bomb"
    assert result["after"] - result["before"] < 50, result


def test_encrypted_pdf_refused():
    """A PDF exported by LibreOffice with an open password, as an agency might protect it."""
    data = soffice_pdf(word_file(["本年度主动公开信息 1286 条。"]), export='{"EncryptFile":{"type":"boolean","value":"true"},'
                       '"DocumentOpenPassword":{"type":"string","value":"secret"}}')
    for call in (lambda: narrative_text("a.pdf", data), lambda: parse_bytes(data, "a.pdf")):
        exc = refused(call)
        assert exc.code == "encrypted" and "密码" in exc.message


def test_narrative_pdf_reads_its_paragraphs():
    data = soffice_pdf(word_file([
        "本年度，本局围绕市场监管重点工作，通过政府网站主动公开各类政府信息 1286 条，其中行政许可 1375 件、"
        "行政处罚 268 件的决定信息均在法定期限内公开，未发生因信息公开引发的重大舆情。",
        "全年未发生责任追究。",
    ]))
    text = narrative_text("第一部分.pdf", data)
    # Lines rejoined into the two paragraphs (a space beside a Chinese character may or may not
    # survive the PDF: Chinese text reads the same either way).
    assert text.replace(" ", "") == (
        "本年度，本局围绕市场监管重点工作，通过政府网站主动公开各类政府信息1286条，其中行政许可1375件、"
        "行政处罚268件的决定信息均在法定期限内公开，未发生因信息公开引发的重大舆情。\n全年未发生责任追究。"
    )
    assert refused(narrative_text, "第一部分.pdf", data, max_chars=40).code == "text_too_long"


def test_rotated_page_read_as_displayed():
    """/Rotate applied: the lines come top to bottom, each left to right, as a reader sees them."""
    lines = ["First line of text", "Second line", "Third"]
    upright = narrative_text("a.pdf", pdfmake.text_pdf([lines]))
    assert narrative_text("a.pdf", pdfmake.rotated_text_pdf(lines)) == upright
    (page,) = uploads.read_pages(pdfmake.rotated_text_pdf(lines))
    assert (page.width, page.height) == (842, 595)  # displayed landscape


def test_damaged_files_refused_not_crashing(busy):
    """Found by mutating real files: a page PDFium cannot load, an Excel sheet that is not XML
    (openpyxl reads sheets lazily, after the package opened fine)."""
    assert refused(parse_bytes, pdfmake.broken_page_tree(), "a.pdf").code == "pdf_damaged"
    src = zipfile.ZipFile(io.BytesIO(make_template(busy)))
    members = {i.filename: src.read(i) for i in src.infolist()}
    for name in [n for n in members if n.startswith("xl/worksheets/") and n.endswith(".xml")]:
        members[name] = members[name].replace(b"<row ", b"<<row ", 1)
    new, problems = read_template(_xlsx(members), busy)
    assert new is None and problems[0].rule == "template.not_xlsx" and "已损坏" in problems[0].message
