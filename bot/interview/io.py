"""The interview's inputs and replies: plain values, no Telegram.

The Telegram adapter (bot/handlers) maps a PTB update to one :data:`Input` and an :class:`Actor`,
calls :meth:`bot.interview.service.InterviewService.handle`, and sends each :class:`Reply` back.
The console (bot/console.py) does the same in a terminal.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    telegram_id: int
    display_name: str = ""
    chat_id: int | None = None


@dataclass(frozen=True)
class Text:
    """A plain message."""

    text: str


@dataclass(frozen=True)
class Command:
    """A command: "/start abc" -> Command("start", "abc")."""

    name: str
    arg: str = ""


@dataclass(frozen=True)
class Callback:
    """Inline button data (<= 64 bytes): "<state token>:<action>"."""

    data: str


@dataclass(frozen=True)
class Document:
    """An uploaded file (its size already checked by the adapter)."""

    filename: str
    data: bytes


Input = Text | Command | Callback | Document


@dataclass(frozen=True)
class Button:
    label: str
    data: str


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()  # rows of inline buttons
    document: tuple[str, bytes] | None = None  # (filename, bytes) to send as a document
    parse_mode: str | None = None  # None or "HTML"


def parse_command(text: str) -> Command | None:
    """"/start abc" -> Command("start", "abc"); "/menu@SomeBot" -> Command("menu"); else None."""
    text = text.strip()
    if not text.startswith("/") or len(text) < 2:
        return None
    head, _, arg = text[1:].partition(" ")
    name = head.split("@", 1)[0].lower()
    if not name:
        return None
    return Command(name, arg.strip())


def split_text(text: str, limit: int) -> list[str]:
    """Split a text at line ends into pieces of at most ``limit`` characters (a longer line is cut).

    Pieces keep their line ends; a blank remainder at the end is dropped, and an empty text gives
    one empty piece.
    """
    out: list[str] = []
    cur = ""
    for line in text.splitlines(keepends=True):
        while len(line) > limit:
            if cur:
                out.append(cur)
                cur = ""
            out.append(line[:limit])
            line = line[limit:]
        if len(cur) + len(line) > limit:
            out.append(cur)
            cur = ""
        cur += line
    if cur.strip() or not out:
        out.append(cur)
    return out


# Callback data of buttons sent outside the interview (the reminders' 继续填写): a plain navigation
# to the hub, valid whatever the user's state token is. It carries no rights.
MENU_CALLBACK = "menu"
