"""Someone tried to register an agency that exists (issue 14): its officers are told once, through
the outbox (exactly once, like any reminder); an agency without members tells its coordinators."""

from __future__ import annotations

import pytest
import time_machine

from storage import reminders as repo

from .conftest import local
from .test_outbox import rows, sweeper_for

pytestmark = pytest.mark.db

WHEN = local(2025, 1, 20, 10, 0)  # a working day, in working hours


async def test_the_agency_officers_get_the_notice_once_without_buttons(world, bot, fake_request):
    w = world
    assert repo.notify_registration_attempt(w.store.engine, w.dept.id, "赵六", 3003, WHEN) == 2
    assert repo.notify_registration_attempt(w.store.engine, w.dept.id, "赵六", 3003, WHEN) == 0  # once per person
    with time_machine.travel(WHEN, tick=False):
        stats = await sweeper_for(w.store).run_once(bot)
    sent = notices(fake_request)
    assert sorted(int(c.params["chat_id"]) for c in sent) == [1001, 1002]
    assert all("赵六" in c.params["text"] and "3003" in c.params["text"] for c in sent)
    assert all("reply_markup" not in c.params for c in sent)
    assert {r.status for r in rows(w.store)} == {"sent"} and stats.failed == 0
    with time_machine.travel(WHEN, tick=False):
        await sweeper_for(w.store).run_once(bot)
    assert len(notices(fake_request)) == 2  # never again


def notices(fake_request):
    return [c for c in fake_request.calls
            if c.method == "sendMessage" and "有人尝试以“某县教育局”的名义登记" in c.params["text"]]


def test_an_agency_without_members_tells_its_coordinators(world):
    w = world
    lonely = w.store.create_agency("某县统计局", "department", w.office.id)
    assert repo.notify_registration_attempt(w.store.engine, lonely.id, "赵六", 3003, WHEN) == 1
    (row,) = [r for r in rows(w.store) if r.payload.get("type") == repo.REGISTRATION_ATTEMPT_PAYLOAD]
    assert row.chat_id == 2001 and row.agency_id == lonely.id and row.office_id == w.office.id
