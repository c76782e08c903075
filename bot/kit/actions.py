"""Typed actions: what a button means, and the one encoding of it as callback data.

An action is a frozen dataclass registered with :func:`action`. On the wire it is
``<head>:<code>[:<field>…]`` (Telegram allows 64 bytes):

- a *checked* action carries the user's state token as its head (``"17:yr:2024"``): pressed on a
  screen the user has left since, it is stale and nothing happens but "已过期";
- a *free* action carries its family name instead (``"rem:s1:42"``, ``"co:b:3:2024"``): valid
  whatever the user did since (a reminder's buttons, a coordinator's board). It carries no rights:
  the handler checks on the server who may do it.

Every field is typed and bounded: integers by :class:`Range` (a 20-digit id or a year −1 is not
an action), texts by :class:`Chars`. Anything that does not decode — unknown code, wrong number of
fields, a value out of range, more than 64 bytes — decodes to None, and the runtime answers
"已过期" without acting.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from dataclasses import dataclass
from typing import Annotated, ClassVar

MAX_CALLBACK_BYTES = 64
MAX_TOKEN = 10**9


@dataclass(frozen=True)
class Range:
    lo: int
    hi: int


@dataclass(frozen=True)
class Chars:
    """A text field: 1..``max_len`` characters, none of them a control character or the
    separator ``:`` (only the last field of an action may contain ``:``)."""

    max_len: int = 48


Id = Annotated[int, Range(1, 2**31 - 1)]  # a database id
Page = Annotated[int, Range(0, 100_000)]
Index = Annotated[int, Range(0, 99)]
Year = Annotated[int, Range(2000, 2100)]  # a report year; which years are open is the screen's rule
Version = Annotated[int, Range(1, 2**31 - 1)]
Key = Annotated[str, Chars(48)]

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class Action:
    """Base of every action. Subclasses are frozen dataclasses made by :func:`action`."""

    code: ClassVar[str]
    family: ClassVar[str | None]  # None: checked against the state token
    _fields: ClassVar[tuple[tuple[str, type, object], ...]]


_REGISTRY: dict[tuple[str | None, str], type[Action]] = {}


def action(code: str, *, family: str | None = None):
    """Register a frozen dataclass as the action ``code`` (of ``family`` for a free action)."""

    def register(cls):
        cls = dataclass(frozen=True)(cls)
        hints = typing.get_type_hints(cls, include_extras=True)
        fields = []
        for f in dataclasses.fields(cls):
            hint = hints[f.name]
            base, meta = hint, None
            if typing.get_origin(hint) is Annotated:
                base, meta = typing.get_args(hint)[0], typing.get_args(hint)[1]
            if base not in (int, str):
                raise TypeError(f"{cls.__name__}.{f.name}: only int and str fields")
            fields.append((f.name, base, meta or (Range(0, 2**31 - 1) if base is int else Chars())))
        cls.code, cls.family, cls._fields = code, family, tuple(fields)
        key = (family, code)
        if key in _REGISTRY and _REGISTRY[key] is not cls:
            raise ValueError(f"action {key} registered twice")
        _REGISTRY[key] = cls
        return cls

    return register


def encode(act: Action, token: int = 0) -> str:
    """The callback data of an action (checked actions carry ``token``)."""
    head = act.family if act.family is not None else str(token)
    parts = [head, act.code] if act.code or act._fields else [head]
    for name, _base, _meta in act._fields:
        parts.append(str(getattr(act, name)))
    data = ":".join(parts)
    if len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        raise ValueError(f"callback data over {MAX_CALLBACK_BYTES} bytes: {type(act).__name__}")
    return data


@dataclass(frozen=True)
class Decoded:
    action: Action
    token: int | None  # None for a free action


def decode(data: str) -> Decoded | None:
    """The action of some callback data, or None when it is not one (then: "已过期")."""
    if not isinstance(data, str) or not data or len(data.encode("utf-8")) > MAX_CALLBACK_BYTES:
        return None
    head, _, rest = data.partition(":")
    token: int | None = None
    family: str | None = head
    if head.isdigit() and head.isascii():
        token = int(head)
        if token > MAX_TOKEN:
            return None
        family = None
    code, _, args = rest.partition(":")
    cls = _REGISTRY.get((family, code))
    if cls is None:
        return None
    n = len(cls._fields)
    if n == 0:
        return Decoded(cls(), token) if not args and (rest == code) else None
    parts = args.split(":", n - 1)
    if len(parts) != n:
        return None
    values = {}
    for i, ((name, base, meta), raw) in enumerate(zip(cls._fields, parts, strict=True)):
        value = _field(base, meta, raw, last=i == n - 1)
        if value is None:
            return None
        values[name] = value
    return Decoded(cls(**values), token)


def _field(base: type, meta: object, raw: str, *, last: bool) -> int | str | None:
    if base is int:
        if not raw or len(raw) > 12 or not re.fullmatch(r"-?[0-9]+", raw):
            return None
        value = int(raw)
        assert isinstance(meta, Range)
        return value if meta.lo <= value <= meta.hi else None
    assert isinstance(meta, Chars)
    if not raw or len(raw) > meta.max_len or _CONTROL.search(raw) or (":" in raw and not last):
        return None
    return raw
