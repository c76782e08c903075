"""All PTB handlers, one module per concern. ``register`` adds them to the Application.

``COMMANDS`` is the bot's command list for set_my_commands: (command, Chinese description).

Order matters: PTB tries the handlers of a group in the order they were added and the first match
wins, so the coordination handlers (invitation deep links ``/start <token>``, agency/office/board/
history/admin) are registered before the interview's catch-all handlers.
"""

from __future__ import annotations

from telegram.ext import Application

from . import coordination, interview

COMMANDS: list[tuple[str, str]] = list(interview.INTERVIEW_COMMANDS) + [
    command for command in coordination.COMMANDS if command[0] not in dict(interview.INTERVIEW_COMMANDS)
]


def register(application: Application) -> None:
    coordination.register(application)
    interview.register(application)
