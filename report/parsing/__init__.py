"""Reading published reports (.txt, .html, .docx, .pdf, and our own interchange .json) into the model.

``parse_file(path_or_bytes, filename)`` returns a :class:`ParseResult`: the report, the
diagnostics (as :class:`report.validation.Problem`, rules ``parse.*``), and what was detected
(year, agency, format). Every file goes through the guarded reader (:mod:`report.uploads`: size,
type, zip and PDF limits, defused XML, a text-length cap); a file that cannot be read at all raises
:class:`UnreadableReport` (the guarded reader's ``UploadRefused``) with a code and a plain Chinese
message. ``check(result, previous)`` adds the validation of the report to the parse diagnostics
without saying the same thing twice; the CLI and the bot both use it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import formats, interchange, uploads
from ..model import Report, Signature
from ..validation import ERROR, WARNING, Problem, validate
from .errors import UnreadableReport
from .lines import Document
from .vocab import find_period_year, find_title, format_scores
from .walker import Walker

__all__ = ["ParseResult", "UnreadableReport", "parse_file", "parse_bytes", "parse_document", "check", "MAX_BYTES"]

MAX_BYTES = uploads.MAX_UPLOAD_BYTES


@dataclass
class ParseResult:
    report: Report | None
    diagnostics: list[Problem] = field(default_factory=list)
    detected_year: int | None = None
    detected_agency: str | None = None
    detected_format: str | None = None
    source: str = ""  # "txt" | "html" | "docx" | "pdf" | "json"

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.diagnostics if p.is_error]


def parse_file(path_or_bytes: str | os.PathLike | bytes, filename: str | None = None, *, max_bytes: int = MAX_BYTES) -> ParseResult:
    """Read a published report from a path or from bytes (then ``filename`` gives the type)."""
    if isinstance(path_or_bytes, (bytes, bytearray, memoryview)):
        return parse_bytes(bytes(path_or_bytes), filename or "", max_bytes=max_bytes)
    path = Path(path_or_bytes)
    try:
        uploads.check_size(path.stat().st_size, max_bytes)
        with path.open("rb") as fh:
            data = fh.read(max_bytes + 1)
    except OSError as exc:
        raise UnreadableReport("cannot_open", name=path.name, why=_os_reason(exc)) from exc
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


def parse_bytes(data: bytes, filename: str = "", *, max_bytes: int = MAX_BYTES) -> ParseResult:
    uploads.check_size(len(data), max_bytes)
    if not data.strip():
        raise UnreadableReport("empty")
    source = uploads.kind_of(filename, data, uploads.REPORT)
    if source == "json":
        return _parse_json(data)
    if source == "docx":
        from .docx import read_docx

        doc = read_docx(data)
    elif source == "html":
        from .html import read_html

        doc = read_html(data)
    elif source == "pdf":
        from .pdf import read_pdf

        doc = read_pdf(data, max_chars=uploads.REPORT_MAX_CHARS)
    else:
        from .txt import read_text

        text = uploads.decode_text(data)
        if len(text) > uploads.REPORT_MAX_CHARS:
            raise UnreadableReport("text_too_long", limit=uploads.REPORT_MAX_CHARS)
        ext = os.path.splitext(filename)[1].lower()
        doc = read_text(text, markdown=ext in (".md", ".markdown"))
    if sum(len(line.text) for line in doc.lines) > uploads.REPORT_MAX_CHARS:
        raise UnreadableReport("text_too_long", limit=uploads.REPORT_MAX_CHARS)
    return parse_document(doc, source=source)


def _parse_json(data: bytes) -> ParseResult:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableReport("json_invalid", why="不是 UTF-8 编码") from exc
    try:
        report = interchange.loads(text)
    except interchange.InterchangeError as exc:
        raise UnreadableReport("json_invalid", why=str(exc)) from exc
    except RecursionError as exc:  # absurdly deep nesting
        raise UnreadableReport("json_invalid", why="嵌套层数过多") from exc
    return ParseResult(report, [], report.year, report.agency or None, report.format.id, "json")


def parse_text(text: str) -> ParseResult:
    from .txt import read_text

    return parse_document(read_text(text), source="txt")


def parse_document(doc: Document, *, source: str = "") -> ParseResult:
    """The lines of any reader → the report and its diagnostics.

    The year comes from the title, else the 统计期限, else the 成文日期 of the 落款; the agency from
    the title, else the 落款."""
    problems: list[Problem] = []
    title = find_title(doc)
    year = title.year if title else None
    agency = title.agency if title else None
    if title is None:
        problems.append(Problem(WARNING, "parse.title", "没有找到报告标题（“××××年政府信息公开工作年度报告”）"))
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

    walker = Walker(fmt, agency)
    walker.run(doc)
    walker.finish()
    narratives = walker.narratives()
    signature = walker.signature or Signature()
    if year is None and signature.date is not None:
        d = signature.date
        year = d.year - 1 if d.month <= 6 else d.year
        problems.append(
            Problem(WARNING, "parse.year", f"标题和统计期限中都没有年度，按成文日期（{d.year}年{d.month}月{d.day}日）读作 {year} 年度")
        )
    if year is None:
        problems.append(Problem(ERROR, "parse.year", f"无法识别报告年度，暂按 {fmt.first_year} 年处理"))
    if agency is None and signature.agency:
        agency = signature.agency
        problems.append(Problem(WARNING, "parse.agency", f"标题中没有机关名称，按落款读作“{agency}”"))
    elif agency is None and title is not None:
        problems.append(Problem(WARNING, "parse.agency", f"无法从标题“{title.text}”中识别机关名称"))
    report = Report(
        format=fmt,
        year=year if year is not None else fmt.first_year,
        agency=agency or "",
        narratives=narratives,
        values=walker.values,
        units=walker.units,
        signature=signature,
    )
    return ParseResult(report, problems + walker.problems, year, agency, fmt.id, source)


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
