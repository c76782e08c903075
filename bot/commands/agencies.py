"""``disclosure-bot agencies import ROSTER.csv [--out LINKS.csv]``: a county's agencies in one go.

The roster is a CSV as Excel or WPS save it (UTF-8 with or without BOM; GB18030 if it is not
UTF-8) with the header ``name,kind,office,deadline`` (or 名称,类型,协调办公室,截止日期):
- name: the agency's full name;
- kind: department / government / township / other, or the Chinese label (政府部门 / 人民政府 /
  乡镇（街道） / 其他机关, also 部门 / 政府 / 乡镇 / 街道);
- office: the coordinator office's name (created if missing);
- deadline (optional): YYYY-MM-DD (also 2026/1/20), the agency's own deadline for the report of
  the year before.
All or nothing: every line is checked first (against the database too) and any problem is reported
with its line number, nothing written. Then the offices and agencies are created (none twice on a
re-run) and one officer invitation link per agency is written to the output CSV (agency, office,
link, expires). What happens to links on a re-run is storage/roster.py's docstring.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import os
import re
import tempfile
from pathlib import Path
from zoneinfo import ZoneInfo

from report.terms import AGENCY_KINDS
from storage import roster

from ._common import fail, open_store, usage

MAX_BYTES = 5 * 1024 * 1024
MAX_NAME = 100
COLUMNS = {
    "name": ("name", "名称", "机关名称", "单位名称", "机关"),
    "kind": ("kind", "类型", "机关类型"),
    "office": ("office", "协调办公室", "所属协调办公室", "政务公开办", "办公室"),
    "deadline": ("deadline", "截止日期", "本机关截止日期"),
}
KIND_WORDS = {
    **{code: code for code in AGENCY_KINDS},
    **{label: code for code, label in AGENCY_KINDS.items()},
    "部门": "department",
    "政府": "government",
    "乡镇": "township",
    "街道": "township",
    "乡镇街道": "township",
    "其他": "other",
}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


class RosterError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", text or "").replace("(", "（").replace(")", "）").lower()


KINDS = {_norm(word): code for word, code in KIND_WORDS.items()}
HEADERS = {_norm(alias): column for column, aliases in COLUMNS.items() for alias in aliases}


def decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise RosterError(["文件是 UTF-16 编码：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”。"
                           " / The file is UTF-16: save it as “CSV UTF-8 (comma delimited)”."])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            raise RosterError(["无法识别文件编码（应为 UTF-8 或 GB18030）。"
                               " / Unknown encoding (expected UTF-8 or GB18030)."]) from None


def parse_date(text: str) -> dt.date | None:
    m = _DATE.match(text.strip())
    if not m:
        return None
    try:
        day = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        return None
    return day if 2001 <= day.year <= 2100 else None


def _cell(cells: list[str], columns: dict[str, int], column: str) -> str:
    i = columns.get(column)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def parse(text: str) -> list[roster.RosterEntry]:
    """The roster's entries; RosterError with every problem, each naming its line."""
    reader = csv.reader(io.StringIO(text))
    problems: list[str] = []
    columns: dict[str, int] | None = None
    entries: list[roster.RosterEntry] = []
    first_line: dict[str, int] = {}
    for cells in reader:
        line = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if columns is None:
            columns = {}
            for i, cell in enumerate(cells):
                column = HEADERS.get(_norm(cell))
                if column is None:
                    problems.append(f"第 {line} 行：不认识的列名“{cell.strip()}”（应为 name,kind,office,deadline）"
                                    f" / line {line}: unknown column {cell.strip()!r}")
                elif column in columns:
                    problems.append(f"第 {line} 行：列“{cell.strip()}”重复 / line {line}: column repeated")
                else:
                    columns[column] = i
            missing = [c for c in ("name", "kind", "office") if c not in columns]
            if missing:
                problems.append(f"第 {line} 行：缺少列 {','.join(missing)}（表头应为 name,kind,office,deadline）"
                                f" / line {line}: missing column(s) {','.join(missing)}")
            if problems:
                raise RosterError(problems)
            continue
        name, kind_text, office, deadline_text = (_cell(cells, columns, c) for c in ("name", "kind", "office", "deadline"))
        here = len(problems)
        if not name:
            problems.append(f"第 {line} 行：机关名称为空 / line {line}: the name is empty")
        elif len(name) > MAX_NAME:
            problems.append(f"第 {line} 行：机关名称超过 {MAX_NAME} 字 / line {line}: name too long")
        elif name in first_line:
            problems.append(f"第 {line} 行：“{name}”与第 {first_line[name]} 行重复"
                            f" / line {line}: same agency as line {first_line[name]}")
        kind = KINDS.get(_norm(kind_text))
        if kind is None:
            problems.append(
                f"第 {line} 行：机关类型“{kind_text}”无法识别（应为 department/government/township/other，"
                f"或 {'/'.join(AGENCY_KINDS.values())}） / line {line}: unknown kind {kind_text!r}"
            )
        if not office:
            problems.append(f"第 {line} 行：协调办公室为空 / line {line}: the office is empty")
        elif len(office) > MAX_NAME:
            problems.append(f"第 {line} 行：协调办公室名称超过 {MAX_NAME} 字 / line {line}: office name too long")
        deadline = parse_date(deadline_text) if deadline_text else None
        if deadline_text and deadline is None:
            problems.append(f"第 {line} 行：截止日期“{deadline_text}”应为 YYYY-MM-DD，如 2026-01-20"
                            f" / line {line}: the deadline must be YYYY-MM-DD")
        if len(problems) == here:
            first_line[name] = line
            entries.append(roster.RosterEntry(line, name, kind, office, deadline))
    if columns is None:
        problems.append("文件是空的：第一行应为表头 name,kind,office,deadline / the file is empty")
    elif not entries and not problems:
        problems.append("名单中没有机关 / the roster lists no agency")
    if problems:
        raise RosterError(problems)
    return entries


