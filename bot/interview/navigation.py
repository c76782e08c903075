"""Where the walk goes next: after an answer, the next unanswered question of the section; once a
section is done, its check screen if it has errors, else the next incomplete section; at the end,
检查全部. (The report read is the one with the answer just saved.)"""

from __future__ import annotations

from report.validation import section_checks

from ..kit.screen import Step
from . import questions as Q
from .screens.names import CHECK, CHECK_ALL, HUB, QUESTION

INCOMPLETE_RULES = ("section.incomplete", "narrative.empty")  # problems that only mean "not answered"


def skipped(state) -> set[str]:
    return set(state.skp)


def section_has_errors(ctx, section_id: str) -> bool:
    """Whether the section has errors besides unanswered items (identities, bad values)."""
    return any(
        p.is_error and p.section == section_id and p.rule not in INCOMPLETE_RULES
        for p in section_checks(ctx.report, ctx.previous, section_id)
    )


def ask(state, q: Q.Question, **params) -> object:
    """The state on question ``q``, remembering the question it comes from for 上一题."""
    hist = state.hist
    if state.screen == QUESTION and state.q and state.q != q.id:
        hist = (*[h for h in hist if h != state.q], state.q)[-40:]
    return state.goto(QUESTION, q=q.id, **params).replace(hist=hist)


def advance(ctx, state, section_id: str, prefix: str = "", after: int | None = None) -> Step:
    """The next unanswered question of the section after position ``after`` (from its start when
    None); once the section is done, the check screen if it has errors, else the first question of
    the next incomplete section (then the earlier ones), else 检查全部."""
    report = ctx.report
    fmt = report.format
    skip = skipped(state)
    qs = Q.section_questions(fmt, section_id)
    start = 0 if after is None else after + 1
    for q in qs[start:]:
        if q.id not in skip and not q.answered(report):
            return Step(ask(state, q), prefix=prefix)
    if section_has_errors(ctx, section_id):
        return Step(state.goto(CHECK, sec=section_id), prefix=prefix)
    ids = [s.id for s in fmt.sections]
    i = ids.index(section_id)
    nxt = Q.first_open(fmt, report, skip, ids[i + 1:] + ids[: i + 1])
    if nxt is None:
        return Step(state.goto(CHECK_ALL), prefix=prefix)
    done, total = report.section_answered(section_id)
    adv = section_id if done == total and nxt.section_id != section_id else None
    return Step(ask(state, nxt, adv=adv), prefix=prefix)


def after_answer(ctx, state, q: Q.Question, prefix: str = "", *, from_start: bool = False) -> Step:
    """Where to go once ``q`` is answered: back to the check screen an edit came from, else on."""
    if state.ret == CHECK_ALL:
        return Step(state.goto(CHECK_ALL), prefix=prefix)
    if state.ret == CHECK:
        return Step(state.goto(CHECK, sec=state.sec or q.section_id), prefix=prefix)
    after = None if from_start else Q.index_of(ctx.report.format, q)
    return advance(ctx, state, q.section_id, prefix, after)


def next_section(ctx, state) -> Step:
    """下一部分 from a check screen: the first unanswered question of the next incomplete section."""
    fmt = ctx.report.format
    ids = [s.id for s in fmt.sections]
    cur = state.sec
    start = ids.index(cur) + 1 if cur in ids else 0
    for sid in ids[start:] + ids[:start]:
        q = Q.next_unanswered(fmt, sid, ctx.report)
        if q is not None:
            return Step(ask(state, q))
    return Step(state.goto(CHECK_ALL))


def continue_walk(ctx, state) -> Step:
    """继续填报: the question the user was on, else the first unanswered one, else the hub."""
    fmt = ctx.report.format
    if Q.find(fmt, state.q) is not None:
        return Step(state.replace(screen=QUESTION))
    first = Q.first_open(fmt, ctx.report, skipped(state)) if ctx.can_write else None
    if first is not None:
        return Step(ask(state, first))
    return Step(state.goto(HUB))


def enter_section(ctx, state, section_id: str) -> Step:
    if not ctx.can_write:
        return Step(state.goto(CHECK, sec=section_id))
    q = Q.next_unanswered(ctx.report.format, section_id, ctx.report)
    if q is None:
        return Step(state.goto(CHECK, sec=section_id))
    return Step(ask(state, q))


def back(ctx, state, q: Q.Question) -> Step:
    """上一题: the question answered before this one in this walk, else the one before it in its
    section, else the task list."""
    fmt = ctx.report.format
    hist = list(state.hist)
    while hist:
        prev = Q.find(fmt, hist.pop())
        if prev is not None and prev.id != q.id:
            return Step(state.replace(q=prev.id, fails=0, pending=None, open=None, adv=None, mv=None,
                                      hist=tuple(hist)))
    prev = Q.previous(fmt, q)
    if prev is None:
        return Step(state.goto(HUB))
    return Step(state.replace(q=prev.id, fails=0, pending=None, open=None, adv=None, mv=None))
