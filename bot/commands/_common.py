"""What several subcommands share: a group's help, telling the user of a failure, opening the Store."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the storage libraries load only for the commands that open a database
    from storage.store import Store


def usage(parser: Any):
    """The handler of a command group called without its subcommand: its help, exit status 2."""

    def handler(args, settings) -> int:
        parser.print_help(sys.stderr)
        return 2

    return handler


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
