"""Who sent an update: the one translation from a PTB Update to the transport-free Actor that every
handler module uses."""

from __future__ import annotations

from telegram import Update

from ..interview.io import Actor


def actor_of(update: Update) -> Actor | None:
    """The sender as an Actor (their Telegram id, display name and chat), or None without a sender."""
    user = update.effective_user
    if user is None:
        return None
    chat = update.effective_chat
    return Actor(telegram_id=user.id, display_name=user.full_name or "", chat_id=chat.id if chat else user.id)
