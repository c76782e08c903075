"""The interview's hot transactions on the database driver itself.

Every update of the interview runs two short transactions (read the step; write the answer and the
position). Through SQLAlchemy each costs ~30–40 µs of machinery (pool checkout and return, the
Connection, begin/commit events, reset-on-return) and each statement ~7–10 µs of generic parameter
and result handling, against ~1–4 µs for the driver's own BEGIN/COMMIT and statement. This module
keeps the statement text and the type handling SQLAlchemy's, and drops the machinery:

- :class:`Statement`: a Core statement compiled once per dialect (SQLAlchemy's SQL, parameter order
  and bind/result processors), executed on the DBAPI cursor.
- :class:`DriverPool`: DBAPI connections checked out of the engine's pool once and kept for the
  Store's life; :meth:`DriverPool.transaction` begins (SQLite: ``BEGIN`` / ``BEGIN IMMEDIATE``;
  PostgreSQL: the driver's implicit BEGIN), yields a :class:`DriverTx`, commits on success and
  rolls back on error. A connection idle for a while is pinged before use (what ``pool_pre_ping``
  does on every checkout), and one that lost its server is invalidated, never reused.

Driver errors surface as SQLAlchemy's exceptions (IntegrityError, OperationalError, …), so callers
handle them as they would from ``conn.execute``. Not seen by SQLAlchemy's statement events or
``echo`` logging.
"""

from __future__ import annotations

import contextlib
import operator
import threading
import time
from collections import namedtuple
from collections.abc import Iterator, Mapping
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError


class DriverTx:
    """One transaction on a DBAPI connection: what :class:`Statement` runs on."""

    __slots__ = ("dialect", "dbapi", "_on_disconnect")

    def __init__(self, dialect, dbapi, on_disconnect=None):
        self.dialect = dialect
        self.dbapi = dbapi
        self._on_disconnect = on_disconnect

    def error(self, sql: str, params, exc: Exception) -> Exception:
        """The DBAPI error as SQLAlchemy raises it; a lost connection is marked for invalidation."""
        dialect = self.dialect
        disconnect = dialect.is_disconnect(exc, self.dbapi, None)
        if disconnect and self._on_disconnect is not None:
            self._on_disconnect(exc)
        return DBAPIError.instance(
            sql, params, exc, dialect.loaded_dbapi.Error, connection_invalidated=disconnect, dialect=dialect
        )


class Statement:
    """A Core statement compiled once per dialect and run on a :class:`DriverTx`.

    The statement text, the order of its parameters and the bind/result processors of its types
    (e.g. UTCDateTime as text on SQLite) are SQLAlchemy's own, taken from the compiled statement,
    so what reaches the database is what ``conn.execute(stmt, params)`` would send. Rows come back
    as named tuples with attribute access, like Core rows."""

    def __init__(self, stmt, column_keys: list[str] | None = None):
        self.stmt = stmt
        self.column_keys = column_keys
        self._by_dialect: dict[str, _Compiled] = {}
        self._last: tuple | None = None  # (dialect, its compiled statement): the usual lookup

    def _compiled(self, dialect) -> _Compiled:
        last = self._last
        if last is not None and last[0] is dialect:
            return last[1]
        found = self._by_dialect.get(dialect.name)
        if found is None:
            found = _Compiled(self.stmt, self.column_keys, dialect)
            self._by_dialect[dialect.name] = found
        self._last = (dialect, found)
        return found

    def _run(self, tx: DriverTx, params: Mapping[str, Any], fetch: bool):
        compiled = self._compiled(tx.dialect)
        args = compiled.args(params)
        cur = tx.dbapi.cursor()
        try:
            cur.execute(compiled.sql, args)
            return compiled.rows(cur.fetchall()) if fetch else cur.rowcount
        except tx.dialect.loaded_dbapi.Error as exc:
            raise tx.error(compiled.sql, args, exc) from exc
        finally:
            cur.close()

    def all(self, tx: DriverTx, params: Mapping[str, Any]) -> list:
        return self._run(tx, params, True)

    def first(self, tx: DriverTx, params: Mapping[str, Any]):
        rows = self.all(tx, params)
        return rows[0] if rows else None

    def rowcount(self, tx: DriverTx, params: Mapping[str, Any]) -> int:
        return self._run(tx, params, False)

    def many(self, tx: DriverTx, seq: list[Mapping[str, Any]]) -> None:
        """Execute once per parameter set (executemany); no result."""
        if len(seq) == 1:
            self._run(tx, seq[0], False)
            return
        compiled = self._compiled(tx.dialect)
        memo: dict = {}  # a value shared by the rows (a timestamp) is converted once
        args = [compiled.args(p, memo) for p in seq]
        cur = tx.dbapi.cursor()
        try:
            cur.executemany(compiled.sql, args)
        except tx.dialect.loaded_dbapi.Error as exc:
            raise tx.error(compiled.sql, args, exc) from exc
        finally:
            cur.close()


