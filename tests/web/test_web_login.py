"""Sign-in links and sessions (storage/web_login.py): hashed, single use, expiring, signed."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from bot.settings import Settings
from storage import web_login as wl
from storage.db import session_scope
from storage.models import WebLoginLink, WebSecret, WebSession

pytestmark = pytest.mark.db

NOW = dt.datetime(2025, 1, 13, 3, 0, tzinfo=dt.UTC)


def _settings(url: str) -> Settings:
    return Settings(database_url=url, web={"public_url": "https://desk.example.gov.cn/desk", "link_minutes": 5})


def test_link_is_stored_hashed_bound_to_its_user_and_works_once(store, migrated_db_url):
    link = wl.issue_login_link(store, _settings(migrated_db_url), 4242, now=NOW)
    assert link.startswith("https://desk.example.gov.cn/desk/login/")
    token = link.rsplit("/", 1)[1]
    with session_scope(store.engine) as s:
        row = s.execute(select(WebLoginLink)).scalars().one()
        assert token not in (row.token_hash,) and len(row.token_hash) == 64
        assert row.user_id == store.find_user(4242).id
    session_token, info = wl.use_link(store, token, session_hours=8, now=NOW + dt.timedelta(minutes=4))
    assert info.telegram_id == 4242 and info.expires_at == NOW + dt.timedelta(minutes=4, hours=8)
    with pytest.raises(wl.LinkRefused) as used:
        wl.use_link(store, token, session_hours=8, now=NOW + dt.timedelta(minutes=4))
    assert used.value.reason == wl.USED
    with session_scope(store.engine) as s:
        [stored] = s.execute(select(WebSession.token_hash)).scalars().all()
        assert stored != session_token
    assert wl.session(store, session_token, NOW + dt.timedelta(hours=8)) is not None
    assert wl.session(store, session_token, NOW + dt.timedelta(hours=9)) is None  # ended


def test_expired_forged_and_raced_links(store, migrated_db_url):
    settings = _settings(migrated_db_url)
    token = wl.issue_login_link(store, settings, 7, now=NOW).rsplit("/", 1)[1]
    with pytest.raises(wl.LinkRefused) as late:
        wl.use_link(store, token, session_hours=8, now=NOW + dt.timedelta(minutes=5))
    assert late.value.reason == wl.EXPIRED
    for forged in ("x" * 43, "../../etc", ""):
        with pytest.raises(wl.LinkRefused) as bad:
            wl.use_link(store, forged, session_hours=8, now=NOW)
        assert bad.value.reason == wl.UNKNOWN
    token = wl.issue_login_link(store, settings, 7, now=NOW).rsplit("/", 1)[1]

    def race(_):
        try:
            return wl.use_link(store, token, session_hours=8, now=NOW)[0]
        except wl.LinkRefused:
            return None

    with ThreadPoolExecutor(4) as pool:
        won = [t for t in pool.map(race, range(4)) if t]
    assert len(won) == 1
    with session_scope(store.engine) as s:
        assert len(s.execute(select(WebSession)).scalars().all()) == 1


def test_cookie_signature_csrf_and_logout(store):
    key = wl.signing_key(store)
    assert wl.signing_key(store) == key  # generated once, kept in the database
    with session_scope(store.engine) as s:
        assert s.get(WebSecret, wl.SECRET_NAME) is not None
    user = store.get_or_create_user(9)
    token = wl.create_link(store, user.id, minutes=5, now=NOW)
    session_token, _ = wl.use_link(store, token, session_hours=1, now=NOW)
    cookie = wl.sign(key, session_token)
    assert wl.unsign(key, cookie) == session_token
    assert wl.unsign(b"another key" * 4, cookie) is None
    assert wl.unsign(key, "Z" + cookie[1:]) is None
    assert wl.unsign(key, session_token) is None  # unsigned
    csrf = wl.csrf_token(key, session_token)
    assert wl.csrf_ok(key, session_token, csrf) and not wl.csrf_ok(key, session_token, None)
    assert not wl.csrf_ok(key, "another" + session_token, csrf)
    assert wl.end_session(store, session_token)
    assert wl.session(store, session_token, NOW) is None


def test_a_configured_key_wins_and_must_be_long_enough(store):
    assert wl.signing_key(store, "k" * 40) == b"k" * 40
    with pytest.raises(ValueError):
        wl.signing_key(store, "short")
