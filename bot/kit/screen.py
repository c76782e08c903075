"""Screens and steps.

A :class:`Screen` is declared once and owns everything about itself: its view (the text and the
buttons it shows), what it does with each action pressed on it (methods marked :func:`on`), with a
text (:meth:`Screen.text`) and with a document (:meth:`Screen.document`). A handler returns a
:class:`Step`: the new state, notes sent before the view, and, for a press, the answer shown on the
user's screen.

A :class:`Commands` table (the bot's /commands) and :class:`Free` handlers (free actions, see
bot/kit/actions.py) are declared the same way, with :func:`on` and :func:`command`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

from .actions import Action
from .io import Button, Reply
from .state import State


@dataclass
class Step:
    state: State
    notes: list[Reply] = field(default_factory=list)  # sent before the view
    prefix: str = ""  # prepended to the view's first message
    show: bool = True  # render the (new) current screen after the notes
    toast: str | None = None  # a press: the answer shown on the user's screen
    alert: bool = False  # ... as an alert box
    keep_buttons: tuple[tuple[Button, ...], ...] | None = None  # a press: the pressed message's new buttons


def on(*actions: type[Action]):
    """Mark a method as the handler of these actions."""

    def mark(fn):
        fn._handles = actions
        return fn

    return mark


def command(*names: str):
    """Mark a method of a :class:`Commands` table as the handler of these /commands."""

    def mark(fn):
        fn._commands = names
        return fn

    return mark


class _Declared:
    """Collects the methods marked with :func:`on` (and :func:`command`) of a class."""

    handlers: ClassVar[dict[type[Action], str]]
    commands: ClassVar[dict[str, str]]

    def __init_subclass__(cls, **kw: Any) -> None:
        super().__init_subclass__(**kw)
        handlers: dict[type[Action], str] = {}
        commands: dict[str, str] = {}
        for klass in reversed(cls.__mro__):
            for name, fn in vars(klass).items():
                for act in getattr(fn, "_handles", ()):
                    handlers[act] = name
                for cmd in getattr(fn, "_commands", ()):
                    commands[cmd] = name
        cls.handlers, cls.commands = handlers, commands

    def handler(self, act: Action) -> Callable[..., Step | None] | None:
        name = self.handlers.get(type(act))
        return getattr(self, name) if name else None


class Screen(_Declared):
    """One screen of a conversation. Subclasses set ``name`` and override what they handle."""

    name: ClassVar[str]
    # A screen about a report: shown only to a user with an agency (else the fallback screen).
    needs_agency: ClassVar[bool] = False

    def view(self, ctx) -> list[Reply]:
        raise NotImplementedError(f"{type(self).__name__} has no view")

    def text(self, ctx, text: str) -> Step | None:
        """A text typed on this screen (None: the conversation's default)."""
        return None

    def document(self, ctx, doc) -> Step | None:
        """A document sent on this screen (None: the conversation's default)."""
        return None


class Commands(_Declared):
    """The /commands of a conversation: methods marked :func:`command` take (ctx, arg)."""


class Free(_Declared):
    """Handlers of free actions (any screen, no state token): methods marked :func:`on`. Every
    press goes through :meth:`guard` first, the one place a table checks who may do what."""

    def guard(self, ctx, act: Action) -> Step | None:
        """None to go ahead, or the step that refuses the action."""
        return None

    def dispatch(self, ctx, act: Action) -> Step | None:
        refused = self.guard(ctx, act)
        if refused is not None:
            return refused
        return getattr(self, self.handlers[type(act)])(ctx, act)