class _Compiled:
    """A statement compiled for one dialect: its SQL, its parameters in order with their bind
    processors, and the row type with the columns' result processors."""

    __slots__ = ("sql", "names", "_values", "defaults", "procs", "positional", "row_type", "results")

    def __init__(self, stmt, column_keys: list[str] | None, dialect):
        comp = stmt.compile(dialect=dialect, column_keys=column_keys)
        names = tuple(comp.positiontup) if dialect.positional else tuple(comp.binds)
        self.sql: str = comp.string
        self.names = names
        # values built into the statement (``year - 1``'s 1): used unless given
        self.defaults = {n: comp.binds[n].value for n in names if not comp.binds[n].required}
        # the parameters' values in order, as a list (itemgetter of one name gives the value alone)
        get = operator.itemgetter(*names) if names else (lambda _p: ())
        self._values = (lambda p: [get(p)]) if len(names) == 1 else (lambda p: list(get(p)))
        procs = [(i, comp.binds[n].type.dialect_impl(dialect).bind_processor(dialect)) for i, n in enumerate(names)]
        self.procs = tuple((i, proc) for i, proc in procs if proc is not None)
        self.positional: bool = dialect.positional
        cols = list(stmt.selected_columns if stmt.is_select else stmt.exported_columns)
        self.row_type = namedtuple("Row", [c.key for c in cols], rename=True) if cols else None
        results = [c.type.dialect_impl(dialect).result_processor(dialect, None) for c in cols]
        self.results = results if any(results) else None

    def args(self, params: Mapping[str, Any], memo: dict | None = None):
        """The driver's parameters: a tuple (positional dialects) or a dict, values converted by
        their types' bind processors (``memo``: conversions by object, for one executemany)."""
        out = self._values({**self.defaults, **params} if self.defaults else params)
        for i, proc in self.procs:
            value = out[i]
            if value is None:
                continue
            if memo is None:
                out[i] = proc(value)
            else:
                key = (i, id(value))
                found = memo.get(key)
                if found is None:
                    found = memo[key] = proc(value)
                out[i] = found
        if self.positional:
            return tuple(out)
        return dict(zip(self.names, out, strict=True))

    def rows(self, rows: list) -> list:
        make = self.row_type._make
        results = self.results
        if results is None:
            return [make(r) for r in rows]
        return [
            make([p(v) if p is not None and v is not None else v for p, v in zip(results, r, strict=True)])
            for r in rows
        ]


class _Held:
    """A pooled connection checked out for the Store's life."""

    __slots__ = ("fairy", "dbapi", "last_used", "broken")

    def __init__(self, fairy):
        self.fairy = fairy
        self.dbapi = fairy.dbapi_connection
        self.last_used = time.monotonic()
        self.broken = False


