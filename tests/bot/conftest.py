"""Fixtures for the conversation tests: a real PTB Application fed offline updates.

``chat``: a started :class:`harness.ChatClient` for an officer of 示例市示例区市场监督管理局 (an
agency seeded in the database, officer membership), on a fresh migrated database.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import ChatClient  # noqa: E402

from bot.settings import Settings  # noqa: E402

AGENCY = "示例市示例区市场监督管理局"
OFFICER_ID = 1001


def make_settings(db_url: str, **kw) -> Settings:
    return Settings(token="123:ABC", database_url=db_url, **kw)


def seed_officer(store, telegram_id: int = OFFICER_ID, agency: str = AGENCY, kind: str = "department",
                 name: str = "张 三") -> int:
    """The officer's user, agency and membership, as an accepted invitation leaves them; agency id."""
    user = store.get_or_create_user(telegram_id, name)
    found = store.find_agency(agency)
    agency_id = found.id if found else store.create_agency(agency, kind).id
    store.add_membership(user.id, "officer", agency_id=agency_id)
    return agency_id


@pytest.fixture
def settings(migrated_db_url) -> Settings:
    return make_settings(migrated_db_url)


@pytest.fixture
async def chat(migrated_db_url, settings) -> AsyncIterator[ChatClient]:
    client = ChatClient(migrated_db_url, settings, user_id=OFFICER_ID)
    await client.start()
    seed_officer(client.store)
    yield client
    await client.stop()
