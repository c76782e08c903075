"""The invitation lifecycle in storage/invitations.py."""

from __future__ import annotations

import datetime as dt
import hashlib
import threading

import pytest
import time_machine
from sqlalchemy import select

from storage import invitations as inv
from storage.db import session_scope
from storage.models import Invitation

pytestmark = pytest.mark.db

T0 = dt.datetime(2025, 1, 6, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def world(store):
    office = store.create_office("某县政务公开办公室")
    agency = store.create_agency("某县市场监督管理局", "department", office.id)
    coord = store.get_or_create_user(500, "协调人")
    store.add_membership(coord.id, "coordinator", office_id=office.id)
    return office, agency, coord


def test_token_fits_start_payload_and_only_its_hash_is_stored(store, world):
    office, agency, coord = world
    token, info = inv.create_invitation(store, role="officer", created_by=coord.id, agency_id=agency.id)
    assert len(token) <= 64 and inv.looks_like_token(token)
    assert info.agency_name == agency.name and info.office_id == office.id and info.office_name == office.name
    with session_scope(store.engine) as s:
        rows = s.exec(select(Invitation)).scalars().all()
        assert [r.token_hash for r in rows] == [hashlib.sha256(token.encode()).hexdigest()]
        assert all(token not in str(v) for r in rows for v in r.model_dump().values())


def test_accept_once_then_refused(store, world):
    _, agency, coord = world
    token, _ = inv.create_invitation(store, role="officer", created_by=coord.id, agency_id=agency.id)
    alice = store.get_or_create_user(1, "甲")
    bob = store.get_or_create_user(2, "乙")
    assert inv.check(store, token).ok
    assert store.role_in_agency(alice.id, agency.id) is None
    info = inv.accept(store, token, alice.id)
    assert info.used_by == alice.id and info.used_at is not None
    assert store.role_in_agency(alice.id, agency.id) == "officer"
    for user in (alice, bob):
        with pytest.raises(inv.InvitationRefused) as exc:
            inv.accept(store, token, user.id)
        assert exc.value.reason == inv.USED
    assert store.role_in_agency(bob.id, agency.id) is None
    assert inv.check(store, token).reason == inv.USED


def test_coordinator_invitation_gives_office_role(store, world):
    office, agency, coord = world
    token, info = inv.create_invitation(store, role="coordinator", created_by=coord.id, office_id=office.id)
    assert info.agency_id is None and info.office_name == office.name
    carol = store.get_or_create_user(3, "丙")
    inv.accept(store, token, carol.id)
    assert store.role_in_agency(carol.id, agency.id) == "coordinator"


def test_invitation_target_must_match_role(store, world):
    office, agency, coord = world
    with pytest.raises(ValueError):
        inv.create_invitation(store, role="coordinator", created_by=coord.id, agency_id=agency.id)
    with pytest.raises(ValueError):
        inv.create_invitation(store, role="officer", created_by=coord.id, office_id=office.id)


def test_expiry(store, world):
    _, agency, coord = world
    with time_machine.travel(T0, tick=False):
        token, info = inv.create_invitation(store, role="reviewer", created_by=coord.id, agency_id=agency.id, days=7)
        assert info.expires_at == T0 + dt.timedelta(days=7)
    user = store.get_or_create_user(4, "丁")
    with time_machine.travel(T0 + dt.timedelta(days=6, hours=23), tick=False):
        assert inv.check(store, token).ok
        assert inv.open_invitations(store, agency_id=agency.id)
    with time_machine.travel(T0 + dt.timedelta(days=7, seconds=1), tick=False):
        result = inv.check(store, token)
        assert result.reason == inv.EXPIRED
        assert inv.open_invitations(store, agency_id=agency.id) == []
        with pytest.raises(inv.InvitationRefused) as exc:
            inv.accept(store, token, user.id)
        assert exc.value.reason == inv.EXPIRED
    assert store.role_in_agency(user.id, agency.id) is None


def test_revoke(store, world):
    office, agency, coord = world
    token, info = inv.create_invitation(store, role="officer", created_by=coord.id, agency_id=agency.id)
    keep, _ = inv.create_invitation(store, role="coordinator", created_by=coord.id, office_id=office.id)
    assert [i.id for i in inv.open_invitations(store, office_id=office.id)] == [info.id, info.id + 1]
    assert inv.revoke(store, info.id, coord.id) is True
    assert inv.revoke(store, info.id, coord.id) is False
    assert inv.check(store, token).reason == inv.REVOKED
    user = store.get_or_create_user(5, "戊")
    with pytest.raises(inv.InvitationRefused) as exc:
        inv.accept(store, token, user.id)
    assert exc.value.reason == inv.REVOKED
    assert store.role_in_agency(user.id, agency.id) is None
    assert [i.id for i in inv.open_invitations(store, office_id=office.id)] == [info.id + 1]
    inv.accept(store, keep, user.id)
    assert inv.revoke(store, info.id + 1, coord.id) is False  # used: cannot be revoked any more


@pytest.mark.parametrize("forged", ["", "x", "A" * 32, "../../etc", "a" * 65, "' OR 1=1 --"])
def test_forged_token(store, world, forged):
    _, agency, coord = world
    inv.create_invitation(store, role="officer", created_by=coord.id, agency_id=agency.id)
    result = inv.check(store, forged)
    assert result.reason == inv.UNKNOWN and result.info is None
    user = store.get_or_create_user(6, "己")
    with pytest.raises(inv.InvitationRefused) as exc:
        inv.accept(store, forged, user.id)
    assert exc.value.reason == inv.UNKNOWN
    assert store.memberships(user.id) == []


def test_concurrent_accept_has_one_winner(store, world):
    _, agency, coord = world
    token, _ = inv.create_invitation(store, role="officer", created_by=coord.id, agency_id=agency.id)
    users = [store.get_or_create_user(100 + i, f"u{i}") for i in range(6)]
    barrier = threading.Barrier(len(users))
    outcomes: list[str] = []

    def run(uid: int) -> None:
        barrier.wait()
        try:
            inv.accept(store, token, uid)
            outcomes.append("ok")
        except inv.InvitationRefused as exc:
            outcomes.append(exc.reason)

    threads = [threading.Thread(target=run, args=(u.id,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["ok"] + [inv.USED] * (len(users) - 1)
    assert sum(1 for u in users if store.role_in_agency(u.id, agency.id) == "officer") == 1
