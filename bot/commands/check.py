"""``disclosure-bot check FILE... [--json] [--previous FILE]``: read published reports and check them.

Every file goes through the guarded reader (report.uploads: size, type, zip and PDF limits), so a
PDF is handled like the other kinds and a hostile file is refused with its message. For each file:
the detected year, agency and format, the 落款, then every problem (what reading the file found,
then the validation of the figures), errors and warnings, in Chinese. With ``--json``: the
interchange JSON of each report (with its "signature") plus a "problems" list. Exit 0 when no file
has errors, 1 when any has, 2 when any file cannot be read at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from report import interchange
from report.parsing import MAX_BYTES, ParseResult, UnreadableReport, check, parse_file
from report.validation import Problem

from ._common import fail

SEVERITY_ZH = {"error": "错误", "warning": "警告"}


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="检查已发布的年度报告（.txt/.html/.docx/.pdf/.json）/ check published reports",
        description="读取已发布的政府信息公开工作年度报告（.txt、.html、.docx、.pdf 或交换格式 .json），"
        "识别年度、机关和格式，列出读取中发现的问题和数据校验结果。"
        " / Read published annual reports (.txt, .html, .docx, .pdf or interchange .json), detect year, "
        "agency and format, and list reading problems and validation results. "
        "Exit status: 0 no errors, 1 errors found, 2 a file could not be read.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE", help="要检查的报告文件 / report files to check")
    parser.add_argument(
        "--json",
        action="store_true",
        help="输出交换格式 JSON 及问题列表 / print the interchange JSON plus a problems list",
    )
    parser.add_argument(
        "--previous",
        metavar="FILE",
        help="上一年度的报告，用于跨年度核对（上年结转） / last year's report, for the cross-year check",
    )
    parser.set_defaults(handler=run)


def _max_bytes(settings: Any) -> int:
    return int(getattr(settings, "max_upload_bytes", MAX_BYTES) or MAX_BYTES)


def _problem_dict(p: Problem) -> dict:
    return p.as_dict()


def _signature(report) -> dict:
    """The 落款 as the interchange JSON writes it (used until report/interchange.py writes it)."""
    sig = report.signature
    return {"agency": sig.agency or None, "date": sig.date.isoformat() if sig.date else None}


def _unreadable_doc(path: str, message: str) -> dict:
    return {
        "file": path,
        "readable": False,
        "problems": [{"severity": "error", "rule": "parse.unreadable", "cells": [], "message": message}],
    }


def _describe(path: str, result: ParseResult, problems: list[Problem]) -> str:
    report = result.report
    lines = [f"== {path} =="]
    fmt_name = report.format.name if report else ""
    lines.append(
        f"年度：{result.detected_year if result.detected_year is not None else '未识别'}　"
        f"机关：{result.detected_agency or '未识别'}　"
        f"格式：{result.detected_format or '未识别'}{f'（{fmt_name}）' if fmt_name else ''}"
    )
    sig = report.signature if report else None
    if sig is not None and (sig.agency or sig.date):
        date = f"{sig.date.year}年{sig.date.month}月{sig.date.day}日" if sig.date else "未写日期"
        lines.append(f"落款：{sig.agency or '（未写机关名称）'}　{date}")
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    if not problems:
        lines.append("未发现问题。")
    else:
        lines.append(f"错误 {len(errors)} 项，警告 {len(warnings)} 项：")
        for p in errors + warnings:
            lines.append(f"  [{SEVERITY_ZH.get(p.severity, p.severity)}] {p.message}（{p.rule}）")
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Any) -> int:
    max_bytes = _max_bytes(settings)
    out = sys.stdout
    previous = None
    if args.previous:
        try:
            previous = parse_file(args.previous, max_bytes=max_bytes)
        except UnreadableReport as exc:
            return fail(f"无法读取上一年度报告 {args.previous}：{exc.message_zh}")
    status = 0
    docs: list[dict] = []
    texts: list[str] = []
    for path in args.files:
        try:
            result = parse_file(path, Path(path).name, max_bytes=max_bytes)
        except UnreadableReport as exc:
            status = 2
            if args.json:
                docs.append(_unreadable_doc(path, exc.message_zh))
            else:
                texts.append(f"== {path} ==\n无法读取：{exc.message_zh}")
            continue
        problems = check(result, previous)
        if any(p.is_error for p in problems) and status == 0:
            status = 1
        if args.json:
            doc = interchange.to_dict(result.report) if result.report else {}
            if result.report is not None:
                doc.setdefault("signature", _signature(result.report))
            doc = {"file": path, "readable": True, **doc, "problems": [_problem_dict(p) for p in problems]}
            docs.append(doc)
        else:
            texts.append(_describe(path, result, problems))
    if args.json:
        payload: Any = docs[0] if len(docs) == 1 else docs
        json.dump(payload, out, ensure_ascii=False, indent=2)
        out.write("\n")
    else:
        out.write("\n\n".join(texts) + "\n")
        if len(args.files) > 1:
            summary = {0: "全部文件均无错误。", 1: "有文件存在错误。", 2: "有文件无法读取。"}[status]
            out.write(summary + "\n")
    return status
