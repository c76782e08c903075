"""Agencies, roles, invitations, the coordinator's board and roll-up, reviewer approval, /history.

Transport-free: every entry point takes an :class:`~bot.interview.io.Actor` and returns a list of
:class:`~bot.interview.io.Reply`. The Telegram adapter is bot/handlers/coordination.py.

Security: nothing from the client carries authority. Callback data (prefix ``co:``), prompt markers
and /start payloads only say *what* is asked; every entry point looks the user up in the store and
re-checks their role for the agency or office concerned before showing or changing anything.
The only secret accepted from the client is an invitation token, whose hash must match a stored,
open invitation.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from report import deadlines as dl
from report import rollup as ru
from report import terms
from report.formats import Format
from report.model import Report
from report.numbers import format_value
from report.validation import ERROR, progress, section_statuses, validate
from storage import access, approval, desk
from storage import coordination as co
from storage import invitations as inv
from storage.store import AgencyInfo, NotFound, OfficeInfo, ReportInfo, Store, UserInfo

from ..interview.io import Actor, Button, Reply
from . import texts as T

PREFIX = "co:"
HISTORY_PAGE = 30
MAX_MESSAGE = 3800
MAX_PROBLEMS = 15
NARRATIVE_EXCERPT = 40
HISTORY_EXCERPT = 30
INCOMPLETE_RULES = ru.INCOMPLETE_RULES
_MARKER = re.compile(r"〔(co:[^〕]+)〕")
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@dataclass(frozen=True)
class Prompt(Reply):
    """A reply that asks the user to answer it (sent with Telegram's ForceReply).

    Its text ends with a marker ``〔co:…〕`` naming what is asked; the answer comes back through
    :meth:`CoordinationService.answer` with the prompt's text. The marker carries no authority.
    """


def _btn(label: str, data: str) -> tuple[Button, ...]:
    assert len(data.encode()) <= 64, data
    return (Button(label, data),)


def _chunks(lines: list[str], limit: int = MAX_MESSAGE) -> list[str]:
    out: list[str] = []
    cur = ""
    for line in lines:
        if cur and len(cur) + len(line) + 1 > limit:
            out.append(cur)
            cur = ""
        cur = f"{cur}\n{line}" if cur else line
    if cur:
        out.append(cur)
    return out or [""]


def _excerpt(text: str | None, n: int) -> str:
    text = (text or "").replace("\n", " ").strip()
    return text if len(text) <= n else text[:n] + "…"


class CoordinationService:
    def __init__(
        self,
        store: Store,
        settings: Any,
        *,
        interview: Any = None,
        bot_username: str | None = None,
        now: Callable[[], dt.datetime] | None = None,
    ):
        self.store = store
        self.settings = settings
        self.interview = interview
        self.bot_username = (getattr(settings, "bot_username", "") or bot_username or "").lstrip("@")
        self._now = now or (lambda: dt.datetime.now(dt.UTC))
        self.tz = ZoneInfo(getattr(settings, "timezone", "Asia/Shanghai"))
        rem = getattr(settings, "reminders", None)
        self.calendar = dl.WorkCalendar(
            getattr(rem, "extra_holidays", ()) or (), getattr(rem, "extra_workdays", ()) or ()
        )

    # -- helpers -------------------------------------------------------------------------------
    def _user(self, actor: Actor) -> UserInfo:
        return self.store.get_or_create_user(actor.telegram_id, actor.display_name)

    def _is_admin(self, actor: Actor) -> bool:
        return actor.telegram_id in set(getattr(self.settings, "admins", []) or [])

    def _can_coordinate(self, actor: Actor, user: UserInfo, office_id: int) -> bool:
        return self._is_admin(actor) or co.is_coordinator(self.store, user.id, office_id)

    def _today(self) -> dt.date:
        return self._now().astimezone(self.tz).date()

    def default_year(self) -> int:
        """The report year being filled now: last calendar year."""
        return self._today().year - 1

    def _local(self, at: dt.datetime) -> str:
        return T.DATETIME.format(d=at.astimezone(self.tz))

    def _date(self, d: dt.date) -> str:
        return T.DATE.format(d=d)

    def _direct_roles(self, user: UserInfo, agency_id: int) -> set[str]:
        return {m.role for m in self.store.memberships(user.id) if m.agency_id == agency_id}

    def _agency(self, agency_id: int) -> AgencyInfo | None:
        try:
            return self.store.get_agency(agency_id)
        except NotFound:
            return None

    def _office(self, office_id: int) -> OfficeInfo | None:
        try:
            return self.store.get_office(office_id)
        except NotFound:
            return None

    def _can_read(self, actor: Actor, user: UserInfo, agency: AgencyInfo) -> bool:
        if self.store.role_in_agency(user.id, agency.id) is not None:
            return True
        return self._is_admin(actor)

    def link(self, token: str) -> str | None:
        if not self.bot_username:
            return None
        return f"https://t.me/{self.bot_username}?start={token}"

    # -- /admin ----------------------------------------------------------------------------------
    def admin(self, actor: Actor) -> list[Reply]:
        if not self._is_admin(actor):
            return [Reply(T.NOT_ADMIN)]
        return [
            Reply(
                T.ADMIN_MENU,
                (
                    _btn(T.ADMIN_NEW_OFFICE, "co:no"),
                    _btn(T.ADMIN_NEW_AGENCY, "co:na"),
                    _btn(T.ADMIN_COORD_INVITE, "co:ci"),
                    _btn(T.ADMIN_OFFICES, "co:ao"),
                    _btn(T.ADMIN_ATTACH, "co:aa"),
                ),
            )
        ]

    def _attach_agencies(self) -> list[Reply]:
        agencies = co.all_agencies_without_office(self.store)
        if not agencies:
            return [Reply(T.ATTACH_NONE)]
        return [Reply(T.ATTACH_CHOOSE_AGENCY, tuple(_btn(a.name[:60], f"co:aa2:{a.id}") for a in agencies))]

    def _attach_offices(self, agency: AgencyInfo) -> list[Reply]:
        offices = co.all_offices(self.store)
        if not offices:
            return [Reply(T.NO_OFFICES)]
        rows = tuple(_btn(o.name[:60], f"co:aa3:{agency.id}:{o.id}") for o in offices)
        return [Reply(T.ATTACH_CHOOSE_OFFICE.format(agency=agency.name), rows)]

    def _attach(self, agency: AgencyInfo, office: OfficeInfo) -> list[Reply]:
        if agency.office_id is not None:
            if agency.office_id == office.id:
                return [Reply(T.ATTACHED.format(agency=agency.name, office=office.name))]
            return [Reply(T.ATTACH_ALREADY.format(agency=agency.name))]
        try:
            co.set_agency_office(self.store, agency.id, office.id)
        except ValueError:
            return [Reply(T.ATTACH_ALREADY.format(agency=agency.name))]
        return [Reply(T.ATTACHED.format(agency=agency.name, office=office.name))]

    def _office_choice(self, data_prefix: str, *, with_none: bool = False) -> list[Reply]:
        offices = co.all_offices(self.store)
        rows = [_btn(o.name, f"{data_prefix}:{o.id}") for o in offices]
        if with_none:
            rows.append(_btn(T.NO_OFFICE_OPTION, f"{data_prefix}:0"))
        if not rows:
            return [Reply(T.NO_OFFICES)]
        return [Reply(T.CHOOSE_OFFICE, tuple(rows))]

    # -- /office -----------------------------------------------------------------------------------
    def _offices_for(self, actor: Actor, user: UserInfo) -> list[OfficeInfo]:
        if self._is_admin(actor):
            return co.all_offices(self.store)
        return co.coordinated_offices(self.store, user.id)

    def office(self, actor: Actor) -> list[Reply]:
        user = self._user(actor)
        offices = self._offices_for(actor, user)
        if not offices:
            return [Reply(T.NOT_COORDINATOR)]
        if len(offices) == 1:
            return self._office_menu(offices[0])
        return [Reply(T.CHOOSE_OFFICE, tuple(_btn(o.name, f"co:om:{o.id}") for o in offices))]

    def _office_menu(self, office: OfficeInfo) -> list[Reply]:
        n = len(self.store.agencies_of_office(office.id))
        year = self.default_year()
        approval = T.BTN_APPROVAL_OFF if office.needs_approval else T.BTN_APPROVAL_ON
        return [
            Reply(
                T.OFFICE_MENU.format(name=office.name, agencies=n, approval=T.YES if office.needs_approval else T.NO),
                (
                    _btn(T.BTN_BOARD, f"co:b:{office.id}:{year}"),
                    _btn(T.BTN_NEW_AGENCY, f"co:na:{office.id}"),
                    _btn(T.BTN_INVITE, f"co:iv:{office.id}"),
                    _btn(T.BTN_OPEN_INVITES, f"co:ol:{office.id}"),
                    _btn(T.BTN_DEADLINE, f"co:dl:{office.id}"),
                    _btn(approval, f"co:ap:{office.id}:{0 if office.needs_approval else 1}"),
                ),
            )
        ]

    def _kind_choice(self, office_id: int) -> list[Reply]:
        rows = tuple(
            _btn(T.KIND_BUTTON.format(kind=T.KIND[k], hint=T.KIND_HINT[k]), f"co:nk:{office_id}:{k}") for k in T.KIND
        )
        return [Reply(T.CHOOSE_KIND, rows)]

    def _invite_targets(self, office: OfficeInfo) -> list[Reply]:
        agencies = self.store.agencies_of_office(office.id)
        rows = [_btn(a.name, f"co:ir:{a.id}") for a in agencies]
        rows.append(_btn(T.BTN_CO_COORDINATOR, f"co:mk:coordinator:o{office.id}"))
        return [Reply(T.INVITE_FOR, tuple(rows))]

    def _make_invitation(self, user: UserInfo, role: str, *, agency: AgencyInfo | None, office: OfficeInfo | None
                         ) -> list[Reply]:
        if not self.bot_username:
            return [Reply(T.NO_BOT_USERNAME)]
        token, info = inv.create_invitation(
            self.store,
            role=role,
            created_by=user.id,
            agency_id=agency.id if agency else None,
            office_id=office.id if office and not agency else None,
            days=int(getattr(self.settings, "invitation_days", 7) or 7),
            now=self._now(),
        )
        target = agency.name if agency else office.name
        return [
            Reply(
                T.INVITATION_MADE.format(
                    role=T.ROLE[role], target=target, link=self.link(token), expires=self._local(info.expires_at)
                )
            )
        ]

    def _open_invitations(self, office: OfficeInfo) -> list[Reply]:
        items = inv.open_invitations(self.store, office_id=office.id, now=self._now())
        if not items:
            return [Reply(T.NO_OPEN_INVITES)]
        lines = [T.OPEN_INVITES.format(n=len(items))]
        rows = []
        for i, it in enumerate(items, start=1):
            lines.append(
                T.OPEN_INVITE_LINE.format(
                    i=i, role=T.ROLE[it.role], target=it.agency_name or it.office_name, expires=self._local(it.expires_at)
                )
            )
            rows.append(_btn(T.BTN_REVOKE.format(i=i), f"co:x:{it.id}"))
        return [Reply("\n".join(lines), tuple(rows))]

    def _deadline_years(self, office: OfficeInfo) -> list[Reply]:
        y = self.default_year()
        rows = (
            tuple(Button(T.YEAR_BUTTON.format(year=year), f"co:dy:{office.id}:{year}") for year in (y - 1, y, y + 1)),
        )
        return [Reply(T.DEADLINE_CHOOSE_YEAR, rows)]

    def _deadline_prompt(self, office: OfficeInfo, year: int) -> list[Reply]:
        office_date, _ = co.deadline_overrides(self.store, year, office_id=office.id)
        current = self._date(office_date) if office_date else T.DEADLINE_LEGAL
        example = f"{year + 1}-01-20"
        text = T.PROMPT_DEADLINE.format(year=year, current=current, example=example)
        return [Prompt(f"{text}\n〔co:dy:{office.id}:{year}〕")]

    # -- /board ------------------------------------------------------------------------------------
    def board_command(self, actor: Actor, arg: str = "") -> list[Reply]:
        user = self._user(actor)
        offices = self._offices_for(actor, user)
        if not offices:
            return [Reply(T.NOT_COORDINATOR)]
        year = self.default_year()
        if arg.strip().isdigit() and 2000 <= int(arg.strip()) <= 2100:
            year = int(arg.strip())
        if len(offices) == 1:
            return self.board(offices[0], year)
        return [Reply(T.CHOOSE_OFFICE, tuple(_btn(o.name, f"co:b:{o.id}:{year}") for o in offices))]

    def _deadline_for(self, agency: AgencyInfo, office: OfficeInfo | None, year: int, office_date: dt.date | None,
                      agency_dates: dict[int, dt.date]) -> tuple[dt.date, str]:
        """(deadline, source): the same deadline the reminders and the board use (storage/desk.py)."""
        return desk.DeadlineRules.from_settings(self.settings).resolve(
            agency, office.name if office else None, year, office_date, agency_dates.get(agency.id))

    def _agency_deadline(self, agency: AgencyInfo, year: int) -> tuple[dt.date, str]:
        office = self._office(agency.office_id) if agency.office_id is not None else None
        if office is None:
            return self._deadline_for(agency, None, year, None, {})
        office_date, agency_dates = co.deadline_overrides(self.store, year, office_id=office.id)
        return self._deadline_for(agency, office, year, office_date, agency_dates)

    def _parse_deadline(self, text: str, year: int) -> tuple[dt.date | None, str | None]:
        """(date, None) or (None, the reason it is refused). A report's deadline lies in year + 1."""
        m = _DATE.match(text.translate(str.maketrans("０１２３４５６７８９－", "0123456789-")))
        try:
            date = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None
        except ValueError:
            date = None
        if date is None:
            return None, T.DEADLINE_BAD.format(text=text)
        if date.year != year + 1:
            return None, T.DEADLINE_BAD_YEAR.format(year=year, next_year=year + 1)
        return date, None

    def _days_left(self, deadline: dt.date) -> str:
        n = dl.working_days_left(self._today(), deadline, self.calendar)
        if n > 0:
            return T.DAYS_LEFT.format(n=n)
        if self._today() <= deadline:
            return T.DAYS_DUE_TODAY
        return T.DAYS_OVERDUE.format(n=-n)

    @staticmethod
    def status_of(info: ReportInfo | None, report: Report | None) -> str:
        if info is None or report is None or (not report.values and not report.narratives):
            return T.REPORT_STATUS[None]
        return T.REPORT_STATUS.get(info.status, T.REPORT_STATUS["draft"])

    _STATE_TEXT = {terms.NOT_STARTED: None, terms.DRAFT: "draft", terms.AWAITING: "awaiting_approval",
                   terms.SUBMITTED: "submitted"}

    def board(self, office: OfficeInfo, year: int) -> list[Reply]:
        """The office's board (computed by storage/desk.py, shared with the web desk) as chat text."""
        result = desk.board(self.store, office, year, self._today(), desk.DeadlineRules.from_settings(self.settings))
        counts = result.state_counts()
        lines = []
        buttons = []
        for i, row in enumerate(result.rows, start=1):
            status = T.REPORT_STATUS[self._STATE_TEXT[row.state]]
            waiting = ""
            if row.state == terms.AWAITING:
                waiting = T.BOARD_AWAITING.format(who="、".join(row.reviewers) if row.reviewers else T.BOARD_NO_REVIEWER)
            activity = T.BOARD_ACTIVITY.format(at=self._local(row.report.updated_at)) if row.report else ""
            lines.append(
                T.BOARD_LINE.format(
                    i=i,
                    agency=row.agency.name,
                    status=status,
                    done=row.done,
                    total=row.total,
                    errors=T.BOARD_ERRORS.format(n=row.errors) if row.errors else "",
                    deadline=self._date(row.deadline) + (
                        T.BOARD_OWN_DEADLINE if row.deadline_source == dl.SOURCE_AGENCY else ""),
                    left=self._days_left(row.deadline),
                    activity=activity,
                    failed=T.BOARD_FAILED.format(n=row.failed_deliveries) if row.failed_deliveries else "",
                )
                + waiting
            )
            buttons.append(_btn(T.BTN_AGENCY.format(i=i, agency=row.agency.name)[:40], f"co:d:{row.agency.id}:{year}"))
        head = T.BOARD_HEAD.format(
            office=office.name, year=year, n=len(result.rows), submitted=counts[terms.SUBMITTED],
            awaiting=counts[terms.AWAITING], draft=counts[terms.DRAFT], none=counts[terms.NOT_STARTED],
        )
        if result.failed_digests:
            head += T.BOARD_DIGEST_FAILED.format(n=result.failed_digests)
        if not result.rows:
            lines = [T.BOARD_EMPTY]
        nav = (
            Button(T.BTN_PREV_YEAR.format(year=year - 1), f"co:b:{office.id}:{year - 1}"),
            Button(T.BTN_ROLLUP, f"co:ru:{office.id}:{year}"),
            Button(T.BTN_NEXT_YEAR.format(year=year + 1), f"co:b:{office.id}:{year + 1}"),
        )
        chunks = _chunks([head, *lines])
        replies = [Reply(c) for c in chunks[:-1]]
        replies.append(Reply(chunks[-1], (*buttons, nav)))
        return replies

    # -- roll-up -----------------------------------------------------------------------------------
    def rollup(self, office: OfficeInfo, year: int) -> list[Reply]:
        rows = co.office_reports(self.store, office.id, year)
        entries = []
        for row in rows:
            report = self.store.load_report(row.report.id)[0] if row.report else None
            if report is not None and not report.values and not report.narratives:
                report = None  # created but never filled: still missing
            entries.append((row.agency.name, report))
        result = ru.rollup(year, entries, office=office.name)
        labels = T.ROLLUP_LABELS
        replies = [
            Reply(
                T.ROLLUP_SENT.format(
                    office=office.name, year=year, counted=len(result.counted), missing=len(result.missing),
                    incomplete=len(result.incomplete), errors=len(result.with_errors),
                )
            )
        ]
        if result.mixed_formats:
            replies.append(
                Reply(T.ROLLUP_MIXED.format(n=len(result.other_format), names="、".join(a for a, _ in result.other_format)))
            )
        for ext, render in (("xlsx", ru.to_xlsx), ("docx", ru.to_docx)):
            name = T.ROLLUP_FILENAME.format(year=year, office=office.name, ext=ext)
            replies.append(Reply("", document=(name, render(result, labels))))
        return replies

    # -- read-only view: drill-down and reviewer --------------------------------------------------
    def _view_lines(self, report: Report, info: ReportInfo) -> list[str]:
        fmt: Format = report.format
        problems = validate(report)
        statuses = section_statuses(report, problems)
        done, total = progress(report, problems)
        lines = [
            T.VIEW_HEAD.format(
                title=report.title, status=self.status_of(info, report), done=done, total=total, version=info.version
            )
        ]
        eff = report.effective()
        for section in fmt.sections:
            lines.append("")
            lines.append(T.VIEW_SECTION.format(title=section.title, status=statuses[section.id]))
            if section.kind == "narrative":
                for part in section.parts:
                    text = report.narratives.get(part.key)
                    shown = _excerpt(text, NARRATIVE_EXCERPT) if text else T.VIEW_NARRATIVE_EMPTY
                    if len(section.parts) > 1:
                        lines.append(T.VIEW_NARRATIVE.format(label=part.label, text=shown))
                    else:
                        lines.append(T.VIEW_NARRATIVE_SINGLE.format(text=shown))
                continue
            if report.section_answered(section.id)[0] == 0:
                continue
            for table in section.tables:
                for row in table.rows:
                    keys = [table.key(row.id, c.id) for c in table.columns]
                    if not any(k in eff for k in keys):
                        continue
                    values = " ".join(format_value(eff.get(k)) if k in eff else "—" for k in keys)
                    lines.append(T.VIEW_ROW.format(label=row.short or row.label, values=values))
        shown = [p for p in problems if p.rule not in INCOMPLETE_RULES or p.severity == ERROR]
        lines.append("")
        if shown:
            lines.append(T.VIEW_PROBLEMS.format(n=len(shown)))
            lines += [f"  · {p.message}" for p in shown[:MAX_PROBLEMS]]
            if len(shown) > MAX_PROBLEMS:
                lines.append(T.VIEW_MORE.format(n=len(shown) - MAX_PROBLEMS))
        else:
            lines.append(T.VIEW_NO_PROBLEMS)
        notes = co.comments(self.store, info.id)
        if notes:
            lines.append("")
            lines.append(T.VIEW_COMMENTS)
            for c in notes[-10:]:
                lines.append(T.VIEW_COMMENT.format(at=self._local(c.at), who=c.user_name or T.HISTORY_UNKNOWN_USER,
                                                   text=c.text))
        return lines

    def _view(self, agency: AgencyInfo, year: int, buttons: tuple[tuple[Button, ...], ...],
              extra: list[str] | None = None) -> list[Reply]:
        info = self.store.find_report(agency.id, year)
        if info is None:
            text = "\n".join([T.VIEW_NO_REPORT.format(agency=agency.name, year=year), *(extra or [])])
            return [Reply(text, buttons)]
        report, _ = self.store.load_report(info.id)
        chunks = _chunks([*self._view_lines(report, info), *(["", *extra] if extra else [])])
        return [Reply(c) for c in chunks[:-1]] + [Reply(chunks[-1], buttons)]

    def drill(self, actor: Actor, agency_id: int, year: int) -> list[Reply]:
        user = self._user(actor)
        agency = self._agency(agency_id)
        if agency is None or not self._can_read(actor, user, agency):
            return [Reply(T.NOT_ALLOWED)]
        back: tuple[tuple[Button, ...], ...] = ()
        extra: list[str] = []
        if agency.office_id is not None and self._can_coordinate(actor, user, agency.office_id):
            back = (
                _btn(T.BTN_AGENCY_DEADLINE, f"co:ad:{agency.id}:{year}"),
                _btn(T.BTN_BACK_BOARD, f"co:b:{agency.office_id}:{year}"),
            )
            date, source = self._agency_deadline(agency, year)
            extra.append(T.VIEW_DEADLINE.format(date=self._date(date), source=T.DEADLINE_SOURCE[source]))
        return self._view(agency, year, back, extra)

    def _agency_deadline_prompt(self, agency: AgencyInfo, year: int) -> list[Reply]:
        date, source = self._agency_deadline(agency, year)
        text = T.PROMPT_AGENCY_DEADLINE.format(
            agency=agency.name, year=year, current=self._date(date), source=T.DEADLINE_SOURCE[source],
            example=f"{year + 1}-01-20",
        )
        return [Prompt(f"{text}\n〔co:ad:{agency.id}:{year}〕")]

    def _coordinated_agency(self, actor: Actor, agency_id: int) -> AgencyInfo | None:
        """The agency, if the actor coordinates its office (or is an admin and it has an office)."""
        user = self._user(actor)
        agency = self._agency(agency_id)
        if agency is None or agency.office_id is None or not self._can_coordinate(actor, user, agency.office_id):
            return None
        return agency

    def review(self, actor: Actor, agency_id: int, year: int | None = None) -> list[Reply]:
        user = self._user(actor)
        agency = self._agency(agency_id)
        if agency is None or "reviewer" not in self._direct_roles(user, agency_id):
            return [Reply(T.NOT_ALLOWED)]
        year = year or self.default_year()
        info = self.store.find_report(agency.id, year)
        buttons: tuple[tuple[Button, ...], ...] = ()
        if info is not None:
            rows = [_btn(T.BTN_COMMENT, f"co:cm:{info.id}")]
            if info.status == "awaiting_approval":
                rows.insert(0, _btn(T.BTN_APPROVE, f"co:ok:{info.id}:{info.version}"))
            if info.status in ("awaiting_approval", "submitted"):
                rows.append(_btn(T.BTN_RETURN, f"co:rt:{info.id}"))
            buttons = tuple(rows)
        return self._view(agency, year, buttons)

    def _report_for(self, report_id: int) -> tuple[ReportInfo, AgencyInfo] | None:
        try:
            info = self.store.get_report_info(report_id)
        except NotFound:
            return None
        agency = self._agency(info.agency_id)
        return (info, agency) if agency else None

    def _principal(self, actor: Actor, user: UserInfo) -> access.Principal:
        return access.Principal(user.id, actor.telegram_id, self._is_admin(actor))

    def approve(self, actor: Actor, report_id: int, version: int | None) -> list[Reply]:
        """批准提交 (the rule: storage/approval.py)."""
        out = approval.approve(self.store, self._principal(actor, self._user(actor)), report_id,
                               expected_version=version)
        if out.result == approval.NOT_ALLOWED:
            return [Reply(T.NOT_ALLOWED)]
        info = out.info
        if out.result == approval.STALE:  # changed since the reviewer looked at it: show it again
            return self.review(actor, info.agency_id, info.year)
        if out.ok:
            return [Reply(T.APPROVED.format(agency=self.store.get_agency(info.agency_id).name, year=info.year))]
        return [Reply({
            approval.ALREADY_SUBMITTED: T.ALREADY_SUBMITTED,
            approval.NOT_NEEDED: T.APPROVE_NOT_NEEDED,
            approval.NOT_AWAITING: T.APPROVE_NOT_AWAITING,
            approval.HAS_ERRORS: T.APPROVE_HAS_ERRORS.format(n=out.errors),
        }.get(out.result, T.UNKNOWN_ACTION))]

    def return_report(self, actor: Actor, report_id: int) -> list[Reply]:
        """退回修改 (the rule: storage/approval.py)."""
        out = approval.return_report(self.store, self._principal(actor, self._user(actor)), report_id)
        if out.result == approval.NOT_ALLOWED:
            return [Reply(T.NOT_ALLOWED)]
        if out.result == approval.NOTHING_TO_RETURN:
            return [Reply(T.RETURN_NOTHING)]
        if not out.ok:
            return self.review(actor, out.info.agency_id, out.info.year)
        return [Reply(T.RETURNED.format(agency=self.store.get_agency(out.info.agency_id).name, year=out.info.year))]

    def _comment_allowed(self, actor: Actor, user: UserInfo, agency: AgencyInfo) -> bool:
        if "reviewer" in self._direct_roles(user, agency.id):
            return True
        return agency.office_id is not None and co.is_coordinator(self.store, user.id, agency.office_id)

    # -- /agency -----------------------------------------------------------------------------------
    def agency_command(self, actor: Actor) -> list[Reply]:
        user = self._user(actor)
        rows = []
        for m in self.store.memberships(user.id):
            if m.agency_id is None:
                continue
            if m.role == "officer":
                rows.append(_btn(T.BTN_FILL.format(agency=m.agency_name)[:60], f"co:s:{m.agency_id}"))
            elif m.role == "reviewer":
                rows.append(_btn(T.BTN_REVIEW.format(agency=m.agency_name)[:60], f"co:r:{m.agency_id}"))
        if not rows:
            if co.coordinated_offices(self.store, user.id):
                return self.board_command(actor)
            return [Reply(T.NO_AGENCY)]
        return [Reply(T.CHOOSE_AGENCY, tuple(rows))]

    def select(self, actor: Actor, agency_id: int) -> list[Reply]:
        user = self._user(actor)
        if "officer" not in self._direct_roles(user, agency_id):
            return [Reply(T.NOT_ALLOWED)]
        if self.interview is None:
            return [Reply(T.UNKNOWN_ACTION)]
        return list(self.interview.select_agency(actor, agency_id))

    # -- /history ----------------------------------------------------------------------------------
    def _current_report(self, actor: Actor, user: UserInfo) -> ReportInfo | None:
        """The report the user is working on: from the interview, its stored position, or the
        only agency they belong to."""
        getter = getattr(self.interview, "current_report_id", None)
        report_id = None
        if callable(getter):
            try:
                report_id = getter(actor)
            except Exception:
                report_id = None
        pos = self.store.get_position(user.id) or {}
        if report_id is None and isinstance(pos.get("agency_id"), int):
            year = pos.get("year") if isinstance(pos.get("year"), int) else self.default_year()
            return self.store.find_report(pos["agency_id"], year)
        if report_id is None:
            for key in ("report_id", "rid"):
                if isinstance(pos.get(key), int):
                    report_id = pos[key]
                    break
        if report_id is not None:
            try:
                return self.store.get_report_info(report_id)
            except NotFound:
                return None
        ids = {m.agency_id for m in self.store.memberships(user.id) if m.agency_id is not None}
        if len(ids) != 1:
            return None
        return self.store.find_report(ids.pop(), self.default_year())

    def history_command(self, actor: Actor) -> list[Reply]:
        user = self._user(actor)
        info = self._current_report(actor, user)
        if info is None:
            return [Reply(T.HISTORY_NO_REPORT)]
        return self.history(actor, info.id, 0)

    def _what(self, fmt: Format, key: str) -> str:
        if key == "status":
            return T.HISTORY_STATUS
        if key == "format":
            return T.HISTORY_FORMAT
        if key == co.COMMENT_KEY:
            return T.HISTORY_COMMENT
        base, _, unit = key.partition(":")
        if base in fmt.cells:
            label = fmt.cells[base].label
            return T.HISTORY_UNIT.format(label=label) if unit else label
        try:
            part = fmt.narrative_part(base)
        except KeyError:
            return key
        section = fmt.section(part.section_id)
        return section.title if len(section.parts) == 1 else f"{section.title}{part.label}"

    def _shown_value(self, key: str, value: str | None) -> str:
        if value is None or value == "":
            return T.HISTORY_EMPTY_VALUE
        if key == "status":
            return T.REPORT_STATUS.get(value, value)
        return _excerpt(value, HISTORY_EXCERPT)

    def history(self, actor: Actor, report_id: int, page: int) -> list[Reply]:
        """The audit trail, oldest first, in pages of 30; page 0 is the latest 30."""
        user = self._user(actor)
        found = self._report_for(report_id)
        if found is None or not self._can_read(actor, user, found[1]):
            return [Reply(T.NOT_ALLOWED)]
        info, agency = found
        from report import formats

        fmt = formats.for_year(info.year, info.format_id)
        events = self.store.audit_events(report_id)
        total = len(events)
        if not total:
            return [Reply(T.HISTORY_EMPTY.format(agency=agency.name, year=info.year))]
        page = max(0, page)
        end = max(0, total - page * HISTORY_PAGE)
        if end == 0:
            page, end = (total - 1) // HISTORY_PAGE, total - ((total - 1) // HISTORY_PAGE) * HISTORY_PAGE
        start = max(0, end - HISTORY_PAGE)
        lines = [T.HISTORY_HEAD.format(agency=agency.name, year=info.year, first=start + 1, last=end, total=total)]
        for e in events[start:end]:
            lines.append(
                T.HISTORY_LINE.format(
                    at=self._local(e.at),
                    who=e.user_name or T.HISTORY_UNKNOWN_USER,
                    source=T.SOURCE.get(e.source, e.source),
                    what=self._what(fmt, e.key),
                    old=self._shown_value(e.key, e.old),
                    new=self._shown_value(e.key, e.new),
                )
            )
        nav = []
        if start > 0:
            nav.append(Button(T.BTN_OLDER, f"co:h:{report_id}:{page + 1}"))
        if page > 0:
            nav.append(Button(T.BTN_NEWER, f"co:h:{report_id}:{page - 1}"))
        chunks = _chunks(lines)
        buttons = (tuple(nav),) if nav else ()
        return [Reply(c) for c in chunks[:-1]] + [Reply(chunks[-1], buttons)]

    # -- joining -----------------------------------------------------------------------------------
    def start_payload(self, actor: Actor, payload: str) -> list[Reply]:
        """/start <token>: show what the invitation is for and ask to confirm; refuse bad tokens."""
        token = payload.strip()
        result = inv.check(self.store, token, now=self._now())
        if not result.ok:
            return self._refused(actor, result.reason, result.info)
        info = result.info
        role = T.ROLE[info.role]
        if info.agency_id is not None:
            suffix = T.JOIN_OFFICE_SUFFIX.format(office=info.office_name) if info.office_name else ""
            text = T.JOIN_ASK_AGENCY.format(role=role, agency=info.agency_name, office=suffix)
        else:
            text = T.JOIN_ASK_OFFICE.format(role=role, office=info.office_name)
        return [Reply(text, ((Button(T.BTN_JOIN, f"co:j:{token}"), Button(T.CANCEL, "co:jn")),))]

    def _refused(self, actor: Actor, reason: str | None, info: inv.InvitationInfo | None) -> list[Reply]:
        if reason == inv.USED and info is not None:
            user = self.store.find_user(actor.telegram_id)
            if user is not None and info.used_by == user.id:
                return [Reply(T.JOIN_ALREADY.format(target=info.agency_name or info.office_name))]
        return [Reply(T.JOIN_REFUSED.get(reason or inv.UNKNOWN, T.JOIN_REFUSED[inv.UNKNOWN]))]

    def join(self, actor: Actor, token: str) -> list[Reply]:
        user = self._user(actor)
        try:
            info = inv.accept(self.store, token, user.id, now=self._now())
        except inv.InvitationRefused as exc:
            return self._refused(actor, exc.reason, inv.check(self.store, token, now=self._now()).info)
        if info.agency_id is None:
            return [Reply(T.JOINED_OFFICE.format(office=info.office_name))]
        replies = [Reply(T.JOINED_AGENCY.format(role=T.ROLE[info.role], agency=info.agency_name))]
        if info.role == "officer" and self.interview is not None:
            replies += list(self.interview.select_agency(actor, info.agency_id))
        elif info.role == "reviewer":
            replies.append(Reply(T.JOINED_REVIEWER_HINT))
        return replies

    # -- callbacks ---------------------------------------------------------------------------------
    def callback(self, actor: Actor, data: str) -> list[Reply]:
        if not data.startswith(PREFIX):
            return [Reply(T.UNKNOWN_ACTION)]
        parts = data[len(PREFIX):].split(":")
        try:
            return self._dispatch(actor, parts[0], parts[1:])
        except (ValueError, IndexError, KeyError):
            return [Reply(T.UNKNOWN_ACTION)]

    def _office_if_allowed(self, actor: Actor, office_id: int) -> tuple[UserInfo, OfficeInfo | None]:
        user = self._user(actor)
        office = self._office(office_id)
        if office is None or not self._can_coordinate(actor, user, office_id):
            return user, None
        return user, office

    def _dispatch(self, actor: Actor, op: str, args: list[str]) -> list[Reply]:
        denied = [Reply(T.NOT_ALLOWED)]
        if op == "j":
            return self.join(actor, args[0])
        if op == "jn":
            return [Reply(T.CANCELLED)]
        if op in ("aa", "aa2", "aa3"):
            if not self._is_admin(actor):
                return [Reply(T.NOT_ADMIN)]
            if op == "aa":
                return self._attach_agencies()
            agency = self._agency(int(args[0]))
            if agency is None:
                return [Reply(T.UNKNOWN_ACTION)]
            if op == "aa2":
                return self._attach_offices(agency)
            office = self._office(int(args[1]))
            if office is None:
                return [Reply(T.UNKNOWN_ACTION)]
            return self._attach(agency, office)
        if op == "ad":
            agency = self._coordinated_agency(actor, int(args[0]))
            if agency is None:
                return denied
            return self._agency_deadline_prompt(agency, int(args[1]))
        if op in ("no", "ci", "ao") or (op == "na" and not args):
            if not self._is_admin(actor):
                return [Reply(T.NOT_ADMIN)]
            if op == "no":
                return [Prompt(f"{T.PROMPT_OFFICE_NAME}\n〔co:no〕")]
            if op == "ci":
                return self._office_choice("co:ci2")
            if op == "ao":
                return self._office_choice("co:om")
            return self._office_choice("co:na", with_none=True)
        if op == "ci2":
            if not self._is_admin(actor):
                return [Reply(T.NOT_ADMIN)]
            user, office = self._office_if_allowed(actor, int(args[0]))
            if office is None:
                return denied
            return self._make_invitation(user, "coordinator", agency=None, office=office)
        if op in ("om", "iv", "ol", "dl", "na", "ap", "b", "ru", "dy", "nk"):
            office_id = int(args[0])
            if op in ("na", "nk") and office_id == 0:
                if not self._is_admin(actor):
                    return [Reply(T.NOT_ADMIN)]
                office = None
            else:
                _, office = self._office_if_allowed(actor, office_id)
                if office is None:
                    return denied
            if op == "om":
                return self._office_menu(office)
            if op == "iv":
                if not self.store.agencies_of_office(office.id):
                    return [Reply(T.NO_AGENCIES, (_btn(T.BTN_CO_COORDINATOR, f"co:mk:coordinator:o{office.id}"),))]
                return self._invite_targets(office)
            if op == "ol":
                return self._open_invitations(office)
            if op == "dl":
                return self._deadline_years(office)
            if op == "dy":
                return self._deadline_prompt(office, int(args[1]))
            if op == "na":
                return self._kind_choice(office_id)
            if op == "nk":
                kind = args[1]
                if kind not in T.KIND:
                    return [Reply(T.UNKNOWN_ACTION)]
                return [Prompt(f"{T.PROMPT_AGENCY_NAME.format(kind=T.KIND[kind])}\n〔co:nk:{office_id}:{kind}〕")]
            if op == "ap":
                value = args[1] == "1"
                co.set_needs_approval(self.store, office.id, value)
                return [Reply(T.APPROVAL_SET.format(value=T.YES if value else T.NO))] + self._office_menu(
                    self.store.get_office(office.id)
                )
            if op == "b":
                return self.board(office, int(args[1]))
            if op == "ru":
                return self.rollup(office, int(args[1]))
        if op == "ir":
            user = self._user(actor)
            agency = self._agency(int(args[0]))
            if agency is None or agency.office_id is None and not self._is_admin(actor):
                return denied
            if not (self._is_admin(actor) or co.is_coordinator(self.store, user.id, agency.office_id)):
                return denied
            rows = tuple(_btn(T.ROLE[r], f"co:mk:{r}:a{agency.id}") for r in ("officer", "reviewer"))
            return [Reply(T.CHOOSE_ROLE.format(agency=agency.name), rows)]
        if op == "mk":
            role, target = args[0], args[1]
            user = self._user(actor)
            if target.startswith("a") and role in ("officer", "reviewer"):
                agency = self._agency(int(target[1:]))
                if agency is None:
                    return denied
                allowed = self._is_admin(actor) or (
                    agency.office_id is not None and co.is_coordinator(self.store, user.id, agency.office_id)
                )
                if not allowed:
                    return denied
                return self._make_invitation(user, role, agency=agency, office=None)
            if target.startswith("o") and role == "coordinator":
                user, office = self._office_if_allowed(actor, int(target[1:]))
                if office is None:
                    return denied
                return self._make_invitation(user, role, agency=None, office=office)
            return [Reply(T.UNKNOWN_ACTION)]
        if op == "x":
            user = self._user(actor)
            item = inv.get_invitation(self.store, int(args[0]))
            if item is None or item.office_id is None and not self._is_admin(actor):
                return denied
            if not (self._is_admin(actor) or co.is_coordinator(self.store, user.id, item.office_id)):
                return denied
            return [Reply(T.REVOKED if inv.revoke(self.store, item.id, user.id) else T.REVOKE_FAILED)]
        if op == "d":
            return self.drill(actor, int(args[0]), int(args[1]))
        if op == "s":
            return self.select(actor, int(args[0]))
        if op == "r":
            return self.review(actor, int(args[0]), int(args[1]) if len(args) > 1 else None)
        if op == "ok":
            return self.approve(actor, int(args[0]), int(args[1]) if len(args) > 1 else None)
        if op == "rt":
            return self.return_report(actor, int(args[0]))
        if op == "cm":
            user = self._user(actor)
            found = self._report_for(int(args[0]))
            if found is None or not self._comment_allowed(actor, user, found[1]):
                return denied
            info, agency = found
            return [Prompt(f"{T.PROMPT_COMMENT.format(agency=agency.name, year=info.year)}\n〔co:cm:{info.id}〕")]
        if op == "h":
            return self.history(actor, int(args[0]), int(args[1]))
        return [Reply(T.UNKNOWN_ACTION)]

    # -- answers to prompts ------------------------------------------------------------------------
    @staticmethod
    def is_prompt(text: str | None) -> bool:
        return bool(text and _MARKER.search(text))

    def answer(self, actor: Actor, prompt_text: str, text: str) -> list[Reply]:
        """The user's answer to one of our prompts (the text of the prompt they replied to)."""
        m = _MARKER.search(prompt_text or "")
        if not m:
            return [Reply(T.UNKNOWN_ACTION)]
        parts = m.group(1).split(":")[1:]
        text = (text or "").strip()
        try:
            return self._answer(actor, parts[0], parts[1:], text)
        except (ValueError, IndexError):
            return [Reply(T.UNKNOWN_ACTION)]

    def _answer(self, actor: Actor, op: str, args: list[str], text: str) -> list[Reply]:
        if op == "no":
            if not self._is_admin(actor):
                return [Reply(T.NOT_ADMIN)]
            if not text:
                return [Reply(T.NAME_EMPTY)]
            try:
                office = self.store.create_office(text)
            except ValueError as exc:
                return [Reply(T.CREATE_FAILED.format(reason=exc))]
            return [Reply(T.OFFICE_CREATED.format(name=office.name))] + self._office_menu(office)
        if op == "nk":
            office_id, kind = int(args[0]), args[1]
            if kind not in T.KIND:
                return [Reply(T.UNKNOWN_ACTION)]
            if office_id == 0:
                if not self._is_admin(actor):
                    return [Reply(T.NOT_ADMIN)]
            else:
                _, office = self._office_if_allowed(actor, office_id)
                if office is None:
                    return [Reply(T.NOT_ALLOWED)]
            if not text:
                return [Reply(T.NAME_EMPTY)]
            try:
                agency = self.store.create_agency(text, kind, office_id or None)
            except ValueError as exc:
                return [Reply(T.CREATE_FAILED.format(reason=exc))]
            rows = tuple(_btn(T.ROLE[r], f"co:mk:{r}:a{agency.id}") for r in ("officer", "reviewer"))
            return [
                Reply(T.AGENCY_CREATED.format(name=agency.name, kind=T.KIND[kind])),
                Reply(T.CHOOSE_ROLE.format(agency=agency.name), rows),
            ]
        if op == "dy":
            office_id, year = int(args[0]), int(args[1])
            _, office = self._office_if_allowed(actor, office_id)
            if office is None:
                return [Reply(T.NOT_ALLOWED)]
            if text in T.DEADLINE_DEFAULT_WORDS:
                co.set_deadline_override(self.store, year, None, office_id=office.id)
                return [Reply(T.DEADLINE_CLEARED.format(year=year))]
            date, refused = self._parse_deadline(text, year)
            if date is None:
                return [Reply(refused)]
            co.set_deadline_override(self.store, year, date, office_id=office.id)
            return [Reply(T.DEADLINE_SET.format(year=year, date=self._date(date)))]
        if op == "ad":
            agency_id, year = int(args[0]), int(args[1])
            agency = self._coordinated_agency(actor, agency_id)
            if agency is None:
                return [Reply(T.NOT_ALLOWED)]
            if text in T.DEADLINE_DEFAULT_WORDS:
                co.set_deadline_override(self.store, year, None, agency_id=agency.id)
                date, source = self._agency_deadline(agency, year)
                return [Reply(T.AGENCY_DEADLINE_CLEARED.format(
                    agency=agency.name, year=year, date=self._date(date), source=T.DEADLINE_SOURCE[source]))]
            date, refused = self._parse_deadline(text, year)
            if date is None:
                return [Reply(refused)]
            co.set_deadline_override(self.store, year, date, agency_id=agency.id)
            return [Reply(T.AGENCY_DEADLINE_SET.format(agency=agency.name, year=year, date=self._date(date)))]
        if op == "cm":
            user = self._user(actor)
            found = self._report_for(int(args[0]))
            if found is None or not self._comment_allowed(actor, user, found[1]):
                return [Reply(T.NOT_ALLOWED)]
            if not text:
                return [Reply(T.NAME_EMPTY)]
            co.add_comment(self.store, found[0].id, user.id, text)
            return [Reply(T.COMMENT_SAVED)]
        return [Reply(T.UNKNOWN_ACTION)]
