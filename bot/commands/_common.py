"""What several subcommands share: telling the user of a failure, opening the Store."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the storage libraries load only for the commands that open a database
    from storage.store import Store


def fail(message: object, status: int = 2) -> int:
    """Print ``message`` to stderr and return the exit status ``status``."""
    print(message, file=sys.stderr)
    return status


def open_store(settings: Any) -> Store | None:
    """A Store on the configured database, upgraded to head; None (message printed) if refused."""
    from storage.db import SchemaTooNew
    from storage.store import Store

    try:
        return Store.from_url(settings.database_url, upgrade=True)
    except SchemaTooNew as exc:
        fail(exc)
        return None
