"""``disclosure-bot render REPORT.json --to txt|md|html|docx|xlsx [-o FILE] [--draft]``: a report file as a document.

The file is final unless ``--draft``: a report with empty required parts is refused (the parts are
printed) and only ``--draft`` renders it, marked 草稿. The opening paragraph is the report's
("preamble" in the JSON; the standard one by default, ``--no-preamble`` for none); the 落款 is the
report's "signature", its date ``--date`` or else today's (said on stderr).

Exit codes: 0 written; 1 written, but the report has errors (printed to stderr; --allow-errors
makes it 0); 2 nothing written (unreadable file, malformed JSON, unwritable output, or a final
file asked of an unfinished report).
"""

from __future__ import annotations

import datetime as dt
import sys
from dataclasses import replace
from pathlib import Path

from report import interchange
from report.render import KINDS, IncompleteReport, render_file, words
from report.validation import errors, validate

from ._common import fail


def iso_date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "render",
        help="把报告 JSON 输出为 txt/md/html/docx/xlsx 文件 / render a report JSON file as a document",
        description="把 JSON 交换格式的报告（docs/interchange.md）输出为文本、Markdown、网页、Word 或 Excel 文件 / "
        "render a report in the JSON interchange format (docs/interchange.md) as text, Markdown, HTML, "
        "Word or Excel. 退出码 / exit status: 0 成功 / written; 1 已输出但报告有错误 / written, report has "
        "errors; 2 未输出 / nothing written.",
    )
    parser.add_argument(
        "report", metavar="REPORT.json", help="报告文件（JSON 交换格式） / report file (interchange JSON)"
    )
    parser.add_argument(
        "--to",
        required=True,
        choices=KINDS,
        metavar="{" + ",".join(KINDS) + "}",
        help="输出格式 / output format",
    )
    parser.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="输出文件；“-” 表示输出到屏幕；默认为当前目录下的“{年度}年{机关}政府信息公开工作年度报告.{格式}” / "
        "output file; '-' for stdout; default: the report's standard file name in the current directory",
    )
    parser.add_argument(
        "--allow-errors",
        action="store_true",
        help="报告有错误时仍以 0 退出 / exit 0 even if the report has errors",
    )
    parser.add_argument(
        "--draft",
        action="store_true",
        help="报告未填完时输出草稿（标明“草稿”） / render an unfinished report as a draft (marked 草稿)",
    )
    parser.add_argument(
        "--date",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="落款的成文日期，默认为报告中的日期，否则为今天 / the 成文日期 of the 落款 (default: the report's, else today)",
    )
    parser.add_argument(
        "--no-preamble",
        action="store_true",
        help="不要开头段落（默认使用报告中的或标准的开头段落） / no opening paragraph "
        "(default: the report's own, else the standard one)",
    )
    parser.add_argument(
        "--preamble",
        action="store_true",
        help="（已不需要：标准开头段落默认就有） / (no longer needed: the standard opening paragraph is the default)",
    )
    parser.add_argument(
        "--preamble-website",
        metavar="URL",
        help="标准开头段落中的报告发布网站 / where the report is published (in the standard opening paragraph)",
    )
    parser.add_argument(
        "--preamble-contact",
        metavar="TEXT",
        help="标准开头段落中的联系方式 / contact address and phone (in the standard opening paragraph)",
    )
    parser.set_defaults(handler=run)


def run(args, settings) -> int:
    path = Path(args.report)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return fail(f"无法读取报告文件 {path}：{exc} / cannot read the report file")
    try:
        report = interchange.loads(text)
    except interchange.InterchangeError as exc:
        return fail(f"报告文件 {path} 格式有误：{exc}")
    if args.no_preamble:
        report.preamble = ""
    if args.date:
        report.signature = replace(report.signature, date=args.date)

    details = {"website": args.preamble_website or "", "contact": args.preamble_contact or ""}
    try:
        rendering = render_file(report, args.to, final=not args.draft, preamble=details)
    except IncompleteReport as exc:
        print(f"{exc}（可加 --draft 输出草稿 / add --draft to render a draft）", file=sys.stderr)
        for part in exc.missing:
            print(f"  - {part}", file=sys.stderr)
        return 2

    # a draft's empty parts are named in the document already: only the other errors count
    problems = errors(validate(report, completeness=not args.draft))
    if problems:
        print(f"报告有 {len(problems)} 处错误：", file=sys.stderr)
        for p in problems:
            print(f"  - {p.message}", file=sys.stderr)
    for note in rendering.notes:
        print(note, file=sys.stderr)

    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(rendering.data)
        sys.stdout.buffer.flush()
    else:
        out = Path(args.output) if args.output else Path.cwd() / rendering.filename
        try:
            out.write_bytes(rendering.data)
        except OSError as exc:
            return fail(f"无法写入 {out}：{exc} / cannot write the output file")
        print(f"已生成{words().draft if rendering.draft else ''} {out}", file=sys.stderr)
    if problems and not args.allow_errors:
        return 1
    return 0