class DriverPool:
    """DBAPI connections for the hot transactions, taken from the engine's pool and kept.

    As many connections as transactions ever ran at once (one per worker thread in practice).
    ``dispose()`` returns them to the engine's pool (the Store calls it before disposing the
    engine); a connection in use then is closed when its transaction ends.
    """

    #: A connection unused for this long is pinged before use (PostgreSQL; SQLite is in-process):
    #: a busy bot never pings, a quiet one pays a round trip per update and never meets a
    #: connection the server dropped meanwhile.
    IDLE_PING_SECONDS = 2.0

    def __init__(self, engine: Engine):
        self.engine = engine
        self.dialect = engine.dialect
        self.sqlite = engine.dialect.name == "sqlite"
        # An in-memory SQLite database lives in one connection the engine's pool hands out per
        # thread: check out per transaction there, never keep one.
        self.keep = not (self.sqlite and engine.url.database in (None, "", ":memory:"))
        self._idle: list[_Held] = []
        self._lock = threading.Lock()
        self._disposed = False

    # -- connections ---------------------------------------------------------------------------
    def _acquire(self) -> _Held:
        while True:
            try:
                held = self._idle.pop()
            except IndexError:
                return _Held(self.engine.raw_connection())
            if self.sqlite or time.monotonic() - held.last_used < self.IDLE_PING_SECONDS:
                return held
            try:
                ok = self.dialect.do_ping(held.dbapi)
            except Exception:  # noqa: BLE001 - any failure of the ping means: do not use it
                ok = False
            if ok:
                return held
            self._discard(held)

    def _release(self, held: _Held) -> None:
        if held.broken:
            self._discard(held)
            return
        if not self.keep:
            held.fairy.close()
            return
        held.last_used = time.monotonic()
        with self._lock:
            if not self._disposed:
                self._idle.append(held)
                return
        held.fairy.close()

    @staticmethod
    def _discard(held: _Held) -> None:
        try:
            held.fairy.invalidate()
        except Exception:  # noqa: BLE001 - already gone; the pool replaces it
            pass

    def dispose(self) -> None:
        with self._lock:
            self._disposed = True
            idle, self._idle = self._idle, []
        for held in idle:
            try:
                held.fairy.close()
            except Exception:  # noqa: BLE001 - closing a dead connection at shutdown
                pass

    def checkpoint(self) -> tuple[int, int] | None:
        """SQLite: copy the WAL's committed pages into the database file without waiting for
        readers or writers (``PRAGMA wal_checkpoint(PASSIVE)``); (pages in the WAL, pages copied),
        or None on another database or when another checkpoint was running."""
        if not self.sqlite or not self.keep:
            return None
        held = self._acquire()
        try:
            busy, log, done = held.dbapi.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except self.dialect.loaded_dbapi.Error:
            held.broken = True
            raise
        finally:
            self._release(held)
        return None if busy else (log, done)

    # -- transactions --------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, write: bool) -> Iterator[DriverTx]:
        """``write=True``: one transaction, committed on success, rolled back on error; on SQLite it
        takes the write lock at BEGIN (a read-then-write transaction never fails upgrading its
        lock). ``write=False``: reads in autocommit (see below)."""
        held = self._acquire()
        dbapi = held.dbapi

        def lost(_exc) -> None:
            held.broken = True

        tx = DriverTx(self.dialect, dbapi, lost)
        if not write:
            # Reads run in autocommit, every statement with its own snapshot: what PostgreSQL's
            # READ COMMITTED gives each statement inside a transaction anyway, minus the BEGIN and
            # COMMIT (round trips there). The hot reads are written for it: each carries the
            # report's version, and a save checks the version it was shown.
            yield from self._autocommit_read(held, tx)
            return
        try:
            if self.sqlite:
                dbapi.execute("BEGIN IMMEDIATE")
            yield tx
            try:
                if self.sqlite:
                    dbapi.execute("COMMIT")
                else:
                    dbapi.commit()
            except self.dialect.loaded_dbapi.Error as exc:
                raise tx.error("COMMIT", (), exc) from exc
        except BaseException as exc:
            self._rollback(held, exc)
            raise
        finally:
            self._release(held)

    def _autocommit_read(self, held: _Held, tx: DriverTx) -> Iterator[DriverTx]:
        dbapi = held.dbapi
        try:
            if self.sqlite:  # isolation_level None (storage/db.py): autocommit unless we BEGIN
                yield tx
                return
            dbapi.autocommit = True
            try:
                yield tx
            finally:
                try:
                    dbapi.autocommit = False
                except Exception:  # noqa: BLE001 - a lost connection: never reuse it
                    held.broken = True
        except BaseException as exc:
            self._rollback(held, exc)
            raise
        finally:
            self._release(held)

    def _rollback(self, held: _Held, exc: BaseException) -> None:
        dialect = self.dialect
        if isinstance(exc, dialect.loaded_dbapi.Error) and dialect.is_disconnect(exc, held.dbapi, None):
            held.broken = True
        if held.broken:
            return
        try:
            if self.sqlite:
                if held.dbapi.in_transaction:
                    held.dbapi.execute("ROLLBACK")
            else:
                held.dbapi.rollback()
        except Exception:  # noqa: BLE001 - the connection is unusable: never reuse it
            held.broken = True
