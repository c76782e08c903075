"""The interview engine: pure functions, no Telegram, no database.

``step(state, report, ctx, inp) -> Step``: the new state, the changes to save and notes to send
first. The service commits the changes and the state in one store call, reloads the report and
then calls ``view(state, report, ctx)`` for the replies of the current screen, so what the user
sees is always what is stored.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache

from bot import messages as M
from report.formats import Format, Row, Table
from report.model import Report, Value
from report.numbers import NumberError, format_value, parse_row, parse_value, split_numbers
from report.validation import Problem, check_previous, section_checks, section_statuses, validate

from . import questions as Q
from . import state as S
from .io import MENU_CALLBACK, Button, Callback, Command, Document, Input, Reply, Text, split_text

log = logging.getLogger(__name__)

MAX_TEXT = 3800  # stay below Telegram's 4096-character limit per message
DOC_KINDS = ("docx", "html", "txt", "md", "xlsx")
REPORT_FILES = (".txt", ".html", ".htm", ".docx")  # published reports the check-up reads
NARRATIVE_FILES = (".txt", ".docx")  # files that fill a narrative part (on a narrative question)
CHECKUP_MAX_LISTED = 15  # problems listed in a check-up; the rest are counted
# Telegram splits a text longer than 4096 characters into several messages that arrive within a
# second or two. A text arriving less than CONTINUATION_SECONDS after a text of at least
# SPLIT_MIN_CHARS was saved continues the part that text was saved to.
CONTINUATION_SECONDS = 3.0
SPLIT_MIN_CHARS = 2000
INCOMPLETE_RULES = ("section.incomplete", "narrative.empty")  # problems that only mean "not answered"
DRAFT, AWAITING, SUBMITTED = "draft", "awaiting_approval", "submitted"  # storage.models.REPORT_STATUSES


@dataclass
class YearReport:
    """One stored report of the current agency (for the check-up's cross-year checks and 导入)."""

    report: Report
    version: int
    status: str = "draft"

    @property
    def has_answers(self) -> bool:
        return bool(self.report.values or self.report.narratives or self.report.units)


@dataclass
class Context:
    """What the engine may know besides the state and the report (filled in by the service)."""

    today: dt.date
    open_registration: bool = False
    agency_id: int | None = None
    agency_name: str = ""
    role: str | None = None  # officer / reviewer / coordinator / None
    has_memberships: bool = False
    status: str = "draft"
    version: int = 0
    previous: Report | None = None  # last year's stored report, if any
    max_upload_bytes: int = 10 * 1024 * 1024
    # The current agency's stored report of a year (None when there is none); set by the service.
    year_report: Callable[[int], YearReport | None] | None = None
    now: dt.datetime | None = None  # the service clock (None when it gives only a date)
    needs_approval: bool = False  # storage.coordination.needs_approval: a reviewer's 批准提交 submits
    reviewers: tuple[str, ...] = ()  # the agency's reviewers' names (shown while awaiting approval)

    @property
    def can_write(self) -> bool:
        """Only an officer writes, and only a draft (awaiting approval and submitted are read-only)."""
        return self.role == "officer" and self.status == DRAFT


@dataclass
class Changes:
    values: dict[str, Value] = field(default_factory=dict)
    narratives: dict[str, str | None] = field(default_factory=dict)
    units: dict[str, str | None] = field(default_factory=dict)
    replace: Report | None = None  # a whole report (the Excel template)
    status: str | None = None  # draft / awaiting_approval / submitted
    register: tuple[str, str] | None = None  # (agency name, kind)
    import_report: Report | None = None  # a checked published report, stored as its year's report
    import_version: int | None = None  # the version of that year's stored report when confirmed

    @property
    def answers(self) -> bool:
        return bool(self.values or self.narratives or self.units)

    def differs_from(self, report: Report) -> bool:
        """Whether saving these answers changes the stored report (and so bumps its version)."""
        for k, v in self.values.items():
            old = report.values.get(k)
            if (old is None) != (v is None) or (old is not None and old != v):
                return True
        if any(report.narratives.get(k) != v for k, v in self.narratives.items()):
            return True
        return any(report.units.get(k) != v for k, v in self.units.items())


@dataclass
class Step:
    state: dict
    changes: Changes = field(default_factory=Changes)
    notes: list[Reply] = field(default_factory=list)  # sent before the view
    prefix: str = ""  # prepended to the view's first message
    show: bool = True  # render the current screen after the notes


# ==== helpers ===================================================================================
def _btn(state: dict, label: str, action: str) -> Button:
    return Button(label, f"{S.token(state)}:{action}")


def _chunks(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split a long text at line ends into pieces below the message limit."""
    return [c.rstrip("\n") for c in split_text(text, limit)]


def _apply(report: Report, ch: Changes) -> Report:
    """A copy of the report with the answers applied (to choose the next question)."""
    return report.with_answers(ch.values, ch.narratives, ch.units)


def _row_text(values: list[Value]) -> str:
    return " ".join(format_value(v) if v is not None else "?" for v in values)


def _section_title(report: Report, section_id: str) -> str:
    return report.format.section(section_id).title


def _part_title(report: Report, part) -> str:
    section = report.format.section(part.section_id)
    return section.title if len(section.parts) == 1 else f"{section.title}{part.label}"


def _problem_lines(problems) -> list[str]:
    return [M.problem_line(p.is_error, p.message) for p in problems]


def _current(state: dict, report: Report) -> Q.Question | None:
    return Q.find(report.format, state.get("q")) if state.get("screen") == S.QUESTION else None


def default_year(today: dt.date) -> int:
    return today.year - 1


DRAFTING_MONTH = 11  # from November on, officers start drafting the current year's report


def offered_years(today: dt.date) -> list[int]:
    """The years the year screen offers as buttons: the default (last calendar year) and the one
    before; in November and December also the current year, first."""
    y = default_year(today)
    years = [y, y - 1]
    if today.month >= DRAFTING_MONTH:
        years.insert(0, today.year)
    return years


# ==== drafts ====================================================================================
def _outcome_name(label: str) -> str:
    """'（二）部分公开（区分处理的，…）' -> '部分公开'."""
    name = label
    if name.startswith("（") and "）" in name:
        name = name.split("）", 1)[1]
    if "（" in name:
        name = name.split("（", 1)[0]
    return name


def draft_for(part, report: Report) -> str | None:
    """A draft text generated from the figures, for the parts whose format names a draft."""
    if part.draft == "other":
        unpaid = sum(
            report.effective_value(t.key(r.id, "total")) or 0
            for t in report.format.tables
            for r in t.rows
            if "fee_unpaid" in r.tags
        )
        return M.draft_other(part.empty_text or "", unpaid)
    if part.draft != "request":
        return None
    fmt = report.format
    to_row = fmt.carry_over.get("to_row", "")
    from_row = fmt.carry_over.get("from_row", "")
    table_id = to_row.rsplit(".", 1)[0] if to_row else ""
    try:
        table = fmt.table(table_id)
    except KeyError:
        return None
    if any(k not in report.values for k in report.section_input_keys(table.section_id)):
        return None
    total_col = next((c.id for c in table.columns if table.key(table.rows[0].id, c.id) in fmt.derived_keys), None)
    if total_col is None:
        return None

    def total(row_id: str) -> int:
        return int(report.effective_value(table.key(row_id, total_col)) or 0)

    new_row = table.rows[0]
    carried_in = to_row.rsplit(".", 1)[1]
    carried_over = from_row.rsplit(".", 1)[1]
    group = next((r.group for r in table.rows if r.group and r.id not in (carried_in, carried_over)), None)
    outcomes: dict[str, int] = {}
    for r in table.rows:
        if r.group != group or not Q.input_columns(fmt, table, r):
            continue
        name = _outcome_name(r.subgroup or r.label)
        outcomes[name] = outcomes.get(name, 0) + total(r.id)
    return M.draft_request(total(new_row.id), total(carried_in), list(outcomes.items()), total(carried_over))


# ==== table paste ===============================================================================
def _norm_label(s: str) -> str:
    return (
        s.replace(" ", "")
        .replace("\u3000", "")
        .replace("(", "（")
        .replace(")", "）")
        .replace("．", ".")
        .replace('"', "“")
        .strip()
    )


def _is_number(tok: str) -> bool:
    try:
        parse_value(tok, "signed_int")
        return True
    except NumberError:
        try:
            parse_value(tok, "decimal")
            return True
        except NumberError:
            return False


def looks_like_table(text: str) -> bool:
    return len([ln for ln in text.splitlines() if ln.strip()]) > 1


def parse_table_paste(report: Report, table, text: str) -> tuple[dict[str, Value], list[str]]:
    """A table pasted from Excel/WPS (tab-separated rows, the row label optional in front):
    all input cells of the table, or the list of problems (nothing partial)."""
    fmt = report.format
    problems: list[str] = []
    entries: list[tuple[str, list[str], int]] = []  # (label, numbers, line number)
    for n, line in enumerate(text.splitlines(), start=1):
        cells = [c.strip() for c in line.split("\t")] if "\t" in line else split_numbers(line)
        while cells and not cells[-1]:
            cells.pop()
        if not any(cells):
            continue
        i = len(cells)
        while i > 0 and (_is_number(cells[i - 1]) or (cells[i - 1] == "" and i - 1 > 0 and _is_number(cells[i - 2]))):
            i -= 1
        label_cells, nums = cells[:i], cells[i:]
        if not nums:
            continue  # a header line
        if "" in nums:
            problems.append(M.paste_blank_cell(n))
            continue
        entries.append(("".join(c for c in label_cells if c), nums, n))
    if not entries:
        return {}, [M.PASTE_NO_NUMBERS]
    rows = list(table.rows)
    labelled = [e for e in entries if e[0]]
    assigned: list[tuple] = []
    if labelled and len(labelled) != len(entries):
        return {}, [M.PASTE_MIXED_LABELS]
    if labelled:
        for label, nums, n in entries:
            norm = _norm_label(label)
            matches = [r for r in rows if _norm_label(r.label) and _norm_label(r.label) in norm]
            if not matches:
                matches = [r for r in rows if norm and norm.endswith(_norm_label(r.short or r.label))]
            if not matches:
                problems.append(M.paste_unknown_row(n, label))
                continue
            row = max(matches, key=lambda r: len(r.label))
            assigned.append((row, nums, n))
    else:
        input_rows = [r for r in rows if Q.input_columns(fmt, table, r)]
        if len(entries) == len(rows):
            order = rows
        elif len(entries) == len(input_rows):
            order = input_rows
        else:
            return {}, [M.paste_row_count(len(entries), len(input_rows), len(rows))]
        assigned = [(r, nums, n) for r, (_, nums, n) in zip(order, entries, strict=True)]
    # One layout per paste: once a row carries its totals, every row must (a lost cell is not guessed).
    full = any(len(nums) == len(table.columns) for _, nums, _ in assigned)
    values: dict[str, Value] = {}
    seen: set[str] = set()
    derived_given: list[tuple] = []
    for row, nums, n in assigned:
        if row.id in seen:
            problems.append(M.paste_duplicate_row(n, row.label))
            continue
        seen.add(row.id)
        in_cols = Q.input_columns(fmt, table, row)
        need = len(table.columns) if full else len(in_cols)
        if len(nums) != need:
            problems.append(M.paste_wrong_count(n, row.label, len(nums), need))
            continue
        cols = list(table.columns) if full else list(in_cols)
        for col, tok in zip(cols, nums, strict=True):
            key = table.key(row.id, col.id)
            try:
                v = parse_value(tok, col.type)
            except NumberError as exc:
                problems.append(M.paste_bad_value(n, row.label, col.label, exc.reason))
                continue
            if key in fmt.derived_keys:
                derived_given.append((key, v, n, row, col))
            else:
                values[key] = v
    missing = [
        r for r in rows if Q.input_columns(fmt, table, r) and r.id not in seen
    ]
    if missing and not problems:
        problems.append(M.paste_missing_rows([r.label for r in missing]))
    if problems:
        return {}, problems
    # Totals given in the paste must agree with the totals computed from the entered cells.
    probe = _apply(report, Changes(values=values))
    eff = probe.effective()
    for key, v, n, row, col in derived_given:
        if key in eff and eff[key] != v:
            problems.append(M.paste_total_mismatch(n, row.label, col.label, format_value(v), format_value(eff[key])))
    if problems:
        return {}, problems
    return values, []


# ==== documents =================================================================================
def read_text_document(doc: Document) -> str:
    """The text of an uploaded .txt (utf-8 or gb18030) or .docx; ValueError with a Chinese reason."""
    name = doc.filename.lower()
    if name.endswith(".txt"):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                return doc.data.decode(enc).replace("\r\n", "\n").strip()
            except UnicodeDecodeError:
                continue
        raise ValueError(M.TXT_UNDECODABLE)
    if name.endswith(".docx"):
        try:
            import docx

            d = docx.Document(io.BytesIO(doc.data))
        except Exception as exc:  # python-docx raises several kinds for a damaged file
            raise ValueError(M.DOCX_UNREADABLE) from exc
        return "\n".join(p.text for p in d.paragraphs if p.text.strip()).strip()
    raise ValueError(M.unsupported_file(doc.filename))


# ==== the step ===================================================================================
def step(state: dict, report: Report | None, ctx: Context, inp: Input) -> Step:
    state = dict(state or {})
    state.setdefault("screen", S.START)
    if not isinstance(inp, Text):
        for k in ("lp", "lt", "ln"):  # only texts in quick succession continue a part
            state.pop(k, None)
    if isinstance(inp, Callback) and inp.data == MENU_CALLBACK:
        return _command(state, report, ctx, Command("menu"))
    if isinstance(inp, Callback):
        tok, _, action = inp.data.partition(":")
        if tok != str(S.token(state)):
            return Step(state, notes=[Reply(M.EXPIRED)], show=False)
        return _callback(state, report, ctx, action)
    if isinstance(inp, Command):
        return _command(state, report, ctx, inp)
    if ctx.agency_id is None or report is None:
        if isinstance(inp, Document) and state.get("screen") == S.AWAIT_FILE:
            return _checkup(state, None, ctx, inp)
        return _unregistered(state, ctx, inp)
    if isinstance(inp, Document):
        return _document(state, report, ctx, inp)
    if isinstance(inp, Text):
        return _text(state, report, ctx, inp.text)
    return Step(state)


def _unregistered(state: dict, ctx: Context, inp: Input) -> Step:
    screen = state.get("screen")
    if not ctx.open_registration:
        return Step(S.goto(state, S.START))
    if screen == S.REG_NAME and isinstance(inp, Text):
        name = inp.text.strip()
        if not (2 <= len(name) <= 60) or "\n" in name:
            return Step(state, prefix=M.REG_NAME_INVALID)
        return Step(S.goto(state, S.REG_KIND, reg_name=name))
    if screen == S.REG_KIND:
        return Step(state, prefix=M.REG_KIND_USE_BUTTONS)
    return Step(S.goto(state, S.REG_NAME))


def _command(state: dict, report: Report | None, ctx: Context, cmd: Command) -> Step:
    name = cmd.name
    if name == "help":
        return Step(state, notes=[Reply(M.HELP)], show=False)
    if ctx.agency_id is None or report is None:
        if name == "start":
            if ctx.open_registration:
                return Step(S.goto(state, S.REG_NAME), notes=[Reply(M.WELCOME_NEW)])
            return Step(S.goto(state, S.START))
        if name == "cancel":
            return Step(S.goto(state, S.START), prefix=M.CANCELLED)
        if name == "check":
            return Step(S.goto(state, S.AWAIT_FILE))
        return _unregistered(state, ctx, Command(name))
    if name == "start":
        return Step(dict(state, screen=S.START, fails=0))  # keeps the question to continue with
    if name == "menu":
        return Step(S.goto(state, S.HUB))
    if name == "cancel":
        return Step(S.goto(state, S.HUB), prefix=M.CANCELLED)
    if name == "report":
        return Step(S.goto(state, S.YEAR))
    if name == "preview":
        return Step(state, notes=_preview(report), show=False)
    if name == "export":
        return Step(S.goto(state, S.EXPORT))
    if name == "template":
        return Step(state, notes=[_template(report)], show=False)
    if name == "check":
        # 检查全部 of the open report, and the next document is a published report to check
        return Step(S.goto(state, S.CHECK_ALL, wait=1))
    return Step(state, notes=[Reply(M.unknown_command(name))], show=False)


def _preview(report: Report) -> list[Reply]:
    try:
        from report import render

        text = render.render(report, "txt").decode("utf-8")
    except ImportError:
        text = _summary(report)
    return [Reply(chunk) for chunk in _chunks(text)]


def _summary(report: Report) -> str:
    """The whole report as plain text when report.render is not available."""
    lines = [report.title, ""]
    for section in report.format.sections:
        lines.append(section.title)
        lines += _section_lines(report, section.id)
        lines.append("")
    return "\n".join(lines)


def _template(report: Report) -> Reply:
    try:
        from report import excel_template
    except ImportError:
        return Reply(M.TEMPLATE_UNAVAILABLE)
    data = excel_template.make_template(report)
    return Reply(M.TEMPLATE_CAPTION, document=(M.template_filename(report.year, report.agency), data))


def _export_caption(report: Report, ctx: Context) -> str:
    """报告已导出, or, for an unfinished report, how many items are unanswered and how many errors."""
    problems = validate(report, ctx.previous)
    missing = sum(len(p.cells) for p in problems if p.rule in INCOMPLETE_RULES)
    errors = sum(1 for p in problems if p.is_error and p.rule not in INCOMPLETE_RULES)
    return M.export_incomplete(missing, errors) if missing or errors else M.EXPORT_DONE


def _export(report: Report, ctx: Context, kind: str) -> Reply:
    if kind not in DOC_KINDS:
        return Reply(M.EXPORT_UNKNOWN)
    try:
        from report import render
    except ImportError:
        if kind != "txt":
            return Reply(M.EXPORT_UNAVAILABLE)
        name = M.report_filename(report.year, report.agency, "txt")
        return Reply(_export_caption(report, ctx), document=(name, _summary(report).encode("utf-8")))
    data = render.render(report, kind)
    return Reply(_export_caption(report, ctx), document=(render.filename(report, kind), data))


def _readonly_reason(ctx: Context) -> str:
    if ctx.role == "officer" and ctx.status == AWAITING:
        return M.REPORT_AWAITING_READONLY
    return M.REPORT_SUBMITTED_READONLY if ctx.status == SUBMITTED else M.READONLY_ROLE


# ---- callbacks --------------------------------------------------------------------------------
def _callback(state: dict, report: Report | None, ctx: Context, action: str) -> Step:
    verb, _, arg = action.partition(":")
    if report is None or ctx.agency_id is None:
        if verb == "k" and state.get("screen") == S.REG_KIND and state.get("reg_name") and ctx.open_registration:
            if arg not in M.AGENCY_KINDS:
                return Step(state)
            # a new officer is walked through the report from its first question
            from report import formats

            fmt = formats.for_year(int(state.get("year") or default_year(ctx.today)))
            first = Q.section_questions(fmt, fmt.sections[0].id)[0]
            step_ = Step(S.goto(state, S.QUESTION, q=first.id))
            step_.changes.register = (state["reg_name"], arg)
            return step_
        return _unregistered(state, ctx, Callback(action))
    fmt = report.format
    if verb == "hub":
        return Step(S.goto(state, S.HUB))
    if verb == "cont":
        if Q.find(fmt, state.get("q")) is not None:
            return Step(dict(state, screen=S.QUESTION))
        first = Q.first_open(fmt, report, _skipped(state)) if ctx.can_write else None
        if first is not None:
            return Step(S.goto(state, S.QUESTION, q=first.id))
        return Step(S.goto(state, S.HUB))
    if verb == "yrs":
        return Step(S.goto(state, S.YEAR))
    if verb == "yr":
        try:
            year = int(arg)
        except ValueError:
            return Step(state)
        return Step(S.goto(state, S.HUB, year=year))
    if verb == "pv":
        return Step(state, notes=_preview(report), show=False)
    if verb == "ex":
        return Step(S.goto(state, S.EXPORT))
    if verb == "x":
        return Step(state, notes=[_export(report, ctx, arg)], show=False)
    if verb == "tpl":
        return Step(state, notes=[_template(report)], show=False)
    if verb == "all":
        return Step(S.goto(state, S.CHECK_ALL))
    if verb == "c":
        return Step(S.goto(state, S.CHECK, sec=arg)) if _section_exists(report, arg) else Step(state)
    if verb == "s":
        if not _section_exists(report, arg):
            return Step(state)
        if not ctx.can_write:
            return Step(S.goto(state, S.CHECK, sec=arg))
        q = Q.next_unanswered(fmt, arg, report)
        if q is None:
            return Step(S.goto(state, S.CHECK, sec=arg))
        return Step(S.goto(state, S.QUESTION, q=q.id))
    if verb == "next":
        if state.get("screen") == S.CHECK:
            return _next_section(state, report, ctx)
    if verb == "sub":
        return _submit(state, report, ctx, confirmed=False)
    if verb == "subok":
        return _submit(state, report, ctx, confirmed=True)
    if verb == "reopen":
        if ctx.role != "officer":
            return Step(state, prefix=M.READONLY_ROLE)
        if ctx.status == AWAITING:
            return _withdraw(state, ctx)
        if ctx.status != SUBMITTED:
            return Step(S.goto(state, S.HUB))
        if ctx.needs_approval:
            return Step(S.goto(state, S.HUB), prefix=M.APPROVED_READONLY)
        st = Step(S.goto(state, S.HUB), prefix=M.REOPENED)
        st.changes.status = DRAFT
        return st
    if verb == "wd":
        if ctx.role != "officer":
            return Step(state, prefix=M.READONLY_ROLE)
        return _withdraw(state, ctx)
    if verb in ("imp", "impok", "noimp"):
        if state.get("screen") != S.CHECKUP or not isinstance(state.get("imp"), dict):
            return Step(state)
        if verb == "noimp":
            return Step(S.go_back(state), prefix=M.NOT_IMPORTED)
        return _import(state, ctx, confirmed=verb == "impok")
    if verb == "e":
        q = Q.find(fmt, arg)
        if q is None:
            return Step(state)
        if not ctx.can_write:
            return Step(state, prefix=_readonly_reason(ctx))
        ret = state.get("screen") if state.get("screen") in (S.CHECK, S.CHECK_ALL) else None
        sec = state.get("sec") if ret == S.CHECK else None
        new = S.goto(state, S.QUESTION, q=q.id, ret=ret)
        if sec:
            new["sec"] = sec
        return Step(new)
    q = _current(state, report)
    if q is None:
        return Step(state)
    return _answer_button(state, report, ctx, q, verb, arg)


def _section_exists(report: Report, sid: str) -> bool:
    return any(s.id == sid for s in report.format.sections)


def _next_section(state: dict, report: Report, ctx: Context) -> Step:
    fmt = report.format
    ids = [s.id for s in fmt.sections]
    cur = state.get("sec")
    start = ids.index(cur) + 1 if cur in ids else 0
    for sid in ids[start:] + ids[:start]:
        q = Q.next_unanswered(fmt, sid, report)
        if q is not None:
            return Step(S.goto(state, S.QUESTION, q=q.id))
    return Step(S.goto(state, S.CHECK_ALL))


def _skipped(state: dict) -> set[str]:
    skp = state.get("skp")
    return {x for x in skp if isinstance(x, str)} if isinstance(skp, list) else set()


def _section_errors(report: Report, ctx: Context | None, section_id: str) -> bool:
    """Whether the section has errors besides unanswered items (identities, bad values)."""
    previous = ctx.previous if ctx is not None else None
    return any(
        p.is_error and p.section == section_id and p.rule not in INCOMPLETE_RULES
        for p in section_checks(report, previous, section_id)
    )


def _advance(state: dict, report: Report, ctx: Context | None, section_id: str, prefix: str = "",
             after: int | None = None) -> Step:
    """The next unanswered question of the section after position ``after`` (from its start when
    None); once the section is done, the check screen if it has errors, else the first question of
    the next incomplete section (then the earlier ones), else 检查全部 (report = answers applied)."""
    fmt = report.format
    skipped = _skipped(state)
    qs = Q.section_questions(fmt, section_id)
    start = 0 if after is None else after + 1
    for q in qs[start:]:
        if q.id not in skipped and not q.answered(report):
            return Step(S.goto(state, S.QUESTION, q=q.id), prefix=prefix)
    if _section_errors(report, ctx, section_id):
        return Step(S.goto(state, S.CHECK, sec=section_id), prefix=prefix)
    ids = [s.id for s in fmt.sections]
    i = ids.index(section_id)
    nxt = Q.first_open(fmt, report, skipped, ids[i + 1 :] + ids[: i + 1])
    if nxt is None:
        return Step(S.goto(state, S.CHECK_ALL), prefix=prefix)
    done, total = report.section_answered(section_id)
    adv = section_id if done == total and nxt.section_id != section_id else None
    return Step(S.goto(state, S.QUESTION, q=nxt.id, adv=adv), prefix=prefix)


def _after_answer(state: dict, report: Report, q: Q.Question, prefix: str = "", ctx: Context | None = None,
                  *, from_start: bool = False) -> Step:
    """Where to go once the question is answered (report = with the answer applied)."""
    ret = state.get("ret")
    if ret == S.CHECK_ALL:
        return Step(S.goto(state, S.CHECK_ALL), prefix=prefix)
    if ret == S.CHECK:
        return Step(S.goto(state, S.CHECK, sec=state.get("sec") or q.section_id), prefix=prefix)
    after = None if from_start else Q.index_of(report.format, q)
    return _advance(state, report, ctx, q.section_id, prefix, after)


def _saved(state: dict, ch: Changes, step_: Step) -> Step:
    """The step with the answers to commit."""
    step_.changes = ch
    return step_


def _answer_button(state: dict, report: Report, ctx: Context, q: Q.Question, verb: str, arg: str) -> Step:
    fmt = report.format
    if verb == "back":
        prev = Q.previous(fmt, q)
        if prev is None:
            return Step(S.goto(state, S.HUB))
        new = dict(state, q=prev.id, fails=0)
        for k in ("pending", "adv", "mv"):
            new.pop(k, None)
        return Step(new)
    if verb in ("skip", "next"):
        if verb == "skip" and not q.optional:
            return Step(state, prefix=M.CANNOT_SKIP)
        new = state
        if verb == "skip":
            new = dict(state, skp=sorted(_skipped(state) | {q.id})[-60:])
        return _after_answer(new, report, q, ctx=ctx)
    if not ctx.can_write:
        return Step(state, prefix=_readonly_reason(ctx))
    if q.kind == Q.GATE and verb in ("y", "n"):
        return _gate(state, report, ctx, q, verb == "y")
    if q.kind == Q.UNIT and verb == "un":
        try:
            unit = q.columns[0].unit_choices[int(arg)]
        except (ValueError, IndexError):
            return Step(state)
        ch = Changes(units={q.cells[0]: unit})
        return _saved(state, ch, _after_answer(state, _apply(report, ch), q, M.unit_saved(unit), ctx))
    if q.kind == Q.ROW and verb == "ok":
        suggestion = carry_suggestion(report, ctx, q)
        if suggestion is None:
            return Step(state)
        ch = Changes(values=suggestion)
        applied = _apply(report, ch)
        return _saved(state, ch, _after_answer(state, applied, q, _row_saved(applied, q), ctx))
    if q.kind == Q.NARRATIVE:
        key = q.part.key
        old = report.narratives.get(key) or ""
        pending = state.get("pending")
        if verb == "draft":
            draft = draft_for(q.part, report)
            if draft is None:
                return Step(state)
            return _save_part(state, report, ctx, q, draft)
        if verb in ("app", "rep") and pending:
            text = f"{old}\n{pending}" if verb == "app" and old else pending
            return _save_part(state, report, ctx, q, text)
        if verb == "drop":
            new = dict(state)
            new.pop("pending", None)
            return Step(new, prefix=M.PENDING_DROPPED)
        if verb == "mv":
            return _move_here(state, report, ctx, q)
    return Step(state)


def _save_part(state: dict, report: Report, ctx: Context, q: Q.Question, text: str) -> Step:
    """Save a narrative part and move on (a confirmation, then the next question)."""
    ch = Changes(narratives={q.part.key: text})
    new = dict(state, fails=0)
    new.pop("pending", None)
    prefix = M.narrative_saved(_part_label(report, q.part), len(text))
    return _saved(new, ch, _after_answer(new, _apply(report, ch), q, prefix, ctx))


def _part_label(report: Report, part) -> str:
    """（一）主动公开 for a part of 一; the section title for a one-part section (五、六)."""
    section = report.format.section(part.section_id)
    return part.label if len(section.parts) > 1 else section.title


def _move_here(state: dict, report: Report, ctx: Context, q: Q.Question) -> Step:
    """改为本题答案: the text taken as a continuation of another part becomes this part's answer."""
    mv = state.get("mv")
    new = dict(state)
    new.pop("mv", None)
    if not isinstance(mv, dict) or not isinstance(mv.get("t"), str) or not isinstance(mv.get("k"), str):
        return Step(new)
    key, text = mv["k"], mv["t"]
    old = report.narratives.get(key) or ""
    tail = "\n" + text
    if key == q.part.key or not old.endswith(tail):
        return Step(new, prefix=M.MOVE_LOST)
    src = report.format.narrative_part(key)
    moved = M.moved(_part_label(report, src))
    ch = Changes(narratives={key: old[: -len(tail)]})
    if (report.narratives.get(q.part.key) or "").strip():
        new["pending"] = text  # asks 追加 / 替换 like any second text
        return Step(new, changes=ch, prefix=moved)
    ch.narratives[q.part.key] = text
    prefix = moved + "\n" + M.narrative_saved(_part_label(report, q.part), len(text))
    return _saved(new, ch, _after_answer(new, _apply(report, ch), q, prefix, ctx))


def _zero(report: Report, key: str) -> Value:
    return Decimal(0) if report.format.cells[key].type == "decimal" else 0


def _gate(state: dict, report: Report, ctx: Context, q: Q.Question, yes: bool) -> Step:
    """A gate answered: 否/无 (是 for an all-zero gate) fills every covered cell with 0."""
    fmt = report.format
    zero = yes if q.zero_on_yes else not yes
    if not zero:
        nxt = Q.next_unanswered(fmt, q.section_id, report, Q.index_of(fmt, q))
        if nxt is None:
            return _after_answer(state, report, q, ctx=ctx)
        return Step(S.goto(state, S.QUESTION, q=nxt.id, ret=state.get("ret"), sec=state.get("sec")))
    ch = Changes(values={k: _zero(report, k) for k in q.cells})
    return _saved(state, ch, _after_answer(state, _apply(report, ch), q, M.gate_zero_filled(len(q.cells)), ctx))


def carry_suggestion(report: Report, ctx: Context, q: Q.Question) -> dict[str, Value] | None:
    """Last year's 结转下年度继续办理 for this year's 上年结转 row (when there is a stored report)."""
    prev = ctx.previous
    fmt = report.format
    to_row = fmt.carry_over.get("to_row")
    if prev is None or not to_row or q.kind != Q.ROW or f"{q.table.id}.{q.row.id}" != to_row:
        return None
    from_row = prev.format.carry_over.get("from_row")
    if not from_row:
        return None
    eff = prev.effective()
    out: dict[str, Value] = {}
    for col in q.columns:
        v = eff.get(f"{from_row}.{col.id}")
        if v is None:
            return None
        out[q.table.key(q.row.id, col.id)] = v
    return out


def _row_saved(applied: Report, q: Q.Question) -> str:
    """The confirmation of a saved row (``applied``: the report with the row saved), with the row's
    totals."""
    label = q.row.short or q.row.label
    shown = _row_text([applied.values.get(k) for k in q.cells])
    totals = _row_totals(applied, q)
    return M.row_saved(label, shown, [(lab, format_value(v)) for lab, v in totals if v is not None])


_ABSENT = object()  # no effective value (a total whose terms are not all known)


def _row_totals(report: Report, q: Q.Question) -> list[tuple[str, Value]]:
    """(column label, value) of the totals of a row question's row that have a value (None for a
    blank total)."""
    found = ((c.label, report.effective_value(key, _ABSENT)) for c, key in Q.row_totals(report.format, q))
    return [(label, v) for label, v in found if v is not _ABSENT]


def _withdraw(state: dict, ctx: Context) -> Step:
    """撤回提交: the officer takes back a report awaiting approval (back to draft)."""
    if ctx.status != AWAITING:
        return Step(S.goto(state, S.HUB), prefix=M.NOT_AWAITING)
    st = Step(S.goto(state, S.HUB), prefix=M.WITHDRAWN)
    st.changes.status = DRAFT
    return st


def _submit(state: dict, report: Report, ctx: Context, confirmed: bool) -> Step:
    if ctx.role != "officer":
        return Step(state, prefix=M.READONLY_ROLE)
    if ctx.status == SUBMITTED:
        return Step(S.goto(state, S.HUB), prefix=M.ALREADY_SUBMITTED)
    if ctx.status == AWAITING:
        return Step(S.goto(state, S.HUB), prefix=M.ALREADY_AWAITING)
    problems = validate(report, ctx.previous)
    errs = [p for p in problems if p.is_error]
    warns = [p for p in problems if not p.is_error]
    if errs:
        return Step(S.goto(state, S.CHECK_ALL), prefix=M.submit_blocked(_problem_lines(errs)))
    if warns and not confirmed:
        return Step(S.goto(state, S.SUBMIT))
    if ctx.needs_approval:
        # the office wants a reviewer's 批准提交 (bot/coordination): awaiting approval, read-only;
        # the service queues the reviewers' approval requests
        st = Step(S.goto(state, S.HUB), prefix=M.AWAITING_APPROVAL)
        st.changes.status = AWAITING
        return st
    st = Step(S.goto(state, S.HUB), prefix=M.SUBMITTED)
    st.changes.status = SUBMITTED
    return st


# ---- documents ----------------------------------------------------------------------------------
def _document(state: dict, report: Report, ctx: Context, doc: Document) -> Step:
    name = doc.filename.lower()
    if name.endswith(".xlsx"):
        if not ctx.can_write:
            return Step(state, prefix=_readonly_reason(ctx))
        try:
            from report import excel_template
        except ImportError:
            return Step(state, prefix=M.TEMPLATE_UNAVAILABLE)
        try:
            rep, problems = excel_template.read_template(doc.data, report)
        except Exception:  # a damaged or foreign workbook must not crash the interview
            return Step(state, prefix=M.XLSX_UNREADABLE)
        errs = [p for p in problems if p.is_error]
        if rep is None or errs:
            return Step(state, prefix=M.xlsx_refused(_problem_lines(errs or problems)))
        st = Step(S.goto(state, S.HUB), prefix=_xlsx_applied(rep, ctx, problems))
        st.changes.replace = rep
        return st
    if name.endswith(REPORT_FILES):
        q = _current(state, report)
        if q is None or q.kind != Q.NARRATIVE or not name.endswith(NARRATIVE_FILES):
            return _checkup(state, report, ctx, doc)
        if not ctx.can_write:
            return Step(state, prefix=_readonly_reason(ctx))
        try:
            text = read_text_document(doc)
        except ValueError as exc:
            return Step(state, prefix=str(exc))
        if not text:
            return Step(state, prefix=M.FILE_EMPTY)
        return _answer_text(state, report, ctx, q, text)
    return Step(state, prefix=M.unsupported_file(doc.filename))


def _xlsx_applied(rep: Report, ctx: Context, template_problems: list[Problem]) -> str:
    """The Excel import's confirmation: how many cells were left blank (not answered), by section,
    and what validation finds in the imported report (counts plus the first few problems)."""
    fmt = rep.format
    blank = 0
    sections: list[str] = []
    for section in fmt.sections:
        if section.kind == "narrative":
            continue
        n = sum(1 for k in rep.section_input_keys(section.id) if k not in rep.values)
        if n:
            blank += n
            sections.append(M.xlsx_blank_section(section.title, n))
    problems = [p for p in validate(rep, ctx.previous) if p.rule not in INCOMPLETE_RULES]
    seen = {p.message for p in problems}
    problems += [p for p in template_problems if p.message not in seen]
    problems.sort(key=lambda p: not p.is_error)
    errors = sum(1 for p in problems if p.is_error)
    return M.xlsx_applied(blank, sections, errors, len(problems) - errors, _problem_lines(problems))


# ---- check-up of a published report ------------------------------------------------------------
def _checkup(state: dict, report: Report | None, ctx: Context, doc: Document) -> Step:
    """A published report (.txt/.html/.docx): the check-up in plain Chinese, then 导入 / 不导入
    for an officer of the current agency. Nothing is stored here; an unreadable file leaves the
    user where they were."""
    from report.parsing import UnreadableReport, check, parse_bytes

    waiting = bool(state.get("wait")) or state.get("screen") == S.AWAIT_FILE
    try:
        result = parse_bytes(doc.data, doc.filename, max_bytes=ctx.max_upload_bytes)
    except UnreadableReport as exc:
        hint = report is not None and not waiting and doc.filename.lower().endswith(NARRATIVE_FILES)
        return Step(state, prefix=M.checkup_unreadable(exc.message_zh.rstrip("。"), hint))
    except Exception:  # the parser must never break the interview
        log.exception("check-up of %r failed", doc.filename)
        return Step(state, prefix=M.CHECKUP_FAILED)
    parsed, year = result.report, result.detected_year
    before = after = None
    if parsed is not None and year is not None and ctx.agency_id is not None and ctx.year_report is not None:
        before, after = ctx.year_report(year - 1), ctx.year_report(year + 1)
        before = before if before is not None and before.has_answers else None
        after = after if after is not None and after.has_answers else None
    problems = check(result, before.report if before else None)
    if after is not None and parsed is not None:
        problems += [
            Problem(p.severity, p.rule, M.checkup_next_year(after.report.year, p.message), p.cells, p.section)
            for p in check_previous(after.report, parsed)
        ]
    errs = [p for p in problems if p.is_error]
    warns = [p for p in problems if not p.is_error]
    if parsed is not None:
        fmt = parsed.format
    else:
        from report import formats

        fmt = formats.load(result.detected_format or formats.available()[-1])
    text = M.checkup_report(
        doc.filename,
        year,
        result.detected_agency,
        fmt.name,
        fmt.id,
        [r.report.year for r in (before, after) if r is not None],
        len(errs),
        len(warns),
        _problem_lines((errs + warns)[:CHECKUP_MAX_LISTED]),
    )
    notes = [Reply(chunk) for chunk in _chunks(text)]
    if parsed is None or year is None or report is None or ctx.role != "officer":
        return Step(state, notes=notes)
    if not (2019 <= year <= ctx.today.year):
        return Step(state, notes=notes + [Reply(M.import_year_invalid(year, ctx.today.year))])
    from report import interchange

    payload = interchange.to_dict(parsed, include_derived=False)
    if len(json.dumps(payload, ensure_ascii=False)) > S.MAX_IMPORT_CHARS:
        return Step(state, notes=notes + [Reply(M.IMPORT_TOO_LARGE)])
    back = state.get("back") if state.get("screen") == S.CHECKUP else S.back_of(state)
    return Step(S.goto(state, S.CHECKUP, imp=payload, back=back or {"screen": S.HUB}), notes=notes)


def _import(state: dict, ctx: Context, confirmed: bool) -> Step:
    """导入: the checked report becomes the current agency's report of its year (source import)."""
    from report import interchange

    if ctx.role != "officer":
        return Step(state, prefix=M.READONLY_ROLE)
    try:
        rep = interchange.from_dict(state["imp"])
    except (interchange.InterchangeError, KeyError, TypeError, ValueError):
        return Step(S.go_back(state), prefix=M.IMPORT_LOST)
    year = rep.year
    if not (2019 <= year <= ctx.today.year):
        return Step(S.go_back(state), prefix=M.import_year_invalid(year, ctx.today.year))
    target = ctx.year_report(year) if ctx.year_report is not None else None
    if target is not None and target.status == SUBMITTED:
        return Step(state, prefix=M.import_target_submitted(year))
    if target is not None and target.status == AWAITING:
        return Step(state, prefix=M.import_target_awaiting(year))
    if target is not None and target.has_answers and not confirmed:
        return Step(dict(state, ovr=1))
    rep.agency = ctx.agency_name
    rep = rep.without_derived()
    n = sum(1 for v in rep.values.values() if v is not None)
    carry_to = state.get("year") if state.get("year") == year + 1 else None
    st = Step(S.goto(state, S.HUB), prefix=M.imported(year, n, carry_to))
    st.changes.import_report = rep
    st.changes.import_version = target.version if target is not None else None
    return st


# ---- text -----------------------------------------------------------------------------------------
def _text(state: dict, report: Report, ctx: Context, text: str) -> Step:
    screen = state.get("screen")
    cont = _continuation(state, report, ctx) if ctx.can_write and text.strip() else None
    if cont is not None:
        return _continue(state, report, ctx, cont, text.strip())
    if screen == S.YEAR:
        try:
            year = int(split_numbers(text)[0]) if len(split_numbers(text)) == 1 else 0
        except ValueError:
            year = 0
        if not (2019 <= year <= ctx.today.year):
            return Step(state, prefix=M.year_invalid(ctx.today.year))
        return Step(S.goto(state, S.HUB, year=year))
    q = _current(state, report)
    if q is None:
        return Step(state, prefix=M.USE_BUTTONS)
    if not ctx.can_write:
        return Step(state, prefix=_readonly_reason(ctx))
    return _answer_text(state, report, ctx, q, text)


def _failed(state: dict, q: Q.Question, reason: str) -> Step:
    fails = int(state.get("fails") or 0) + 1
    new = dict(state, fails=fails)
    return Step(new, prefix=M.answer_refused(reason))


# ---- narrative texts: continuation of a split message, sub-headings ------------------------------
def _mark_text(st: Step, ctx: Context, key: str, text: str) -> Step:
    """Remember which part a text was just saved to, when, and how long it was."""
    if ctx.now is not None:
        st.state.update(lp=key, lt=round(ctx.now.timestamp(), 3), ln=len(text))
    return st


def _continuation(state: dict, report: Report, ctx: Context) -> str | None:
    """The part a text continues: a long text was saved to it less than CONTINUATION_SECONDS ago."""
    key = state.get("lp")
    if not isinstance(key, str) or ctx.now is None:
        return None
    try:
        saved_at = float(state.get("lt"))
        length = int(state.get("ln") or 0)
    except (TypeError, ValueError):
        return None
    if length < SPLIT_MIN_CHARS or not (0 <= ctx.now.timestamp() - saved_at < CONTINUATION_SECONDS):
        return None
    if key not in {p.key for p in report.format.narrative_parts} or not (report.narratives.get(key) or "").strip():
        return None
    return key


@cache
def _heading_re(label: str) -> re.Pattern | None:
    """'（一）主动公开' -> a heading at a line start: full- or half-width brackets, optional 情况 and
    punctuation, then the end of the line, a space or the text of the part."""
    m = re.match(r"^[（(]\s*([^）)]+?)\s*[）)]\s*(.+?)\s*$", label)
    if m is None:
        return None
    num, name = re.escape(m.group(1)), re.escape(m.group(2))
    return re.compile(
        rf"^[ \t\u3000]*[（(][ \t\u3000]*{num}[ \t\u3000]*[）)][ \t\u3000]*{name}(?:情况)?"
        rf"(?:[ \t\u3000]*[。．.：:]|[ \t\u3000]*$|[ \t\u3000]+)",
        re.M,
    )


def split_by_headings(section, text: str) -> tuple[str, list[tuple[str, str]]] | None:
    """A text holding the sub-headings of a section's parts, cut at them: (the text before the
    first heading, [(part key, text)] in the order of the text). None without any heading."""
    found: list[tuple[int, int, str]] = []
    for part in section.parts:
        rx = _heading_re(part.label)
        if rx is not None:
            found += [(m.start(), m.end(), part.key) for m in rx.finditer(text)]
    if not found:
        return None
    found.sort()
    segments: list[tuple[str, str]] = []
    for i, (_, end, key) in enumerate(found):
        stop = found[i + 1][0] if i + 1 < len(found) else len(text)
        segments.append((key, text[end:stop].strip()))
    return text[: found[0][0]].strip(), segments


def _save_split(state: dict, report: Report, ctx: Context, section, text: str, current: str | None,
                cont: str | None = None) -> Step | None:
    """Save a text cut at the section's sub-headings, every part at once; None when it holds fewer
    than two headings (one, when it continues a part). The text before the first heading goes to
    ``cont`` (appended), else to the current part when it comes first, else to the first heading's."""
    if len(section.parts) < 2:
        return None
    cut = split_by_headings(section, text)
    if cut is None:
        return None
    pre, segments = cut
    if len({k for k, _ in segments}) < (1 if cont else 2):
        return None
    keys = [p.key for p in section.parts]
    texts: dict[str, str] = {}
    for key, body in segments:
        if body:
            texts[key] = f"{texts[key]}\n{body}" if key in texts else body
    first = segments[0][0]
    notes: dict[str, str] = {}
    if pre:
        if cont is not None:
            old = report.narratives.get(cont) or ""
            texts[cont] = f"{old}\n{pre}" + (f"\n{texts[cont]}" if cont in texts else "")
            notes[cont] = M.SPLIT_APPENDED
        elif current in keys and keys.index(current) < keys.index(first):
            texts[current] = pre
        else:
            texts[first] = f"{pre}\n{texts[first]}" if first in texts else pre
    if not texts:
        return None
    for key, body in texts.items():
        old = (report.narratives.get(key) or "").strip()
        if key not in notes and old and old != body:
            notes[key] = M.SPLIT_REPLACED
    ch = Changes(narratives=texts)
    items = [(p.label, len(texts[p.key]), notes.get(p.key, "")) for p in section.parts if p.key in texts]
    anchor = Q.section_questions(report.format, section.id)[0]
    new = dict(state, fails=0)
    for k in ("pending", "mv"):
        new.pop(k, None)
    st = _after_answer(new, _apply(report, ch), anchor, M.split_saved(items), ctx, from_start=True)
    last = next((k for k, body in reversed(segments) if k in texts), cont or first)
    return _mark_text(_saved(new, ch, st), ctx, last, text)


def _continue(state: dict, report: Report, ctx: Context, key: str, text: str) -> Step:
    """A text right after a long one: the rest of that part (or, with sub-headings, of its section)."""
    part = report.format.narrative_part(key)
    section = report.format.section(part.section_id)
    split = _save_split(state, report, ctx, section, text, None, cont=key)
    if split is not None:
        return split
    old = report.narratives.get(key) or ""
    full = f"{old}\n{text}"
    ch = Changes(narratives={key: full})
    new = dict(state)
    q = _current(state, report)
    movable = q is not None and q.kind == Q.NARRATIVE and q.part.key != key and not state.get("pending")
    if movable:
        mv = state.get("mv")
        prior = mv.get("t") if isinstance(mv, dict) and mv.get("k") == key and isinstance(mv.get("t"), str) else None
        new["mv"] = {"k": key, "t": f"{prior}\n{text}" if prior else text}
    prefix = M.continued(_part_label(report, part), len(text), len(full), movable)
    return _mark_text(Step(new, changes=ch, prefix=prefix), ctx, key, text)


def _answer_text(state: dict, report: Report, ctx: Context, q: Q.Question, text: str) -> Step:
    text = text.strip()
    if q.kind == Q.NARRATIVE:
        if not text:
            return _failed(state, q, M.EMPTY_TEXT)
        key = q.part.key
        split = _save_split(state, report, ctx, report.format.section(q.section_id), text, key)
        if split is not None:
            return split
        old = report.narratives.get(key) or ""
        pending = state.get("pending")
        if pending:
            return Step(dict(state, pending=f"{pending}\n{text}"))
        if old.strip():
            new = dict(state, pending=text)
            new.pop("mv", None)
            return Step(new)
        return _mark_text(_save_part(state, report, ctx, q, text), ctx, key, text)
    if q.kind == Q.GATE:
        t = text.strip("。.! ！")
        if t in M.YES_WORDS:
            return _gate(state, report, ctx, q, True)
        if t in M.NO_WORDS:
            return _gate(state, report, ctx, q, False)
        typed = _gate_typed_row(state, report, ctx, q, text)
        if typed is not None:
            return typed
        return _failed(state, q, M.GATE_USE_BUTTONS)
    if q.kind == Q.UNIT:
        choices = q.columns[0].unit_choices
        if text in choices:
            ch = Changes(units={q.cells[0]: text})
            return _saved(state, ch, _after_answer(state, _apply(report, ch), q, M.unit_saved(text), ctx))
        return _failed(state, q, M.unit_invalid(choices))
    # a row
    if looks_like_table(text):
        values, problems = parse_table_paste(report, q.table, text)
        if problems:
            return _failed(state, q, M.paste_refused(problems))
        ch = Changes(values=values)
        title = q.table.caption or _section_title(report, q.section_id)
        return _saved(state, ch, _after_answer(state, _apply(report, ch), q, M.paste_applied(title, len(values)), ctx))
    try:
        nums = parse_row(text, q.types)
    except NumberError as exc:
        return _failed(state, q, exc.reason)
    ch = Changes(values=dict(zip(q.cells, nums, strict=True)))
    applied = _apply(report, ch)
    return _saved(state, ch, _after_answer(state, applied, q, _row_saved(applied, q), ctx))


def _gate_typed_row(state: dict, report: Report, ctx: Context, q: Q.Question, text: str) -> Step | None:
    """Figures typed on a section gate: "there are figures", and they answer the first row (or,
    pasted, the whole table). None when they do not fit."""
    if q.subgroup:
        return None
    fmt = report.format
    nxt = Q.next_unanswered(fmt, q.section_id, report, Q.index_of(fmt, q))
    if nxt is None or nxt.kind != Q.ROW:
        return None
    if looks_like_table(text):
        if parse_table_paste(report, nxt.table, text)[1]:
            return None
    else:
        try:
            parse_row(text, nxt.types)
        except NumberError:
            return None
    moved = S.goto(state, S.QUESTION, q=nxt.id, ret=state.get("ret"), sec=state.get("sec"))
    return _answer_text(moved, report, ctx, nxt, text)


# ==== views ========================================================================================
def view(state: dict, report: Report | None, ctx: Context) -> list[Reply]:
    screen = state.get("screen") or S.START
    if ctx.agency_id is None or report is None:
        if screen == S.AWAIT_FILE:
            return [Reply(M.CHECKUP_ASK_FILE)]
        if not ctx.open_registration:
            return [Reply(M.NEED_INVITATION_COORDINATOR if ctx.has_memberships else M.NEED_INVITATION)]
        if screen == S.REG_KIND and state.get("reg_name"):
            rows = tuple((_btn(state, label, f"k:{kind}"),) for kind, label in M.AGENCY_KINDS.items())
            return [Reply(M.reg_ask_kind(state["reg_name"]), buttons=rows)]
        return [Reply(M.REG_ASK_NAME)]
    if screen == S.START:
        return [_view_start(state, report, ctx)]
    if screen == S.YEAR:
        years = offered_years(ctx.today)
        return [
            Reply(
                M.ask_year(report.year),
                buttons=(tuple(_btn(state, M.year_label(y), f"yr:{y}") for y in years),),
            )
        ]
    if screen == S.EXPORT:
        row = tuple(_btn(state, M.EXPORT_KINDS[k], f"x:{k}") for k in DOC_KINDS)
        return [Reply(M.EXPORT_ASK, buttons=(row[:3], row[3:], (_btn(state, M.BTN_HUB, "hub"),)))]
    if screen == S.QUESTION:
        q = _current(state, report)
        if q is not None:
            return [_view_question(state, report, ctx, q)]
    if screen == S.CHECK and _section_exists(report, state.get("sec") or ""):
        return [_view_check(state, report, ctx, state["sec"])]
    if screen == S.CHECK_ALL:
        return _view_check_all(state, report, ctx)
    imp = state.get("imp")
    if screen == S.CHECKUP and isinstance(imp, dict) and isinstance(imp.get("year"), int) and ctx.role == "officer":
        return [_view_checkup(state, ctx)]
    if screen == S.SUBMIT:
        problems = validate(report, ctx.previous)
        warns = [p for p in problems if not p.is_error]
        return [
            Reply(
                M.submit_warnings(_problem_lines(warns)),
                buttons=((_btn(state, M.BTN_SUBMIT_ANYWAY, "subok"), _btn(state, M.BTN_HUB, "hub")),),
            )
        ]
    return [_view_hub(state, report, ctx)]


def _view_start(state: dict, report: Report, ctx: Context) -> Reply:
    return Reply(
        M.welcome(ctx.agency_name, report.year),
        buttons=((_btn(state, M.continue_label(report.year), "cont"),), (_btn(state, M.BTN_CHOOSE_YEAR, "yrs"),)),
    )


def _view_hub(state: dict, report: Report, ctx: Context) -> Reply:
    fmt = report.format
    statuses = section_statuses(report, validate(report, ctx.previous))
    done = sum(1 for s in statuses.values() if s == M.STATUS_DONE)
    lines = [M.hub_header(ctx.agency_name, report.year, fmt.name, ctx.status, ctx.role, ctx.reviewers)]
    for s in fmt.sections:
        lines.append(M.hub_section_line(s.title, statuses[s.id]))
    lines.append(M.hub_progress(done, len(fmt.sections)))
    buttons: list[tuple[Button, ...]] = [(_btn(state, s.title, f"s:{s.id}"),) for s in fmt.sections]
    buttons.append((_btn(state, M.BTN_CHECK_ALL, "all"), _btn(state, M.BTN_PREVIEW, "pv")))
    last = [_btn(state, M.BTN_EXPORT, "ex")]
    if ctx.role == "officer":
        if ctx.status == SUBMITTED:
            if not ctx.needs_approval:  # an approved report goes back through the reviewer's 退回修改
                last.append(_btn(state, M.BTN_REOPEN, "reopen"))
        elif ctx.status == AWAITING:
            last.append(_btn(state, M.BTN_WITHDRAW, "wd"))
        else:
            last.append(_btn(state, M.BTN_SUBMIT, "sub"))
    buttons.append(tuple(last))
    return Reply("\n".join(lines), buttons=tuple(buttons))


def _cells(eff: dict[str, Value], keys: tuple[str, ...]) -> list[str]:
    return [format_value(v) if (v := eff.get(k)) is not None else "—" for k in keys]


@cache
def _section_grid(fmt: Format, section_id: str) -> tuple[tuple[Table, tuple[tuple[Row, tuple[str, ...]], ...]], ...]:
    """The tables of a section, each with its rows and their cell keys in column order."""
    return tuple(
        (table, tuple((row, tuple(table.key(row.id, c.id) for c in table.columns)) for row in table.rows))
        for table in fmt.section(section_id).tables
    )


def _section_lines(report: Report, section_id: str, eff: dict[str, Value] | None = None) -> list[str]:
    """Every value of the section, compact: one line per narrative part or table row (``eff``: the
    report's effective values, when known)."""
    fmt = report.format
    section = fmt.section(section_id)
    lines: list[str] = []
    if section.kind == "narrative":
        for p in section.parts:
            text = (report.narratives.get(p.key) or "").strip()
            lines.append(M.check_part_line(p.label, text))
        return lines
    if eff is None:
        eff = report.effective()
    for table, rows in _section_grid(fmt, section_id):
        if table.caption:
            lines.append(M.check_caption(table.caption))
        wide = len(table.columns) > 4
        if wide:
            lines.append(M.check_columns(" ".join(c.short or c.label for c in table.columns)))
        for row, keys in rows:
            if wide:
                body = " ".join(_cells(eff, keys))
            else:
                parts = []
                for c, k, text in zip(table.columns, keys, _cells(eff, keys), strict=True):
                    parts.append(M.check_pair(c.label, text, report.units.get(k)))
                body = M.CHECK_PAIR_SEP.join(parts)
            lines.append(M.check_row_line(row.short or row.label, body))
    return lines


@cache
def _edit_choices(fmt: Format, section_id: str) -> tuple[tuple[str, str], ...]:
    """(label, action) of the edit buttons of a section's check screen."""
    choices = []
    for q in Q.editable(fmt, section_id):
        if q.kind == Q.NARRATIVE:
            label = q.part.label
        elif q.kind == Q.UNIT:
            label = M.unit_edit_label(q.row.short or q.row.label)
        else:
            label = q.row.short or q.row.label
        choices.append((M.edit_label(label), f"e:{q.id}"))
    return tuple(choices)


def _edit_buttons(state: dict, report: Report, section_id: str) -> list[tuple[Button, ...]]:
    btns = [_btn(state, label, action) for label, action in _edit_choices(report.format, section_id)]
    width = 3 if len(btns) > 6 else 2
    return [tuple(btns[i : i + width]) for i in range(0, len(btns), width)]


def _view_check(state: dict, report: Report, ctx: Context, section_id: str, *, final_buttons: bool = True,
                problems: list[Problem] | None = None, eff: dict[str, Value] | None = None) -> Reply:
    """The check screen of a section (``problems``: validate(report, ctx.previous), and ``eff``: the
    report's effective values, when known)."""
    fmt = report.format
    if problems is None:
        problems = validate(report, ctx.previous)
    problems = [p for p in problems if p.section == section_id]
    lines = [M.check_header(fmt.section(section_id).title)]
    lines += _section_lines(report, section_id, eff)
    if problems:
        lines.append(M.check_problems(_problem_lines(problems)))
    else:
        done, total = report.section_answered(section_id)
        lines.append(M.CHECK_OK if done == total else M.check_missing(total - done))
    buttons = _edit_buttons(state, report, section_id) if ctx.can_write else []
    if final_buttons:
        nav = [_btn(state, M.BTN_HUB, "hub")]
        if ctx.can_write:
            nav.insert(0, _btn(state, M.BTN_NEXT_SECTION, "next"))
        buttons.append(tuple(nav))
    text = "\n".join(lines)
    return Reply(text[: MAX_TEXT + 200], buttons=tuple(buttons))


def _view_check_all(state: dict, report: Report, ctx: Context) -> list[Reply]:
    problems = validate(report, ctx.previous)
    eff = report.effective()
    out = [
        _view_check(state, report, ctx, s.id, final_buttons=False, problems=problems, eff=eff)
        for s in report.format.sections
    ]
    errs = [p for p in problems if p.is_error]
    warns = [p for p in problems if not p.is_error]
    nav = [_btn(state, M.BTN_EXPORT, "ex"), _btn(state, M.BTN_HUB, "hub")]
    if ctx.can_write:
        nav.insert(0, _btn(state, M.BTN_SUBMIT, "sub"))
    summary = M.check_all_summary(_problem_lines(errs), _problem_lines(warns))
    if state.get("wait"):
        summary += "\n\n" + M.CHECKUP_ASK_FILE
    out.append(Reply(summary, buttons=(tuple(nav),)))
    return out


def _view_checkup(state: dict, ctx: Context) -> Reply:
    imp = state["imp"]
    year = imp.get("year")
    if state.get("ovr"):
        return Reply(
            M.import_overwrite(year),
            buttons=((_btn(state, M.BTN_IMPORT_OVERWRITE, "impok"), _btn(state, M.BTN_NO_IMPORT, "noimp")),),
        )
    detected = imp.get("agency") if isinstance(imp.get("agency"), str) else None
    return Reply(
        M.import_offer(year, ctx.agency_name, detected or None),
        buttons=((_btn(state, M.import_label(year), "imp"), _btn(state, M.BTN_NO_IMPORT, "noimp")),),
    )


@Q.per_question
def _question_head(fmt: Format, q: Q.Question) -> str:
    """【section】第 n/N 题."""
    qs = Q.section_questions(fmt, q.section_id)
    return M.question_header(fmt.section(q.section_id).title, Q.index_of(fmt, q) + 1, len(qs))


def _ask_row(q: Q.Question, current: str | None, totals: list[tuple[str, str]]) -> str:
    return M.ask_row(
        caption=q.table.caption,
        note=q.table.note,
        column_header=q.table.column_header,
        group=" ".join(x for x in (q.row.group, q.row.subgroup) if x),
        row_label=q.row.label,
        columns=[M.column_hint(c.label, c.type, c.unit) for c in q.columns],
        current=current,
        totals=totals,
    )


@Q.per_question
def _ask_unanswered_row(fmt: Format, q: Q.Question) -> str:
    return _ask_row(q, None, [])


def _view_question(state: dict, report: Report, ctx: Context, q: Q.Question) -> Reply:
    fmt = report.format
    head = _question_head(fmt, q)
    nav: list[Button] = [_btn(state, M.BTN_BACK, "back")]
    extra: list[tuple[Button, ...]] = []
    if q.kind == Q.NARRATIVE:
        key = q.part.key
        old = (report.narratives.get(key) or "").strip()
        pending = state.get("pending")
        body = M.ask_narrative(_part_title(report, q.part), q.part.label, old)
        mv = state.get("mv")
        if isinstance(mv, dict) and mv.get("k") != key and not pending:
            extra.append((_btn(state, M.BTN_MOVE_HERE, "mv"),))
        if pending:
            body += "\n\n" + M.ask_append_replace(len(pending))
            extra.append(
                (
                    _btn(state, M.BTN_APPEND, "app"),
                    _btn(state, M.BTN_REPLACE, "rep"),
                    _btn(state, M.BTN_DROP_PENDING, "drop"),
                )
            )
        else:
            draft = draft_for(q.part, report)
            if draft and draft != old:
                body += "\n\n" + M.offer_draft(draft)
                extra.append((_btn(state, M.BTN_USE_DRAFT, "draft"),))
            elif q.part.draft == "request" and not old:
                body += "\n\n" + M.DRAFT_NEEDS_TABLE
        if old:
            nav.append(_btn(state, M.BTN_RETURN_CHECK if state.get("ret") else M.BTN_NEXT, "next"))
        else:
            nav.append(_btn(state, M.BTN_SKIP, "skip"))
    elif q.kind == Q.GATE:
        if q.zero_on_yes:
            title = _section_title(report, q.section_id)
            body = M.ask_zero_gate(q.section_id, title, Q.row_labels(fmt, q.section_id))
            extra.append((_btn(state, M.BTN_ALL_ZERO, "y"), _btn(state, M.BTN_FILL_EACH, "n")))
        elif q.subgroup:
            body = M.ask_subgroup_gate(q.subgroup)
            yes, no = M.BTN_HAVE, M.BTN_HAVE_NOT
        else:
            body = M.ask_section_gate(q.section_id, _section_title(report, q.section_id))
            yes, no = M.BTN_YES, M.BTN_NO
        if not q.zero_on_yes:
            extra.append((_btn(state, yes, "y"), _btn(state, no, "n")))
    elif q.kind == Q.UNIT:
        cell = fmt.cells[q.cells[0]]
        body = M.ask_unit(cell.label, report.units.get(q.cells[0]))
        extra.append(tuple(_btn(state, u, f"un:{i}") for i, u in enumerate(q.columns[0].unit_choices)))
    else:
        current = [report.values.get(k) for k in q.cells]
        complete = None not in current  # the row is answered (its totals are shown)
        if complete:
            totals = [(lab, format_value(v)) for lab, v in _row_totals(report, q)]
            body = _ask_row(q, _row_text(current), totals)
        else:
            body = _ask_unanswered_row(fmt, q)
        suggestion = carry_suggestion(report, ctx, q) if not complete else None
        if suggestion:
            body += "\n\n" + M.offer_carry(ctx.previous.year, _row_text([suggestion[k] for k in q.cells]))
            extra.append((_btn(state, M.BTN_CONFIRM, "ok"),))
        if complete:
            nav.append(_btn(state, M.BTN_RETURN_CHECK if state.get("ret") else M.BTN_KEEP, "next"))
    if int(state.get("fails") or 0) >= 3:
        choices = q.columns[0].unit_choices if q.kind == Q.UNIT else ()
        body += "\n" + M.example(q.kind, q.types, choices)
    nav.append(_btn(state, M.BTN_HUB, "hub"))
    adv = state.get("adv")
    if isinstance(adv, str) and _section_exists(report, adv) and adv != q.section_id:
        # the walk just moved on from a completed section
        head = M.section_done(_section_title(report, adv), _section_summary(report, adv)) + "\n\n" + head
        extra.append((_btn(state, M.BTN_TASK_LIST, "hub"),))
    return Reply(f"{head}\n{body}", buttons=tuple(extra) + (tuple(nav),))


def _section_summary(report: Report, section_id: str) -> str:
    section = report.format.section(section_id)
    if section.kind == "narrative":
        texts = [(report.narratives.get(p.key) or "").strip() for p in section.parts]
        return M.summary_narrative(sum(1 for t in texts if t), sum(len(t) for t in texts))
    keys = report.section_input_keys(section_id)
    nonzero = sum(1 for k in keys if report.values.get(k) not in (None, 0))
    return M.summary_table(len(keys), nonzero)
