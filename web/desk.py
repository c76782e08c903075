"""What every request of the desk shares: the store, the settings, the signing key, who is signed in.

``Desk.visitor(request)`` resolves the signed-in person on the server for every request: the
cookie's signature, then its session row (not ended), then the person's admin right from the
database and the configuration. Nothing sent by the browser carries rights.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from starlette.requests import Request
from starlette.responses import Response

from report import deadlines as dl
from storage import access, web_login
from storage.desk import DeadlineRules, agency_deadline
from storage.store import Store

SESSION_COOKIE = "desk_session"
LOGIN_COOKIE = "desk_login"
LOGIN_COOKIE_SECONDS = 15 * 60


@dataclass(frozen=True)
class Visitor:
    """The signed-in person: who they are to the permission rules, and their session."""

    who: access.Principal
    name: str
    session_token: str
    csrf: str


class Desk:
    def __init__(self, store: Store, settings, clock: Callable[[], dt.datetime] | None = None):
        self.store = store
        self._clock = clock or (lambda: dt.datetime.now(dt.UTC))
        self.settings = settings
        web = settings.web
        secret = web.secret_key.get_secret_value() if web.secret_key else None
        self.key = web_login.signing_key(store, secret)
        self.tz = ZoneInfo(settings.timezone)
        self.rules = DeadlineRules.from_settings(settings)
        rem = settings.reminders
        self.calendar = dl.WorkCalendar(rem.extra_holidays or (), rem.extra_workdays or ())
        parts = urlsplit(web.public_url or "")
        self.prefix = parts.path.rstrip("/")
        self.https_public = parts.scheme == "https"
        self.admins = tuple(settings.admins or ())

    # -- time ---------------------------------------------------------------------------------
    def now(self) -> dt.datetime:
        return self._clock()

    def today(self) -> dt.date:
        return self.now().astimezone(self.tz).date()

    def default_year(self) -> int:
        """The report year being filled now: last calendar year."""
        return self.today().year - 1

    def url(self, path: str) -> str:
        """A path of the desk under the public URL's path."""
        return self.prefix + path

    def deadline(self, agency, year: int) -> tuple[dt.date, str]:
        """(deadline, source) of an agency's report: the board's rule (storage/desk.py)."""
        return agency_deadline(self.store, agency, year, self.rules)

    # -- cookies ------------------------------------------------------------------------------
    def secure(self, request: Request) -> bool:
        return self.https_public or request.url.scheme == "https"

    def set_cookie(self, response: Response, request: Request, name: str, value: str, max_age: int) -> None:
        response.set_cookie(name, value, max_age=max_age, path=self.prefix or "/", httponly=True,
                            secure=self.secure(request), samesite="lax")

    def clear_cookie(self, response: Response, request: Request, name: str) -> None:
        response.delete_cookie(name, path=self.prefix or "/", httponly=True, secure=self.secure(request),
                               samesite="lax")

    # -- who is there ---------------------------------------------------------------------------
    def session_token(self, request: Request) -> str | None:
        return web_login.unsign(self.key, request.cookies.get(SESSION_COOKIE))

    def visitor(self, request: Request) -> Visitor | None:
        token = self.session_token(request)
        if token is None:
            return None
        found = web_login.session(self.store, token, self.now())
        if found is None:
            return None
        who = access.Principal(found.user_id, found.telegram_id,
                               access.is_admin(self.store, found.telegram_id, self.admins))
        return Visitor(who, found.display_name or str(found.telegram_id), token,
                       web_login.csrf_token(self.key, token))

    def csrf_ok(self, visitor: Visitor, form) -> bool:
        return web_login.csrf_ok(self.key, visitor.session_token, form.get("csrf"))

    # -- formatting -----------------------------------------------------------------------------
    def local(self, at: dt.datetime | None) -> str:
        from . import texts as T

        return T.DATETIME.format(d=at.astimezone(self.tz)) if at else ""

    @staticmethod
    def date(d: dt.date) -> str:
        from . import texts as T

        return T.DATE.format(d=d)
