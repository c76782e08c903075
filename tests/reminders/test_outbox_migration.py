"""Migration 0005: outbox rows written before it get their agency and office, and the old claim
note (payload "_claim") becomes the lease columns; downgrading queues claimed rows again."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from storage.db import downgrade_schema, make_engine, upgrade_schema
from storage.store import Store

pytestmark = pytest.mark.db

OLD_OUTBOX = sa.table(
    "reminder_outbox",
    sa.column("id", sa.Integer()),
    sa.column("recipient_user_id", sa.Integer()),
    sa.column("chat_id", sa.BigInteger()),
    sa.column("report_id", sa.Integer()),
    sa.column("office_id", sa.Integer()),
    sa.column("subject", sa.Text()),
    sa.column("kind", sa.Text()),
    sa.column("due_at", sa.DateTime()),
    sa.column("status", sa.Text()),
    sa.column("attempts", sa.Integer()),
    sa.column("payload", sa.Text()),
)
DUE = dt.datetime(2025, 1, 27, 1, 30)


def test_upgrade_fills_agency_office_and_lease_then_downgrade_requeues(db_url):
    engine = make_engine(db_url)
    try:
        upgrade_schema(engine, "0004")
        store = Store(engine)
        office = store.create_office("某县政务公开办")
        dept = store.create_agency("某县教育局", "department", office.id)
        gov = store.create_agency("某县人民政府", "government", office.id)
        user = store.get_or_create_user(1001, "张三")
        report = store.get_or_create_report(dept.id, 2024)
        claim_at = "2025-01-27T09:31:00+08:00"

        def row(subject, kind, *, report_id=None, office_id=None, status="pending", attempts=0, claim=None):
            payload = {"type": "report", "year": 2024}
            if claim is not None:
                payload["_claim"] = claim
            return {"recipient_user_id": user.id, "chat_id": 1001, "report_id": report_id, "office_id": office_id,
                    "subject": subject, "kind": kind, "due_at": DUE, "status": status, "attempts": attempts,
                    "payload": json.dumps(payload)}

        with engine.begin() as conn:
            conn.execute(OLD_OUTBOX.insert(), [
                row(f"report:{report.id}", "due_day", report_id=report.id, status="failed", attempts=1),
                row(f"agency:{gov.id}:2024", "before_30", status="unknown", attempts=1),
                row(f"office:{office.id}", "digest_2024_2025-01-27", office_id=office.id, status="failed"),
                row(f"agency:{gov.id}:2024", "before_14", status="sending", attempts=2,
                    claim={"at": claim_at, "attempts": 2, "by": "old"}),  # claimed, never tried
                row(f"agency:{gov.id}:2024", "before_7", status="sending", attempts=3,
                    claim={"at": claim_at, "attempts": 2, "by": "old"}),  # its HTTP call had started
            ])
        upgrade_schema(engine)
        from storage import reminders as repo

        got = {r.kind: r for r in repo.items(engine)}
        assert (got["due_day"].agency_id, got["due_day"].office_id) == (dept.id, office.id)
        assert (got["before_30"].agency_id, got["before_30"].office_id) == (gov.id, office.id)
        assert (got["digest_2024_2025-01-27"].agency_id, got["digest_2024_2025-01-27"].office_id) == (None, office.id)
        assert (got["before_14"].status, got["before_14"].claimed_by) == ("claimed", "old")
        assert got["before_7"].status == "sending"
        assert all("_claim" not in r.payload for r in got.values())
        with engine.connect() as conn:
            lease = conn.execute(
                sa.select(sa.column("claimed_at", sa.DateTime())).select_from(sa.table("reminder_outbox"))
                .where(sa.column("kind") == "before_14")
            ).scalar()
        assert lease == dt.datetime(2025, 1, 27, 1, 31)  # naive UTC, as every timestamp
        # the board now finds the unknown row of the agency that had no report row
        failed = repo.failed_deliveries(engine, office.id)
        assert sorted((f.agency or "", f.status) for f in failed) == [
            ("", "failed"), ("某县人民政府", "unknown"), ("某县教育局", "failed")]
        # recovery after the stale window: the claimed row is queued again, the started one unknown
        assert repo.recover_stale(engine, dt.datetime(2025, 1, 27, 2, 0, tzinfo=dt.UTC), dt.timedelta(minutes=10)) == (1, 1)

        with engine.begin() as conn:
            conn.execute(sa.text("UPDATE reminder_outbox SET status = 'claimed' WHERE kind = 'before_14'"))
        downgrade_schema(engine, "0004")
        with engine.connect() as conn:
            back = dict(conn.execute(sa.text("SELECT kind, status FROM reminder_outbox")).all())
        assert back["before_14"] == "pending"
        upgrade_schema(engine)
    finally:
        engine.dispose()
