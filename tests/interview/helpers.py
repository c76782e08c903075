"""A tiny driver for the conversation (bot/conversation.py): send text/commands/files, press buttons by label."""

from __future__ import annotations

import datetime as dt
import itertools

from bot.conversation import build_conversation
from bot.kit.io import Actor, Callback, Command, Document, Reply, Text, parse_command
from bot.settings import Settings

TODAY = dt.date(2024, 1, 10)


def make_settings(**kw) -> Settings:
    kw.setdefault("open_registration", True)
    return Settings(**kw)


def make_service(store, **kw):
    return build_conversation(store, make_settings(**kw), clock=lambda: TODAY)


class Chat:
    _ids = itertools.count(1000)

    def __init__(self, service, telegram_id: int = 42, name: str = "张三"):
        self.service = service
        self.actor = Actor(telegram_id, name, telegram_id)
        self.replies: list[Reply] = []

    def _go(self, inp, update_id: int | None = None) -> list[Reply]:
        if update_id is None:
            update_id = next(self._ids)
        self.replies = self.service.handle(self.actor, inp, update_id)
        return self.replies

    def send(self, text: str, update_id: int | None = None) -> list[Reply]:
        cmd = parse_command(text)
        return self._go(cmd if cmd else Text(text), update_id)

    def cmd(self, name: str, arg: str = "") -> list[Reply]:
        return self._go(Command(name, arg))

    def upload(self, filename: str, data: bytes) -> list[Reply]:
        return self._go(Document(filename, data))

    @property
    def text(self) -> str:
        return "\n---\n".join(r.text for r in self.replies)

    def buttons(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for r in self.replies:
            for row in r.buttons:
                for b in row:
                    out.setdefault(b.label, b.data)
        return out

    def button_data(self, label: str) -> str:
        buttons = self.buttons()
        if label in buttons:
            return buttons[label]
        matches = [lab for lab in buttons if label in lab]
        if len(matches) != 1:
            raise AssertionError(f"button {label!r} not unique/found in {list(buttons)}\n{self.text}")
        return buttons[matches[0]]

    def press(self, label: str, update_id: int | None = None) -> list[Reply]:
        return self._go(Callback(self.button_data(label)), update_id)

    def press_data(self, data: str, update_id: int | None = None) -> list[Reply]:
        return self._go(Callback(data), update_id)
