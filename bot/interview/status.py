"""Submitting a report, and taking it back: 提交 (to the reviewer when the office wants approval),
撤回提交, 重新打开."""

from __future__ import annotations

from report.validation import validate

from .. import messages as M
from ..context import AWAITING, DRAFT, SUBMITTED
from ..kit.screen import Step
from .screens.names import CHECK_ALL, HUB, SUBMIT


def submit(ctx, confirmed: bool) -> Step:
    state = ctx.state
    if ctx.role != "officer":
        return Step(state, prefix=M.READONLY_ROLE)
    if ctx.status == SUBMITTED:
        return Step(state.goto(HUB), prefix=M.ALREADY_SUBMITTED)
    if ctx.status == AWAITING:
        return Step(state.goto(HUB), prefix=M.ALREADY_AWAITING)
    problems = validate(ctx.report, ctx.previous)
    errors = [p for p in problems if p.is_error]
    if errors:
        return Step(state.goto(CHECK_ALL), prefix=M.submit_blocked([M.problem_line(True, p.message) for p in errors]))
    if not confirmed and any(not p.is_error for p in problems):
        return Step(state.goto(SUBMIT))
    if ctx.needs_approval:
        # the office wants a reviewer's 批准提交: awaiting approval, read-only; reviewers are asked
        ctx.set_status(AWAITING)
        request_approval(ctx)
        return Step(state.goto(HUB), prefix=M.AWAITING_APPROVAL)
    ctx.set_status(SUBMITTED)
    return Step(state.goto(HUB), prefix=M.SUBMITTED)


def withdraw(ctx) -> Step:
    """撤回提交: the officer takes back a report awaiting approval (back to draft)."""
    state = ctx.state
    if ctx.role != "officer":
        return Step(state, prefix=M.READONLY_ROLE)
    if ctx.status != AWAITING:
        return Step(state.goto(HUB), prefix=M.NOT_AWAITING)
    ctx.set_status(DRAFT)
    return Step(state.goto(HUB), prefix=M.WITHDRAWN)


def reopen(ctx) -> Step:
    state = ctx.state
    if ctx.role != "officer":
        return Step(state, prefix=M.READONLY_ROLE)
    if ctx.status == AWAITING:
        return withdraw(ctx)
    if ctx.status != SUBMITTED:
        return Step(state.goto(HUB))
    if ctx.needs_approval:
        return Step(state.goto(HUB), prefix=M.APPROVED_READONLY)
    ctx.set_status(DRAFT)
    return Step(state.goto(HUB), prefix=M.REOPENED)


def request_approval(ctx) -> None:
    """Queue the approval request for every reviewer (an outbox row each, in this unit of work)."""
    from storage import reminders

    reminders.request_approval(ctx.store.engine, ctx.info.id, ctx.now)
