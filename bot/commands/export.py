"""``disclosure-bot export --agency NAME --year Y [-o FILE]``: a stored report as interchange JSON."""

from __future__ import annotations

import sys
from pathlib import Path

from report import interchange

from ._common import fail, open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "export",
        help="导出已存储的报告为 JSON 交换格式 / export a stored report as interchange JSON",
        description="导出已存储的报告为 JSON 交换格式（docs/interchange.md） / export a stored report "
        "as interchange JSON (docs/interchange.md)",
    )
    parser.add_argument("--agency", required=True, metavar="NAME", help="机关名称 / agency name")
    parser.add_argument("--year", required=True, type=int, metavar="Y", help="报告年度 / report year")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="输出文件，默认输出到屏幕 / output file (default: stdout)"
    )
    parser.set_defaults(handler=run)


def run(args, settings) -> int:
    store = open_store(settings)
    if store is None:
        return 2
    try:
        agency = store.find_agency(args.agency)
        if agency is None:
            return fail(f"找不到机关“{args.agency}”。")
        info = store.find_report(agency.id, args.year)
        if info is None:
            return fail(f"机关“{agency.name}”没有 {args.year} 年度的报告。")
        rep, _version = store.load_report(info.id)
    finally:
        store.dispose()
    text = interchange.dumps(rep) + "\n"
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
        print(f"已导出到 {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
