"""What a screen may know while it handles one input: who the user is, where they stand, and —
read lazily, inside the update's unit of work — their agency, their role there, the report of the
year and last year's. Every right is read from the database here, on every update.

Screens change the report only through :meth:`Context.save` (and its siblings), which hand the
version the user last saw to the Store: a concurrent change raises StaleWrite, which the runtime
answers with the latest view.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from functools import cached_property
from typing import Any

from report import formats
from report.model import Report, Signature
from storage import access
from storage import coordination as co
from storage.infos import AgencyInfo, ReportInfo

from .kit.actions import Action, encode
from .kit.io import Actor, Button
from .kit.state import State

DRAFT, AWAITING, SUBMITTED = "draft", "awaiting_approval", "submitted"  # storage.models.REPORT_STATUSES
_UNSET = object()


def default_year(today: dt.date) -> int:
    """The report being filled now: last calendar year's."""
    return today.year - 1


class Context:
    def __init__(self, conversation: Any, actor: Actor, user: Any, state: State):
        self.conversation = conversation
        self.store = conversation.store
        self.settings = conversation.settings
        self.actor = actor
        self.user = user
        self.now: dt.datetime = conversation.clock()
        self.today: dt.date = self.now.date()
        self.state = self._resolve(state)

    # -- who and where -----------------------------------------------------------------------------------
    def _resolve(self, state: State) -> State:
        """The state with the agency and year in effect: the state's agency if the user still has a
        role there, else their first agency; the state's year if open, else last year's."""
        self._drop()
        self.memberships = self.store.memberships(self.user.id)
        agency_id, role = state.agency_id, None
        if agency_id is not None:
            role = self._role(agency_id)
        if role is None:
            agency_id = next((m.agency_id for m in self.memberships if m.agency_id is not None), None)
            role = self._role(agency_id) if agency_id is not None else None
        self.agency_id, self.role = (agency_id, role) if role is not None else (None, None)
        year = state.year if state.year in formats.report_years(self.today) else default_year(self.today)
        self.year = year
        return state.replace(agency_id=self.agency_id, year=year)

    def _role(self, agency_id: int) -> str | None:
        """The user's role for the agency (as Store.role_in_agency), from the memberships read."""
        direct = {m.role for m in self.memberships if m.agency_id == agency_id}
        for role in ("reviewer", "officer"):
            if role in direct:
                return role
        if any(m.role == "coordinator" for m in self.memberships):
            return self.store.role_in_agency(self.user.id, agency_id)
        return None

    def _drop(self) -> None:
        for name in ("agency", "infos", "info", "report", "previous", "needs_approval", "reviewers", "principal"):
            self.__dict__.pop(name, None)

    def move_to(self, state: State) -> State:
        """Work on the agency and year of ``state`` from now on (a step that opens another year)."""
        self.state = self._resolve(state)
        return self.state

    def refresh(self) -> None:
        """Forget what was read about the report (after a refused write)."""
        self.state = self._resolve(self.state)

    def settle(self, new: State) -> State:
        """The state stored after a step: its agency and year resolved again (a step may change
        them), and the version of the report the view will show."""
        if (new.agency_id, new.year) != (self.agency_id, self.year):
            new = self._resolve(new)
        else:
            new = new.replace(agency_id=self.agency_id, year=self.year)
        if self.agency_id is None:
            return new.replace(ver=None, rid=None)
        return new.replace(ver=self.info.version, rid=self.info.id)

    @property
    def has_memberships(self) -> bool:
        return bool(self.memberships)

    @cached_property
    def principal(self) -> access.Principal:
        return access.Principal(self.user.id, self.user.telegram_id,
                                access.is_admin(self.store, self.user.telegram_id, self.settings.admins))

    @cached_property
    def agency(self) -> AgencyInfo | None:
        return self.store.get_agency(self.agency_id) if self.agency_id is not None else None

    @property
    def agency_name(self) -> str:
        return self.agency.name if self.agency else ""

    @cached_property
    def needs_approval(self) -> bool:
        return self.agency_id is not None and co.needs_approval(self.store, self.agency_id)

    @cached_property
    def reviewers(self) -> tuple[str, ...]:
        """The agency's reviewers' names (shown while the report awaits approval)."""
        if self.status != AWAITING or self.agency_id is None:
            return ()
        return tuple(name or str(tg) for _uid, tg, name in co.agency_reviewers(self.store, self.agency_id))

    # -- the report ------------------------------------------------------------------------------------------
    @cached_property
    def infos(self) -> dict[int, ReportInfo]:
        """The agency's stored reports of the year and the year before."""
        return self.store.reports_of_years(self.agency_id, (self.year, self.year - 1))

    @cached_property
    def info(self) -> ReportInfo:
        found = self.infos.get(self.year)
        return found if found is not None else self.store.get_or_create_report(self.agency_id, self.year)

    @cached_property
    def report(self) -> Report:
        return self.store.load_report(self.info.id)[0]

    @cached_property
    def previous(self) -> Report | None:
        """Last year's stored report of the agency, if any."""
        found = self.infos.get(self.year - 1)
        return self.store.load_report(found.id)[0] if found is not None else None

    @property
    def status(self) -> str:
        return self.info.status if self.agency_id is not None else DRAFT

    @property
    def version(self) -> int:
        return self.info.version

    @property
    def can_write(self) -> bool:
        """Only an officer writes, and only a draft (awaiting approval and submitted are read-only)."""
        return self.role == "officer" and self.status == DRAFT

    def year_report(self, year: int) -> tuple[Report, int, str] | None:
        """The agency's stored report of another year: (report, version, status)."""
        found = self.store.find_report(self.agency_id, year)
        if found is None:
            return None
        rep, version = self.store.load_report(found.id)
        return rep, version, found.status

    def _seen(self) -> int:
        """The version the user last saw (the optimistic lock of every write)."""
        state = self.state
        return state.ver if state.rid == self.info.id and state.ver is not None else self.info.version

    def save(self, values=None, narratives=None, units=None, *, preamble: Any = _UNSET,
             signature: Signature | Any = _UNSET) -> None:
        """Save answers to the current report, then see them in :attr:`report`."""
        meta = {}
        if preamble is not _UNSET:
            meta["preamble"] = preamble
        if signature is not _UNSET:
            meta["signature"] = signature
        version = self.store.save_answers(self.info.id, user_id=self.user.id, source=self.source, values=values,
                                          narratives=narratives, units=units, expected_version=self._seen(), **meta)
        # what was stored is what is shown: the report read, with these answers (the save refused
        # any other version)
        report = self.report.with_answers(values, narratives, units)
        report.preamble = meta.get("preamble", report.preamble)
        report.signature = meta.get("signature", report.signature)
        self.__dict__["report"] = report
        self.__dict__["info"] = dataclasses.replace(self.info, version=version)
        self.state = self.state.replace(ver=version, rid=self.info.id)

    def replace(self, report: Report, source: str) -> None:
        self.store.replace_report(self.info.id, report, user_id=self.user.id, source=source,
                                  expected_version=self._seen())
        self._reload()

    def set_status(self, status: str) -> None:
        self.store.set_status(self.info.id, status, user_id=self.user.id, expected_version=self._seen(),
                              source=self.source)
        self._reload()

    def _reload(self) -> None:
        for name in ("infos", "info", "report", "reviewers"):
            self.__dict__.pop(name, None)
        self.state = self.state.replace(ver=self.info.version, rid=self.info.id)

    @property
    def source(self) -> str:
        return self.conversation.source

    # -- buttons -----------------------------------------------------------------------------------------------
    def button(self, label: str, act: Action) -> Button:
        """A button of the screen being shown: its action, with the state's token."""
        return Button(label, encode(act, self.state.tok))
