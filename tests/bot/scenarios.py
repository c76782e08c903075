"""Reports and scripted conversations shared by the conversation tests and bench/bench_interview.py.

The scripts drive the bot the way an officer does — commands, texts, button labels, uploads — and
read only what the bot sent back. The question order comes from the format (bot.interview.questions),
which is what the officer sees one message at a time.
"""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

from bot import messages as M
from bot.interview import questions as Q
from report import interchange, terms
from report.model import Report
from report.numbers import format_value

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
AGENCY = "示例市示例区市场监督管理局"


def default_year() -> int:
    return dt.date.today().year - 1


def sample_report(year: int | None = None, agency: str = AGENCY) -> Report:
    """The shared sample (六盘水 2020: every application figure 0) moved to the 2021 format."""
    year = year or default_year()
    src = interchange.loads((FIXTURES / "2020-shuicheng.json").read_text(encoding="utf-8"))
    rep = Report.new(agency, year)
    rep.narratives = dict(src.narratives)
    for key in rep.format.input_keys + rep.format.fact_keys:  # no fee collected either
        rep.values[key] = Decimal(0) if rep.format.cells[key].type == "decimal" else 0
    return rep


def busy_report(year: int | None = None, agency: str = AGENCY) -> Report:
    """A report with non-zero figures in every table (tests/fixtures/2023-busy.json, moved to ``year``);
    no 信息处理费 collected (as its 六 says), which the interview asks before 六's text."""
    src = interchange.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8")).without_derived()
    rep = src.copy(year=year or default_year(), agency=agency)
    for key in rep.format.fact_keys:
        rep.values[key] = Decimal(0) if rep.format.cells[key].type == "decimal" else 0
    return rep


def row_text(rep: Report, q: Q.Question) -> str:
    return " ".join(format_value(rep.values[k]) for k in q.cells)


# -- Excel: fill the template as an officer does, finding cells by the labels shown ------------------
def locate(wb, rep: Report, key: str):
    """The worksheet cell for ``key``, found by section title, caption, row label and column header."""
    fmt = rep.format
    cell = fmt.cells[key]
    table = cell.table
    ws = wb[fmt.section(table.section_id).title[:31]]
    rows = list(ws.iter_rows())
    start = 0
    if table.caption:
        start = next(i for i, r in enumerate(rows) if r[0].value == table.caption)
    # the header row holding this column's label, after the table start
    col = None
    for r in rows[start:]:
        for c in r:
            if c.value == cell.column.label:
                col = c.column
                break
        if col:
            break
    assert col, f"column {cell.column.label} not shown"
    for r in rows[start:]:
        if cell.row.label in [c.value for c in r[:3]]:
            return ws.cell(row=r[0].row, column=col)
    raise AssertionError(f"row {cell.row.label} not shown")


def fill_template(data: bytes, rep: Report, values: dict[str, object] | None = None) -> bytes:
    """The template ``data`` with ``values`` (default: every entered value of ``rep``) typed in."""
    wb = load_workbook(io.BytesIO(data))
    if values is None:
        values = {k: (float(v) if isinstance(v, Decimal) else v) for k, v in rep.values.items()}
    for key, value in values.items():
        locate(wb, rep, key).value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# -- conversations -------------------------------------------------------------------------------------
def narrative_in_one_message(rep: Report, section_id: str = "一") -> str:
    """The parts of a narrative section in one text, each under its sub-heading (from the format)."""
    return "\n".join(f"{p.label}\n{rep.narratives[p.key]}" for p in rep.format.section(section_id).parts)


async def sample_report_fast(chat, rep: Report) -> bytes:
    """A report whose figures are all 0, from /start to the received .docx the way an officer who
    registers does it: every question answered where the bot asks it, using the fast paths (一 in
    one message, 二 through its all-zero gate, 三 and 四 through theirs, 六 by 采用草稿)."""
    await chat.command("/start")
    await chat.send(rep.agency)
    await chat.press(terms.agency_kind("department"))
    await chat.send(narrative_in_one_message(rep))
    await chat.press(M.BTN_ALL_ZERO)
    await chat.press(M.BTN_NO, exact=True)  # 三: no applications
    await chat.press(M.BTN_NO, exact=True)  # 四: no reviews or lawsuits
    await answer_narrative(chat, rep.narratives["n5"])
    await chat.press(M.BTN_NO_FEES)  # 六: 本年度未收取信息处理费
    await chat.press(M.BTN_USE_DRAFT)  # every question answered: 检查全部
    await chat.press(M.BTN_EXPORT_WORD, exact=True)
    await chat.press(M.BTN_SIGN_TODAY)  # the 成文日期 of the final file
    name, data = chat.documents()[-1]
    assert name.endswith(".docx"), name
    return data


