"""The desk's ASGI application (Starlette): routes, security headers, safe errors.

Why Starlette and not FastAPI: the desk is a handful of server-rendered pages and form posts; it
needs routing, requests, responses and a test client, not request-model validation or OpenAPI.
Starlette is what FastAPI is built on, without the layer we would not use.

``create_app(settings, store=None)``: the same database and Store as the bot (a Store is opened
from ``settings.database_url`` when none is given), the same permission rules (storage/access.py).
Served under the path of ``web.public_url`` (e.g. /desk), which the proxy forwards unchanged.
"""

from __future__ import annotations

import logging
import time
from importlib import resources

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.errors import describe_exception, new_reference
from storage.store import Store

from . import actions, board, login, office, report_page
from . import texts as T
from .desk import Desk
from .views import environment

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
SECURITY_HEADERS = [
    (b"content-security-policy", b"default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                                 b"frame-ancestors 'none'; base-uri 'none'"),
    (b"referrer-policy", b"no-referrer"),  # a sign-in link's token never leaves in a Referer
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
]


def _css(request: Request) -> Response:
    css = (resources.files("templates") / "web" / "desk.css").read_bytes()
    return Response(css, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"})


def routes() -> list[BaseRoute]:
    return [
        Route("/", board.home),
        Route("/static/desk.css", _css),
        Route("/login/{token:str}", login.show, methods=["GET"]),
        Route("/login/{token:str}", login.sign_in, methods=["POST"]),
        Route("/logout", login.sign_out, methods=["POST"]),
        Route("/office/{office_id:int}/board", board.board),
        Route("/office/{office_id:int}", office.office_page),
        Route("/office/{office_id:int}/rollup-{year:int}.xlsx", office.rollup_xlsx),
        Route("/office/{office_id:int}/invitations", actions.invite, methods=["POST"]),
        Route("/agency/{agency_id:int}/{year:int}", report_page.report_page),
        Route("/agency/{agency_id:int}/{year:int}/file.{kind:str}", report_page.report_file),
        Route("/agency/{agency_id:int}/{year:int}/remind", actions.remind, methods=["POST"]),
        Route("/report/{report_id:int}/approve", actions.approve, methods=["POST"]),
        Route("/report/{report_id:int}/return", actions.return_report, methods=["POST"]),
    ]


class Guard:
    """Security headers on every response, with the server's own time (Server-Timing: app;dur=ms,
    from the request's arrival to the response's start); an unexpected error becomes a 500 page with a reference
    number, logged as type and frames only (an exception message can carry user data)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False
        t0 = time.perf_counter()

        async def send_with_headers(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                took = f"app;dur={(time.perf_counter() - t0) * 1000:.1f}".encode()
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS, (b"server-timing", took)]
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # noqa: BLE001 - the last line of defence
            ref = new_reference()
            logger.error("Web request failed, reference %s (%s %s):\n%s", ref, scope.get("method"),
                         scope.get("route_path", ""), describe_exception(exc))
            if started:
                return
            html = environment().get_template("message.html").render(
                text=T.SERVER_ERROR.format(ref=ref), url=lambda p: p, visitor=None)
            await HTMLResponse(html, status_code=500)(scope, receive, send_with_headers)


def create_app(settings, store: Store | None = None, clock=None) -> Starlette:
    """``clock``: a function giving the current aware datetime (tests); the real time by default."""
    own_store = store is None
    store = store or Store.from_url(settings.database_url, upgrade=True)
    desk = Desk(store, settings, clock)
    app = Starlette(
        routes=[Mount(desk.prefix, routes=routes())] if desk.prefix else routes(),
        middleware=[Middleware(Guard)],
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.desk = desk
    app.state.own_store = own_store
    return app
