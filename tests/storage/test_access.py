"""The permission rules (storage/access.py) that the chat and the web desk both call."""

from __future__ import annotations

import pytest

from storage import access

pytestmark = pytest.mark.db


@pytest.fixture
def world(store):
    office = store.create_office("县政务公开办")
    other_office = store.create_office("邻县政务公开办")
    agency = store.create_agency("县教育局", "department", office_id=office.id)
    foreign = store.create_agency("邻县教育局", "department", office_id=other_office.id)
    users = {name: store.get_or_create_user(tg, name) for tg, name in
             [(1, "officer"), (2, "reviewer"), (3, "coordinator"), (4, "stranger"), (5, "admin")]}
    store.add_membership(users["officer"].id, "officer", agency_id=agency.id)
    store.add_membership(users["reviewer"].id, "reviewer", agency_id=agency.id)
    store.add_membership(users["coordinator"].id, "coordinator", office_id=office.id)
    access.add_admin(store, 5)

    def who(name: str) -> access.Principal:
        return access.principal(store, users[name].telegram_id)

    return office, agency, foreign, who


def test_each_role_may_do_exactly_its_part(store, world):
    office, agency, foreign, who = world
    table = {
        "officer": (True, True, False, False, False),
        "reviewer": (True, False, True, True, False),
        "coordinator": (True, False, False, True, True),
        "stranger": (False, False, False, False, False),
        "admin": (True, False, False, True, True),
    }
    for name, expected in table.items():
        p = who(name)
        got = (
            access.can_read_agency(store, p, agency.id),
            access.can_fill(store, p, agency.id),
            access.can_review(store, p, agency.id),
            access.can_comment(store, p, agency.id),
            access.can_coordinate_office(store, p, office.id),
        )
        assert got == expected, name
        # nobody but the admin reaches the other office's agency
        assert access.can_read_agency(store, p, foreign.id) == (name == "admin"), name


def test_admins_come_from_the_configuration_or_the_database(store):
    assert not access.is_admin(store, 42)
    assert access.is_admin(store, 42, configured=[42])
    assert access.add_admin(store, 42) is True
    assert access.add_admin(store, 42) is False
    assert access.is_admin(store, 42) and access.stored_admins(store) == [42]
    assert access.remove_admin(store, 42) and not access.is_admin(store, 42)


def test_visible_offices_are_the_coordinated_ones_or_all_for_an_admin(store, world):
    office, _agency, _foreign, who = world
    assert [o.name for o in access.visible_offices(store, who("coordinator"))] == [office.name]
    assert len(access.visible_offices(store, who("admin"))) == 2
    assert access.visible_offices(store, who("officer")) == []
    assert [(a.name, r) for a, r in access.member_agencies(store, who("reviewer"))] == [("县教育局", "reviewer")]
