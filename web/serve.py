"""Serving the desk: in the foreground (``disclosure-bot web``) or in a thread beside the bot
(``disclosure-bot run`` with ``web.enabled``).

uvicorn's access log stays off: a request line would carry a sign-in link's token. Proxy headers
(X-Forwarded-Proto …) are trusted from the local proxy only (uvicorn's default), so the session
cookie is marked Secure when the proxy terminates HTTPS.
"""

from __future__ import annotations

import logging
import threading

import uvicorn

from .app import create_app

logger = logging.getLogger(__name__)


def _config(settings, host: str | None, port: int | None, store=None, clock=None) -> uvicorn.Config:
    return uvicorn.Config(
        create_app(settings, store, clock),
        host=host or settings.web.host,
        port=port if port is not None else settings.web.port,
        access_log=False,
        log_config=None,
        server_header=False,
        timeout_graceful_shutdown=5,
    )


def serve(settings, host: str | None = None, port: int | None = None) -> None:
    """Serve until Ctrl+C or SIGTERM."""
    config = _config(settings, host, port)
    logger.info("Web desk on %s:%s", config.host, config.port)
    uvicorn.Server(config).run()


class BackgroundServer:
    """The desk in a daemon thread with its own event loop; ``stop()`` ends it."""

    def __init__(self, settings, host: str | None = None, port: int | None = None, store=None, clock=None):
        self.server = uvicorn.Server(_config(settings, host, port, store, clock))
        self.thread = threading.Thread(target=self.server.run, name="web-desk", daemon=True)

    def start(self) -> BackgroundServer:
        logger.info("Web desk on %s:%s", self.server.config.host, self.server.config.port)
        self.thread.start()
        return self

    @property
    def started(self) -> bool:
        return self.server.started

    def stop(self, timeout: float = 10.0) -> None:
        self.server.should_exit = True
        self.thread.join(timeout)


def start_in_background(settings, store=None) -> BackgroundServer:
    """Start the desk beside the bot; it is stopped when the process exits."""
    import atexit

    server = BackgroundServer(settings, store=store).start()
    atexit.register(server.stop)
    return server
