"""The end of the walk: tables and rows never found, digit runs decided, narratives split into
their parts, the page footer and the 落款 taken off. A mixin of :class:`report.parsing.walker.Walker`.
"""

from __future__ import annotations

import re

from ..validation import ERROR, WARNING
from . import digitruns
from .closing import split_signature
from .errors import UnreadableReport
from .text import clean, norm, short
from .vocab import similarity

_PART = re.compile(r"^\s*[（(]\s*([一二三四五六七八九十]{1,2})\s*[)）]\s*")
_FOOTER_INLINE = re.compile(r"【(?:打印|关闭|字体|字号)|\[(?:打印|关闭)")
_FOOTER = re.compile(r"^\s*(?:【?打印|【?关闭|相关链接|扫一扫|分享到|上一篇|下一篇|责任编辑|【字体|字号[:：]|附件下载)")


class Results:
    def finish(self) -> None:
        if not self.raw_rows:
            raise UnreadableReport("no_tables")
        self.decode_runs()
        for table in self.fmt.tables:
            missing = [r for r in table.rows if (table.id, r.id) not in self.raw_rows]
            missing = [r for r in missing if (table.id, r.id) not in self.handled_rows]
            if not missing:
                continue
            n = len(table.columns)
            if len(missing) == len(table.rows) and not any((table.id, r.id) in self.empty_rows for r in missing):
                keys = [table.key(r.id, c.id) for r in missing for c in table.columns]
                self.problem(ERROR, "parse.missing_table", f"没有找到表格：{self.table_name(table)}", keys, table.section_id)
                continue
            for r in missing:
                keys = [table.key(r.id, c.id) for c in table.columns]
                if "optional_row" in r.tags and (table.id, r.id) not in self.empty_rows:
                    self.problem(
                        WARNING,
                        "parse.missing_row",
                        f"{self.row_name(table, r)}：没有这一行（不制定{r.label}的部门可以不列），按未填写处理",
                        keys,
                        table.section_id,
                    )
                    continue
                if (table.id, r.id) in self.empty_rows:
                    self.problem(
                        ERROR, "parse.missing_cell", f"{self.row_name(table, r)}：应有 {n} 个数，一个也没有", keys, table.section_id
                    )
                else:
                    self.problem(ERROR, "parse.missing_row", f"{self.row_name(table, r)}：没有找到这一行", keys, table.section_id)
        for section in self.fmt.sections:
            if section.id not in self.seen_headings:
                self.problem(WARNING, "parse.missing_heading", f"没有找到标题“{section.title}”", (), section.id)

    def decode_runs(self) -> None:
        """Rows printed as one run of digits, decided together (see :mod:`.digitruns`)."""
        if not self.runs:
            return
        digitruns.resolve(self.fmt, self.runs, self.values)
        for run in self.runs:
            if run.decoded is not None:
                self.values.update(zip(run.keys, run.decoded, strict=True))
                how = "每格一位数" if len(run.digits) == len(run.keys) else "按表内勾稽关系只有一种拆法"
                self.problem(
                    WARNING,
                    "parse.digit_run",
                    f"{run.name}：数字连在一起（“{run.digits}”），{how}，读作 {' '.join(map(str, run.decoded))}，请核对",
                    run.keys,
                    run.section,
                )
                continue
            for k in run.keys:
                self.values[k] = None
            if run.candidates:
                shown = "；".join(" ".join(map(str, c)) for c in run.candidates[:3])
                more = f"等 {len(run.candidates)} 种" if len(run.candidates) > 3 else f"共 {len(run.candidates)} 种"
                why = f"可以拆成 {shown}（{more}），无法确定"
            else:
                why = "无法拆成符合勾稽关系的数" if run.candidates is not None else "位数太多，无法拆分"
            self.problem(
                ERROR,
                "parse.digit_run",
                f"{run.name}：数字连在一起（“{run.digits}”），{why}，本行 {len(run.keys)} 格均按空白（未知）处理",
                run.keys,
                run.section,
            )

    def narratives(self) -> dict[str, str]:
        out: dict[str, str] = {}
        last_narrative = None
        for section in self.fmt.sections:
            if section.kind == "narrative" and section.id in self.narr:
                last_narrative = section.id
        for section in self.fmt.sections:
            if section.kind != "narrative":
                continue
            lines = [x for raw in self.narr.get(section.id, []) for x in raw.split("\n")]
            lines = [clean(x) for x in lines]
            lines = [x for x in lines if x]
            if section.id == last_narrative:
                lines = self.trim_footer(lines)
            if not lines:
                continue
            if len(section.parts) == 1:
                out[section.parts[0].key] = "\n".join(lines)
            else:
                out.update(self.split_parts(section, lines))
        return out

    def trim_footer(self, lines: list[str]) -> list[str]:
        """The web page's footer dropped, the 落款 (agency, 成文日期) taken into ``signature``."""
        for i, x in enumerate(lines):
            if _FOOTER.match(x):
                lines = lines[:i]
                break
            inline = _FOOTER_INLINE.search(x)  # a page footer run into the last paragraph (PDF)
            if inline:
                lines = lines[:i] + ([x[: inline.start()].rstrip()] if inline.start() else [])
                break
        lines, signature = split_signature(lines, self.agency)
        if signature is not None:
            self.signature = signature
        return lines

    def split_parts(self, section, lines: list[str]) -> dict[str, str]:
        by_ordinal = {}
        for part in section.parts:
            m = _PART.match(part.label)
            if m:
                by_ordinal[m.group(1)] = part
        order = [p.key for p in section.parts]
        current = None
        intro: list[str] = []
        buf: dict[str, list[str]] = {}
        for x in lines:
            m = _PART.match(x)
            part = by_ordinal.get(m.group(1)) if m else None
            if part is not None and (current is None or order.index(part.key) > order.index(current.key)):
                current = part
                rest = x[m.end() :].strip()
                heading, text = self.split_heading(rest)
                core = norm(part.label[_PART.match(part.label).end() :])
                if heading and norm(heading) and core not in norm(heading) and similarity(norm(heading), core) < 0.5:
                    self.problem(
                        WARNING,
                        "parse.narrative",
                        f"{section.title}：小标题“{short(x, 20)}”与格式的“{part.label}”不同，已按序号读入",
                        (part.key,),
                        section.id,
                    )
                buf.setdefault(part.key, [])
                if text:
                    buf[part.key].append(text)
                continue
            if current is None:
                intro.append(x)
            else:
                buf[current.key].append(x)
        first = section.parts[0]
        if not buf:
            return {first.key: "\n".join(intro)} if intro else {}
        if intro:
            buf.setdefault(first.key, [])
            buf[first.key] = intro + buf[first.key]
            self.problem(
                WARNING,
                "parse.narrative",
                f"{section.title}：小标题前的一段文字已并入{first.label}",
                (first.key,),
                section.id,
            )
        return {k: "\n".join(v) for k, v in buf.items() if v}

    @staticmethod
    def split_heading(rest: str) -> tuple[str, str]:
        """'主动公开情况。' → (heading, ''); '政府信息管理。强化…' → (heading, text)."""
        stripped = rest.rstrip("。：:;；.")
        if len(stripped) <= 20 and "。" not in stripped:
            return stripped, ""
        for i, ch in enumerate(rest[:21]):
            if ch in "。：:":
                return rest[:i], rest[i + 1 :].strip()
        return "", rest

