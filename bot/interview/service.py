"""The interview service: the engine plus the store, for one input of one user at a time.

``handle`` reads everything the step needs in one store call (``Store.load_step``: user, position,
role, agency, report and last year's report, the reports' values cached per version and validated
by the version read in that transaction), runs one engine step, commits every change (answers +
position + processed update id + version bump) in one store call and only then renders the
replies. After saving answers the view shows the report it read with those answers applied (what
was stored: the save refuses a stale version); other writes (Excel, status, import) are reread.
The Telegram handlers and the console both call it.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from zoneinfo import ZoneInfo

from bot import messages as M
from report.model import Report
from storage.store import apply_answers

from . import engine as E
from . import hooks
from . import state as S
from .io import Actor, Command, Input, Reply

log = logging.getLogger(__name__)


def _date(now: dt.date | dt.datetime) -> dt.date:
    return now.date() if isinstance(now, dt.datetime) else now


def _year(report: Report | None) -> int | None:
    return report.year if report is not None else None


class InterviewService:
    def __init__(self, store, settings, *, clock: Callable[[], dt.date | dt.datetime] | None = None,
                 source: str = "chat"):
        self.store = store
        self.settings = settings
        zone = ZoneInfo(settings.timezone)
        self.clock = clock or (lambda: dt.datetime.now(zone))
        self.source = source

    def today(self) -> dt.date:
        now = self.clock()
        return now.date() if isinstance(now, dt.datetime) else now

    # ---- public ------------------------------------------------------------------------------------
    def handle(self, actor: Actor, inp: Input, update_id: int | None = None) -> list[Reply]:
        """Dedupe by update_id, run one engine step, commit, then return the replies.

        An update id seen before returns [] and changes nothing. Never raises for bad input."""
        try:
            return self._handle(actor, inp, update_id)
        except Exception:
            log.exception("interview step failed (user %s, input %r)", actor.telegram_id, type(inp).__name__)
            return [Reply(M.INTERNAL_ERROR)]

    def select_agency(self, actor: Actor, agency_id: int) -> list[Reply]:
        """Make ``agency_id`` the user's current agency (after /agency or joining by invitation)."""
        user = self.store.get_or_create_user(actor.telegram_id, actor.display_name)
        old = self.store.get_position(user.id) or {}
        if self.store.role_in_agency(user.id, agency_id) is None:
            return [Reply(M.NO_ACCESS)]
        new = S.goto(old, S.HUB)
        new["agency_id"] = agency_id
        new = S.with_token(old, new)
        self.store.set_position(user.id, new)
        ctx, report, _ = self._load(user, new)
        return E.view(new, report, ctx)

    def expects_numbers(self, actor: Actor) -> bool:
        """Whether the user's current question asks for numbers (the console uses it)."""
        user = self.store.find_user(actor.telegram_id)
        state = (self.store.get_position(user.id) if user else None) or {}
        return state.get("screen") == S.QUESTION and str(state.get("q", "")).startswith("r:")

    # ---- internals -----------------------------------------------------------------------------------
    def _handle(self, actor: Actor, inp: Input, update_id: int | None) -> list[Reply]:
        store = self.store
        if isinstance(inp, Command) and inp.name == "start" and inp.arg:
            if update_id is not None and not store.claim_update(update_id):
                return []
            replies = hooks.on_start_payload(self, actor, inp.arg)
            return list(replies) if replies is not None else [Reply(M.INVALID_LINK)]
        # one read (one statement): user, position, role, agency, report (+ values) and last year's
        now = self.clock()
        data = store.load_step(actor.telegram_id, actor.display_name, default_year=E.default_year(_date(now)))
        if update_id is not None and data.position_update_id is not None and update_id <= data.position_update_id:
            return []  # redelivered: this update (or a later one) already moved the position
        user = data.user
        stored = data.position or {}
        state = dict(stored)
        ctx, report, info = self._context(data, state, now)
        step = E.step(state, report, ctx, inp)
        new = S.with_token(stored, step.state)
        ch = step.changes
        notes = list(step.notes)
        seen = (
            stored["ver"]
            if info is not None and stored.get("rid") == info.id and "ver" in stored
            else ctx.version
        )
        from storage.store import StaleWrite  # bot → storage is allowed; imported late for start-up

        try:
            if ch.register is not None:
                if update_id is not None and not store.claim_update(update_id):
                    return []
                name, kind = ch.register
                agency = store.find_agency(name) or store.create_agency(name, kind)
                store.add_membership(user.id, "officer", agency_id=agency.id)
                new["agency_id"] = agency.id
                store.set_position(user.id, new)
                notes.append(Reply(M.registered(agency.name)))
            elif ch.import_report is not None:
                # a checked published report becomes the agency's report of its year (issue 8)
                if update_id is not None and not store.claim_update(update_id):
                    return []
                rep = ch.import_report
                target = store.get_or_create_report(ctx.agency_id, rep.year, rep.format.id)
                version = store.replace_report(
                    target.id, rep, user_id=user.id, source="import", expected_version=ch.import_version
                )
                if info is not None and target.id == info.id:
                    new.update(ver=version, rid=info.id)
                store.set_position(user.id, new)
            elif ch.replace is not None or ch.status is not None:
                if update_id is not None and not store.claim_update(update_id):
                    return []
                if ch.replace is not None:
                    version = store.replace_report(
                        info.id, ch.replace, user_id=user.id, source="excel", expected_version=seen
                    )
                else:
                    version = store.set_status(
                        info.id, ch.status, user_id=user.id, expected_version=seen, source=self.source
                    )
                new.update(ver=version, rid=info.id)
                store.set_position(user.id, new)
                if ch.status == E.AWAITING:
                    self._request_approval(info.id, now)
            elif ch.answers:
                new.update(ver=ctx.version + (1 if ch.differs_from(report) else 0), rid=info.id)
                version = store.save_answers(
                    info.id,
                    user_id=user.id,
                    source=self.source,
                    values=ch.values,
                    narratives=ch.narratives,
                    units=ch.units,
                    expected_version=seen,
                    position=new,
                    update_id=update_id,
                )
                if version is None:
                    return []
            else:
                if info is not None:
                    new.update(ver=ctx.version, rid=info.id)
                if not store.set_position(user.id, new, update_id):
                    return []
        except StaleWrite:
            fresh = dict(stored)
            fresh.update(ver=None, rid=None)
            fresh = {k: v for k, v in fresh.items() if v is not None}
            fresh.pop("pending", None)
            ctx, report, info = self._load(user, fresh)
            if info is not None:
                fresh.update(ver=ctx.version, rid=info.id)
            fresh = S.with_token(stored, fresh)
            if not store.set_position(user.id, fresh, update_id):
                return []
            return [Reply(M.STALE)] + E.view(fresh, report, ctx)
        if not step.show:
            return notes
        if (
            ch.register is not None
            or ch.import_report is not None
            or (new.get("agency_id"), new.get("year")) != (ctx.agency_id, _year(report))
        ):
            ctx, report, _ = self._load(user, dict(new))
        elif ch.answers:
            # what was stored is what is shown: the report the step read with the answers applied
            # (the save refused a stale version, so nothing else changed in between)
            if version != ctx.version:
                saved = store.cached_report(info.id, version)
                report = saved if saved is not None else apply_answers(report, ch.values, ch.narratives, ch.units)
                ctx.version = version
        elif ch.replace is not None or ch.status is not None:
            report, ctx.version = store.load_report(info.id)  # what was stored is what is shown
            ctx.status = store.get_report_info(info.id).status
            ctx.reviewers = self._reviewers(ctx)
        replies = E.view(new, report, ctx)
        if step.prefix and replies:
            first = replies[0]
            replies[0] = Reply(
                f"{step.prefix}\n\n{first.text}", first.buttons, first.document, first.parse_mode
            )
        return notes + replies

    def _reviewers(self, ctx: E.Context) -> tuple[str, ...]:
        """The agency's reviewers' names, read only while the report awaits approval (the hub says
        who must act)."""
        if ctx.status != E.AWAITING or ctx.agency_id is None:
            return ()
        from storage import coordination as co

        return tuple(name or str(tg) for _uid, tg, name in co.agency_reviewers(self.store, ctx.agency_id))

    def _request_approval(self, report_id: int, now) -> None:
        """Queue the approval request for every reviewer (storage.reminders, idempotent). The status
        is already stored; if this fails, the planner inserts the missing requests later."""
        from storage import reminders as rem

        at = now if isinstance(now, dt.datetime) else dt.datetime.combine(now, dt.time(), tzinfo=dt.UTC)
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.UTC)
        try:
            rem.request_approval(self.store.engine, report_id, at)
        except Exception:  # noqa: BLE001 - the submission stands; plan() fills the gap
            log.exception("could not queue the approval request of report %s", report_id)

    def _load(self, user, state: dict) -> tuple[E.Context, Report | None, object | None]:
        """Resolve the agency and year (updating ``state``), load the report and the context."""
        now = self.clock()
        data = self.store.load_step(user.telegram_id, "", default_year=E.default_year(_date(now)), state=state)
        return self._context(data, state, now)

    def _context(self, data, state: dict, now) -> tuple[E.Context, Report | None, object | None]:
        """The engine's context from what Store.load_step read (updating ``state``'s agency and year)."""
        store = self.store
        ctx = E.Context(
            today=_date(now),
            now=now if isinstance(now, dt.datetime) else None,
            open_registration=bool(self.settings.open_registration),
            has_memberships=data.has_memberships,
            max_upload_bytes=int(getattr(self.settings, "max_upload_bytes", 0) or 10 * 1024 * 1024),
        )
        agency_id = data.agency_id
        if agency_id is None:
            state.pop("agency_id", None)
            return ctx, None, None
        state["agency_id"] = agency_id
        state["year"] = data.year
        info = data.info
        ctx.agency_id = agency_id
        ctx.agency_name = data.agency_name
        ctx.role = data.role
        ctx.status = info.status
        ctx.version = info.version
        ctx.previous = data.previous
        ctx.needs_approval = data.needs_approval
        ctx.reviewers = self._reviewers(ctx)

        def year_report(y: int) -> E.YearReport | None:
            found = store.find_report(agency_id, y)
            if found is None:
                return None
            rep, ver = store.load_report(found.id)
            return E.YearReport(rep, ver, found.status)

        ctx.year_report = year_report
        return ctx, data.report, info
