"""Shared fixtures.

``db_url``: an empty throwaway database. With DISCLOSURE_BOT_TEST_DATABASE_URL set to a PostgreSQL
server URL (e.g. postgresql://postgres@127.0.0.1:5432/postgres) a fresh database is created per
test on that server and dropped afterwards; otherwise a SQLite file in tmp_path.
If CI=true and the PostgreSQL server is unreachable, the tests fail (never skip).

``migrated_db_url``: the same, already upgraded to the head revision (cheap: copied from a template).
``store``: a storage.store.Store on ``migrated_db_url``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import pytest

PG_ENV = "DISCLOSURE_BOT_TEST_DATABASE_URL"


def _pg_server_url() -> str | None:
    return os.environ.get(PG_ENV) or None


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


class _Postgres:
    """Creates and drops databases on the test server."""

    def __init__(self, server_url: str):
        from sqlalchemy.engine import make_url

        from storage.db import make_engine, normalize_url

        self.url = make_url(normalize_url(server_url))
        self.admin = make_engine(server_url, isolation_level="AUTOCOMMIT", pool_size=1, max_overflow=2)

    def check(self) -> None:
        from sqlalchemy import text

        try:
            with self.admin.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            msg = f"PostgreSQL at {self.url.render_as_string()} unreachable: {exc}"
            if _in_ci():
                pytest.fail(msg, pytrace=False)
            pytest.skip(msg)

    def create(self, template: str | None = None) -> str:
        name = f"dbtest_{uuid.uuid4().hex[:16]}"
        sql = f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)
        return name

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def drop(self, name: str) -> None:
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def _postgres() -> Iterator[_Postgres | None]:
    server = _pg_server_url()
    if server is None:
        yield None
        return
    pg = _Postgres(server)
    pg.check()
    yield pg
    pg.admin.dispose()


@pytest.fixture(scope="session")
def _migrated_template(_postgres, tmp_path_factory) -> Iterator[str]:
    """A database at head to copy from: a PostgreSQL template database name, or a SQLite file path."""
    from storage.db import make_engine, upgrade_schema

    if _postgres is not None:
        name = _postgres.create()
        engine = make_engine(_postgres.url_of(name))
        upgrade_schema(engine)
        engine.dispose()
        yield name
        _postgres.drop(name)
        return
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade_schema(engine)
    with engine.connect() as conn:  # fold the WAL into the main file so a plain copy is complete
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    yield str(path)


@pytest.fixture
def db_url(_postgres, tmp_path) -> Iterator[str]:
    """URL of an empty database (no schema)."""
    if _postgres is None:
        yield f"sqlite:///{tmp_path / 'test.db'}"
        return
    name = _postgres.create()
    yield _postgres.url_of(name)
    _postgres.drop(name)


@pytest.fixture
def migrated_db_url(_postgres, _migrated_template, tmp_path) -> Iterator[str]:
    """URL of a database already at the head revision."""
    if _postgres is None:
        path = tmp_path / "test.db"
        shutil.copyfile(_migrated_template, path)
        yield f"sqlite:///{path}"
        return
    name = _postgres.create(template=_migrated_template)
    yield _postgres.url_of(name)
    _postgres.drop(name)


@pytest.fixture
def store(migrated_db_url):
    """A Store on a fresh database at head."""
    from storage.store import Store

    s = Store.from_url(migrated_db_url, upgrade=False)
    yield s
    s.dispose()
