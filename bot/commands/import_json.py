"""``disclosure-bot import-json FILE --agency NAME``: store a report given as interchange JSON.

The stored report becomes exactly the file's content (entered values and narratives; totals are
recomputed, never stored); every changed item is recorded in the audit trail with source "import".
"""

from __future__ import annotations

import sys
from pathlib import Path

from report import interchange
from storage.models import AGENCY_KINDS

from ._common import fail, open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "import-json",
        help="从 JSON 交换格式导入报告 / import a report from interchange JSON",
        description="从 JSON 交换格式导入一份报告，替换该机关该年度已存储的内容（留有修改记录） / "
        "import one report from interchange JSON, replacing what is stored for that agency and year "
        "(audited)",
    )
    parser.add_argument("file", metavar="FILE", help="JSON 文件，- 表示标准输入 / JSON file, - for stdin")
    parser.add_argument("--agency", required=True, metavar="NAME", help="机关名称 / agency name")
    parser.add_argument(
        "--kind",
        choices=AGENCY_KINDS,
        default="department",
        help="新建机关时的类型（需配置 allow_import_creates_agency） / kind of a newly created agency "
        "(needs allow_import_creates_agency); default: department",
    )
    parser.set_defaults(handler=run)


def run(args, settings) -> int:
    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text(encoding="utf-8-sig")
    except OSError as exc:
        return fail(f"无法读取文件 {args.file}：{exc.strerror or exc}")
    except UnicodeDecodeError:
        return fail(f"文件 {args.file} 不是 UTF-8 编码的文本。")
    try:
        rep = interchange.loads(text)
    except interchange.InterchangeError as exc:
        return fail(f"JSON 格式有误：{exc}")
    name = args.agency.strip()
    store = open_store(settings)
    if store is None:
        return 2
    try:
        agency = store.find_agency(name)
        created = False
        if agency is None:
            if not settings.allow_import_creates_agency:
                return fail(
                    f"找不到机关“{name}”。请先在机器人中创建该机关，"
                    "或在配置中设置 allow_import_creates_agency = true 以在导入时自动创建。"
                )
            agency = store.create_agency(name, args.kind)
            created = True
        rep.agency = agency.name
        info = store.get_or_create_report(agency.id, rep.year, rep.format.id)
        version = store.replace_report(info.id, rep, user_id=None, source="import")
    finally:
        store.dispose()
    if created:
        print(f"已新建机关“{agency.name}”。")
    print(f"已导入“{agency.name}” {rep.year} 年度报告（{rep.format.id} 格式），当前版本 {version}。")
    return 0
