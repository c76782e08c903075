"""The one exception of the parsing package: the guarded reader's refusal, under its old name.

A file that cannot be read as a report at all raises it with a code and a plain Chinese message
(``message``, also ``message_zh``); the messages are written once, in :mod:`report.uploads.errors`.
"""

from __future__ import annotations

from ..uploads.errors import UploadRefused

UnreadableReport = UploadRefused

__all__ = ["UnreadableReport", "UploadRefused"]
