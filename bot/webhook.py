"""Webhook mode: an update is handled before Telegram is answered 200 (at-least-once).

PTB's built-in webhook server answers 200 as soon as the update is on its queue; a process that
dies before handling it loses it, since Telegram does not send an update again once it got 200.
Here the request handler runs the application's handlers first (``await
application.process_update(update)``: the answer is committed, the replies sent) and only then
answers 200. A process that dies, or a handler slower than Telegram waits, leaves the request
unanswered: Telegram delivers the update again, and the storage's processed-update check makes the
second handling change nothing. This is the pattern of PTB's custom-webhook examples, with
``process_update`` in place of ``update_queue.put``, on the tornado server PTB's ``webhooks`` extra
already installs.

Requests without the configured secret (``X-Telegram-Bot-Api-Secret-Token``) or not JSON are
refused with 403 and never reach a handler; unreadable JSON gets 400. Updates are handled one at a
time per process, in the order their requests arrive (as in polling). Nothing from a request body
is logged. :func:`serve` runs PTB's lifecycle around the server (initialize → post_init → start →
setWebhook → serve → stop → post_stop → shutdown → post_shutdown); on SIGTERM it stops accepting
connections and lets the update in hand finish.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import logging
from collections.abc import Sequence
from http import HTTPStatus

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

from .lifecycle import STOP_SIGNALS, running

log = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0  # at a stop, how long the update in hand may take to finish


class _State:
    def __init__(self, application: Application, secret: str | None):
        self.application = application
        self.secret = secret
        self.lock = asyncio.Lock()
        self.in_flight = 0


class UpdateHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("POST",)  # type: ignore[assignment]

    def initialize(self, state: _State) -> None:
        self.state = state

    def log_exception(self, typ, value, tb) -> None:  # tornado's default would log the request
        log.debug("webhook request refused: %s", type(value).__name__ if value else typ)

    def _check(self) -> None:
        if self.request.headers.get("Content-Type", "").split(";")[0].strip() != "application/json":
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        if self.state.secret is not None:
            sent = self.request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
            if not hmac.compare_digest(sent.encode(), self.state.secret.encode()):
                raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)

    async def post(self) -> None:
        self._check()
        application = self.state.application
        try:
            update = Update.de_json(json.loads(self.request.body), application.bot)
            if update is None:
                raise ValueError("empty")
        except Exception as exc:  # noqa: BLE001 - not an update; its content is not logged
            log.warning("webhook: a request that is not an update was refused (%s)", type(exc).__name__)
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        self.state.in_flight += 1
        try:
            async with self.state.lock:
                try:
                    await application.process_update(update)
                except Exception:  # noqa: BLE001 - answered 200: a poison update must not come back forever
                    log.exception("Update %s could not be processed", update.update_id)
        finally:
            self.state.in_flight -= 1
        self.set_status(HTTPStatus.OK)
        self.finish()


async def serve(
    application: Application,
    *,
    listen: str,
    port: int,
    url_path: str,
    webhook_url: str,
    secret_token: str | None,
    allowed_updates: Sequence[str] | None = None,
    stop_signals: Sequence[int] = STOP_SIGNALS,
) -> None:
    """Run ``application`` behind its webhook until a stop signal."""
    async with running(application, stop_signals) as stop:
        if application.running:
            await _serve(application, stop, listen=listen, port=port, url_path=url_path,
                         webhook_url=webhook_url, secret_token=secret_token, allowed_updates=allowed_updates)


async def _serve(application: Application, stop: asyncio.Event, *, listen: str, port: int, url_path: str,
                 webhook_url: str, secret_token: str | None, allowed_updates: Sequence[str] | None) -> None:
    """The webhook's HTTP server until ``stop``; then the updates in hand are finished."""
    server = None
    state = _State(application, secret_token)
    try:
        path = "/" + url_path.strip("/")
        app = tornado.web.Application([(rf"{path}/?", UpdateHandler, {"state": state})])
        server = tornado.httpserver.HTTPServer(app)
        server.listen(port, address=listen)
        await application.bot.set_webhook(
            url=webhook_url,
            secret_token=secret_token,
            allowed_updates=list(allowed_updates) if allowed_updates is not None else None,
            drop_pending_updates=False,
        )
        log.info("Webhook set; listening on %s:%s", listen, port)
        await stop.wait()
    finally:
        if server is not None:
            server.stop()  # no new connections
            for _ in range(int(DRAIN_SECONDS / 0.05)):
                if state.in_flight == 0:
                    break
                await asyncio.sleep(0.05)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(server.close_all_connections(), 1.0)
