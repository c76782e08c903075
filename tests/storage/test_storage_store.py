"""The Store: exact values, one transaction per save, optimistic locking, audit trail, idempotency."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest

from report.model import Report
from storage.store import NotFound, StaleWrite, Store

pytestmark = pytest.mark.db

INT_KEY = "s3.new.natural"
INT_KEY2 = "s3.new.business"
DEC_KEY = "s2.i8.fees.fees"
DERIVED_KEY = "s3.new.total"


@pytest.fixture
def setup(store):
    user = store.get_or_create_user(424242, "李四")
    office = store.create_office("某县政务公开办")
    agency = store.create_agency("某县财政局", "department", office_id=office.id)
    store.add_membership(user.id, "officer", agency_id=agency.id)
    report = store.get_or_create_report(agency.id, 2023)
    return user, agency, report


def _audit(store, report_id):
    return [(e.key, e.old, e.new, e.source) for e in store.audit_events(report_id)]


# -- users, agencies, access -----------------------------------------------------------------------

def test_users_agencies_and_roles(store):
    u = store.get_or_create_user(1, "甲")
    assert store.get_or_create_user(1).id == u.id
    assert store.get_or_create_user(1, "甲（新名）").display_name == "甲（新名）"
    office = store.create_office("市公开办", region="某市")
    a1 = store.create_agency("市交通局", "department", office_id=office.id)
    a2 = store.create_agency("某镇人民政府", "township")
    assert store.find_agency("市交通局") == a1
    assert store.find_agency("不存在") is None
    assert store.get_agency(a2.id).kind == "township"
    with pytest.raises(ValueError):
        store.create_agency("市交通局", "department")
    with pytest.raises(ValueError):
        store.create_agency("X", "ministry")
    with pytest.raises(NotFound):
        store.get_agency(9999)
    assert store.agencies_of_office(office.id) == [a1]

    assert store.role_in_agency(u.id, a1.id) is None
    store.add_membership(u.id, "coordinator", office_id=office.id)
    store.add_membership(u.id, "coordinator", office_id=office.id)  # idempotent
    assert store.role_in_agency(u.id, a1.id) == "coordinator"
    assert store.role_in_agency(u.id, a2.id) is None  # a2 is not in the office
    store.add_membership(u.id, "officer", agency_id=a1.id)
    assert store.role_in_agency(u.id, a1.id) == "officer"
    store.add_membership(u.id, "reviewer", agency_id=a1.id)
    assert store.role_in_agency(u.id, a1.id) == "reviewer"
    ms = store.memberships(u.id)
    assert [(m.role, m.agency_name, m.office_name) for m in ms] == [
        ("coordinator", None, "市公开办"),
        ("officer", "市交通局", None),
        ("reviewer", "市交通局", None),
    ]


def test_report_get_or_create_picks_the_format_of_the_year(store):
    a = store.create_agency("某区民政局", "department")
    r2020 = store.get_or_create_report(a.id, 2020)
    r2023 = store.get_or_create_report(a.id, 2023)
    assert (r2020.format_id, r2023.format_id) == ("2019", "2021")
    assert store.get_or_create_report(a.id, 2023) == r2023
    assert store.find_report(a.id, 2023) == r2023
    assert store.find_report(a.id, 2024) is None
    assert [r.year for r in store.reports_of_agency(a.id)] == [2020, 2023]
    assert r2023.status == "draft" and r2023.version == 1


# -- values -----------------------------------------------------------------------------------------

def test_values_are_stored_exactly(store, setup):
    user, agency, report = setup
    big = 9_007_199_254_740_993  # not representable as a float
    v = store.save_answers(
        report.id,
        user_id=user.id,
        source="chat",
        values={INT_KEY: big, DEC_KEY: Decimal("0.10")},
        narratives={"n5": "存在的问题：……\n改进：……"},
        units={DEC_KEY: "万元"},
    )
    assert v == 2
    rep, version = store.load_report(report.id)
    assert version == 2
    assert rep.agency == "某县财政局" and rep.year == 2023 and rep.format.id == "2021"
    assert rep.values == {INT_KEY: big, DEC_KEY: Decimal("0.10")}
    assert type(rep.values[INT_KEY]) is int
    assert str(rep.values[DEC_KEY]) == "0.10"
    assert rep.units == {DEC_KEY: "万元"}
    assert rep.narratives == {"n5": "存在的问题：……\n改进：……"}


def test_none_deletes_an_answer_back_to_not_answered(store, setup):
    user, _, report = setup
    store.save_answers(report.id, user_id=user.id, source="chat", values={INT_KEY: 0}, narratives={"n6": "无"})
    store.save_answers(report.id, user_id=user.id, source="chat", values={INT_KEY: None}, narratives={"n6": None})
    rep, _ = store.load_report(report.id)
    assert not rep.is_answered(INT_KEY)
    assert "n6" not in rep.narratives


@pytest.mark.parametrize(
    "kwargs",
    [
        {"values": {"s9.nope.natural": 1}},
        {"values": {DERIVED_KEY: 3}},
        {"values": {INT_KEY: 1.0}},
        {"values": {INT_KEY: Decimal("1.5")}},
        {"values": {DEC_KEY: 0.1}},
        {"narratives": {"n9": "x"}},
        {"units": {INT_KEY: "元"}},
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(store, setup, kwargs):
    user, _, report = setup
    with pytest.raises(ValueError):
        # A valid key in the same call must not be written either: one transaction.
        merged = {"values": {INT_KEY2: 5}} | kwargs
        if "values" in kwargs:
            merged["values"] = {INT_KEY2: 5} | kwargs["values"]
        store.save_answers(report.id, user_id=user.id, source="chat", **merged)
    rep, version = store.load_report(report.id)
    assert rep.values == {} and version == 1
    assert store.audit_events(report.id) == []


def test_unknown_report_raises_not_found(store):
    with pytest.raises(NotFound):
        store.load_report(12345)
    with pytest.raises(NotFound):
        store.save_answers(12345, user_id=None, source="console", values={INT_KEY: 1})


# -- optimistic locking -----------------------------------------------------------------------------

def test_stale_write_from_a_second_store_is_refused(store, setup, migrated_db_url):
    user, _, report = setup
    other = Store.from_url(migrated_db_url, upgrade=False)
    try:
        _, v_a = store.load_report(report.id)
        _, v_b = other.load_report(report.id)
        assert v_a == v_b
        assert store.save_answers(report.id, user_id=user.id, source="chat", values={INT_KEY: 1}, expected_version=v_a) == v_a + 1
        with pytest.raises(StaleWrite) as exc:
            other.save_answers(report.id, user_id=user.id, source="chat", values={INT_KEY: 2}, expected_version=v_b)
        assert (exc.value.code, exc.value.expected, exc.value.actual) == ("stale", v_b, v_a + 1)
        rep, version = other.load_report(report.id)
        assert rep.values[INT_KEY] == 1 and version == v_a + 1
        # Re-read, then the write goes through.
        assert other.save_answers(report.id, user_id=user.id, source="chat", values={INT_KEY: 2}, expected_version=version) == version + 1
        with pytest.raises(StaleWrite):
            other.set_status(report.id, "submitted", user_id=user.id, expected_version=version)
        with pytest.raises(StaleWrite):
            other.replace_report(report.id, rep, user_id=user.id, source="excel", expected_version=version)
    finally:
        other.dispose()


def test_concurrent_writers_with_the_same_version_exactly_one_wins(setup, migrated_db_url):
    user, _, report = setup
    n = 4
    stores = [Store.from_url(migrated_db_url, upgrade=False) for _ in range(n)]
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def writer(i: int) -> None:
        s = stores[i]
        _, version = s.load_report(report.id)
        barrier.wait()
        try:
            results[i] = s.save_answers(
                report.id, user_id=user.id, source="chat", values={INT_KEY: 100 + i}, expected_version=version
            )
        except StaleWrite as exc:
            results[i] = exc
        except Exception as exc:  # pragma: no cover - reported by the assertion below
            results[i] = repr(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(n)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        winners = [i for i, r in enumerate(results) if r == 2]
        losers = [r for r in results if isinstance(r, StaleWrite)]
        assert len(winners) == 1, results
        assert len(losers) == n - 1, results
        rep, version = stores[0].load_report(report.id)
        assert version == 2
        assert rep.values[INT_KEY] == 100 + winners[0]
        assert len(stores[0].audit_events(report.id)) == 1
    finally:
        for s in stores:
            s.dispose()


# -- audit trail --------------------------------------------------------------------------------

def test_audit_trail_of_save_answers(store, setup):
    user, _, report = setup
    store.save_answers(report.id, user_id=user.id, source="chat", values={INT_KEY: 3, DEC_KEY: Decimal("1.5")},
                       units={DEC_KEY: "万元"})
    store.save_answers(report.id, user_id=user.id, source="chat", narratives={"n5": "第一段"})
    v = store.save_answers(report.id, user_id=user.id, source="console",
                           values={INT_KEY: 4, DEC_KEY: Decimal("1.5")}, narratives={"n5": "第一段第二段"})
    assert v == 4
    # Nothing changed: no event, no version bump.
    assert store.save_answers(report.id, user_id=user.id, source="chat", values={INT_KEY: 4}) == 4
    store.save_answers(report.id, user_id=None, source="chat", values={INT_KEY: None})
    assert _audit(store, report.id) == [
        (DEC_KEY, None, "1.5", "chat"),
        (DEC_KEY + ":unit", None, "万元", "chat"),
        (INT_KEY, None, "3", "chat"),
        ("n5", None, "第一段", "chat"),
        (INT_KEY, "3", "4", "console"),
        ("n5", "第一段", "第一段第二段", "console"),
        (INT_KEY, "4", None, "chat"),
    ]
    events = store.audit_events(report.id)
    assert events[0].user_id == user.id and events[0].user_name == "李四"
    assert events[-1].user_id is None and events[-1].user_name is None
    assert all(e.at.tzinfo is not None for e in events)
    assert [e.at for e in events] == sorted(e.at for e in events)


def test_audit_trail_of_replace_report_and_set_status(store, setup):
    user, _, report = setup
    store.save_answers(report.id, user_id=user.id, source="chat",
                       values={INT_KEY: 1, INT_KEY2: 2}, narratives={"n5": "旧", "n6": "无"})
    rep, version = store.load_report(report.id)
    new = Report(format=rep.format, year=2023, agency=rep.agency)
    new.values = {INT_KEY: 1, "s3.carried_in.natural": 5, DERIVED_KEY: 99, "s4.review.upheld": None}
    new.narratives = {"n5": "新"}
    v = store.replace_report(report.id, new, user_id=user.id, source="excel", expected_version=version)
    assert v == version + 1
    assert _audit(store, report.id)[4:] == [
        ("s3.carried_in.natural", None, "5", "excel"),
        (INT_KEY2, "2", None, "excel"),
        ("n5", "旧", "新", "excel"),
        ("n6", "无", None, "excel"),
    ]
    stored, _ = store.load_report(report.id)
    # Exactly the given entered values: the total dropped, the blank cell not answered.
    assert stored.values == {INT_KEY: 1, "s3.carried_in.natural": 5}
    assert stored.narratives == {"n5": "新"}
    # Applying the same report again changes nothing.
    assert store.replace_report(report.id, new, user_id=user.id, source="import") == v
    assert len(store.audit_events(report.id)) == 8

    v2 = store.set_status(report.id, "submitted", user_id=user.id, expected_version=v)
    assert v2 == v + 1
    assert store.get_report_info(report.id).status == "submitted"
    assert store.set_status(report.id, "submitted", user_id=user.id) == v2  # no change, no event
    store.set_status(report.id, "draft", user_id=user.id)
    assert _audit(store, report.id)[8:] == [("status", "draft", "submitted", "chat"), ("status", "submitted", "draft", "chat")]
    with pytest.raises(ValueError):
        store.set_status(report.id, "published?", user_id=user.id)


def test_replace_report_with_another_format_switches_the_format(store, setup):
    user, _, report = setup
    store.save_answers(report.id, user_id=user.id, source="chat", values={INT_KEY: 1})
    rep2019 = Report.new("某县财政局", 2023, "2019")
    key2019 = next(k for k in rep2019.format.input_keys if k not in Report.new("x", 2023).format.cells)
    rep2019.values[key2019] = 4
    store.replace_report(report.id, rep2019, user_id=user.id, source="import")
    stored, _ = store.load_report(report.id)
    assert stored.format.id == "2019" and stored.values == {key2019: 4}
    assert store.get_report_info(report.id).format_id == "2019"
    assert ("format", "2021", "2019", "import") in _audit(store, report.id)
    with pytest.raises(ValueError):
        store.replace_report(report.id, Report.new("某县财政局", 2022), user_id=user.id, source="import")


# -- idempotency and position -------------------------------------------------------------------

def test_positions_are_stored_and_cleared(store, setup):
    user, _, _ = setup
    assert store.get_position(user.id) is None
    store.set_position(user.id, {"screen": "q", "agency_id": 3, "year": 2023})
    assert store.get_position(user.id) == {"screen": "q", "agency_id": 3, "year": 2023}
    store.set_position(user.id, None)
    assert store.get_position(user.id) is None


def test_remove_membership_revokes_access(store, setup):
    user, agency, _ = setup
    assert store.role_in_agency(user.id, agency.id) == "officer"
    assert store.remove_membership(user.id, "officer", agency_id=agency.id) is True
    assert store.remove_membership(user.id, "officer", agency_id=agency.id) is False
    assert store.role_in_agency(user.id, agency.id) is None
    assert store.memberships(user.id) == []
