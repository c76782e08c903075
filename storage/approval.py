"""Approve or return a report: the reviewer's rule, written once for the chat and the web desk.

Who: the agency's reviewers (storage.access.can_review) — not its office's coordinators: a
coordinator oversees many agencies, while the approval says "this agency's own reviewer has checked
its figures", which is what the office asked for when it switched approval on. A coordinator may
still comment (can_comment) and send reminders.

Approve (批准提交): only a report awaiting approval (the officer submitted it), without validation
errors, and unchanged since the reviewer looked at it (``expected_version``). Return (退回修改): a
report awaiting approval or already submitted goes back to draft.

Each is one transaction: the status change and, when given, the reviewer's comment, both as audit
events (keys ``status`` and ``comment``), with the report's version bumped conditionally (a
concurrent change is refused, never overwritten).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update

from report.validation import ERROR, validate

from . import access
from .coordination import COMMENT_KEY, needs_approval
from .db import session_scope
from .models import AWAITING_APPROVAL, AuditEvent, ReportRow, utcnow
from .store import NotFound, ReportInfo, Store

SUBMITTED, DRAFT = "submitted", "draft"
MAX_COMMENT = 2000

# Outcomes (the adapters word them).
OK = "ok"
NOT_ALLOWED = "not_allowed"  # no such report, or the person is not its agency's reviewer
ALREADY_SUBMITTED = "already_submitted"
NOT_NEEDED = "not_needed"  # the office does not ask for approval: the officer submits alone
NOT_AWAITING = "not_awaiting"  # the officer has not submitted it for approval
STALE = "stale"  # changed since the reviewer looked at it
HAS_ERRORS = "has_errors"
NOTHING_TO_RETURN = "nothing_to_return"  # a draft already
COMMENT_TOO_LONG = "comment_too_long"


@dataclass(frozen=True)
class Outcome:
    result: str
    info: ReportInfo | None = None  # the report (after the change when ok)
    errors: int = 0  # validation errors blocking an approval

    @property
    def ok(self) -> bool:
        return self.result == OK


def _clean(comment: str | None) -> str | None:
    text = (comment or "").strip()
    return text or None


def _change(store: Store, info: ReportInfo, user_id: int, new_status: str, allowed_from: tuple[str, ...],
            version: int | None, comment: str | None, source: str) -> Outcome:
    """The status change (from one of ``allowed_from``, at ``version`` when given) and the comment."""
    with session_scope(store.engine, write=True) as s:
        row = s.execute(select(ReportRow).where(ReportRow.id == info.id).with_for_update()).scalars().first()
        if row is None:
            return Outcome(NOT_ALLOWED)
        if row.status not in allowed_from or (version is not None and row.version != version):
            return Outcome(STALE, info)
        now = utcnow()
        res = s.execute(
            update(ReportRow)
            .where(ReportRow.id == row.id, ReportRow.version == row.version)
            .values(status=new_status, version=row.version + 1, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if res.rowcount != 1:
            return Outcome(STALE, info)
        s.add(AuditEvent(at=now, user_id=user_id, report_id=row.id, key="status", old=row.status, new=new_status,
                         source=source))
        if comment:
            s.add(AuditEvent(at=now, user_id=user_id, report_id=row.id, key=COMMENT_KEY, old=None, new=comment,
                             source=source))
        done = ReportInfo(row.id, row.agency_id, row.year, row.format_id, new_status, row.version + 1, now)
    return Outcome(OK, done)


def _report(store: Store, report_id: int) -> ReportInfo | None:
    try:
        return store.get_report_info(report_id)
    except NotFound:
        return None


def approve(store: Store, who: access.Principal, report_id: int, *, expected_version: int | None,
            comment: str | None = None, source: str = "chat") -> Outcome:
    """批准提交: awaiting approval → submitted, by the agency's reviewer."""
    comment = _clean(comment)
    if comment and len(comment) > MAX_COMMENT:
        return Outcome(COMMENT_TOO_LONG)
    info = _report(store, report_id)
    if info is None or not access.can_review(store, who, info.agency_id):
        return Outcome(NOT_ALLOWED)
    if info.status == SUBMITTED:
        return Outcome(ALREADY_SUBMITTED, info)
    if info.status != AWAITING_APPROVAL:
        return Outcome(NOT_AWAITING if needs_approval(store, info.agency_id) else NOT_NEEDED, info)
    report, current = store.load_report(report_id)
    if expected_version is not None and expected_version != current:
        return Outcome(STALE, info)
    n_errors = sum(1 for p in validate(report) if p.severity == ERROR)
    if n_errors:
        return Outcome(HAS_ERRORS, info, n_errors)
    return _change(store, info, who.user_id, SUBMITTED, (AWAITING_APPROVAL,), current, comment, source)


def return_report(store: Store, who: access.Principal, report_id: int, *, comment: str | None = None,
                  expected_version: int | None = None, source: str = "chat") -> Outcome:
    """退回修改: awaiting approval or submitted → draft, by the agency's reviewer."""
    comment = _clean(comment)
    if comment and len(comment) > MAX_COMMENT:
        return Outcome(COMMENT_TOO_LONG)
    info = _report(store, report_id)
    if info is None or not access.can_review(store, who, info.agency_id):
        return Outcome(NOT_ALLOWED)
    if info.status not in (AWAITING_APPROVAL, SUBMITTED):
        return Outcome(NOTHING_TO_RETURN, info)
    if expected_version is not None and expected_version != info.version:
        return Outcome(STALE, info)
    return _change(store, info, who.user_id, DRAFT, (AWAITING_APPROVAL, SUBMITTED), expected_version, comment,
                   source)