def conflict_text(c: roster.Conflict) -> str:
    if c.code == roster.KIND_DIFFERS:
        return (f"第 {c.line} 行：该机关已存在，类型为“{AGENCY_KINDS.get(c.detail, c.detail)}”，与名单不符"
                f" / line {c.line}: the agency exists with kind {c.detail}")
    return (f"第 {c.line} 行：该机关已属于协调办公室“{c.detail}”，与名单不符"
            f" / line {c.line}: the agency belongs to office {c.detail!r}")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "agencies",
        help="批量建立机关并生成邀请链接 / set up agencies in bulk with invitation links",
        description="由名单批量建立协调办公室和机关，并为每个机关生成填报人邀请链接。"
        " / Create coordinator offices and agencies from a roster, with one officer invitation link each.",
    )
    sub = parser.add_subparsers(dest="agencies_command", metavar="ACTION", title="操作 / actions")
    imp = sub.add_parser(
        "import",
        help="导入名单（CSV） / import a roster (CSV)",
        description="名单为 CSV（Excel/WPS 另存为 CSV UTF-8 即可），表头 name,kind,office,deadline。"
        "全部检查通过才写入；重复运行不会重复建立机关。 / The roster is a CSV with the header "
        "name,kind,office,deadline; nothing is written unless every line is valid; running it again "
        "creates no agency twice.",
    )
    imp.add_argument("roster", metavar="ROSTER.csv", help="名单文件 / the roster")
    imp.add_argument(
        "--out",
        metavar="LINKS.csv",
        help="邀请链接写入的文件，默认为名单旁的 <名单>-links.csv / where the links go "
        "(default: <roster>-links.csv beside the roster)",
    )
    imp.set_defaults(handler=import_roster)
    parser.set_defaults(handler=usage(parser))


def _usage(parser: argparse.ArgumentParser):
    def handler(args, settings) -> int:
        parser.print_help()
        return 2

    return handler


