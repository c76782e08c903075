"""A narrative part: free text, sent in one or several messages or as a .txt/.docx file, or a draft
generated from the figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from report.drafts import draft_for
from report.formats import NarrativePart
from report.model import Report

from ... import messages as M
from ...kit.texts import units
from .. import actions as A
from ..narrative import TELEGRAM_CUT, heading_pattern, joined, leading_part, split_by_headings, strip_title
from .base import Move, Question, Refused, Result, Saved, Stay


def part_title(report: Report, part: NarrativePart) -> str:
    """一、总体情况（一）主动公开 for a part of 一; the section title for a one-part section."""
    section = report.format.section(part.section_id)
    return section.title if len(section.parts) == 1 else f"{section.title}{part.label}"


def part_label(report: Report, part: NarrativePart) -> str:
    """（一）主动公开 for a part of 一; the section title for a one-part section (五、六)."""
    section = report.format.section(part.section_id)
    return part.label if len(section.parts) > 1 else section.title


@dataclass(frozen=True)
class NarrativeQuestion(Question):
    part: NarrativePart | None = None
    kind: ClassVar[str] = "narrative"

    def answered(self, report: Report) -> bool:
        return bool((report.narratives.get(self.part.key) or "").strip())

    def ask(self, ctx) -> tuple[str, list, list]:
        report, state, key = ctx.report, ctx.state, self.part.key
        old = (report.narratives.get(key) or "").strip()
        if state.open == key:  # being written: more texts are added, one press closes it
            body = M.ask_more_narrative(part_title(report, self.part), old)
            label = M.BTN_RETURN_CHECK if state.ret else M.BTN_NEXT
            return body, [], [ctx.button(label, A.Keep())]
        body = M.ask_narrative(part_title(report, self.part), self.part.label, old)
        rows: list = []
        if state.mv and state.mv.get("k") != key and not state.pending:
            rows.append((ctx.button(M.BTN_MOVE_HERE, A.MoveHere()),))
        if state.pending:
            body += "\n\n" + M.ask_append_replace(len(state.pending))
            rows.append((ctx.button(M.BTN_APPEND, A.Append()), ctx.button(M.BTN_REPLACE, A.Replace()),
                         ctx.button(M.BTN_DROP_PENDING, A.DropPending())))
        else:
            draft = draft_for(self.part, report)
            if draft and draft != old:
                body += "\n\n" + M.offer_draft(draft)
                rows.append((ctx.button(M.BTN_USE_DRAFT, A.UseDraft()),))
            elif self.part.draft == "request" and not old:
                body += "\n\n" + M.DRAFT_NEEDS_TABLE
        if old:
            nav = [ctx.button(M.BTN_RETURN_CHECK if state.ret else M.BTN_NEXT, A.Keep())]
        else:
            nav = [ctx.button(M.BTN_SKIP, A.Skip())]
        return body, rows, nav

    def text(self, ctx, text: str) -> Result:
        fmt = ctx.report.format
        text = strip_title(fmt.section(self.section_id), text.strip()).strip()
        if not text:
            return Refused(M.EMPTY_TEXT)
        split = split_section(ctx, self.part, text, self.part.key)
        if split is not None:
            return split
        other = leading_part(fmt, text, self.part.key)
        if other is not None:  # the text clearly starts another part: it goes there
            part, rest = other
            return Move(f"n:{part.key}", rest) if rest else Move(f"n:{part.key}")
        heading = heading_pattern(self.part.label)
        m = heading.match(text) if heading is not None else None
        if m is not None:  # its own sub-heading in front: not content
            text = text[m.end():].strip() or text
        key, state = self.part.key, ctx.state
        old = (ctx.report.narratives.get(key) or "").strip()
        if state.open == key and old:  # the part being written: added to it
            return self.saved(ctx, joined(old, text, state.ln), added=len(text), added_units=units(text))
        if state.pending:
            return Stay(state.replace(pending=f"{state.pending}\n{text}"))
        if old:
            return Stay(state.replace(pending=text, mv=None))
        return self.saved(ctx, text)

    def saved(self, ctx, text: str, *, added: int | None = None, added_units: int = 0, stay: bool = True) -> Saved:
        label = part_label(ctx.report, self.part)
        prefix = M.narrative_added(label, added, len(text)) if added is not None else M.narrative_saved(label, len(text))
        # the length of the message just received (a long one may be continued by a split piece)
        length = added_units if added is not None else units(text)
        return Saved(narratives={self.part.key: text}, prefix=prefix, written=self.part.key, length=length,
                     stay=stay)

    def press(self, ctx, act) -> Result | None:
        report, state, key = ctx.report, ctx.state, self.part.key
        old = report.narratives.get(key) or ""
        if isinstance(act, A.UseDraft):
            draft = draft_for(self.part, report)
            return self.saved(ctx, draft, stay=False) if draft is not None else Stay(state)
        if isinstance(act, (A.Append, A.Replace)) and state.pending:
            text = f"{old}\n{state.pending}" if isinstance(act, A.Append) and old else state.pending
            return self.saved(ctx, text, stay=False)
        if isinstance(act, A.DropPending):
            return Stay(state.replace(pending=None), prefix=M.PENDING_DROPPED)
        if isinstance(act, A.MoveHere):
            return self.move_here(ctx)
        return None

    def move_here(self, ctx) -> Result:
        """改为本题答案: the text taken as a continuation of another part becomes this part's answer."""
        report, state = ctx.report, ctx.state
        mv = state.mv or {}
        here = state.replace(mv=None)
        key, text = mv.get("k"), mv.get("t")
        if not isinstance(key, str) or not isinstance(text, str):
            return Stay(here)
        old = report.narratives.get(key) or ""
        # the text was joined to the part it seemed to continue (without a break after a piece
        # Telegram cut at its limit, else on a new line)
        tail = text if int(mv.get("n") or 0) >= TELEGRAM_CUT else "\n" + text
        if key == self.part.key or not old.endswith(tail) or len(old) == len(tail):
            return Stay(here, prefix=M.MOVE_LOST)
        moved = M.moved(part_label(report, report.format.narrative_part(key)))
        if (report.narratives.get(self.part.key) or "").strip():
            return Stay(here.replace(pending=text), prefix=moved, changes={key: old[: -len(tail)]})
        saved = self.saved(ctx, text)
        saved.narratives[key] = old[: -len(tail)]
        saved.prefix = moved + "\n" + saved.prefix
        return saved

    def example(self) -> str:
        return M.example("narrative", [])


