"""The one guarded reader of uploaded documents, whatever question they answer.

Every file a user sends — a narrative part (.txt/.docx/.pdf), the Excel template (.xlsx), a
published report to check (.txt/.html/.docx/.pdf/.json) — is checked here before any library
parses it: its size (callers also check the announced size before downloading), its type (by
content, then by name), a zip package's directory (entries, uncompressed size, each large part's
compression ratio), a PDF's pages and compressed streams, XML read through defusedxml, and the
length of the text. A refusal is :class:`UploadRefused` with a ``code`` and a plain Chinese
``message`` (the table in :mod:`report.uploads.errors`); nothing else escapes.

Pure Python (no telegram, no SQL):

    narrative_text(filename, data)        → the text of a narrative part, at most NARRATIVE_MAX_CHARS
    check_size(size, max_bytes)           → before a download, and again on the bytes
    kind_of(filename, data, purpose)      → "txt" | "html" | "docx" | "pdf" | "json" | "xlsx"
    check_xlsx(data)                      → the Excel template's package, before openpyxl opens it
    docx_tree(data), decode_text(data), read_pages(data)   → a published report's raw material
"""

from __future__ import annotations

import os
import re

from .errors import ACCEPTED, MESSAGES, UploadRefused
from .limits import MAX_UPLOAD_BYTES
from .ooxml import DOCX, XLSX, ZipLimits, docx_paragraphs, docx_tree, open_zip, parse_xml, read_member
from .pdf import MAX_PAGES, Glyph, Page, read_pages
from .text import decode_text, without_controls

__all__ = [
    "ACCEPTED", "DOCX", "MAX_PAGES", "MAX_UPLOAD_BYTES", "MESSAGES", "NARRATIVE", "NARRATIVE_MAX_CHARS",
    "REPORT", "REPORT_MAX_CHARS", "TEMPLATE", "XLSX", "Glyph", "Page", "UploadRefused", "ZipLimits",
    "check_size", "check_xlsx", "decode_text", "docx_tree", "kind_of", "narrative_text", "open_zip",
    "parse_xml", "read_member", "read_pages", "without_controls",
]

NARRATIVE_MAX_CHARS = 20_000  # one narrative part; the interview states it to the user
REPORT_MAX_CHARS = 300_000  # a published report's text (the busiest real ones have ~30,000)

NARRATIVE, TEMPLATE, REPORT = "narrative", "template", "report"
ACCEPTS = {
    NARRATIVE: frozenset({"txt", "docx", "pdf"}),
    TEMPLATE: frozenset({"xlsx"}),
    REPORT: frozenset({"txt", "html", "docx", "pdf", "json"}),
}
TEXT_EXTS = frozenset({".txt", ".text", ".md", ".markdown", ".csv", ".tsv"})
HTML_EXTS = frozenset({".html", ".htm", ".shtml", ".xhtml", ".mht", ".jsp", ".asp", ".aspx", ".php"})
_OLD = {".doc": ("Word", ".docx"), ".wps": ("WPS 文字", ".docx"), ".xls": ("Excel", ".xlsx"), ".et": ("WPS 表格", ".xlsx")}
_ARCHIVES = frozenset({".zip", ".rar", ".7z", ".gz", ".tar", ".tgz", ".bz2", ".xz"})
_FOUND = {"xlsx": "Excel", "docx": "Word", "pdf": "PDF", "html": "网页", "txt": "文本", "json": "JSON"}
_PURPOSE = {NARRATIVE: "文字部分", TEMPLATE: "填报模板", REPORT: "年度报告正文"}
_OLE = b"\xd0\xcf\x11\xe0"
_HTML_TAGS = (b"<html", b"<!doctype html", b"<body", b"<table", b"<head", b"<meta")


