"""Store.load_step (one read per interview step) and the lean save path with its report cache."""

from __future__ import annotations

from decimal import Decimal

import pytest

from storage.store import StaleWrite, Store

pytestmark = pytest.mark.db

TG = 515151
A = "s3.new.natural"
B = "s3.new.business"
DEC = "s2.i8.fees.fees"


@pytest.fixture
def officer(store):
    user = store.get_or_create_user(TG, "王五")
    office = store.create_office("某区政务公开办", needs_approval=True)
    agency = store.create_agency("某区教育局", "department", office_id=office.id)
    store.add_membership(user.id, "officer", agency_id=agency.id)
    return user, agency


def test_load_step_reads_user_role_agency_and_reports(store, officer):
    user, agency = officer
    prev = store.get_or_create_report(agency.id, 2022)
    store.save_answers(prev.id, user_id=user.id, source="chat", values={"s3.carried_over.natural": 4})
    store.set_position(user.id, {"screen": "hub", "agency_id": agency.id, "year": 2023})

    data = store.load_step(TG, "王五", default_year=2024)
    assert data.user.id == user.id
    assert data.position == {"screen": "hub", "agency_id": agency.id, "year": 2023}
    assert data.has_memberships and data.role == "officer" and data.needs_approval
    assert (data.agency_id, data.agency_name, data.year) == (agency.id, "某区教育局", 2023)
    assert data.info is not None and data.info.year == 2023  # created on first use
    assert data.report.values == {} and data.report.agency == "某区教育局"
    assert data.previous_info.id == prev.id
    assert data.previous.values == {"s3.carried_over.natural": 4}


def test_load_step_new_user_and_fallback_agency(store, officer):
    _, agency = officer
    data = store.load_step(777, "新人", default_year=2023)
    assert data.user.display_name == "新人" and not data.has_memberships
    assert data.agency_id is None and data.role is None and data.report is None
    assert store.find_user(777).display_name == "新人"
    # a position naming an agency the user has no role in falls back to their own agency
    data = store.load_step(TG, "", default_year=2023, state={"agency_id": agency.id + 99})
    assert data.agency_id == agency.id and data.year == 2023


def test_load_step_checks_the_role_every_time(store, officer):
    user, agency = officer
    assert store.load_step(TG, "", default_year=2023).role == "officer"
    store.remove_membership(user.id, "officer", agency_id=agency.id)
    data = store.load_step(TG, "", default_year=2023, state={"agency_id": agency.id})
    assert data.role is None and data.agency_id is None and data.report is None
    store.add_membership(user.id, "reviewer", agency_id=agency.id)
    assert store.load_step(TG, "", default_year=2023).role == "reviewer"


def test_cached_report_is_validated_by_the_version(store, officer, migrated_db_url):
    """A write by another process (another Store) is seen at once: the cache is keyed by version."""
    user, _ = officer
    data = store.load_step(TG, "", default_year=2023)
    rid, v = data.info.id, data.info.version
    v = store.save_answers(rid, user_id=user.id, source="chat", values={A: 1}, expected_version=v)
    assert store.load_step(TG, "", default_year=2023).report.values == {A: 1}

    other = Store.from_url(migrated_db_url, upgrade=False)
    try:
        other.save_answers(rid, user_id=user.id, source="chat", values={B: 2, DEC: Decimal("1.50")},
                           narratives={"n5": "无"}, units={DEC: "万元"}, expected_version=v)
    finally:
        other.dispose()
    data = store.load_step(TG, "", default_year=2023)
    assert data.info.version == v + 1
    assert data.report.values == {A: 1, B: 2, DEC: Decimal("1.50")}
    assert data.report.narratives == {"n5": "无"} and data.report.units == {DEC: "万元"}
    with pytest.raises(StaleWrite):  # the version the user saw is gone
        store.save_answers(rid, user_id=user.id, source="chat", values={A: 5}, expected_version=v)


def test_save_with_cached_report_stores_and_audits_like_without(store, officer, migrated_db_url):
    user, _ = officer
    data = store.load_step(TG, "", default_year=2023)  # puts version 1 in the cache
    rid = data.info.id
    v = store.save_answers(rid, user_id=user.id, source="chat", values={A: 3, DEC: Decimal("2.5")},
                           units={DEC: "万元"}, narratives={"n5": "甲"}, expected_version=data.info.version,
                           position={"screen": "q"}, update_id=9001)
    v = store.save_answers(rid, user_id=user.id, source="chat", values={A: None, DEC: None},
                           narratives={"n5": "乙"}, expected_version=v, update_id=9002)
    assert store.save_answers(rid, user_id=user.id, source="chat", values={A: 8}, update_id=9002) is None
    # nothing changed: no new version, no audit
    assert store.save_answers(rid, user_id=user.id, source="chat", values={A: None}, expected_version=v) == v
    cached = store.cached_report(rid, v)
    fresh = Store.from_url(migrated_db_url, upgrade=False)
    try:
        stored, version = fresh.load_report(rid)
    finally:
        fresh.dispose()
    assert version == v == data.info.version + 2
    assert stored == cached
    assert stored.values == {} and stored.units == {DEC: "万元"} and stored.narratives == {"n5": "乙"}
    assert [(e.key, e.old, e.new) for e in store.audit_events(rid)] == [
        (DEC, None, "2.5"), (DEC + ":unit", None, "万元"), (A, None, "3"), ("n5", None, "甲"),
        (DEC, "2.5", None), (A, "3", None), ("n5", "甲", "乙"),
    ]
    assert store.get_position(user.id) == {"screen": "q"}


