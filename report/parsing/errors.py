"""The one exception of the parsing package."""

from __future__ import annotations


class UnreadableReport(Exception):
    """A file that cannot be read as a report at all; ``message_zh`` says why, in plain Chinese."""

    def __init__(self, message_zh: str):
        super().__init__(message_zh)
        self.message_zh = message_zh