def _write_links(path: Path, rows: list[list[str]]) -> None:
    """The links CSV, atomically, readable by its owner only (a link is a credential), with a BOM so
    that Excel shows the Chinese."""
    fd, tmp = tempfile.mkstemp(prefix=".links-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["agency", "office", "link", "expires"])
            writer.writerows(rows)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def import_roster(args, settings) -> int:
    source = Path(args.roster)
    try:
        if source.stat().st_size > MAX_BYTES:
            return fail(f"名单文件超过 {MAX_BYTES // 1024 // 1024} MB / the roster is larger than 5 MB")
        entries = parse(decode(source.read_bytes()))
    except OSError as exc:
        return fail(f"无法读取名单 / cannot read the roster: {exc.strerror or exc}")
    except RosterError as exc:
        return fail("名单有误，未写入任何内容： / The roster has problems; nothing was written:\n" + str(exc))
    username = settings.bot_username.strip().lstrip("@")
    if not username:
        return fail("须先设置机器人用户名 bot_username（config.toml 中 bot_username = \"…\"，或环境变量 "
                    "DISCLOSURE_BOT_BOT_USERNAME），邀请链接形如 https://t.me/<bot_username>?start=…\n"
                    "Set bot_username first (config.toml or DISCLOSURE_BOT_BOT_USERNAME): the links are "
                    "https://t.me/<bot_username>?start=…")
    out = Path(args.out) if args.out else source.with_name(f"{source.stem}-links.csv")
    if out.resolve() == source.resolve() or not out.parent.is_dir() or not os.access(out.parent, os.W_OK):
        return fail(f"无法写入链接文件 / cannot write the links file: {out}")
    store = open_store(settings)
    if store is None:
        return 2
    try:
        problems = roster.conflicts(store, entries)
        if problems:
            return fail("名单与数据库不符，未写入任何内容： / The roster contradicts the database; nothing "
                        "was written:\n" + "\n".join(conflict_text(c) for c in problems))
        new_offices = sorted({e.office for e in entries if store.find_office(e.office) is None})
        new_agencies = sum(1 for e in entries if store.find_agency(e.name) is None)
        issued = roster.apply(store, entries, days=settings.invitation_days)
    finally:
        store.dispose()
    tz = ZoneInfo(settings.timezone)
    rows = [
        [i.agency, i.office, f"https://t.me/{username}?start={i.token}", f"{i.expires_at.astimezone(tz):%Y-%m-%d %H:%M}"]
        for i in issued
        if i.token is not None
    ]
    try:
        _write_links(out, rows)
    except OSError as exc:
        return fail(f"机关已建立，但链接文件写入失败（{exc.strerror or exc}）；重新运行本命令会生成新链接。"
                    f"\nAgencies set up, but the links file could not be written; run the command again for new links.", 1)
    _summary(entries, issued, new_offices, new_agencies, out, len(rows))
    return 0


def _summary(entries, issued, new_offices, new_agencies, out: Path, links: int) -> None:
    renewed = sum(1 for i in issued if i.outcome == roster.RENEWED)
    staffed = [i.agency for i in issued if i.outcome == roster.HAS_OFFICER]
    print(f"机关 {len(entries)} 个（新建 {new_agencies} 个）；新建协调办公室 {len(new_offices)} 个"
          + (f"：{'、'.join(new_offices)}" if new_offices else "") + "。")
    print(f"邀请链接 {links} 条已写入 {out}" + (f"，其中 {renewed} 条替换了尚未使用的旧链接（旧链接已作废）" if renewed else "")
          + "。链接即凭证，请只发给对应机关的填报人。")
    if staffed:
        print(f"已有填报人、未生成链接的机关 {len(staffed)} 个：{'、'.join(staffed)}。")
    print("重复运行本命令不会重复建立机关；已有填报人的机关不再生成链接，尚未使用的链接会换成新链接。")
    print(f"{len(entries)} agencies ({new_agencies} new), {len(new_offices)} new office(s); {links} invitation "
          f"links written to {out} ({renewed} replacing unused ones, now revoked); {len(staffed)} agencies "
          "already have an officer and got none. Running it again creates nothing twice.")