def test_load_report_returns_a_private_copy(store, officer):
    user, _ = officer
    data = store.load_step(TG, "", default_year=2023)
    rep, _ = store.load_report(data.info.id)
    rep.values[A] = 99
    assert store.load_step(TG, "", default_year=2023).report.values == {}


def test_hot_statements_raise_sqlalchemy_errors_and_roll_back(store, officer):
    """The hot path runs precompiled statements on the driver's cursor: a driver error still
    surfaces as SQLAlchemy's IntegrityError and the whole transaction is rolled back."""
    from sqlalchemy.exc import IntegrityError

    user, _ = officer
    data = store.load_step(TG, "", default_year=2023)
    rid, v = data.info.id, data.info.version
    with pytest.raises(IntegrityError):  # no such user: the position's foreign key fails
        store.save_answers(rid, user_id=user.id + 999, source="chat", values={A: 1}, expected_version=v,
                           position={"screen": "q"})
    again = store.load_step(TG, "", default_year=2023)
    assert again.info.version == v and again.report.values == {}
    assert store.audit_events(rid) == []
    # the update id of the failed save was not recorded either
    assert store.save_answers(rid, user_id=user.id, source="chat", values={A: 1}, expected_version=v,
                              position={"screen": "q"}, update_id=7001) == v + 1
    assert store.load_step(TG, "", default_year=2023).report.values == {A: 1}


def test_shared_cached_reports_compute_from_their_current_values(store, officer):
    """Effective values and validation are memoised per report state, shared by equal copies;
    a value changed in place, even to an equal number written differently, is seen."""
    from report.validation import validate

    user, _ = officer
    data = store.load_step(TG, "", default_year=2023)
    fmt = data.report.format
    ident = next(i for i in fmt.identities if i.derived and A in i.rhs)
    store.save_answers(data.info.id, user_id=user.id, source="chat", values={k: 1 for k in ident.rhs},
                       expected_version=data.info.version)
    shared = store.load_step(TG, "", default_year=2023).report
    copy = shared.copy()
    assert copy.effective() == shared.effective() and validate(copy) == validate(shared)
    n = len(ident.rhs)
    assert shared.effective()[ident.target] == n
    copy.values[A] = 5  # changed in place
    assert copy.effective()[ident.target] == n + 4 and shared.effective()[ident.target] == n
    copy.values[A] = Decimal("1.00")  # equal to 1, written differently: another state
    assert str(copy.effective()[ident.target]) == f"{n}.00"
    copy.values[A] = -1
    assert any(p.rule == "cell.range" for p in validate(copy))
    assert not any(p.rule == "cell.range" for p in validate(shared))
    eff = shared.effective()
    eff[ident.target] = 0  # the caller's own dict
    assert shared.effective()[ident.target] == n


def test_wal_checkpoint_copies_the_log_into_the_database_file(store, officer, migrated_db_url, tmp_path):
    """The bot checkpoints SQLite's write-ahead log in the background (bot/maintenance.py); after
    a checkpoint the database file alone holds every committed answer. Connections leave the log
    to that job up to a safety limit (storage/db.py)."""
    import shutil
    import sqlite3

    from storage.db import SQLITE_WAL_AUTOCHECKPOINT_PAGES

    user, _ = officer
    data = store.load_step(TG, "", default_year=2023)
    store.save_answers(data.info.id, user_id=user.id, source="chat", values={A: 42},
                       expected_version=data.info.version, position={"screen": "q"}, update_id=8001)
    result = store.checkpoint_wal()
    if not store.in_process:  # PostgreSQL: nothing to do
        assert result is None
        return
    log, done = result
    assert log > 0 and done == log
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == SQLITE_WAL_AUTOCHECKPOINT_PAGES
    # a copy of the database file without its -wal file has the answer
    source = migrated_db_url.removeprefix("sqlite:///")
    copy = tmp_path / "file-only.db"
    shutil.copyfile(source, copy)
    with sqlite3.connect(copy) as conn:
        row = conn.execute(
            "SELECT int_value FROM cell_value WHERE report_id = ? AND key = ?", (data.info.id, A)
        ).fetchone()
    assert row == (42,)


def test_a_connection_the_server_dropped_is_replaced(store, officer):
    """PostgreSQL: the interview's kept connections (storage/driver.py) survive the server dropping
    them: one idle for a while is pinged and replaced before use; one dropped while in use fails
    that one step (rolled back) and is never used again."""
    from sqlalchemy.exc import DBAPIError

    if store.in_process:
        pytest.skip("SQLite has no server to drop a connection")
    user, _ = officer
    pool = store._driver

    def drop_kept_connections() -> None:
        pids = [held.dbapi.info.backend_pid for held in pool._idle]
        assert pids, "a kept connection to drop"
        with store.engine.connect() as conn:
            for pid in pids:
                conn.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")

    data = store.load_step(TG, "", default_year=2023)
    # idle long enough to be pinged: replaced before use, the step succeeds
    drop_kept_connections()
    pool.IDLE_PING_SECONDS = 0.0
    again = store.load_step(TG, "", default_year=2023)
    assert again.info.id == data.info.id
    # not pinged: the step fails as SQLAlchemy reports a lost connection, the next one succeeds
    drop_kept_connections()
    pool.IDLE_PING_SECONDS = 3600.0
    with pytest.raises(DBAPIError) as failed:
        store.save_answers(data.info.id, user_id=user.id, source="chat", values={A: 3},
                           expected_version=data.info.version, position={"screen": "q"}, update_id=9100)
    assert failed.value.connection_invalidated
    version = store.save_answers(data.info.id, user_id=user.id, source="chat", values={A: 3},
                                 expected_version=data.info.version, position={"screen": "q"}, update_id=9100)
    assert version == data.info.version + 1
    assert store.load_step(TG, "", default_year=2023).report.values == {A: 3}
