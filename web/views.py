"""Rendering pages (Jinja2, templates/web/), refusals, downloads, and the two endpoint wrappers.

``page``: a GET endpoint for a signed-in person (else 401 with how to sign in); it runs in a worker
thread (the store is synchronous). ``action``: a POST endpoint for a signed-in person whose form
carries this session's CSRF token (else 403, nothing changed); the form is read with small limits.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from urllib.parse import quote, urlencode

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from report import terms

from . import texts as T
from .desk import Desk, Visitor

MAX_FORM_FIELDS = 20


@functools.cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("templates", "web"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(T=T, terms=terms)
    return env


def desk_of(request: Request) -> Desk:
    return request.app.state.desk


def render(request: Request, name: str, context: dict | None = None, status: int = 200,
           visitor: Visitor | None = None) -> HTMLResponse:
    desk = desk_of(request)
    ctx = {"url": desk.url, "visitor": visitor, "local": desk.local, "date": desk.date, **(context or {})}
    html = environment().get_template(name).render(**ctx)
    return HTMLResponse(html, status_code=status, headers={"Cache-Control": "no-store"})


def message(request: Request, text: str, status: int, visitor: Visitor | None = None) -> HTMLResponse:
    return render(request, "message.html", {"text": text}, status, visitor)


def not_allowed(request: Request, visitor: Visitor | None) -> HTMLResponse:
    """Refused: the same answer for "not yours" and "does not exist" (nothing to learn from it)."""
    return message(request, T.NOT_ALLOWED, 403, visitor)


def redirect(request: Request, path: str, **params) -> RedirectResponse:
    query = ("?" + urlencode({k: v for k, v in params.items() if v is not None})) if params else ""
    return RedirectResponse(desk_of(request).url(path) + query, status_code=303)


def download(data: bytes, filename: str, media_type: str) -> Response:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type,
                    headers={"Content-Disposition": disposition, "Cache-Control": "no-store"})


def page(fn: Callable[[Request, Visitor], Response]):
    """A GET endpoint for signed-in people, run in a worker thread."""

    def sync(request: Request) -> Response:
        visitor = desk_of(request).visitor(request)
        if visitor is None:
            return message(request, T.NOT_SIGNED_IN, 401)
        return fn(request, visitor)

    @functools.wraps(fn)
    async def endpoint(request: Request) -> Response:
        return await run_in_threadpool(sync, request)

    return endpoint


def action(fn: Callable[[Request, Visitor, dict], Response]):
    """A POST endpoint for signed-in people with this session's CSRF token, run in a worker thread."""

    def sync(request: Request, form: dict) -> Response:
        desk = desk_of(request)
        visitor = desk.visitor(request)
        if visitor is None:
            return message(request, T.NOT_SIGNED_IN, 401)
        if not desk.csrf_ok(visitor, form):
            return message(request, T.BAD_FORM, 403, visitor)
        return fn(request, visitor, form)

    @functools.wraps(fn)
    async def endpoint(request: Request) -> Response:
        return await run_in_threadpool(sync, request, await read_form(request))

    return endpoint


async def read_form(request: Request) -> dict:
    """The urlencoded fields of a small form (no files)."""
    async with request.form(max_files=0, max_fields=MAX_FORM_FIELDS) as form:
        return {k: v for k, v in form.items() if isinstance(v, str)}


def int_param(value: str | None, default: int | None = None, lo: int = 0, hi: int = 2**31 - 1) -> int | None:
    """A bounded integer from a query or form field; ``default`` when absent or not one."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return n if lo <= n <= hi else default


def year_param(value: str | None, default: int) -> int:
    return int_param(value, default, 2000, 2100)
