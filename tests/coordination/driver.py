"""Coordination through the conversation (bot/conversation.py), as the chat drives it: commands,
button data, typed answers; each call one update of one person."""

from __future__ import annotations

import itertools

from bot.conversation import build_conversation
from bot.coordination import actions as C
from bot.kit.actions import encode
from bot.kit.io import Callback, Command, Text


class Coordination:
    _ids = itertools.count(50_000)

    def __init__(self, store, settings, **kw):
        self.store = store
        self.conversation = build_conversation(store, settings, **kw)
        self.conversation.bot_username = settings.bot_username or "TestBot"

    def _go(self, actor, inp):
        return self.conversation.handle(actor, inp, next(self._ids))

    def admin(self, actor):
        return self._go(actor, Command("admin"))

    def office(self, actor):
        return self._go(actor, Command("office"))

    def board_command(self, actor, arg: str = ""):
        return self._go(actor, Command("board", arg))

    def agency_command(self, actor):
        return self._go(actor, Command("agency"))

    def history_command(self, actor):
        return self._go(actor, Command("history"))

    def start_payload(self, actor, token: str):
        return self._go(actor, Command("start", token))

    def callback(self, actor, data: str):
        return self._go(actor, Callback(data))

    def answer(self, actor, text: str):
        """What the person types next (answering the question the bot asked them, if any)."""
        return self._go(actor, Text(text))

    def history(self, actor, report_id: int, page: int):
        return self.callback(actor, encode(C.History(report_id, page)))


def asks(replies) -> bool:
    """Whether the bot asked for a typed answer."""
    return any("请输入" in r.text for r in replies)
