"""Fixtures for the reminder tests: a fake Bot API transport and a small world in the database."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from telegram import Bot
from telegram.request import BaseRequest, RequestData

from bot.settings import ReminderSettings, Settings

SHANGHAI = ZoneInfo("Asia/Shanghai")
BOT_USER = {"id": 4242, "is_bot": True, "first_name": "提醒测试", "username": "reminder_test_bot"}


def local(y, m, d, hh=9, mm=31) -> dt.datetime:
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@dataclass
class Call:
    method: str
    params: dict


class FakeRequest(BaseRequest):
    """A Bot API transport answering from a script instead of the network.

    ``script(call) -> None | Exception | (status, json)``: None means success (a canned Message),
    an exception is raised from do_request (as HTTPXRequest would raise TimedOut / NetworkError),
    a tuple is returned as the HTTP answer (e.g. 403 / 429 with the real JSON error shape)."""

    def __init__(self, script: Callable[[Call], Any] | None = None, delay: float = 0.0):
        self.script = script or (lambda call: None)
        self.calls: list[Call] = []
        self.delay = delay

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def do_request(self, url, method, request_data: RequestData | None = None, read_timeout=None,
                         write_timeout=None, connect_timeout=None, pool_timeout=None) -> tuple[int, bytes]:
        api_method = url.rsplit("/", 1)[-1]
        params = json.loads(request_data.json_payload) if request_data and request_data.json_payload else {}
        if api_method == "getMe":
            return 200, json.dumps({"ok": True, "result": BOT_USER}).encode()
        if "chat_id" in params:
            params["chat_id"] = int(params["chat_id"])
        call = Call(api_method, params)
        self.calls.append(call)
        if self.delay:
            await asyncio.sleep(self.delay)
        outcome = self.script(call)
        if isinstance(outcome, BaseException):
            raise outcome
        if isinstance(outcome, tuple):
            status, body = outcome
            return status, json.dumps(body).encode()
        chat_id = int(params.get("chat_id", 0))
        message = {
            "message_id": len(self.calls),
            "date": 1737941460,
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": params.get("text", ""),
        }
        return 200, json.dumps({"ok": True, "result": message}).encode()

    def sent(self) -> list[Call]:
        return [c for c in self.calls if c.method == "sendMessage"]


def error(code: int, description: str, **parameters) -> tuple[int, dict]:
    body: dict = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return code, body


@pytest.fixture
def fake_request() -> FakeRequest:
    return FakeRequest()


@pytest.fixture
async def bot(fake_request) -> Bot:
    b = Bot("123456:TEST", request=fake_request, get_updates_request=FakeRequest())
    await b.initialize()
    yield b
    await b.shutdown()


def make_settings(db_url: str, token: str | None = None, **reminders: Any) -> Settings:
    r = {"max_per_second": 1000.0, "per_chat_interval_seconds": 0.0, **reminders}
    return Settings(database_url=db_url, token=token, reminders=ReminderSettings(**r))


@dataclass
class World:
    store: Any
    office: Any
    dept: Any  # department agency with a draft report
    gov: Any  # government agency
    officer: Any
    officer2: Any
    coordinator: Any
    report_id: int


@pytest.fixture
def world(store) -> World:
    office = store.create_office("某县政务公开办")
    dept = store.create_agency("某县教育局", "department", office.id)
    gov = store.create_agency("某县人民政府", "government", office.id)
    officer = store.get_or_create_user(1001, "张三")
    officer2 = store.get_or_create_user(1002, "李四")
    coordinator = store.get_or_create_user(2001, "王五")
    store.add_membership(officer.id, "officer", agency_id=dept.id)
    store.add_membership(officer2.id, "officer", agency_id=dept.id)
    store.add_membership(officer.id, "officer", agency_id=gov.id)
    store.add_membership(coordinator.id, "coordinator", office_id=office.id)
    report = store.get_or_create_report(dept.id, 2024)
    return World(store, office, dept, gov, officer, officer2, coordinator, report.id)
