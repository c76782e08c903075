"""What the storage refuses, as typed errors with a code. Adapters turn them into words.

The messages here are English, for logs and developers; nothing in them is shown to a user.
"""

from __future__ import annotations


class StorageError(Exception):
    code = "storage"


class NotFound(StorageError, LookupError):
    """No such user / office / agency / report / invitation."""

    code = "not_found"

    def __init__(self, what: str, key: object = None):
        self.what = what
        self.key = key
        super().__init__(f"{what} {key!r} not found")


class AlreadyExists(StorageError, ValueError):
    """A name that must be unique is taken (an office or an agency)."""

    code = "already_exists"

    def __init__(self, what: str, name: str):
        self.what = what
        self.name = name
        super().__init__(f"{what} {name!r} already exists")


class StaleWrite(StorageError):
    """The report changed since the caller read it (optimistic lock)."""

    code = "stale"

    def __init__(self, report_id: int, expected: int | None = None, actual: int | None = None):
        self.report_id = report_id
        self.expected = expected
        self.actual = actual
        super().__init__(f"report {report_id} is at version {actual}, not {expected}")


class InvalidData(StorageError, ValueError):
    """A value the schema cannot take (an unknown key, a total given, a float, a bad status).
    A programming error or a forged request: the adapters validate what users type before."""

    code = "invalid"
