"""The web desk's world: one office with agencies in every state, the people of each role, and the
desk served by uvicorn on a free loopback port (for the browser) or through Starlette's test client.

The desk's clock is fixed at NOW (plus the real time elapsed), a Monday in January 2025, so that
the 2024 reports' deadlines and "overdue" do not depend on the day the tests run.
"""

from __future__ import annotations

import datetime as dt
import socket
import time
from dataclasses import dataclass

import pytest

from bot.settings import Settings
from report import formats
from storage import access
from storage import coordination as co
from tests.coordination.conftest import full_values

YEAR = 2024
NOW = dt.datetime(2025, 1, 13, 3, 0, tzinfo=dt.UTC)  # Monday 11:00 in Shanghai
COORD_TG, OFFICER_TG, REVIEWER_TG, OTHER_OFFICER_TG, OTHER_COORD_TG, ADMIN_TG = 1001, 1002, 1003, 1004, 1005, 1006
IDENTITY_CELL = "s3.carried_over.natural"  # set wrong: 一+二 = （七）总计+四 no longer holds


def clock():
    start = time.monotonic()
    return lambda: NOW + dt.timedelta(seconds=time.monotonic() - start)


@dataclass
class World:
    office: object
    other_office: object
    awaiting: object  # 甲: full report awaiting approval (its reviewer: REVIEWER_TG)
    broken: object  # 乙: draft with an identity error (its officer: OFFICER_TG)
    submitted: object  # 丙: submitted
    empty: object  # 丁: no report at all, own deadline already past (overdue)
    foreign: object  # another office's agency (its officer: OTHER_OFFICER_TG)
    rid_awaiting: int
    rid_broken: int


def _user(store, tg: int, name: str) -> int:
    return store.get_or_create_user(tg, name).id


def _fill(store, agency, seed: int, *, values_change: dict | None = None, year: int = YEAR) -> int:
    info = store.get_or_create_report(agency.id, year)
    values = full_values(year, seed)
    values.update(values_change or {})
    parts = formats.for_year(year).narrative_parts
    store.save_answers(info.id, user_id=None, source="chat", values=values,
                       narratives={p.key: f"{agency.name}的情况说明。" for p in parts})
    return info.id


@pytest.fixture
def world(store) -> World:
    office = store.create_office("某县政务公开办公室", needs_approval=True)
    other_office = store.create_office("别县政务公开办公室")
    awaiting = store.create_agency("甲县市场监督管理局", "department", office.id)
    broken = store.create_agency("乙县教育局", "department", office.id)
    submitted = store.create_agency("丙县财政局", "department", office.id)
    empty = store.create_agency("丁镇人民政府", "township", office.id)
    foreign = store.create_agency("别县卫生健康局", "department", other_office.id)
    coord = _user(store, COORD_TG, "王协调")
    officer = _user(store, OFFICER_TG, "李填报")
    reviewer = _user(store, REVIEWER_TG, "张审核")
    other_officer = _user(store, OTHER_OFFICER_TG, "赵别县")
    other_coord = _user(store, OTHER_COORD_TG, "钱别县协调")
    store.add_membership(coord, "coordinator", office_id=office.id)
    store.add_membership(other_coord, "coordinator", office_id=other_office.id)
    store.add_membership(officer, "officer", agency_id=awaiting.id)
    store.add_membership(officer, "officer", agency_id=broken.id)
    store.add_membership(reviewer, "reviewer", agency_id=awaiting.id)
    store.add_membership(other_officer, "officer", agency_id=foreign.id)
    rid_awaiting = _fill(store, awaiting, 3)
    store.set_status(rid_awaiting, "awaiting_approval", user_id=officer)
    _fill(store, awaiting, 2, year=YEAR - 1)  # last year's figures beside this year's
    rid_broken = _fill(store, broken, 5, values_change={IDENTITY_CELL: 7})
    rid_submitted = _fill(store, submitted, 4)
    store.set_status(rid_submitted, "submitted", user_id=officer)
    _fill(store, foreign, 6)
    co.set_deadline_override(store, YEAR, dt.date(2025, 1, 10), agency_id=empty.id)
    access.add_admin(store, ADMIN_TG)
    return World(office, other_office, awaiting, broken, submitted, empty, foreign, rid_awaiting, rid_broken)


@pytest.fixture
def settings(migrated_db_url) -> Settings:
    return Settings(database_url=migrated_db_url, bot_username="TestDeskBot",
                    web={"public_url": "http://127.0.0.1", "link_minutes": 10})


@pytest.fixture
def client(store, settings, world):
    """Starlette's test client on the desk (same store)."""
    from starlette.testclient import TestClient

    from web.app import create_app

    with TestClient(create_app(settings, store, clock()), base_url="http://127.0.0.1") as c:
        yield c


def sign_in(client, store, settings, telegram_id: int) -> None:
    """Sign the test client in through a link made by the bot's code."""
    from storage.web_login import issue_login_link

    link = issue_login_link(store, settings, telegram_id, now=NOW)
    path = link.removeprefix(settings.web.public_url)
    page = client.get(path)
    assert page.status_code == 200
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    done = client.post(path, data={"csrf": csrf}, follow_redirects=False)
    assert done.status_code == 303


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Served:
    base: str
    settings: Settings


@pytest.fixture
def served(store, migrated_db_url, world):
    """The desk served by uvicorn in a thread on a free loopback port (same store as the test)."""
    from web.serve import BackgroundServer

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cfg = Settings(database_url=migrated_db_url, bot_username="TestDeskBot",
                   web={"public_url": base, "link_minutes": 10})
    server = BackgroundServer(cfg, "127.0.0.1", port, store=store, clock=clock()).start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "the desk did not start"
        time.sleep(0.02)
    yield Served(base, cfg)
    server.stop()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium of the distribution (installed by .ci/run); in CI its absence fails.

    Per module: Playwright's sync API keeps an event loop running while it is started, which
    pytest-asyncio's tests of other modules cannot share."""
    import os

    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI", "").lower() in ("true", "1", "yes"):
            pytest.fail(f"{CHROMIUM} is missing: the browser tests cannot run", pytrace=False)
        pytest.skip(f"{CHROMIUM} is missing")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="zh-CN", accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(15_000)
    yield p
    context.close()


def link_for(store, served: Served, telegram_id: int, now: dt.datetime = NOW) -> str:
    """A sign-in link made by the code the bot's /web command calls."""
    from storage.web_login import issue_login_link

    return issue_login_link(store, served.settings, telegram_id, now=now)


def browser_sign_in(page, store, served: Served, telegram_id: int) -> None:
    page.goto(link_for(store, served, telegram_id))
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(served.base + "/")
