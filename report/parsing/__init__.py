"""Reading published reports (.txt, .html, .docx, and our own interchange .json) into the model.

``parse_file(path_or_bytes, filename)`` returns a :class:`ParseResult`: the report, the
diagnostics (as :class:`report.validation.Problem`, rules ``parse.*``), and what was detected
(year, agency, format). A file that cannot be read at all raises :class:`UnreadableReport` with a
plain Chinese message. ``check(result, previous)`` adds the validation of the report to the
parse diagnostics without saying the same thing twice; the CLI and the bot both use it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import formats, interchange
from ..model import Report
from ..validation import ERROR, WARNING, Problem, validate
from .errors import UnreadableReport
from .lines import Document
from .vocab import find_period_year, find_title, format_scores
from .walker import Walker

__all__ = ["ParseResult", "UnreadableReport", "parse_file", "parse_bytes", "parse_document", "check", "MAX_BYTES"]

MAX_BYTES = 10 * 1024 * 1024
_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")
TEXT_EXTS = {".txt", ".text", ".md", ".markdown", ".csv", ".tsv"}
HTML_EXTS = {".html", ".htm", ".shtml", ".xhtml", ".mht", ".jsp", ".asp", ".aspx", ".php"}
UNSUPPORTED = {
    ".doc": "不支持旧版 Word（.doc）文件，请在 Word 或 WPS 中另存为 .docx 后再发送",
    ".wps": "不支持 WPS（.wps）文件，请另存为 .docx 后再发送",
    ".pdf": "暂不支持 PDF 文件：请把全文复制保存为 .txt，或发送 .docx / 网页（.html）版本",
    ".xls": "这是 Excel 文件，不是年度报告正文；请发送报告的 .docx、.html 或 .txt",
    ".xlsx": "这是 Excel 文件，不是年度报告正文；请发送报告的 .docx、.html 或 .txt",
    ".zip": "不支持压缩包，请直接发送报告文件（.docx、.html 或 .txt）",
    ".rar": "不支持压缩包，请直接发送报告文件（.docx、.html 或 .txt）",
}


@dataclass
class ParseResult:
    report: Report | None
    diagnostics: list[Problem] = field(default_factory=list)
    detected_year: int | None = None
    detected_agency: str | None = None
    detected_format: str | None = None
    source: str = ""  # "txt" | "html" | "docx" | "json"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.diagnostics if p.is_error]


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


def _too_big(size: int, max_bytes: int) -> UnreadableReport:
    return UnreadableReport(f"文件太大（{_mb(size)}），超过 {_mb(max_bytes)} 的上限，拒绝读取")


def parse_file(path_or_bytes: str | os.PathLike | bytes, filename: str | None = None, *, max_bytes: int = MAX_BYTES) -> ParseResult:
    """Read a published report from a path or from bytes (then ``filename`` gives the type)."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        data = bytes(path_or_bytes)
        if len(data) > max_bytes:
            raise _too_big(len(data), max_bytes)
        return parse_bytes(data, filename or "", max_bytes=max_bytes)
    path = Path(path_or_bytes)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise UnreadableReport(f"无法打开文件：{path.name}（{_os_reason(exc)}）") from exc
    if size > max_bytes:
        raise _too_big(size, max_bytes)
    try:
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableReport(f"无法读取文件：{path.name}（{_os_reason(exc)}）") from exc
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    return parse_bytes(data, filename or path.name, max_bytes=max_bytes)


def _os_reason(exc: OSError) -> str:
    """Why a file could not be opened, in Chinese (the system's own text is English)."""
    if isinstance(exc, FileNotFoundError):
        return "文件不存在"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹，不是文件"
    if isinstance(exc, PermissionError):
        return "没有读取权限"
    return f"系统错误 {exc.errno}" if exc.errno else "系统错误"


def _sniff(data: bytes, ext: str) -> str:
    head = data[:2048].lstrip()
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "docx"
    if data.startswith(b"%PDF"):
        raise UnreadableReport(UNSUPPORTED[".pdf"])
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise UnreadableReport(UNSUPPORTED[".doc"])
    lowered = head.lower()
    if ext in HTML_EXTS:
        return "html"
    if ext == ".json" or (not ext and head[:1] in (b"{", b"[")):
        return "json"
    if ext in TEXT_EXTS:
        return "html" if _looks_html(lowered) else "txt"
    if ext == ".docx":
        return "docx"
    if _looks_html(lowered):
        return "html"
    if ext and ext not in TEXT_EXTS:
        raise UnreadableReport(f"不支持的文件类型“{ext}”：请发送 .docx、.html 或 .txt 文件")
    return "txt"


def _looks_html(lowered_head: bytes) -> bool:
    return any(tag in lowered_head for tag in (b"<html", b"<!doctype html", b"<body", b"<table", b"<head", b"<meta"))


