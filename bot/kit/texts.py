"""Reply lengths as Telegram counts them: UTF-16 code units, at most 4,096 per message and 1,024 per
document caption. Long texts are split on paragraph boundaries; echoes of what a user typed are
shortened (:func:`quote`) so that no reply can outgrow the limit."""

from __future__ import annotations

from .io import Reply

MAX_MESSAGE = 4096
MAX_CAPTION = 1024
QUOTE_CHARS = 60


def units(text: str) -> int:
    """Length in UTF-16 code units (a character outside the BMP counts two)."""
    return len(text.encode("utf-16-le")) // 2


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """What the user typed, shortened to quote it back: one line, at most ``limit`` characters."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _cut(text: str, limit: int) -> tuple[str, str]:
    """The longest head of ``text`` within ``limit`` units ending at a paragraph, else a line,
    else a sentence end, else anywhere; and the rest."""
    lo, hi = 0, len(text)
    while lo < hi:  # the most characters that fit
        mid = (lo + hi + 1) // 2
        if units(text[:mid]) <= limit:
            lo = mid
        else:
            hi = mid - 1
    head = text[:lo]
    for sep in ("\n\n", "\n", "。", "；", "，", " "):
        at = head.rfind(sep)
        if at > lo // 2:
            return text[: at + len(sep)], text[at + len(sep):]
    return head, text[lo:]


def split(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """``text`` in pieces of at most ``limit`` UTF-16 units, cut at paragraph boundaries."""
    pieces = []
    rest = text
    while units(rest) > limit:
        head, rest = _cut(rest, limit)
        if head.strip():
            pieces.append(head.rstrip("\n"))
        rest = rest.lstrip("\n")
    if rest.strip() or not pieces:
        pieces.append(rest)
    return pieces


def fit(replies: list[Reply]) -> list[Reply]:
    """The replies with every text within Telegram's limits (a long one split; its buttons go with
    the last piece; a document's caption that does not fit is sent as messages after it)."""
    out: list[Reply] = []
    for r in replies:
        if r.document is not None:
            if units(r.text) <= MAX_CAPTION:
                out.append(r)
                continue
            out.append(Reply("", document=r.document))
            r = Reply(r.text, r.buttons, None, r.parse_mode)
        pieces = split(r.text or " ")
        out += [Reply(p, (), None, r.parse_mode) for p in pieces[:-1]]
        out.append(Reply(pieces[-1], r.buttons, None, r.parse_mode))
    return out


_CONTROL = dict.fromkeys(c for c in range(32) if c not in (9, 10)) | {127: None, 0xFFFE: None, 0xFFFF: None}


def clean(text: str) -> str:
    """Text as the database may store it: NUL and other control characters removed (newline and tab
    kept; a carriage return becomes a newline)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_CONTROL)