async def export_word(chat) -> bytes:
    """/export, Word, and (the first final file) the 成文日期 as today: the .docx bytes."""
    await chat.command("/export")
    await chat.press(M.EXPORT_KINDS["docx"])
    if M.BTN_SIGN_TODAY in " ".join(chat.buttons()):
        await chat.press(M.BTN_SIGN_TODAY)
    name, data = chat.documents()[-1]
    assert name.endswith(".docx"), name
    return data


async def short_report_via_template(chat, rep: Report) -> bytes:
    """From /start to the received .docx: the tables through the Excel template, 一 in one message
    with its sub-headings (二–四 are complete, so the walk goes from 一 straight to 五), 五 and 六
    typed. Returns the .docx bytes."""
    fmt = rep.format
    await chat.command("/start")
    await chat.command("/template")
    name, template = chat.documents()[-1]
    assert name.endswith(".xlsx"), name
    await chat.upload(name, fill_template(template, rep))
    await chat.press(fmt.sections[0].title)
    await chat.send(narrative_in_one_message(rep))  # 一 with its sub-headings: every part at once
    for section in fmt.sections[1:]:
        if section.kind != "narrative":
            continue
        for part in section.parts:
            await answer_narrative(chat, rep.narratives[part.key])
    return await export_word(chat)


async def answer_narrative(chat, text: str) -> None:
    """Type a narrative part (the part stays open for more text), then 下一题."""
    await chat.send(text)
    await chat.press(M.BTN_NEXT, exact=True)


async def answer_section(chat, rep: Report, section_id: str) -> None:
    """Answer every question of a section (the bot is showing its first question)."""
    fmt = rep.format
    qs = Q.section_questions(fmt, section_id)
    skipped: set[str] = set()
    for q in qs:
        if q.id in skipped:
            continue
        if q.kind == Q.GATE:
            zero = all(rep.values.get(k) == 0 for k in q.cells)
            if q.zero_on_yes:
                await chat.press(M.BTN_ALL_ZERO if zero else M.BTN_FILL_EACH, exact=True)
            elif q.subgroup:
                await chat.press(M.BTN_HAVE_NOT if zero else M.BTN_HAVE, exact=True)
            else:
                await chat.press(M.BTN_NO if zero else M.BTN_YES, exact=True)
            if zero:
                covered = set(q.cells)
                skipped |= {x.id for x in qs if x is not q and x.cells and set(x.cells) <= covered}
            continue
        if q.kind == Q.NARRATIVE:
            await answer_narrative(chat, rep.narratives[q.part.key])
        elif q.kind == Q.UNIT:
            if q.cells[0] in rep.units and rep.values.get(q.cells[0]) != 0:
                await chat.press(rep.units[q.cells[0]], exact=True)
        else:
            await chat.send(row_text(rep, q))


async def full_interview(chat, rep: Report, *, export: str | None = "docx") -> bytes | None:
    """Every question answered one message at a time: /start leads to the first question,
    and each completed section leads to the next; then the export."""
    fmt = rep.format
    await chat.command("/start")  # resumes at the question
    for section in fmt.sections:
        if M.BTN_NEXT_SECTION in chat.buttons():  # a check screen (a section with errors)
            await chat.press(M.BTN_NEXT_SECTION, exact=True)
        await answer_section(chat, rep, section.id)
    if export is None:
        return None
    if export == "docx":
        return await export_word(chat)
    await chat.command("/export")
    await chat.press(M.EXPORT_KINDS[export])
    return chat.documents()[-1][1]


# -- issue 14's measured conversations: an officer's actions from /start to the Word file ------------
def shared_sample() -> Report:
    """The shared sample as published (六盘水 2020, 2019 format: every figure 0; totals computed)."""
    return interchange.loads((FIXTURES / "2020-shuicheng.json").read_text(encoding="utf-8")).without_derived()


def county_report(year: int | None = None, agency: str = AGENCY) -> Report:
    """A busy county department as such reports are (tests/fixtures/2023-county.json, moved to ``year``):
    figures in every table, most of 三's refusal rows 0."""
    src = interchange.loads((FIXTURES / "2023-county.json").read_text(encoding="utf-8")).without_derived()
    return src.copy(year=year or default_year(), agency=agency)