def decode_text(data: bytes) -> str:
    """Text in UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030; junk is refused."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UnreadableReport("文件不是文本，无法读取") from exc
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise UnreadableReport("文件不是文本（无法按 UTF-8 或 GBK 解码），无法读取") from exc
    sample = text[:20000]
    if sample:
        control = len(_CONTROL.findall(sample))
        if "\x00" in sample or control > max(2, len(sample) // 100):
            raise UnreadableReport("文件不是文本（含有大量二进制字符），无法读取")
    return text


def parse_bytes(data: bytes, filename: str = "", *, max_bytes: int = MAX_BYTES) -> ParseResult:
    if len(data) > max_bytes:
        raise _too_big(len(data), max_bytes)
    ext = os.path.splitext(filename)[1].lower()
    if ext in UNSUPPORTED:
        raise UnreadableReport(UNSUPPORTED[ext])
    if not data.strip():
        raise UnreadableReport("文件是空的")
    source = _sniff(data, ext)
    if source == "docx":
        from .docx import read_docx

        doc = read_docx(data)
    elif source == "html":
        from .html import read_html

        doc = read_html(data)
    elif source == "json":
        return _parse_json(data)
    else:
        from .txt import read_text

        doc = read_text(decode_text(data), markdown=ext in (".md", ".markdown"))
    return parse_document(doc, source=source)


def _parse_json(data: bytes) -> ParseResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableReport("JSON 文件不是 UTF-8 编码，无法读取") from exc
    try:
        report = interchange.loads(text)
    except interchange.InterchangeError as exc:
        raise UnreadableReport(f"JSON 交换文件有误：{exc}") from exc
    return ParseResult(report, [], report.year, report.agency or None, report.format.id, "json")


def parse_text(text: str) -> ParseResult:
    from .txt import read_text

    return parse_document(read_text(text), source="txt")


def parse_document(doc: Document, *, source: str = "") -> ParseResult:
    """The lines of any reader → the report and its diagnostics."""
    problems: list[Problem] = []
    title = find_title(doc)
    year = title.year if title else None
    agency = title.agency if title else None
    if title is None:
        problems.append(Problem(WARNING, "parse.title", "没有找到报告标题（“××××年政府信息公开工作年度报告”）"))
    elif agency is None:
        problems.append(Problem(WARNING, "parse.agency", f"无法从标题“{title.text}”中识别机关名称"))
    if year is None:
        year = find_period_year(doc)
        if year is not None:
            problems.append(Problem(WARNING, "parse.year", f"标题中没有年度，按统计期限读作 {year} 年度"))

    scores = format_scores(doc)
    ranked = sorted(scores.items(), key=lambda kv: -kv[1])
    if not ranked or ranked[0][1] == 0 or (len(ranked) > 1 and ranked[0][1] == ranked[1][1]):
        fmt = formats.for_year(year) if year else formats.load(formats.available()[-1])
        if ranked and ranked[0][1] > 0:
            problems.append(
                Problem(WARNING, "parse.format", f"表格标签无法判断格式，按年度采用{fmt.name}")
            )
    else:
        fmt = formats.load(ranked[0][0])
        others = [f"{fid}格式 {n} 处" for fid, n in ranked[1:] if n]
        if others:
            problems.append(
                Problem(
                    WARNING,
                    "parse.format",
                    f"表格中混有另一种格式的标签（{fmt.id}格式 {ranked[0][1]} 处，{'，'.join(others)}），按{fmt.id}格式读取",
                )
            )
    if year is None:
        problems.append(Problem(ERROR, "parse.year", f"无法识别报告年度，暂按 {fmt.first_year} 年处理"))

    walker = Walker(fmt, agency)
    walker.run(doc)
    walker.finish()
    report = Report(
        format=fmt,
        year=year if year is not None else fmt.first_year,
        agency=agency or "",
        narratives=walker.narratives(),
        values=walker.values,
        units=walker.units,
    )
    return ParseResult(
        report,
        problems + walker.problems,
        year,
        agency,
        fmt.id,
        source,
    )


_COVERED_RULES = ("cell.blank", "section.incomplete")


def check(result: ParseResult, previous: ParseResult | Report | None = None) -> list[Problem]:
    """Parse diagnostics followed by the validation problems they do not already explain."""
    if result.report is None:
        return list(result.diagnostics)
    prev = previous.report if isinstance(previous, ParseResult) else previous
    covered = {c for p in result.diagnostics for c in p.cells}
    out = list(result.diagnostics)
    for p in validate(result.report, prev):
        if p.rule in _COVERED_RULES and p.cells and set(p.cells) <= covered:
            continue
        out.append(p)
    return out
