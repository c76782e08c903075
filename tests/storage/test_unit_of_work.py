"""One unit of work per update: everything the chat writes for one update commits together or not
at all, and an update is recognised when Telegram delivers it again (without assuming update ids
only grow)."""

from __future__ import annotations

import datetime as dt

import pytest

from storage import positions
from storage.db import session_scope
from storage.errors import NotFound
from storage.store import StaleWrite

pytestmark = pytest.mark.db

A = "s3.new.natural"


@pytest.fixture
def officer(store):
    user = store.get_or_create_user(515151, "王五")
    agency = store.create_agency("某区教育局", "department")
    store.add_membership(user.id, "officer", agency_id=agency.id)
    return user, agency, store.get_or_create_report(agency.id, 2023)


def test_everything_in_a_unit_of_work_commits_together(store, officer):
    user, agency, report = officer
    with store.transaction():
        assert store.claim_update(10)
        store.save_answers(report.id, user_id=user.id, source="chat", values={A: 1}, expected_version=1)
        store.set_position(user.id, {"screen": "q", "agency_id": agency.id})
        # a read inside sees the writes made before it
        assert store.load_report(report.id)[0].values == {A: 1}
    assert store.load_report(report.id)[1] == 2
    assert store.get_position(user.id) == {"screen": "q", "agency_id": agency.id}


def test_a_failure_anywhere_rolls_back_the_whole_unit_of_work(store, officer):
    user, agency, report = officer
    with pytest.raises(RuntimeError), store.transaction():
        store.claim_update(11)
        store.save_answers(report.id, user_id=user.id, source="chat", values={A: 1})
        store.set_position(user.id, {"screen": "q"})
        raise RuntimeError("the step failed after writing")
    assert store.load_report(report.id) == (store.load_report(report.id)[0], 1)
    assert store.load_report(report.id)[0].values == {}
    assert store.get_position(user.id) is None
    assert store.audit_events(report.id) == []
    assert store.claim_update(11), "the failed update is not remembered: its redelivery is handled"


def test_a_refused_part_rolls_back_alone(store, officer):
    """A write that fails inside the unit of work (a stale version, a duplicate name) is undone by
    its savepoint; what was written before stays, and the unit of work can still commit."""
    user, agency, report = officer
    with store.transaction():
        store.claim_update(12)
        with pytest.raises(StaleWrite):
            store.save_answers(report.id, user_id=user.id, source="chat", values={A: 1}, expected_version=7)
        with pytest.raises(ValueError):
            store.create_agency("某区教育局", "department")
        store.set_position(user.id, {"screen": "hub"})
    assert store.get_position(user.id) == {"screen": "hub"}
    assert store.load_report(report.id)[0].values == {}


def test_functions_of_other_storage_modules_join_the_unit_of_work(store, officer):
    user, agency, report = officer
    with pytest.raises(NotFound), store.transaction():
        with session_scope(store.engine, write=True) as s:  # as storage.coordination does
            s.connection().exec_driver_sql("UPDATE agency SET region = 'x'")
        store.add_membership(user.id + 999, "officer", agency_id=agency.id + 999)
    assert store.get_agency(agency.id).region == ""


def test_update_ids_restarting_lower_are_new_updates(store):
    """After a week without updates Telegram restarts update ids at a random value: a lower id than
    any seen is a new update; the same id again within a day is a redelivery."""
    assert store.claim_update(900_000_000)
    assert store.claim_update(1_000) and store.claim_update(1_001)
    assert not store.claim_update(1_000)
    assert not store.claim_update(900_000_000)


def test_an_id_claimed_longer_ago_than_telegram_keeps_updates_is_a_new_update(store):
    long_ago = dt.datetime.now(dt.UTC) - positions.REDELIVERY_WINDOW - dt.timedelta(minutes=1)
    assert store.claim_update(77, now=long_ago)
    assert store.claim_update(77), "an id last seen days ago belongs to a new update"
    assert not store.claim_update(77)


def test_pruning_old_update_ids_keeps_recent_ones(store):
    assert store.claim_update(1) is True
    assert store.prune_processed_updates(dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)) == 0
    assert store.claim_update(1) is False
    assert store.prune_processed_updates(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)) == 1
    assert store.claim_update(1) is True
