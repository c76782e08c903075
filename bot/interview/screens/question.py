"""One question at a time: the question's own prompt and buttons (its kind, bot/interview/questions),
上一题 / 跳过 / 下一题 / 主页 around them, and what happens with an answer: saved, then on to the next
question — or refused, and the same question again with the reason."""

from __future__ import annotations

from typing import ClassVar

from report.uploads import NARRATIVE_MAX_CHARS, UploadRefused, narrative_text

from ... import messages as M
from ...kit.io import Document, Reply
from ...kit.screen import Screen, Step, on
from ...kit.texts import clean, units
from .. import actions as A
from .. import navigation as nav
from .. import questions as Q
from ..narrative import continues, joined
from ..questions.base import Move, Refused, Result, Saved, Stay
from ..questions.narrative import NarrativeQuestion, part_label, split_section
from .names import QUESTION

NARRATIVE_FILES = (".txt", ".docx", ".pdf")  # files that fill a narrative part (on a narrative question)


def current(ctx) -> Q.Question | None:
    return Q.find(ctx.report.format, ctx.state.q) if ctx.state.screen == QUESTION else None


def readonly_reason(ctx) -> str:
    if ctx.role == "officer" and ctx.status == "awaiting_approval":
        return M.REPORT_AWAITING_READONLY
    return M.REPORT_SUBMITTED_READONLY if ctx.status == "submitted" else M.READONLY_ROLE


class QuestionScreen(Screen):
    name: ClassVar[str] = QUESTION
    needs_agency: ClassVar[bool] = True

    # -- view ---------------------------------------------------------------------------------------------
    def view(self, ctx) -> list[Reply]:
        q = current(ctx)
        if q is None:
            return ctx.conversation.screens["hub"].view(ctx)
        report, state = ctx.report, ctx.state
        fmt = report.format
        qs = Q.section_questions(fmt, q.section_id)
        head = M.question_header(report.year, fmt.section(q.section_id).title, Q.index_of(fmt, q) + 1, len(qs))
        body, rows, extra_nav = q.ask(ctx)
        if state.fails >= 3:
            body += "\n" + q.example()
        rows = list(rows)
        if state.adv and state.adv != q.section_id and any(s.id == state.adv for s in fmt.sections):
            # the walk just moved on from a completed section
            head = M.section_done(fmt.section(state.adv).title, section_summary(report, state.adv)) + "\n\n" + head
            rows.append((ctx.button(M.BTN_TASK_LIST, A.ToHub()),))
        last = (ctx.button(M.BTN_BACK, A.Back()), *extra_nav, ctx.button(M.BTN_HUB, A.ToHub()))
        return [Reply(f"{head}\n{body}", buttons=(*rows, last))]

    # -- buttons --------------------------------------------------------------------------------------------
    @on(A.Back)
    def back(self, ctx, act) -> Step | None:
        q = current(ctx)
        return nav.back(ctx, ctx.state, q) if q is not None else None

    @on(A.Skip, A.Keep)
    def move_on(self, ctx, act) -> Step | None:
        q = current(ctx)
        if q is None:
            return None
        state = ctx.state
        if isinstance(act, A.Skip):
            if not q.optional:
                return Step(state, prefix=M.CANNOT_SKIP)
            state = state.replace(skp=tuple(sorted(set(state.skp) | {q.id}))[-60:])
        return nav.after_answer(ctx, state, q)

    @on(A.Yes, A.No, A.ChooseUnit, A.ConfirmCarry, A.BlanksAreZero, A.NoFees, A.UseDraft, A.Append, A.Replace, A.DropPending,
        A.MoveHere)
    def own_button(self, ctx, act) -> Step | None:
        q = current(ctx)
        if q is None:
            return None
        if not ctx.can_write:
            return Step(ctx.state, prefix=readonly_reason(ctx))
        result = q.press(ctx, act)
        return apply(ctx, q, result) if result is not None else None

    # -- texts and files -----------------------------------------------------------------------------------
    def text(self, ctx, text: str) -> Step:
        cont = continuation(ctx, text)
        if cont is not None:
            return cont
        q = current(ctx)
        if q is None:
            return Step(ctx.state, prefix=M.USE_BUTTONS)
        if not ctx.can_write:
            return Step(ctx.state, prefix=readonly_reason(ctx))
        return apply(ctx, q, q.text(ctx, text))

    def document(self, ctx, doc: Document) -> Step | None:
        q = current(ctx)
        if not isinstance(q, NarrativeQuestion) or not doc.filename.lower().endswith(NARRATIVE_FILES):
            return None
        if not ctx.can_write:
            return Step(ctx.state, prefix=readonly_reason(ctx))
        try:
            text = clean(narrative_text(doc.filename, doc.data))
        except UploadRefused as exc:
            return Step(ctx.state, prefix=M.file_refused(exc.message))
        if not text.strip():
            return Step(ctx.state, prefix=M.FILE_EMPTY)
        return apply(ctx, q, q.text(ctx, text))


