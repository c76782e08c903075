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

from report.validation import ERROR, validate

from . import access
from .coordination import add_comment, needs_approval
from .db import session_scope
from .errors import NotFound, StaleWrite
from .infos import ReportInfo
from .models import AWAITING_APPROVAL
from .store import Store

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


def _change(store: Store, info: ReportInfo, user_id: int, new_status: str, version: int | None,
            comment: str | None, source: str) -> Outcome:
    """The status change (at ``version`` when given) and the comment, in one transaction."""
    with session_scope(store.engine, write=True):
        try:
            store.set_status(info.id, new_status, user_id=user_id, expected_version=version, source=source)
        except StaleWrite:
            return Outcome(STALE, info)
        if comment:
            add_comment(store, info.id, user_id, comment, source=source)
        return Outcome(OK, store.get_report_info(info.id))


def _report(store: Store, report_id: int) -> ReportInfo | None:
    try:
        return store.get_report_info(report_id)
    except NotFound:
        return None


def _reviewable(store: Store, who: access.Principal, report_id: int, comment: str | None):
    """(a refusal or None, the report, the cleaned comment): the comment's length and the reviewer's
    right, checked before approving or returning."""
    comment = _clean(comment)
    if comment and len(comment) > MAX_COMMENT:
        return Outcome(COMMENT_TOO_LONG), None, comment
    info = _report(store, report_id)
    if info is None or not access.can_review(store, who, info.agency_id):
        return Outcome(NOT_ALLOWED), None, comment
    return None, info, comment


def approve(store: Store, who: access.Principal, report_id: int, *, expected_version: int | None,
            comment: str | None = None, source: str = "chat") -> Outcome:
    """批准提交: awaiting approval → submitted, by the agency's reviewer."""
    refused, info, comment = _reviewable(store, who, report_id, comment)
    if refused is not None:
        return refused
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
    return _change(store, info, who.user_id, SUBMITTED, current, comment, source)


def return_report(store: Store, who: access.Principal, report_id: int, *, comment: str | None = None,
                  expected_version: int | None = None, source: str = "chat") -> Outcome:
    """退回修改: awaiting approval or submitted → draft, by the agency's reviewer."""
    refused, info, comment = _reviewable(store, who, report_id, comment)
    if refused is not None:
        return refused
    if info.status not in (AWAITING_APPROVAL, SUBMITTED):
        return Outcome(NOTHING_TO_RETURN, info)
    if expected_version is not None and expected_version != info.version:
        return Outcome(STALE, info)
    return _change(store, info, who.user_id, DRAFT, expected_version, comment, source)