def split_section(ctx, part: NarrativePart, text: str, current: str | None, cont: str | None = None) -> Saved | None:
    """A text cut at its section's sub-headings, every part saved at once; None when it holds fewer
    than two headings (one, when it continues a part). The text before the first heading goes to
    ``cont`` (appended), else to the current part when it comes first, else to the first heading's."""
    report = ctx.report
    section = report.format.section(part.section_id)
    if len(section.parts) < 2:
        return None
    cut = split_by_headings(section, text)
    if cut is None:
        return None
    pre, segments = cut
    if len({k for k, _ in segments}) < (1 if cont else 2):
        return None
    keys = [p.key for p in section.parts]
    texts: dict[str, str] = {}
    for key, body in segments:
        if body:
            texts[key] = f"{texts[key]}\n{body}" if key in texts else body
    first = segments[0][0]
    notes: dict[str, str] = {}
    if pre:
        if cont is not None:
            old = report.narratives.get(cont) or ""
            texts[cont] = f"{old}\n{pre}" + (f"\n{texts[cont]}" if cont in texts else "")
            notes[cont] = M.SPLIT_APPENDED
        elif current in keys and keys.index(current) < keys.index(first):
            texts[current] = pre
        else:  # the text the section opens with: its lead, printed before （一）
            texts[section.lead_key] = pre
    if not texts:
        return None
    for key, body in texts.items():
        old = (report.narratives.get(key) or "").strip()
        if key not in notes and old and old != body:
            notes[key] = M.SPLIT_REPLACED
    items = [(p.label, len(texts[p.key]), notes.get(p.key, "")) for p in section.parts if p.key in texts]
    if section.lead_key in texts:
        items.insert(0, (M.LEAD_LABEL, len(texts[section.lead_key]), notes.get(section.lead_key, "")))
    last = next((k for k, _body in reversed(segments) if k in texts), cont or first)
    return Saved(narratives=texts, prefix=M.split_saved(items), from_start=True, written=last, length=units(text))