def too_long(*texts: str | None) -> str | None:
    """The refusal of a narrative part over the length the format needs, or None."""
    longest = max((len(t) for t in texts if t), default=0)
    return M.narrative_too_long(longest, NARRATIVE_MAX_CHARS) if longest > NARRATIVE_MAX_CHARS else None


def apply(ctx, q: Q.Question, result: Result) -> Step:
    """Save what an answer saves and move on; or show the question again."""
    state = ctx.state
    if isinstance(result, (Saved, Stay)):
        texts = result.narratives.values() if isinstance(result, Saved) else (
            *result.changes.values(), result.state.pending)
        refused = too_long(*texts)
        if refused:
            result = Refused(refused)
    if isinstance(result, Refused):
        return Step(state.replace(fails=state.fails + 1), prefix=M.answer_refused(result.reason))
    if isinstance(result, Stay):
        if result.changes:
            ctx.save(narratives=result.changes)
        return Step(result.state, prefix=result.prefix)
    if isinstance(result, Move):
        target = Q.find(ctx.report.format, result.question) if result.question else None
        if target is None:
            return nav.after_answer(ctx, state, q)
        ctx.state = nav.ask(state, target, ret=state.ret, sec=state.sec)
        return apply(ctx, target, target.text(ctx, result.text)) if result.text else Step(ctx.state)
    assert isinstance(result, Saved)
    ctx.save(values=result.values, narratives=result.narratives, units=result.units)
    settled = ctx.state.replace(fails=0, pending=None, mv=None, adv=None, paste=None)
    if result.stay:  # a narrative part being written: asked again, further texts added to it
        step = Step(settled.replace(open=result.written), prefix=result.prefix)
    else:
        step = nav.after_answer(ctx, settled, q, result.prefix, from_start=result.from_start)
    if result.written:
        step.state = step.state.replace(lp=result.written, lt=round(ctx.now.timestamp(), 3), ln=result.length)
    return step


def continuation(ctx, text: str) -> Step | None:
    """A text right after a long one (Telegram split it): the rest of that part, joined without a
    paragraph break — or, with sub-headings, of its section."""
    state = ctx.state
    key = state.lp
    if not ctx.can_write or not text.strip() or not continues(key, state.lt, state.ln, ctx.now.timestamp()):
        return None
    if state.open == key and state.screen == QUESTION:  # the part being written takes it itself
        return None
    report = ctx.report
    if key not in {p.key for p in report.format.narrative_parts} or not (report.narratives.get(key) or "").strip():
        return None
    part = report.format.narrative_part(key)
    text = text.strip()
    split = split_section(ctx, part, text, None, cont=key)
    q = current(ctx)
    if split is not None:
        return apply(ctx, q or Q.find(report.format, f"n:{key}"), split)
    full = joined(report.narratives.get(key) or "", text, state.ln)
    refused = too_long(full)
    if refused:
        return Step(state, prefix=M.answer_refused(refused))
    ctx.save(narratives={key: full})
    new = ctx.state
    movable = isinstance(q, NarrativeQuestion) and q.part.key != key and not state.pending
    if movable:
        mv = state.mv or {}
        prior = mv.get("t") if mv.get("k") == key and isinstance(mv.get("t"), str) else None
        new = new.replace(mv={"k": key, "t": joined(prior, text, state.ln) if prior else text, "n": state.ln or 0})
    new = new.replace(lp=key, lt=round(ctx.now.timestamp(), 3), ln=units(text))
    return Step(new, prefix=M.continued(part_label(report, part), len(text), len(full), movable))


def section_summary(report, section_id: str) -> str:
    section = report.format.section(section_id)
    if section.kind == "narrative":
        texts = [(report.narratives.get(p.key) or "").strip() for p in section.parts]
        return M.summary_narrative(sum(1 for t in texts if t), sum(len(t) for t in texts))
    keys = report.section_input_keys(section_id)
    nonzero = sum(1 for k in keys if report.values.get(k) not in (None, 0))
    return M.summary_table(len(keys), nonzero)
