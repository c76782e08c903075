"""Schema migrations: empty → head, head → base → head with data, newer schema refused."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from storage.db import (
    SchemaTooNew,
    current_revision,
    downgrade_schema,
    head_revision,
    make_engine,
    upgrade_schema,
)
from storage.models import metadata
from storage.store import Store

pytestmark = pytest.mark.db

TABLES = {
    "admin",
    "office",
    "agency",
    "bot_user",
    "membership",
    "invitation",
    "report",
    "cell_value",
    "narrative_part",
    "audit_event",
    "interview_position",
    "deadline_override",
    "reminder_outbox",
    "processed_update",
    "web_login_link",
    "web_session",
    "web_secret",
}


def _tables(engine) -> set[str]:
    return set(inspect(engine).get_table_names()) - {"alembic_version"}


def test_empty_database_upgrades_to_head_matching_the_models(db_url):
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) is None
        assert upgrade_schema(engine) == head_revision()
        assert current_revision(engine) == head_revision()
        assert _tables(engine) == TABLES
        # The hand-written migration creates exactly what the models describe.
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        # Upgrading again is a no-op.
        assert upgrade_schema(engine) == head_revision()
    finally:
        engine.dispose()


def test_head_to_base_to_head_on_a_database_holding_data(db_url):
    store = Store.from_url(db_url, upgrade=True)
    try:
        user = store.get_or_create_user(1001, "王五")
        agency = store.create_agency("某县教育局", "department")
        report = store.get_or_create_report(agency.id, 2023)
        store.save_answers(report.id, user_id=user.id, source="chat", values={"s3.new.natural": 7})
        store.claim_update(55)

        assert downgrade_schema(store.engine, "base") is None
        assert _tables(store.engine) == set()

        assert upgrade_schema(store.engine) == head_revision()
        assert _tables(store.engine) == TABLES
        # The schema works again from scratch.
        agency2 = store.create_agency("某县教育局", "department")
        report2 = store.get_or_create_report(agency2.id, 2023)
        rep, version = store.load_report(report2.id)
        assert rep.values == {} and version == 1
        assert store.claim_update(55) is True
    finally:
        store.dispose()


def _stamp_future(engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))


def test_database_from_a_newer_version_is_refused(migrated_db_url):
    engine = make_engine(migrated_db_url)
    try:
        _stamp_future(engine)
        with pytest.raises(SchemaTooNew) as exc:
            upgrade_schema(engine)
        assert "9999_future" in str(exc.value)
        assert "升级" in str(exc.value) and "newer" in str(exc.value)
        with pytest.raises(SchemaTooNew):
            Store.from_url(migrated_db_url, upgrade=True)
        # Nothing was touched.
        assert current_revision(engine) == "9999_future"
    finally:
        engine.dispose()


def test_cli_db_upgrade_prints_the_revision_and_refuses_newer(db_url, monkeypatch, tmp_path, capsys):
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCLOSURE_BOT_DATABASE_URL", db_url)
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert head_revision() in out
    engine = make_engine(db_url)
    try:
        assert current_revision(engine) == head_revision()
        _stamp_future(engine)
    finally:
        engine.dispose()
    assert main(["db", "upgrade"]) == 2
    err = capsys.readouterr().err
    assert "9999_future" in err and "请升级" in err


def test_bot_refuses_to_start_on_a_newer_database(db_url, monkeypatch, tmp_path, capsys):
    """`disclosure-bot run` on a database upgraded by a newer version: a clear message, exit 2."""
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCLOSURE_BOT_DATABASE_URL", db_url)
    monkeypatch.setenv("DISCLOSURE_BOT_TOKEN", "123456:TEST-token-not-used")
    assert main(["db", "upgrade"]) == 0
    engine = make_engine(db_url)
    try:
        _stamp_future(engine)
    finally:
        engine.dispose()
    capsys.readouterr()
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "9999_future" in err and "请升级" in err


def test_0002_copies_each_positions_agency_and_year_into_their_columns(db_url):
    """Positions stored before revision 0002 keep working: their agency and year move into the
    columns the interview's read joins on, so the officer continues where they stood."""
    import json

    engine = make_engine(db_url)
    try:
        assert upgrade_schema(engine, "0001") == "0001"
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO bot_user (id, telegram_id, display_name) VALUES (1, 77, '王五')"))
            conn.execute(text("INSERT INTO bot_user (id, telegram_id, display_name) VALUES (2, 78, '赵六')"))
            for user_id, state in ((1, {"screen": "q", "agency_id": 3, "year": 2025}), (2, {"screen": "hub"})):
                conn.execute(
                    text("INSERT INTO interview_position (user_id, state, updated_at) VALUES (:u, :s, :t)"),
                    {"u": user_id, "s": json.dumps(state), "t": "2026-01-05 08:00:00.000000"},
                )
        assert upgrade_schema(engine) == head_revision()
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT user_id, agency_id, year, update_id FROM interview_position ORDER BY user_id")
            ).all()
        assert [tuple(r) for r in rows] == [(1, 3, 2025, None), (2, None, None, None)]
    finally:
        engine.dispose()
