"""Hooks the interview engine calls, provided by other parts of the bot.

``on_start_payload``: /start with a payload is an invitation link (https://t.me/<bot>?start=<token>).
It shows what the invitation is for and asks for confirmation; the confirmation button is handled
by bot/handlers/coordination.py (callback prefix ``co:``), which adds the membership and then calls
``InterviewService.select_agency`` for an officer.
"""

from __future__ import annotations

from typing import Any

from .io import Actor, Reply


def on_start_payload(service: Any, actor: Actor, payload: str) -> list[Reply] | None:
    """Replies for /start <payload>; None when there is no payload (the engine's normal /start)."""
    if not payload or not payload.strip():
        return None
    from ..coordination.service import CoordinationService

    coordination = CoordinationService(service.store, service.settings, interview=service)
    return coordination.start_payload(actor, payload)
