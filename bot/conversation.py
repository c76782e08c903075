"""The one bootstrap of everything the bot says: every screen, command and button of the interview,
coordination and reminders, composed into one :class:`~bot.kit.runtime.Conversation` over the
Store. The Telegram adapter (bot/handlers.py), the terminal (bot/console.py) and the tests build it
here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

from .context import Context
from .coordination.commands import CoordinationCommands
from .coordination.handlers import CoordinationActions
from .coordination.prompts import SCREENS as PROMPT_SCREENS
from .interview.commands import InterviewCommands
from .interview.screens.check import CheckAllScreen, CheckScreen, SubmitScreen
from .interview.screens.checkup import AwaitFileScreen, CheckupScreen
from .interview.screens.export import ExportScreen, SignScreen
from .interview.screens.hub import HubScreen, StartScreen, YearScreen
from .interview.screens.preamble import PreambleScreen
from .interview.screens.question import QuestionScreen
from .interview.screens.registration import RegKindScreen, RegNameScreen
from .kit.runtime import Conversation
from .kit.screen import Commands
from .reminders.buttons import ReminderActions


class BotCommands(InterviewCommands, CoordinationCommands, Commands):
    """Every /command of the bot, and the buttons several screens share."""


def screens() -> list:
    return [
        StartScreen(), HubScreen(), YearScreen(), ExportScreen(), QuestionScreen(), CheckScreen(), CheckAllScreen(),
        SubmitScreen(), SignScreen(), PreambleScreen(), RegNameScreen(), RegKindScreen(), AwaitFileScreen(), CheckupScreen(), *PROMPT_SCREENS,
    ]


def build_conversation(store, settings, *, clock: Callable[[], dt.datetime | dt.date] | None = None,
                       source: str = "chat") -> Conversation:
    """The conversation; ``clock`` (tests) may give a date, taken as noon of that day."""
    zone = ZoneInfo(settings.timezone)

    def now() -> dt.datetime:
        t = clock() if clock is not None else dt.datetime.now(zone)
        if not isinstance(t, dt.datetime):
            return dt.datetime.combine(t, dt.time(12), tzinfo=zone)
        return t if t.tzinfo is not None else t.replace(tzinfo=zone)

    return Conversation(
        store, settings,
        screens=screens(),
        commands=BotCommands(),
        free=[CoordinationActions(), ReminderActions()],
        context=Context,
        fallback="start",
        clock=now,
        source=source,
    )
