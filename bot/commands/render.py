"""``disclosure-bot render REPORT.json --to txt|md|html|docx|xlsx [-o FILE]``: a report file as a document.

Exit codes: 0 written; 1 written, but the report has errors (printed to stderr; --allow-errors
makes it 0); 2 nothing written (unreadable file, malformed JSON, unwritable output).
"""

from __future__ import annotations

import sys
from pathlib import Path

from report import interchange
from report.render import KINDS, filename, render
from report.validation import errors, validate

from ._common import fail


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
        "--preamble",
        action="store_true",
        help="加上标准引言（依据、六部分、统计期限） / add the standard preamble (legal basis, parts, period)",
    )
    parser.add_argument(
        "--preamble-website",
        metavar="URL",
        help="引言中的报告发布网站（隐含 --preamble） / where the report is published (implies --preamble)",
    )
    parser.add_argument(
        "--preamble-contact",
        metavar="TEXT",
        help="引言中的联系方式（隐含 --preamble） / contact address and phone (implies --preamble)",
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

    problems = errors(validate(report))
    if problems:
        print(f"报告有 {len(problems)} 处错误：", file=sys.stderr)
        for p in problems:
            print(f"  - {p.message}", file=sys.stderr)

    preamble = None
    if args.preamble or args.preamble_website or args.preamble_contact:
        preamble = {"website": args.preamble_website or "", "contact": args.preamble_contact or ""}
    data = render(report, args.to, preamble=preamble)

    if args.output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    else:
        out = Path(args.output) if args.output else Path.cwd() / filename(report, args.to)
        try:
            out.write_bytes(data)
        except OSError as exc:
            return fail(f"无法写入 {out}：{exc} / cannot write the output file")
        print(f"已生成 {out}", file=sys.stderr)
    if problems and not args.allow_errors:
        return 1
    return 0