def check_size(size: int, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """Refuse a file over ``max_bytes`` (call it with the announced size before downloading)."""
    if size > max_bytes:
        raise UploadRefused("too_large", size=int(size), limit=int(max_bytes))


def looks_html(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return any(tag in head for tag in _HTML_TAGS)


def kind_of(filename: str, data: bytes, purpose: str = REPORT) -> str:
    """What the file is, by its content first and its name second, if ``purpose`` accepts it."""
    ext = os.path.splitext(filename or "")[1].lower()
    accepted = ACCEPTED[purpose]
    if ext in _OLD:
        app, new = _OLD[ext]
        raise UploadRefused("old_format", app=app, ext=ext, new=new)
    if ext in _ARCHIVES:
        raise UploadRefused("archive", ext=ext, accepted=accepted)
    head = data[:2048].lstrip()
    if data.startswith(_OLE):
        raise UploadRefused("old_format", app="Word", ext=ext or ".doc", new=".docx")
    if b"%PDF" in data[:1024] or ext == ".pdf":
        kind = "pdf"
    elif data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        kind = "xlsx" if ext in (".xlsx", ".xlsm") or (not ext.endswith(".docx") and purpose == TEMPLATE) else "docx"
    elif ext in HTML_EXTS:
        kind = "html"
    elif ext == ".json" or (not ext and head[:1] in (b"{", b"[")):
        kind = "json"
    elif ext in TEXT_EXTS:
        kind = "html" if looks_html(data) else "txt"
    elif ext in (".docx", ".xlsx"):
        kind = ext[1:]
    elif looks_html(data):
        kind = "html"
    elif ext:
        raise UploadRefused("unsupported_type", ext=ext, accepted=accepted)
    else:
        kind = "txt"
    if kind not in ACCEPTS[purpose]:
        if kind in ("txt", "html") and ext:
            raise UploadRefused("unsupported_type", ext=ext, accepted=accepted)
        raise UploadRefused("wrong_kind", found=_FOUND[kind], purpose=_PURPOSE[purpose], accepted=accepted)
    return kind


def check_xlsx(data: bytes, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
    """The Excel template's package checked before openpyxl opens it (openpyxl itself reads XML
    through defusedxml)."""
    check_size(len(data), max_bytes)
    open_zip(data, XLSX).close()


# -- narratives -------------------------------------------------------------------------------------
_BLANK = re.compile(r"^[\s\u3000\xa0]+|[\s\u3000\xa0]+$")


def _clean_line(line: str) -> str:
    return _BLANK.sub("", without_controls(line))


def _capped_join(paragraphs, max_chars: int) -> str:
    """Non-blank paragraphs joined by newlines; refused as soon as they pass ``max_chars``."""
    kept: list[str] = []
    length = -1
    for paragraph in paragraphs:
        for line in paragraph.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\v", "\n").split("\n"):
            line = _clean_line(line)
            if not line:
                continue
            length += len(line) + 1
            if length > max_chars:
                raise UploadRefused("text_too_long", limit=max_chars)
            kept.append(line)
    if not kept:
        raise UploadRefused("empty")
    return "\n".join(kept)


def narrative_text(
    filename: str, data: bytes, *, max_chars: int = NARRATIVE_MAX_CHARS, max_bytes: int = MAX_UPLOAD_BYTES
) -> str:
    """The text of a narrative part sent as a file (.txt, .docx, .pdf): paragraphs one per line,
    blank lines and stray control characters dropped. UploadRefused when the file is too large, of
    another kind, hostile, unreadable, empty, or longer than ``max_chars`` characters."""
    check_size(len(data), max_bytes)
    if not data.strip():
        raise UploadRefused("empty")
    kind = kind_of(filename, data, NARRATIVE)
    if kind == "docx":
        return _capped_join(docx_paragraphs(data), max_chars)
    if kind == "pdf":
        from .pdftext import lines_of, paragraphs

        pages = read_pages(data, max_chars=max_chars, rules=False)
        lines = [line for page in pages for line in lines_of(page.glyphs, page.number)]
        return _capped_join(paragraphs(lines), max_chars)
    text = decode_text(data)
    if len(text) > 4 * max_chars + 1000:  # far too long whatever blank lines it has: no need to split it
        raise UploadRefused("text_too_long", limit=max_chars)
    return _capped_join([text], max_chars)
