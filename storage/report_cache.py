"""Reports as stored, kept in memory per (report id, version, creation time).

Every change to a report's answers, format or status bumps its version, so an entry is never
stale: a report is read from the database once per version. An entry is added only once the
transaction that read or wrote it has committed (a rolled-back write never reaches the cache).
Entries are shared: callers get copies (:meth:`Report.copy`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from sqlalchemy import event
from sqlalchemy.orm import Session

from report.model import Report

Key = tuple[int, int, object]  # (report id, version, created_at)
_PENDING = "disclosure_bot_reports"


class ReportCache:
    def __init__(self, size: int = 256):
        self.size = size
        self._entries: OrderedDict[Key, Report] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Key) -> Report | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Key, report: Report) -> None:
        with self._lock:
            self._entries[key] = report
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def remember(self, session: Session, key: Key, report: Report) -> None:
        """Add ``report`` once ``session``'s transaction commits."""
        session.info.setdefault(_PENDING, []).append((self, key, report))


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    for cache, key, report in session.info.pop(_PENDING, ()):
        cache.put(key, report)


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous_transaction) -> None:
    # any rollback, a savepoint's included: what was read or written in it may not last
    session.info.pop(_PENDING, None)
