"""All PTB handlers, one module per concern. ``register`` adds them to the Application.

``COMMANDS`` is the bot's command list for set_my_commands: (command, Chinese description).
Other handler modules extend it (``COMMANDS.extend(...)`` / ``COMMANDS.append(...)``) at import.

Order matters: PTB tries the handlers of a group in the order they were added and the first match
wins, so the coordination handlers (invitation deep links ``/start <token>``, agency/office/board/
history/admin) are registered before the interview's catch-all handlers.
"""

from __future__ import annotations

import importlib
import logging

from telegram.ext import Application

from . import interview

log = logging.getLogger(__name__)

COMMANDS: list[tuple[str, str]] = list(interview.INTERVIEW_COMMANDS)

# Modules registered before the interview, if present (written by other engineers).
OPTIONAL_MODULES = ("bot.handlers.coordination",)


def _optional(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:  # the module exists but one of its imports is missing: a real error
            raise
        return None


def register(application: Application) -> None:
    for name in OPTIONAL_MODULES:
        module = _optional(name)
        if module is None:
            log.debug("%s not present; skipped", name)
            continue
        module.register(application)
        for command in getattr(module, "COMMANDS", ()):
            if command[0] not in {c for c, _ in COMMANDS}:
                COMMANDS.append(tuple(command))
    interview.register(application)
