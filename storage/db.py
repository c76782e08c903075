"""Engine and session setup, the unit of work, and the schema upgrade (Alembic, configured in code).

SQLite: WAL journal, foreign keys on, a busy timeout, and transactions begun explicitly by us
(``BEGIN``, or ``BEGIN IMMEDIATE`` for a write session, so a read-then-write transaction never
fails on lock upgrade). PostgreSQL: psycopg 3 (``postgresql://`` / ``postgres://`` URLs accepted).

One unit of work: :func:`session_scope` opened inside another one on the same database (in the same
thread or task) joins it instead of starting a transaction of its own. A part that handles a
database error itself (an integrity error it turns into "already exists") asks for a SAVEPOINT
(``savepoint=True``), so that it rolls back alone; anything else that fails rolls back the whole
unit of work. The chat handles
each update in one outer transaction this way: every repository function it calls commits with the
answer, or not at all.

Statements' parameters never reach a log or an error message (``hide_parameters``): they hold
what users typed.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator
from contextvars import ContextVar
from importlib import resources

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlmodel import Session

SQLITE_BUSY_TIMEOUT_MS = 30_000
_WRITE_OPTION = "disclosure_bot_write"
# The unit of work open in this thread or task: (the engine's pool, its session, write?).
_CURRENT: ContextVar[tuple[object, Session, bool] | None] = ContextVar("disclosure_bot_session", default=None)


class SchemaTooNew(RuntimeError):
    """The database was upgraded by a newer version of this program."""

    def __init__(self, revision: str):
        self.revision = revision
        super().__init__(
            f"数据库结构版本 {revision} 比本程序新，请升级 disclosure-bot 后再运行。"
            f" / The database schema revision {revision} is newer than this program knows;"
            " upgrade disclosure-bot."
        )


def normalize_url(url: str) -> str:
    """postgres:// and postgresql:// → postgresql+psycopg:// (psycopg 3); others unchanged."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str, **kw) -> Engine:
    url = normalize_url(url)
    parsed = make_url(url)
    kw.setdefault("hide_parameters", True)
    if parsed.get_backend_name() == "sqlite":
        connect_args = dict(kw.pop("connect_args", {}))
        connect_args.setdefault("check_same_thread", False)
        engine = create_engine(url, connect_args=connect_args, **kw)
        _setup_sqlite(engine)
        return engine
    kw.setdefault("pool_pre_ping", True)
    return create_engine(url, **kw)


def _setup_sqlite(engine: Engine) -> None:
    memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # pragma: no branch
        # Let SQLAlchemy (the "begin" hook below) emit BEGIN, not the sqlite3 module.
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        if not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # straight to the driver: through exec_driver_sql the BEGIN cost as much as a query
        raw = conn.connection.dbapi_connection
        raw.execute("BEGIN IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "BEGIN")


def write_engine(engine: Engine) -> Engine:
    """The same engine (same pool) whose transactions take the write lock at once on SQLite."""
    found = _WRITE_ENGINES.get(engine)
    if found is None:
        found = _WRITE_ENGINES[engine] = engine.execution_options(**{_WRITE_OPTION: True})
    return found


_WRITE_ENGINES: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


@contextlib.contextmanager
def session_scope(engine: Engine, *, write: bool = False, savepoint: bool = False) -> Iterator[Session]:
    """One transaction: commit on success, roll back on error — or, inside a unit of work already
    open on this database, a part of it (module docstring; ``savepoint``: a part that can roll back
    alone).

    Use ``write=True`` for any transaction that writes after reading (on SQLite it begins with
    BEGIN IMMEDIATE; elsewhere it changes nothing). Objects are not expired on commit.
    """
    current = _CURRENT.get()
    if current is not None and current[0] is engine.pool:
        session = current[1]
        if savepoint:
            with session.begin_nested():
                yield session
        else:
            yield session
        return
    bind = write_engine(engine) if write else engine
    with Session(bind, expire_on_commit=False) as session:
        with session.begin():
            token = _CURRENT.set((engine.pool, session, write))
            try:
                yield session
            finally:
                _CURRENT.reset(token)


# -- Alembic ---------------------------------------------------------------------------------------

def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("storage") / "migrations"))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def check_not_too_new(engine: Engine) -> str | None:
    """The database's revision; SchemaTooNew if this code does not know it."""
    rev = current_revision(engine)
    if rev is None:
        return None
    script = ScriptDirectory.from_config(alembic_config())
    try:
        known = script.get_revision(rev)
    except Exception as exc:  # alembic raises ResolutionError / CommandError subclasses
        raise SchemaTooNew(rev) from exc
    if known is None:
        raise SchemaTooNew(rev)
    return rev


def _run_alembic(engine: Engine, fn, revision: str) -> str | None:
    check_not_too_new(engine)
    cfg = alembic_config(engine)
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        raw = conn.connection.dbapi_connection
        if sqlite:
            # Batch mode recreates tables; foreign keys must be off (outside any transaction).
            raw.execute("PRAGMA foreign_keys=OFF")
        try:
            with conn.begin():
                cfg.attributes["connection"] = conn
                fn(cfg, revision)
                if sqlite:
                    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if bad:
                        raise RuntimeError(f"migration left broken foreign keys: {bad[:5]}")
        finally:
            if sqlite:
                raw.execute("PRAGMA foreign_keys=ON")
    return current_revision(engine)


def upgrade_schema(engine: Engine, revision: str = "head") -> str | None:
    """Bring the schema to ``revision`` (head by default); returns the new revision.

    Raises SchemaTooNew if the database carries a revision this code does not know.
    """
    return _run_alembic(engine, command.upgrade, revision)


def downgrade_schema(engine: Engine, revision: str) -> str | None:
    return _run_alembic(engine, command.downgrade, revision)
