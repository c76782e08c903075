"""What goes into a conversation and what comes out: plain values, no Telegram."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    """Who sent an input: their Telegram id, display name and chat."""

    telegram_id: int
    display_name: str = ""
    chat_id: int | None = None


@dataclass(frozen=True)
class Text:
    """A plain message (already cleaned of control characters by the adapter)."""

    text: str


@dataclass(frozen=True)
class Command:
    """A command: "/start abc" -> Command("start", "abc")."""

    name: str
    arg: str = ""


@dataclass(frozen=True)
class Callback:
    """An inline button's data, as the client sent it (untrusted, ≤ 64 bytes)."""

    data: str


@dataclass(frozen=True)
class Document:
    """An uploaded file (its size already checked by the adapter before downloading)."""

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


@dataclass
class Outcome:
    """Everything one input produces: the replies, and for a button press the answer shown on the
    user's screen (``toast``; as an alert box when ``alert``) and, when set, the buttons the pressed
    message keeps (``keep_buttons``)."""

    replies: list[Reply] = field(default_factory=list)
    toast: str | None = None
    alert: bool = False
    keep_buttons: tuple[tuple[Button, ...], ...] | None = None


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
