"""Every user-visible word of the bot, in Simplified Chinese, in one place (this package).

Official labels never appear here: they come from the report format (report/formats/*.json).
The interview's words are in general.py (moving around), questions.py, review.py (pasted tables,
check, submit), files.py (files and the check-up) and adapter.py (console, command menu, errors);
coordination.py and reminders.py hold those of the coordinators' screens and of the reminders.
Callers read them as ``M.NAME`` from this package.
"""

from __future__ import annotations

from .adapter import *  # noqa: F403
from .files import *  # noqa: F403
from .general import *  # noqa: F403
from .questions import *  # noqa: F403
from .review import *  # noqa: F403
