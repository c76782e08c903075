"""A county office's roster of agencies, set up in bulk (``disclosure-bot agencies import``).

The caller parses the file into :class:`RosterEntry` values; :func:`conflicts` checks them against
the database without writing; :func:`apply` creates what is missing through the usual storage
functions (Store.create_office / create_agency, storage.coordination.set_agency_office and
set_deadline_override, storage.invitations) and issues the officer invitations.

Idempotent: a second run with the same roster creates no office or agency again. Invitations on a
re-run: an agency that already has an officer gets none; an agency whose earlier invitation is
still open gets a fresh one and the old one is revoked (tokens are stored hashed, so an old link
cannot be printed again: the new file replaces the old one); otherwise a new one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from . import coordination as co
from . import invitations as inv
from .db import session_scope
from .models import Membership, agency_scope
from .store import Store

OFFICER = "officer"

# conflict codes
KIND_DIFFERS = "kind_differs"  # the agency exists with another kind (detail: its kind)
OTHER_OFFICE = "other_office"  # the agency exists in another office (detail: that office's name)

# what happened to an agency's invitation
NEW, RENEWED, HAS_OFFICER = "new", "renewed", "has_officer"


@dataclass(frozen=True)
class RosterEntry:
    line: int  # in the file, for messages
    name: str
    kind: str  # storage.models.AGENCY_KINDS
    office: str
    deadline: dt.date | None  # the agency's own deadline for report year deadline.year - 1


@dataclass(frozen=True)
class Conflict:
    line: int
    code: str
    detail: str


@dataclass(frozen=True)
class Issued:
    agency: str
    office: str
    outcome: str  # NEW / RENEWED / HAS_OFFICER
    token: str | None  # for the link; None when the agency has an officer
    expires_at: dt.datetime | None


def conflicts(store: Store, entries: list[RosterEntry]) -> list[Conflict]:
    """What in the roster contradicts the database (nothing is written)."""
    out = []
    office_names: dict[int, str] = {}
    for e in entries:
        agency = store.find_agency(e.name)
        if agency is None:
            continue
        if agency.kind != e.kind:
            out.append(Conflict(e.line, KIND_DIFFERS, agency.kind))
        if agency.office_id is not None:
            if agency.office_id not in office_names:
                office_names[agency.office_id] = store.get_office(agency.office_id).name
            if office_names[agency.office_id] != e.office:
                out.append(Conflict(e.line, OTHER_OFFICE, office_names[agency.office_id]))
    return out


def has_officer(store: Store, agency_id: int) -> bool:
    with session_scope(store.engine) as s:
        return (
            s.execute(
                select(Membership.id).where(Membership.scope == agency_scope(agency_id), Membership.role == OFFICER)
            ).first()
            is not None
        )


def apply(store: Store, entries: list[RosterEntry], *, days: int, now: dt.datetime | None = None) -> list[Issued]:
    """Create the missing offices and agencies, set the deadlines, issue the invitations (in the
    roster's order). Call :func:`conflicts` first: an entry contradicting the database raises."""
    offices: dict[str, int] = {}
    issued = []
    for e in entries:
        if e.office not in offices:
            found = store.find_office(e.office)
            offices[e.office] = (found or store.create_office(e.office)).id
        office_id = offices[e.office]
        agency = store.find_agency(e.name) or store.create_agency(e.name, e.kind, office_id)
        if agency.office_id is None:
            agency = co.set_agency_office(store, agency.id, office_id)
        if e.deadline is not None:
            co.set_deadline_override(store, e.deadline.year - 1, e.deadline, agency_id=agency.id)
        if has_officer(store, agency.id):
            issued.append(Issued(e.name, e.office, HAS_OFFICER, None, None))
            continue
        outcome = NEW
        for old in inv.open_invitations(store, agency_id=agency.id, now=now):
            if old.role == OFFICER and inv.revoke(store, old.id):
                outcome = RENEWED
        token, info = inv.create_invitation(
            store, role=OFFICER, created_by=None, agency_id=agency.id, days=days, now=now
        )
        issued.append(Issued(e.name, e.office, outcome, token, info.expires_at))
    return issued
