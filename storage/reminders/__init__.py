"""The reminder outbox: planning due reminders, claiming them for delivery, recording the outcome.

Every public function is one transaction on the given engine and returns plain values. Modules:
common (names, config, plain values), agencies (deadlines, statuses, digest counts), planning
(report reminders), digests, approvals, delivery (claim → sending → outcome, recovery), listing
(reads, the board's failed deliveries), preferences (snooze, mute).

Planning (:func:`plan`)
    For report years ``today.year - 1`` and ``today.year`` (a December reminder is for the report
    due next January), for every agency whose report is not submitted (a draft, or no report row
    yet): compute the agency's deadline (agency override > office override > legal default, see
    report.deadlines.resolve_deadline), its schedule, and the *latest* reminder whose send time has
    come and whose window (until the next reminder) is still open. Older kinds are superseded, so
    a bot that was down does not fire a backlog. One outbox row per recipient: the agency's
    officers, and for overdue kinds also the coordinators of the agency's office. A report
    ``awaiting_approval`` (the officer submitted, the office wants a reviewer's 批准提交) is the
    reviewers' turn: its officers get nothing, its reviewers get the same schedule under their own
    kinds (``review_<kind>``, e.g. ``review_before_3``). Submitted reports get nothing.
    Coordinators also get a digest of their office's agencies (weekly in the last 30 days before a
    deadline, daily in the last 7). Users muted (muted_until >= today) or snoozed
    (snoozed_until > now) are skipped. Inserts are idempotent: existing keys are skipped and the
    insert itself is ``ON CONFLICT DO NOTHING`` on the (recipient, subject, kind) unique index, so
    two planners racing insert each row once.

    Subject: ``report:<id>`` when the report row exists, else ``agency:<id>:<year>``. Every row about
    an agency carries ``agency_id`` and the agency's ``office_id``; a digest carries only its office.

Approval requests (:func:`request_approval`)
    When an officer submits for approval, every reviewer of the agency gets one row at once, kind
    ``approval_request_v<version>`` (the report version after the status change: pressing 提交 twice
    or replanning inserts nothing new; a report returned and submitted again is a new request).
    They are event notices, not deadline reminders: they ignore mute and snooze, and the sweeper
    delivers them outside working hours too. :func:`plan` re-inserts missing ones for reports still
    awaiting approval (a crash between the status change and the request, a reviewer added since).

Delivery states: claim → pace → send → record, exactly once through a crash at any point
    ``pending`` →(:func:`claim`, one transaction, a lease: claimed_at/claimed_by)→ ``claimed`` (held
    by a sweep, waiting for a send slot; never handed to Telegram) →(:func:`mark_sending`, its own
    commit right before the HTTP call)→ ``sending`` → ``sent`` | ``failed`` (permanent) |
    ``unknown`` (a read timeout: it may have arrived, never resent automatically) | ``pending``
    again (retry_at, on connection errors) | ``claimed`` again (flood control, retried by the same
    sweep). :func:`recover_stale` (every sweep, the stale window from the configuration) returns
    ``claimed`` rows whose lease expired to ``pending`` — they never reached Telegram, so they are
    sent later, by whichever instance claims them — and turns expired ``sending`` rows into
    ``unknown`` (they may have reached Telegram: never resent blindly; shown to the coordinator with
    the ``failed`` ones by :func:`failed_deliveries`). A crash between the claim and the send
    therefore delays a reminder by the stale window; only a crash during the HTTP call (or between
    it and the record) leaves an ``unknown`` row.
"""

from .agencies import (
    DigestCounts,
    agency_deadlines,
    agency_statuses,
    deadline_for_agency,
    digest_counts,
    report_facts,
)
from .approvals import request_approval
from .common import (
    APPROVAL_KIND,
    APPROVAL_PAYLOAD,
    AWAITING,
    CLAIMED,
    DIGEST_PAYLOAD,
    FAILED,
    PENDING,
    REPORT_PAYLOAD,
    REVIEW_KIND,
    SENDING,
    SENT,
    SHOWN_TO_COORDINATOR,
    UNKNOWN,
    AgencyDeadline,
    AgencyStatus,
    FailedDelivery,
    OutboxItem,
    PlanConfig,
    approval_kind,
    calendar_from_settings,
    for_reviewer,
    is_approval_kind,
)
from .delivery import (
    claim,
    drop,
    failed_values,
    finish_many,
    held_values,
    mark_failed,
    mark_sending,
    mark_sent,
    mark_unknown,
    recover_stale,
    release,
    reschedule,
    retry_values,
    sent_values,
    unknown_values,
)
from .listing import failed_deliveries, get_item, items
from .notices import REGISTRATION_ATTEMPT_PAYLOAD, notify_registration_attempt
from .planning import plan
from .preferences import mute, snooze

__all__ = [
    "APPROVAL_KIND",
    "APPROVAL_PAYLOAD",
    "AWAITING",
    "CLAIMED",
    "DIGEST_PAYLOAD",
    "FAILED",
    "PENDING",
    "REPORT_PAYLOAD",
    "REVIEW_KIND",
    "SENDING",
    "SENT",
    "SHOWN_TO_COORDINATOR",
    "UNKNOWN",
    "AgencyDeadline",
    "AgencyStatus",
    "DigestCounts",
    "FailedDelivery",
    "OutboxItem",
    "PlanConfig",
    "agency_deadlines",
    "agency_statuses",
    "approval_kind",
    "calendar_from_settings",
    "for_reviewer",
    "claim",
    "deadline_for_agency",
    "digest_counts",
    "drop",
    "failed_deliveries",
    "failed_values",
    "finish_many",
    "get_item",
    "held_values",
    "is_approval_kind",
    "items",
    "mark_failed",
    "mark_sending",
    "mark_sent",
    "mark_unknown",
    "mute",
    "plan",
    "recover_stale",
    "release",
    "report_facts",
    "request_approval",
    "notify_registration_attempt",
    "REGISTRATION_ATTEMPT_PAYLOAD",
    "reschedule",
    "retry_values",
    "sent_values",
    "snooze",
    "unknown_values",
]
