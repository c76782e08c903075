"""Invitations: single-use, expiring, revocable links that give a role in an agency or an office.

Only the SHA-256 hash of a token is stored; the token itself (``secrets.token_urlsafe(24)``,
32 characters, fits Telegram's 64-character /start payload) exists only in the link.

Acceptance is atomic: one transaction runs a conditional UPDATE (``used_by IS NULL AND NOT
revoked AND expires_at > now``) and, only if it changed a row, adds the membership. Two people
racing for the same link: exactly one wins.

Rights (who may create or revoke which invitation) are checked by the caller (bot/coordination).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass

from sqlalchemy import false, select, update

from .db import session_scope
from .errors import NotFound
from .models import ROLES, Agency, Invitation, Membership, Office, agency_scope, office_scope, utcnow
from .store import Store

UNKNOWN = "unknown"
EXPIRED = "expired"
USED = "used"
REVOKED = "revoked"

TOKEN_BYTES = 24
# token_urlsafe output; anything else cannot be one of our tokens (and is never looked up).
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


@dataclass(frozen=True)
class InvitationInfo:
    id: int
    role: str
    agency_id: int | None
    office_id: int | None  # the office itself, or the agency's office
    agency_name: str | None
    office_name: str | None
    created_by: int | None
    created_at: dt.datetime
    expires_at: dt.datetime
    used_by: int | None
    used_at: dt.datetime | None
    revoked: bool


@dataclass(frozen=True)
class CheckResult:
    """``info`` when the token can be accepted now; otherwise ``reason`` (and ``info`` unless unknown)."""

    info: InvitationInfo | None
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


class InvitationRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str) -> bool:
    return bool(_TOKEN_RE.match(token or ""))


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return utcnow()
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def _info(inv: Invitation, agency: Agency | None, office: Office | None) -> InvitationInfo:
    return InvitationInfo(
        id=inv.id,
        role=inv.role,
        agency_id=inv.agency_id,
        office_id=inv.office_id if inv.office_id is not None else (agency.office_id if agency else None),
        agency_name=agency.name if agency else None,
        office_name=office.name if office else None,
        created_by=inv.created_by,
        created_at=inv.created_at,
        expires_at=inv.expires_at,
        used_by=inv.used_by,
        used_at=inv.used_at,
        revoked=bool(inv.revoked),
    )


def _load(s, inv: Invitation) -> InvitationInfo:
    agency = s.get(Agency, inv.agency_id) if inv.agency_id is not None else None
    office_id = inv.office_id if inv.office_id is not None else (agency.office_id if agency else None)
    office = s.get(Office, office_id) if office_id is not None else None
    return _info(inv, agency, office)


def _reason(info: InvitationInfo, now: dt.datetime) -> str | None:
    if info.revoked:
        return REVOKED
    if info.used_by is not None or info.used_at is not None:
        return USED
    if info.expires_at <= now:
        return EXPIRED
    return None


def create_invitation(
    store: Store,
    *,
    role: str,
    created_by: int | None,
    agency_id: int | None = None,
    office_id: int | None = None,
    days: int = 7,
    now: dt.datetime | None = None,
) -> tuple[str, InvitationInfo]:
    """A new invitation; returns the token (put it in the link, never store it) and its info.

    officer/reviewer invitations name an agency; coordinator invitations name an office.
    """
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if role == "coordinator":
        if office_id is None or agency_id is not None:
            raise ValueError("a coordinator invitation names an office")
    elif agency_id is None or office_id is not None:
        raise ValueError("an officer/reviewer invitation names an agency")
    if days < 1:
        raise ValueError("days must be >= 1")
    at = _now(now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with session_scope(store.engine, write=True) as s:
        if agency_id is not None and s.get(Agency, agency_id) is None:
            raise NotFound("agency", agency_id)
        if office_id is not None and s.get(Office, office_id) is None:
            raise NotFound("office", office_id)
        inv = Invitation(
            token_hash=hash_token(token),
            agency_id=agency_id,
            office_id=office_id,
            role=role,
            created_by=created_by,
            created_at=at,
            expires_at=at + dt.timedelta(days=days),
        )
        s.add(inv)
        s.flush()
        return token, _load(s, inv)


def _by_token(s, token: str) -> Invitation | None:
    if not looks_like_token(token):
        return None
    return s.exec(select(Invitation).where(Invitation.token_hash == hash_token(token))).scalars().first()


def check(store: Store, token: str, now: dt.datetime | None = None) -> CheckResult:
    """Whether the token can be accepted now. A forged token gives reason ``unknown`` and no info."""
    at = _now(now)
    with session_scope(store.engine) as s:
        inv = _by_token(s, token)
        if inv is None:
            return CheckResult(None, UNKNOWN)
        info = _load(s, inv)
        return CheckResult(info, _reason(info, at))


def accept(store: Store, token: str, user_id: int, now: dt.datetime | None = None) -> InvitationInfo:
    """Use the invitation for this user and add the membership, in one transaction.

    Raises :class:`InvitationRefused` with the reason (unknown / expired / used / revoked).
    """
    at = _now(now)
    if not looks_like_token(token):
        raise InvitationRefused(UNKNOWN)
    token_hash = hash_token(token)
    with session_scope(store.engine, write=True) as s:
        res = s.exec(
            update(Invitation)
            .where(
                Invitation.token_hash == token_hash,
                Invitation.used_by.is_(None),
                Invitation.used_at.is_(None),
                Invitation.revoked == false(),
                Invitation.expires_at > at,
            )
            .values(used_by=user_id, used_at=at)
            .execution_options(synchronize_session=False)
        )
        inv = s.exec(select(Invitation).where(Invitation.token_hash == token_hash)).scalars().first()
        if res.rowcount != 1:
            if inv is None:
                raise InvitationRefused(UNKNOWN)
            reason = _reason(_load(s, inv), at) or USED
            raise InvitationRefused(reason)
        s.refresh(inv)
        scope = agency_scope(inv.agency_id) if inv.agency_id is not None else office_scope(inv.office_id)
        exists = s.exec(
            select(Membership.id).where(
                Membership.user_id == user_id, Membership.scope == scope, Membership.role == inv.role
            )
        ).first()
        if exists is None:
            s.add(
                Membership(
                    user_id=user_id, agency_id=inv.agency_id, office_id=inv.office_id, scope=scope, role=inv.role
                )
            )
        return _load(s, inv)


def get_invitation(store: Store, invitation_id: int) -> InvitationInfo | None:
    with session_scope(store.engine) as s:
        inv = s.get(Invitation, invitation_id)
        return _load(s, inv) if inv is not None else None


def revoke(store: Store, invitation_id: int, by_user: int | None = None) -> bool:
    """Revoke an open invitation; False if it was already used or revoked (or does not exist).

    ``by_user`` is accepted for symmetry with the audit of other writes; rights are the caller's job.
    """
    del by_user
    with session_scope(store.engine, write=True) as s:
        res = s.exec(
            update(Invitation)
            .where(Invitation.id == invitation_id, Invitation.used_by.is_(None), Invitation.revoked == false())
            .values(revoked=True)
            .execution_options(synchronize_session=False)
        )
        return res.rowcount == 1


def open_invitations(
    store: Store,
    *,
    office_id: int | None = None,
    agency_id: int | None = None,
    now: dt.datetime | None = None,
) -> list[InvitationInfo]:
    """Invitations not used, not revoked and not expired: of one agency, or of an office (the
    office's coordinator invitations and those of all its agencies). Oldest first."""
    if (office_id is None) == (agency_id is None):
        raise ValueError("name an office or an agency")
    at = _now(now)
    with session_scope(store.engine) as s:
        q = select(Invitation).where(
            Invitation.used_by.is_(None),
            Invitation.used_at.is_(None),
            Invitation.revoked == false(),
            Invitation.expires_at > at,
        )
        if agency_id is not None:
            q = q.where(Invitation.agency_id == agency_id)
        else:
            agency_ids = select(Agency.id).where(Agency.office_id == office_id)
            q = q.where((Invitation.office_id == office_id) | (Invitation.agency_id.in_(agency_ids)))
        rows = s.exec(q.order_by(Invitation.id)).scalars().all()
        return [_load(s, inv) for inv in rows]
