"""Signing in to the web desk: one-time links bound to a Telegram user, and browser sessions.

A sign-in link carries a random token (``secrets.token_urlsafe``); only its SHA-256 is stored, with
the user it belongs to and when it expires (minutes). Using it is one conditional UPDATE
(``used_at IS NULL AND expires_at > now``) in the transaction that creates the session, so a link
works once, even when two browsers race for it.

A session is a random token in an HttpOnly cookie, signed with the desk's key (an HMAC, so a
modified or invented cookie is refused before any lookup); the database keeps the token's SHA-256,
the user and when the session ends. Logging out deletes the row. CSRF tokens are HMACs of the
session token under the same key: nothing to store, and useless in another session.

The signing key comes from the configuration (``web.secret_key``, or DISCLOSURE_BOT_WEB__SECRET_KEY);
if none is configured, one is generated once and kept in the ``web_secret`` table, so that several
instances share it and sessions survive a restart. No secret is ever logged.

Rights are not decided here: a session only says who is there (storage/access.py decides the rest).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from urllib.parse import quote

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from .db import session_scope
from .models import User, WebLoginLink, WebSecret, WebSession, utcnow
from .store import Store

TOKEN_BYTES = 32
SECRET_NAME = "session_key"
MIN_SECRET_CHARS = 32
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
LOGIN_PATH = "/login/"

# Why a link was refused (the page words them in web/texts.py).
UNKNOWN, EXPIRED, USED = "unknown", "expired", "used"


class LinkRefused(Exception):
    def __init__(self, reason: str):
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True)
class SessionInfo:
    """Who a valid session belongs to (their user row and Telegram id) and when it ends."""

    user_id: int
    telegram_id: int
    display_name: str
    expires_at: dt.datetime


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _now(now: dt.datetime | None) -> dt.datetime:
    if now is None:
        return utcnow()
    return now if now.tzinfo else now.replace(tzinfo=dt.UTC)


def looks_like_token(token: str) -> bool:
    return bool(_TOKEN_RE.match(token or ""))


# -- the signing key ----------------------------------------------------------------------------------
def signing_key(store: Store, configured: str | None = None) -> bytes:
    """The configured key, else the one kept in the database (generated on first use)."""
    if configured:
        if len(configured) < MIN_SECRET_CHARS:
            raise ValueError(f"web.secret_key must have at least {MIN_SECRET_CHARS} characters")
        return configured.encode("utf-8")
    with session_scope(store.engine) as s:
        row = s.get(WebSecret, SECRET_NAME)
        if row is not None:
            return row.value.encode("ascii")
    try:
        with session_scope(store.engine, write=True) as s:
            s.add(WebSecret(name=SECRET_NAME, value=secrets.token_urlsafe(48)))
    except IntegrityError:  # another instance generated it first: use theirs
        pass
    with session_scope(store.engine) as s:
        return s.get(WebSecret, SECRET_NAME).value.encode("ascii")


def _mac(key: bytes, purpose: str, token: str) -> str:
    return hmac.new(key, f"{purpose}:{token}".encode(), hashlib.sha256).hexdigest()


def sign(key: bytes, token: str) -> str:
    """The cookie value of a session token: ``<token>.<hmac>``."""
    return f"{token}.{_mac(key, 'session', token)}"


def unsign(key: bytes, value: str | None) -> str | None:
    """The session token of a cookie value whose signature holds; None otherwise."""
    token, sep, mac = (value or "").rpartition(".")
    if not sep or not looks_like_token(token):
        return None
    return token if hmac.compare_digest(mac, _mac(key, "session", token)) else None


def csrf_token(key: bytes, session_token: str) -> str:
    """The token every form of this session carries."""
    return _mac(key, "csrf", session_token)


def csrf_ok(key: bytes, session_token: str, submitted: str | None) -> bool:
    return bool(submitted) and hmac.compare_digest(str(submitted), csrf_token(key, session_token))


# -- one-time links ----------------------------------------------------------------------------------
def create_link(store: Store, user_id: int, *, minutes: int, now: dt.datetime | None = None) -> str:
    """A new sign-in token for this user, valid ``minutes`` from now; returns the token."""
    if minutes < 1:
        raise ValueError("minutes must be >= 1")
    at = _now(now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with session_scope(store.engine, write=True) as s:
        s.add(WebLoginLink(token_hash=_hash(token), user_id=user_id, created_at=at,
                           expires_at=at + dt.timedelta(minutes=minutes)))
    return token


def link_user(store: Store, token: str, now: dt.datetime | None = None) -> tuple[int | None, str | None]:
    """(the link's user id, None) if the token can be used now, else (user id or None, reason)."""
    if not looks_like_token(token):
        return None, UNKNOWN
    with session_scope(store.engine) as s:
        row = s.execute(select(WebLoginLink).where(WebLoginLink.token_hash == _hash(token))).scalars().first()
        if row is None:
            return None, UNKNOWN
        if row.used_at is not None:
            return row.user_id, USED
        if row.expires_at <= _now(now):
            return row.user_id, EXPIRED
        return row.user_id, None


def use_link(store: Store, token: str, *, session_hours: float, now: dt.datetime | None = None
             ) -> tuple[str, SessionInfo]:
    """Spend the link and open a session for its user, in one transaction.

    Returns (the new session token, its info); raises :class:`LinkRefused` (unknown / expired /
    used) and then changes nothing."""
    if not looks_like_token(token):
        raise LinkRefused(UNKNOWN)
    at = _now(now)
    token_hash = _hash(token)
    session_token = secrets.token_urlsafe(TOKEN_BYTES)
    expires = at + dt.timedelta(hours=session_hours)
    with session_scope(store.engine, write=True) as s:
        res = s.execute(
            update(WebLoginLink)
            .where(WebLoginLink.token_hash == token_hash, WebLoginLink.used_at.is_(None),
                   WebLoginLink.expires_at > at)
            .values(used_at=at)
            .execution_options(synchronize_session=False)
        )
        row = s.execute(select(WebLoginLink).where(WebLoginLink.token_hash == token_hash)).scalars().first()
        if res.rowcount != 1:
            if row is None:
                raise LinkRefused(UNKNOWN)
            raise LinkRefused(USED if row.used_at is not None else EXPIRED)
        user = s.get(User, row.user_id)
        s.add(WebSession(token_hash=_hash(session_token), user_id=user.id, created_at=at, expires_at=expires))
        return session_token, SessionInfo(user.id, int(user.telegram_id), user.display_name or "", expires)


def link_url(public_url: str, token: str) -> str:
    return public_url.rstrip("/") + LOGIN_PATH + quote(token)


def prune(store: Store, now: dt.datetime | None = None) -> int:
    """Forget expired sessions and links (used or not) that ended a day ago; returns rows deleted."""
    cutoff = _now(now) - dt.timedelta(days=1)
    with session_scope(store.engine, write=True) as s:
        a = s.execute(delete(WebSession).where(WebSession.expires_at < cutoff)).rowcount
        b = s.execute(delete(WebLoginLink).where(WebLoginLink.expires_at < cutoff)).rowcount
        return int(a or 0) + int(b or 0)


# -- sessions ------------------------------------------------------------------------------------------
def session(store: Store, token: str, now: dt.datetime | None = None) -> SessionInfo | None:
    """The session of this (verified) token, if it has not ended."""
    with session_scope(store.engine) as s:
        row = s.execute(
            select(WebSession.expires_at, User.id, User.telegram_id, User.display_name)
            .join(User, User.id == WebSession.user_id)
            .where(WebSession.token_hash == _hash(token))
        ).first()
    if row is None or row[0] <= _now(now):
        return None
    return SessionInfo(row[1], int(row[2]), row[3] or "", row[0])


def end_session(store: Store, token: str) -> bool:
    """Log out: the session is gone for good."""
    with session_scope(store.engine, write=True) as s:
        return s.execute(delete(WebSession).where(WebSession.token_hash == _hash(token))).rowcount == 1


def issue_login_link(store: Store, settings, telegram_id: int, now: dt.datetime | None = None) -> str:
    """A one-time sign-in link (URL under ``settings.web.public_url``) for this Telegram user.

    For the bot's /web command and ``disclosure-bot web-link``. The user row is created if new;
    what the user may see is decided at every request (storage/access.py)."""
    web = settings.web
    if not web.public_url:
        raise ValueError("web.public_url is not configured")
    user = store.get_or_create_user(telegram_id)
    return link_url(web.public_url, create_link(store, user.id, minutes=web.link_minutes, now=now))
