"""Signing in with a one-time link, and signing out.

GET /login/<token> only shows a button: link previews (Telegram fetches links it shows) must not
spend the link. The button's POST spends it and opens the session. The form carries a token bound
to a short-lived cookie set by the GET (a page from elsewhere cannot post it). A browser already
signed in as someone else is refused (the link is not spent): it must sign out first, so nobody
is switched to another person's account by a link sent to them.
"""

from __future__ import annotations

import hmac
import secrets

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from storage import web_login

from . import texts as T
from .desk import LOGIN_COOKIE, LOGIN_COOKIE_SECONDS, SESSION_COOKIE, Desk
from .views import desk_of, message, read_form, redirect, render

_STATUS = {web_login.UNKNOWN: 404, web_login.EXPIRED: 410, web_login.USED: 410}


def _login_csrf(desk: Desk, nonce: str) -> str:
    return hmac.new(desk.key, f"login:{nonce}".encode(), "sha256").hexdigest()


def _other_user(desk: Desk, request: Request, link_user: int | None) -> bool:
    current = desk.visitor(request)
    return current is not None and link_user is not None and current.who.user_id != link_user


def _show(request: Request) -> Response:
    desk = desk_of(request)
    token = request.path_params["token"]
    user_id, refused = web_login.link_user(desk.store, token, desk.now())
    if refused:
        return message(request, T.LOGIN_REFUSED[refused], _STATUS[refused])
    if _other_user(desk, request, user_id):
        return message(request, T.LOGIN_OTHER_USER, 409, desk.visitor(request))
    nonce = secrets.token_urlsafe(24)
    response = render(request, "login.html", {"token": token, "csrf": _login_csrf(desk, nonce)})
    desk.set_cookie(response, request, LOGIN_COOKIE, nonce, LOGIN_COOKIE_SECONDS)
    return response


def _sign_in(request: Request, form: dict) -> Response:
    desk = desk_of(request)
    token = request.path_params["token"]
    nonce = request.cookies.get(LOGIN_COOKIE) or ""
    if not nonce or not hmac.compare_digest(str(form.get("csrf", "")), _login_csrf(desk, nonce)):
        return message(request, T.BAD_FORM, 403)
    user_id, refused = web_login.link_user(desk.store, token, desk.now())
    if refused:
        return message(request, T.LOGIN_REFUSED[refused], _STATUS[refused])
    if _other_user(desk, request, user_id):
        return message(request, T.LOGIN_OTHER_USER, 409, desk.visitor(request))
    try:
        session_token, info = web_login.use_link(desk.store, token, session_hours=desk.settings.web.session_hours,
                                                 now=desk.now())
    except web_login.LinkRefused as exc:
        return message(request, T.LOGIN_REFUSED[exc.reason], _STATUS[exc.reason])
    old = desk.session_token(request)
    if old is not None:  # the same person signing in again: the old session ends
        web_login.end_session(desk.store, old)
    response = redirect(request, "/")
    seconds = int((info.expires_at - desk.now()).total_seconds())
    desk.set_cookie(response, request, SESSION_COOKIE, web_login.sign(desk.key, session_token), seconds)
    desk.clear_cookie(response, request, LOGIN_COOKIE)
    return response


def _sign_out(request: Request, form: dict) -> Response:
    desk = desk_of(request)
    visitor = desk.visitor(request)
    if visitor is None:
        return message(request, T.SIGNED_OUT, 200)
    if not desk.csrf_ok(visitor, form):
        return message(request, T.BAD_FORM, 403, visitor)
    web_login.end_session(desk.store, visitor.session_token)
    response = message(request, T.SIGNED_OUT, 200)
    desk.clear_cookie(response, request, SESSION_COOKIE)
    return response


async def show(request: Request) -> Response:
    return await run_in_threadpool(_show, request)


async def sign_in(request: Request) -> Response:
    return await run_in_threadpool(_sign_in, request, await read_form(request))


async def sign_out(request: Request) -> Response:
    return await run_in_threadpool(_sign_out, request, await read_form(request))