async def finish(chat, rep: Report) -> bytes:
    """五 typed and closed, 六's 信息处理费 (one press when none) and its draft, the Word file (the
    成文日期 today). The walk is on 五's question."""
    await answer_narrative(chat, rep.narratives["n5"])
    if Q.find(rep.format, "f:s6:fee") is not None:
        fees = [rep.values[k] for k in rep.format.fact_keys]
        if all(v == 0 for v in fees):
            await chat.press(M.BTN_NO_FEES, exact=True)
        else:
            await chat.send(" ".join(format_value(v) for v in fees))
    await chat.press(M.BTN_USE_DRAFT)  # every question answered: 检查全部
    await chat.press(M.BTN_EXPORT_WORD, exact=True)
    await chat.press(M.BTN_SIGN_TODAY)
    name, data = chat.documents()[-1]
    assert name.endswith(".docx"), name
    return data


async def past_year_sample(chat, rep: Report) -> bytes:
    """The shared 2020 sample by an officer whose bot opens on this year's report: /start, /report,
    the year typed (a fresh report opens on its first question), 一 in one message, 二's all-zero
    gate, 三 否, 四 否, then :func:`finish`."""
    await chat.command("/start")
    await chat.command("/report")
    await chat.send(f"{rep.year}年")
    await chat.send(narrative_in_one_message(rep))
    await chat.press(M.BTN_ALL_ZERO)
    await chat.press(M.BTN_NO, exact=True)  # 三: no applications
    await chat.press(M.BTN_NO, exact=True)  # 四: no reviews or lawsuits
    return await finish(chat, rep)


async def typed_row_by_row(chat, rep: Report) -> bytes:
    """Every table row with figures typed in its own message: the first row of a section on its
    gate, each subgroup of 三 answered with the numbers of its rows that have figures (无 when
    none), zero rows outside subgroups typed as 0s; 一 in one message; then :func:`finish`."""
    await chat.command("/start")
    await chat.send(narrative_in_one_message(rep))
    for section in rep.format.sections:
        if section.kind == "narrative":
            continue
        qs = Q.section_questions(rep.format, section.id)
        for q in qs:
            if q.answered(await_report(chat, rep)):
                continue
            if q.kind == Q.GATE and q.subgroup:
                rows = q.members(rep.format)
                chosen = [str(i) for i, r in enumerate(rows, start=1) if any(rep.values[k] for k in r.cells)]
                await chat.send(" ".join(chosen) if chosen else "无")
            elif q.kind == Q.ROW:
                await chat.send(row_text(rep, q))  # the first on the section's gate
    return await finish(chat, rep)


def await_report(chat, rep: Report) -> Report:
    """The officer's report as stored now (which questions the walk will skip)."""
    agency = chat.store.find_agency(rep.agency)
    info = chat.store.find_report(agency.id, rep.year)
    return chat.store.load_report(info.id)[0] if info is not None else Report.new(rep.agency, rep.year)


def published_table(rep: Report, section_id: str) -> str:
    """A section's tables as copied from a published Word file: tab-separated, labels in front,
    totals included; 四 as its one row of 15 figures under its header lines."""
    eff = rep.effective()
    fmt = rep.format
    lines: list[str] = []
    for table in fmt.section(section_id).tables:
        cells = [[format_value(eff[table.key(r.id, c.id)]) for c in table.columns] for r in table.rows]
        if section_id == "四":
            lines += ["行政复议\t行政诉讼", "\t".join(c.label for c in table.columns) * 3]
            lines.append("\t".join(v for row in cells for v in row))
            continue
        if table.caption:
            lines.append(table.caption)
        lines.append("\t".join(c.label for c in table.columns))
        lines += ["\t".join([r.label, *row]) for r, row in zip(table.rows, cells, strict=True)]
    return "\n".join(lines)


async def pasted_tables(chat, rep: Report) -> bytes:
    """The three published tables pasted, each on its section's gate: /start, 一 in one message,
    二, 三, 四 pasted, then :func:`finish`."""
    await chat.command("/start")
    await chat.send(narrative_in_one_message(rep))
    for section_id in ("二", "三", "四"):
        await chat.send(published_table(rep, section_id))
    return await finish(chat, rep)
