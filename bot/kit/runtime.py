"""The runtime: one input of one user, in one unit of work.

For every update: claim its id, read the user and where they stand (:class:`~bot.kit.state.State`),
route the input — a command to the conversation's command table, a button to the action's handler
on the current screen (or a free action's handler), a text or a document to the current screen —,
store the new state, render the new screen, commit; only then are the replies sent. A crash at any
point loses nothing: the transaction commits all of it or none, and the next message is answered
from the database.

An update delivered again (its id claimed before) changes nothing and is answered once only (the
drop is logged with its reason). A report changed by someone else since the user saw it (StaleWrite) is
refused with the latest view. Any other error is logged (without user data) and answered with a
generic message; nothing of that update is stored.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from storage.errors import StaleWrite

from .. import messages as M
from .actions import decode
from .io import Actor, Callback, Command, Document, Input, Outcome, Reply, Text
from .screen import Commands, Free, Screen, Step
from .state import State
from .texts import fit

log = logging.getLogger(__name__)


class Conversation:
    """Everything the bot says and does, declared as screens, commands and free actions."""

    def __init__(
        self,
        store: Any,
        settings: Any,
        *,
        screens: list[Screen],
        commands: Commands,
        free: list[Free],
        context: Callable[..., Any],
        fallback: str,
        clock: Callable[[], dt.datetime],
        source: str = "chat",
    ):
        self.store = store
        self.settings = settings
        self.screens = {s.name: s for s in screens}
        self.commands = commands
        self.free: dict = {act: table for table in free for act in table.handlers}
        self.make_context = context
        self.fallback = fallback
        self.clock = clock
        self.source = source  # where answers come from, as the audit trail records it
        self.bot_username = ""  # the bot's @username, known once it is connected (invitation links)

    # -- the one entry point ---------------------------------------------------------------------
    def respond(self, actor: Actor, inp: Input, update_id: int | None = None) -> Outcome:
        try:
            return self._respond(actor, inp, update_id)
        except Exception:
            log.exception("a step failed (user %s, %s); nothing was stored", actor.telegram_id, type(inp).__name__)
            return Outcome([Reply(M.INTERNAL_ERROR)])

    def handle(self, actor: Actor, inp: Input, update_id: int | None = None) -> list[Reply]:
        """The replies of :meth:`respond` (the terminal and the tests read only those)."""
        return self.respond(actor, inp, update_id).replies

    def _respond(self, actor: Actor, inp: Input, update_id: int | None) -> Outcome:
        store = self.store
        with store.transaction():
            redelivered = update_id is not None and not store.claim_update(update_id, now=self.clock())
            user, position = store.user_and_position(actor.telegram_id, actor.display_name)
            old = State.load(position)
            ctx = self.make_context(self, actor, user, old)
            if redelivered:
                log.info("update %s dropped: it was handled before (Telegram delivered it again)", update_id)
                return Outcome()
            try:
                step = self._route(ctx, inp)
            except StaleWrite:
                ctx.refresh()
                step = Step(ctx.state.replace(pending=None), prefix=M.STALE)
            new = ctx.settle(step.state.with_token_after(old))
            ctx.state = new
            store.set_position(user.id, new.wire())
            replies = list(step.notes)
            if step.show:
                view = self.view(ctx)
                if step.prefix and view:
                    first = view[0]
                    view[0] = Reply(f"{step.prefix}\n\n{first.text}", first.buttons, first.document, first.parse_mode)
                replies += view
            elif step.prefix:
                replies.append(Reply(step.prefix))
        return Outcome(fit(replies), step.toast, step.alert, step.keep_buttons)

    def screen(self, ctx) -> Screen:
        """The user's current screen (the fallback for an unknown one, or for one about a report when
        the user has no agency)."""
        screen = self.screens.get(ctx.state.screen)
        if screen is None or (screen.needs_agency and ctx.agency_id is None):
            return self.screens[self.fallback]
        return screen

    def view(self, ctx) -> list[Reply]:
        return self.screen(ctx).view(ctx)

    # -- routing -------------------------------------------------------------------------------------
    def _route(self, ctx, inp: Input) -> Step:
        screen = self.screen(ctx)
        if isinstance(inp, Command):
            name = self.commands.commands.get(inp.name)
            if name is None:
                return self.commands.unknown(ctx, inp.name)
            return getattr(self.commands, name)(ctx, inp.arg)
        if isinstance(inp, Callback):
            return self._press(ctx, screen, inp.data)
        if isinstance(inp, Text):
            return screen.text(ctx, inp.text) or self.commands.default_text(ctx, inp.text)
        if isinstance(inp, Document):
            return screen.document(ctx, inp) or self.commands.default_document(ctx, inp)
        return Step(ctx.state)

    def _press(self, ctx, screen: Screen, data: str) -> Step:
        decoded = decode(data)
        expired = Step(ctx.state, notes=[Reply(M.EXPIRED)], show=False)
        if decoded is None:
            return expired
        act = decoded.action
        if decoded.token is None:
            table = self.free.get(type(act))
            handler = (lambda c, a: table.dispatch(c, a)) if table is not None else None
        elif decoded.token != ctx.state.tok:
            return expired
        else:
            handler = screen.handler(act) or self.commands.handler(act)
        if handler is None:
            return expired
        return handler(ctx, act) or Step(ctx.state)
