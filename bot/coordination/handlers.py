"""Every coordination button, in one table whose guard checks the action's permission
(bot/coordination/permissions.py) before anything is read or changed."""

from __future__ import annotations

from ..kit.io import Reply
from ..kit.screen import Free, Step
from .board import BoardActions
from .join import JoinActions
from .office import AdminActions, OfficeActions
from .permissions import refusal
from .review import ReviewActions


class CoordinationActions(AdminActions, OfficeActions, BoardActions, ReviewActions, JoinActions, Free):
    def guard(self, ctx, act) -> Step | None:
        why = refusal(ctx, act)
        return Step(ctx.state, notes=[Reply(why)], show=False) if why else None
