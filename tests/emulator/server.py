"""A local emulation of the Telegram Bot API on 127.0.0.1, for end-to-end tests.

It speaks the real Bot API over HTTP (``/bot<token>/<method>`` and ``/file/bot<token>/<path>``),
accepting the three request encodings the API accepts (query string, urlencoded / JSON body,
multipart with file uploads), and answers with the real JSON shapes (``{"ok": true, "result": …}``
or ``{"ok": false, "error_code": …, "description": …}``).

Where the real server refuses something a bot could plausibly do wrong, the emulation refuses it
too, with the real error text: an unknown token (401), getUpdates while a webhook is set or while
another getUpdates is waiting (409), editing a message into exactly what it already is ("message is
not modified"), an empty or over-long text, callback_data over 64 bytes, unsupported HTML tags,
answering an unknown callback query.

The test side (:class:`BotApiEmulator`) plays the users: it enqueues updates (text, button presses,
documents) which the bot fetches with getUpdates, or which are POSTed to the bot's webhook when one
is set, and it keeps what the bot sent, per chat.
"""

from __future__ import annotations

import dataclasses
import email.parser
import email.policy
import html
import itertools
import json
import mimetypes
import re
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

DEFAULT_BOT_USER = {
    "id": 123456,
    "is_bot": True,
    "first_name": "信息公开年报助手（测试）",
    "username": "disclosure_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
    "can_connect_to_business": False,
    "has_main_web_app": False,
}

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
MAX_CALLBACK_DATA_BYTES = 64
MAX_DOWNLOAD_BYTES = 20 * 1024 * 1024

# Parameters the Bot API takes as plain strings; everything else arrives JSON-encoded when it is
# not a string (that is how python-telegram-bot and the API's urlencoded form work).
_STRING_PARAMS = frozenset(
    {
        "text",
        "caption",
        "callback_query_id",
        "url",
        "secret_token",
        "file_id",
        "parse_mode",
        "language_code",
        "ip_address",
        "inline_message_id",
        "description",
        "short_description",
        "name",
        "title",
        "business_connection_id",
        "message_effect_id",
        "emoji",
        "action",
    }
)

_HTML_TAGS = frozenset(
    {
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "a",
        "code",
        "pre",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "blockquote",
    }
)


class ApiError(Exception):
    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None):
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


class WebhookDeliveryError(RuntimeError):
    pass


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str
    content: bytes
    content_type: str


@dataclass(frozen=True)
class ApiCall:
    """One request the bot made: the method as sent, its decoded parameters and uploaded files."""

    method: str
    params: dict[str, Any]
    files: dict[str, Upload] = field(default_factory=dict)
    at: float = field(default_factory=time.monotonic)


@dataclass(frozen=True)
class StoredFile:
    file_id: str
    file_unique_id: str
    file_path: str
    file_name: str
    mime_type: str
    content: bytes


@dataclass(frozen=True)
class Document:
    """A document the bot sent."""

    file_id: str
    file_name: str
    mime_type: str
    content: bytes
    caption: str | None
    message_id: int


@dataclass(frozen=True)
class BotMessage:
    """A message the bot sent, in its current state (edits applied) or as a snapshot of one edit."""

    chat_id: int
    message_id: int
    text: str | None  # as displayed: HTML markup stripped when parse_mode was HTML
    raw_text: str | None  # as sent
    parse_mode: str | None
    reply_markup: dict[str, Any] | None
    document: Document | None = None
    edits: int = 0
    deleted: bool = False
    date: int = 0

    @property
    def caption(self) -> str | None:
        return self.document.caption if self.document else None

    @property
    def inline_keyboard(self) -> list[list[dict[str, Any]]]:
        if not self.reply_markup:
            return []
        return self.reply_markup.get("inline_keyboard") or []

    @property
    def buttons(self) -> list[list[str]]:
        """Inline keyboard labels, row by row."""
        return [[b.get("text", "") for b in row] for row in self.inline_keyboard]

    @property
    def button_labels(self) -> list[str]:
        return [label for row in self.buttons for label in row]

    def button(self, label: str) -> dict[str, Any]:
        for row in self.inline_keyboard:
            for b in row:
                if b.get("text") == label:
                    return b
        raise LookupError(f"no button {label!r} in message {self.message_id}; buttons: {self.buttons}")


@dataclass(frozen=True)
class MessageEvent:
    kind: str  # "sent" | "edited" | "deleted"
    message: BotMessage


def _plain_from_html(text: str) -> str:
    for match in re.finditer(r"<\s*(/?)\s*([A-Za-z][\w-]*)[^>]*>", text):
        tag = match.group(2).lower()
        if tag not in _HTML_TAGS:
            offset = len(text[: match.start()].encode("utf-8"))
            raise ApiError(
                400,
                f'Bad Request: can\'t parse entities: Unsupported start tag "{tag}" at byte offset {offset}',
            )
    stray = re.search(r"<(?![/A-Za-z])", text)
    if stray:
        offset = len(text[: stray.start()].encode("utf-8"))
        raise ApiError(
            400, f"Bad Request: can't parse entities: Unexpected end of name token at byte offset {offset}"
        )
    return html.unescape(re.sub(r"<[^>]*>", "", text))


def _decode_value(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    emulator: BotApiEmulator


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def do_GET(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def _dispatch(self) -> None:
        emulator = self.server.emulator
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        path = unquote(url.path)
        try:
            file_match = re.fullmatch(r"/file/bot([^/]+)/(.+)", path)
            if file_match:
                content = emulator._download(file_match.group(1), file_match.group(2))
                self._send(200, content, "application/octet-stream")
                return
            method_match = re.fullmatch(r"/bot([^/]+)/([A-Za-z]+)", path)
            if not method_match:
                raise ApiError(404, "Not Found")
            params: dict[str, Any] = {k: _decode_value(k, v) for k, v in parse_qsl(url.query)}
            files: dict[str, Upload] = {}
            self._parse_body(body, params, files)
            result = emulator._call(method_match.group(1), method_match.group(2), params, files)
            payload = {"ok": True, "result": result}
            status = 200
        except ApiError as exc:
            status = exc.code
            payload = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                payload["parameters"] = exc.parameters
        self._send(status, json.dumps(payload, ensure_ascii=False).encode("utf-8"), "application/json")

    def _parse_body(self, body: bytes, params: dict[str, Any], files: dict[str, Upload]) -> None:
        if not body:
            return
        ctype = self.headers.get("Content-Type", "")
        if ctype.startswith("application/json"):
            try:
                params.update(json.loads(body))
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse JSON") from exc
        elif ctype.startswith("multipart/form-data"):
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                f"Content-Type: {ctype}\r\nMIME-Version: 1.0\r\n\r\n".encode() + body
            )
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                content = part.get_payload(decode=True) or b""
                filename = part.get_filename()
                if filename is not None:
                    files[name] = Upload(filename, content, part.get_content_type())
                else:
                    params[name] = _decode_value(name, content.decode("utf-8"))
        else:  # application/x-www-form-urlencoded
            for k, v in parse_qsl(body.decode("utf-8"), keep_blank_values=True):
                params[k] = _decode_value(k, v)

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a cancelled long poll when the bot stops): nothing to answer.
            self.close_connection = True


class BotApiEmulator:
    """The Bot API on 127.0.0.1 (ephemeral port) in a background thread, plus the users' side.

    Use as a context manager, or call :meth:`start` / :meth:`stop`. Configure the bot with
    :attr:`base_url` and :attr:`base_file_url`.
    """

    def __init__(self, token: str | None = None, *, bot_user: dict[str, Any] | None = None):
        self.token = token
        self.bot_user = dict(bot_user or DEFAULT_BOT_USER)
        if token and bot_user is None:
            self.bot_user["id"] = int(token.split(":", 1)[0])
        self._cond = threading.Condition()
        self._update_ids = itertools.count(1)
        self._pending: list[dict[str, Any]] = []
        self._poll_generation = 0
        self._closing = False
        self._calls: list[ApiCall] = []
        self._unauthorized = 0
        self._chat_message_ids: dict[int, itertools.count] = {}
        self._messages: dict[int, list[BotMessage]] = {}
        self._events: dict[int, list[MessageEvent]] = {}
        self._cursor: dict[int, int] = {}
        self._files: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_queries: dict[str, dict[str, Any]] = {}
        self._callback_answers: list[dict[str, Any]] = []
        self._commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self._webhook: dict[str, Any] = {}
        self._faults: list[dict[str, Any]] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> BotApiEmulator:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.emulator = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> BotApiEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "emulator not started"
        return self._server.server_address[1]

    @property
    def root_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.root_url}/file/bot"

    # ----------------------------------------------------------------- what the bot did

    @property
    def requests(self) -> list[ApiCall]:
        with self._cond:
            return list(self._calls)

    def calls(self, method: str) -> list[ApiCall]:
        with self._cond:
            return [c for c in self._calls if c.method.lower() == method.lower()]

    @property
    def unknown_methods(self) -> list[str]:
        with self._cond:
            return [c.method for c in self._calls if c.method.lower() not in self._METHODS]

    @property
    def unauthorized_requests(self) -> int:
        with self._cond:
            return self._unauthorized

    def wait_for_call(
        self,
        method: str,
        predicate: Callable[[ApiCall], bool] | None = None,
        timeout: float = 10.0,
        *,
        after: int = 0,
    ) -> ApiCall:
        """The first call of ``method`` (among requests number ``after`` onwards) matching predicate."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for call in self._calls[after:]:
                    if call.method.lower() == method.lower() and (predicate is None or predicate(call)):
                        return call
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    seen = [c.method for c in self._calls[after:]][-20:]
                    raise TimeoutError(f"no {method} call within {timeout} s; last calls: {seen}")
                self._cond.wait(remaining)

    @property
    def commands(self) -> list[tuple[str, str]]:
        """What setMyCommands registered for the default scope and no language."""
        with self._cond:
            return [(c["command"], c["description"]) for c in self._commands.get(("default", ""), [])]

    def commands_for(self, scope: str = "default", language_code: str = "") -> list[tuple[str, str]]:
        with self._cond:
            return [(c["command"], c["description"]) for c in self._commands.get((scope, language_code), [])]

    def messages(self, chat_id: int) -> list[BotMessage]:
        """The bot's messages in a chat, current state, oldest first (deleted ones left out)."""
        with self._cond:
            return [m for m in self._messages.get(chat_id, []) if not m.deleted]

    def last_message(self, chat_id: int) -> BotMessage | None:
        msgs = self.messages(chat_id)
        return msgs[-1] if msgs else None

    def documents(self, chat_id: int) -> list[Document]:
        return [m.document for m in self.messages(chat_id) if m.document is not None]

    @property
    def callback_answers(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._callback_answers)

    @property
    def webhook_url(self) -> str:
        with self._cond:
            return self._webhook.get("url", "")

    @property
    def webhook_secret(self) -> str | None:
        with self._cond:
            return self._webhook.get("secret_token")

    def pending_updates(self) -> list[dict[str, Any]]:
        with self._cond:
            return list(self._pending)

    def wait_for_message(
        self,
        chat_id: int,
        predicate: Callable[[BotMessage], bool] | None = None,
        timeout: float = 10.0,
        *,
        include_edits: bool = False,
    ) -> BotMessage:
        """The next message the bot sends to ``chat_id`` (not returned by an earlier call).

        Messages sent before that do not match ``predicate`` are passed over (and consumed). With
        ``include_edits`` an edit of a message counts too (the edited state is returned).
        """
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                events = self._events.get(chat_id, [])
                while self._cursor.get(chat_id, 0) < len(events):
                    event = events[self._cursor.get(chat_id, 0)]
                    self._cursor[chat_id] = self._cursor.get(chat_id, 0) + 1
                    if event.kind == "sent" or (include_edits and event.kind == "edited"):
                        if predicate is None or predicate(event.message):
                            return event.message
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    shown = [
                        (m.message_id, m.text or m.caption, m.button_labels) for m in events_tail(events)
                    ]
                    raise TimeoutError(
                        f"no matching bot message in chat {chat_id} within {timeout} s; "
                        f"recent: {shown}; last calls: {[c.method for c in self._calls[-10:]]}"
                    )
                self._cond.wait(remaining)

    def skip_to_end(self, chat_id: int) -> None:
        """Mark every message sent so far as seen by :meth:`wait_for_message`."""
        with self._cond:
            self._cursor[chat_id] = len(self._events.get(chat_id, []))

    def inject_error(
        self,
        method: str,
        code: int = 400,
        description: str = "Bad Request: injected by the test",
        *,
        times: int = 1,
        retry_after: int | None = None,
        when: Callable[[ApiCall], bool] | None = None,
    ) -> None:
        """Refuse the next ``times`` calls of ``method`` (those matching ``when``, if given) with
        this Bot API error (the call is still recorded). E.g. ``inject_error("sendMessage", 403, "Forbidden: bot was blocked by the user")``
        or ``inject_error("sendMessage", 429, "Too Many Requests: retry after 2", retry_after=2)``."""
        parameters = {"retry_after": retry_after} if retry_after is not None else None
        with self._cond:
            self._faults.append(
                {
                    "method": method.lower(),
                    "code": code,
                    "description": description,
                    "times": times,
                    "parameters": parameters,
                    "when": when,
                }
            )

    # ----------------------------------------------------------------- the users' side

    @staticmethod
    def user(user_id: int, **extra: Any) -> dict[str, Any]:
        u = {
            "id": user_id,
            "is_bot": False,
            "first_name": "测试",
            "last_name": f"用户{user_id}",
            "username": f"user{user_id}",
            "language_code": "zh-hans",
        }
        u.update(extra)
        return u

    def _chat(self, chat_id: int, user: dict[str, Any]) -> dict[str, Any]:
        if chat_id > 0:
            return {
                "id": chat_id,
                "type": "private",
                "first_name": user.get("first_name", ""),
                "last_name": user.get("last_name", ""),
                "username": user.get("username", ""),
            }
        return {"id": chat_id, "type": "group", "title": f"测试群 {chat_id}"}

    def _user_for(self, chat_id: int, user: dict[str, Any] | int | None) -> dict[str, Any]:
        if isinstance(user, dict):
            return user
        return self.user(user if isinstance(user, int) else abs(chat_id))

    def _next_message_id(self, chat_id: int) -> int:
        counter = self._chat_message_ids.setdefault(chat_id, itertools.count(1))
        return next(counter)

    def build_text_update(
        self, chat_id: int, text: str, user: dict[str, Any] | int | None = None
    ) -> dict[str, Any]:
        """A message update from a user (not delivered; see :meth:`send_text`)."""
        u = self._user_for(chat_id, user)
        with self._cond:
            message: dict[str, Any] = {
                "message_id": self._next_message_id(chat_id),
                "date": int(time.time()),
                "chat": self._chat(chat_id, u),
                "from": u,
                "text": text,
            }
            command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
            if command:
                message["entities"] = [
                    {"type": "bot_command", "offset": 0, "length": _utf16_len(command.group(0))}
                ]
            return {"update_id": next(self._update_ids), "message": message}

    def send_text(self, chat_id: int, text: str, user: dict[str, Any] | int | None = None) -> dict[str, Any]:
        """A user writes ``text`` (a /command gets its bot_command entity). Returns the update."""
        return self._deliver(self.build_text_update(chat_id, text, user))

    def press_button(
        self, chat_id: int, label: str, user: dict[str, Any] | int | None = None
    ) -> dict[str, Any]:
        """A user presses the inline button ``label`` of the bot's latest message with a keyboard."""
        u = self._user_for(chat_id, user)
        with self._cond:
            candidates = [m for m in self._messages.get(chat_id, []) if not m.deleted and m.inline_keyboard]
            if not candidates:
                raise LookupError(f"no bot message with an inline keyboard in chat {chat_id}")
            message = candidates[-1]
            button = message.button(label)
            if "callback_data" not in button:
                raise LookupError(f"button {label!r} has no callback_data: {button}")
            query_id = f"{chat_id}{next(self._update_ids):06d}"
            update_id = next(self._update_ids)
            query = {
                "id": query_id,
                "from": u,
                "message": self._message_object(message),
                "chat_instance": str(chat_id),
                "data": button["callback_data"],
            }
            self._callback_queries[query_id] = query
        return self._deliver({"update_id": update_id, "callback_query": query})

    def upload_document(
        self,
        chat_id: int,
        filename: str,
        content: bytes,
        caption: str | None = None,
        *,
        mime_type: str | None = None,
        user: dict[str, Any] | int | None = None,
    ) -> dict[str, Any]:
        """A user sends a file; getFile and the file download then serve it. Returns the update."""
        u = self._user_for(chat_id, user)
        mime = mime_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        with self._cond:
            stored = self._store_file(filename, content, mime)
            message: dict[str, Any] = {
                "message_id": self._next_message_id(chat_id),
                "date": int(time.time()),
                "chat": self._chat(chat_id, u),
                "from": u,
                "document": self._document_object(stored),
            }
            if caption is not None:
                message["caption"] = caption
            update = {"update_id": next(self._update_ids), "message": message}
        return self._deliver(update)

    def enqueue_update(self, update: dict[str, Any]) -> dict[str, Any]:
        """Deliver an update built by hand (``update_id`` is assigned when missing)."""
        if "update_id" not in update:
            with self._cond:
                update = {"update_id": next(self._update_ids), **update}
        return self._deliver(update)

    def _deliver(self, update: dict[str, Any]) -> dict[str, Any]:
        with self._cond:
            url = self._webhook.get("url")
            secret = self._webhook.get("secret_token")
            if not url:
                self._pending.append(update)
                self._cond.notify_all()
                return update
        status, body = self.post_to_webhook(update, secret_token=secret, url=url)
        if status != 200:
            raise WebhookDeliveryError(f"webhook {url} answered {status}: {body[:200]!r}")
        return update

    def post_to_webhook(
        self,
        update: dict[str, Any],
        *,
        secret_token: str | None = None,
        url: str | None = None,
        timeout: float = 10.0,
    ) -> tuple[int, bytes]:
        """POST ``update`` to the webhook (the one setWebhook registered unless ``url`` is given)
        with the X-Telegram-Bot-Api-Secret-Token header when ``secret_token`` is not None.
        Returns (HTTP status, body)."""
        target = url or self.webhook_url
        if not target:
            raise WebhookDeliveryError("no webhook set")
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        request = urllib.request.Request(
            target, data=json.dumps(update).encode("utf-8"), headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    # ----------------------------------------------------------------- the API side

    def _download(self, token: str, file_path: str) -> bytes:
        self._check_token(token)
        with self._cond:
            for stored in self._files.values():
                if stored.file_path == file_path:
                    return stored.content
        raise ApiError(404, "Not Found")

    def _check_token(self, token: str) -> None:
        if self.token is not None and token != self.token:
            with self._cond:
                self._unauthorized += 1
            raise ApiError(401, "Unauthorized")

    def _call(self, token: str, method: str, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        self._check_token(token)
        call = ApiCall(method, params, files)
        with self._cond:
            self._calls.append(call)
            self._cond.notify_all()
            for fault in self._faults:
                if (
                    fault["method"] == method.lower()
                    and fault["times"] > 0
                    and (fault["when"] is None or fault["when"](call))
                ):
                    fault["times"] -= 1
                    raise ApiError(fault["code"], fault["description"], fault["parameters"])
        name = self._METHODS.get(method.lower())
        if name is None:
            return True
        return getattr(self, name)(params, files)

    _METHODS = {
        "getme": "_get_me",
        "logout": "_true",
        "close": "_true",
        "getupdates": "_get_updates",
        "sendmessage": "_send_message",
        "editmessagetext": "_edit_message_text",
        "editmessagereplymarkup": "_edit_message_reply_markup",
        "deletemessage": "_delete_message",
        "answercallbackquery": "_answer_callback_query",
        "senddocument": "_send_document",
        "sendchataction": "_true",
        "getfile": "_get_file",
        "setmycommands": "_set_my_commands",
        "getmycommands": "_get_my_commands",
        "deletemycommands": "_delete_my_commands",
        "setwebhook": "_set_webhook",
        "deletewebhook": "_delete_webhook",
        "getwebhookinfo": "_get_webhook_info",
    }

    def _true(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        return True

    def _get_me(self, params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        return dict(self.bot_user)

    def _get_updates(self, params: dict[str, Any], files: dict[str, Upload]) -> list[dict[str, Any]]:
        offset = params.get("offset")
        limit = max(1, min(100, int(params.get("limit") or 100)))
        timeout = max(0.0, float(params.get("timeout") or 0))
        deadline = time.monotonic() + timeout
        with self._cond:
            if self._webhook.get("url"):
                raise ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            self._cond.notify_all()
            if offset is not None:
                offset = int(offset)
                if offset < 0:
                    self._pending = self._pending[offset:]
                else:
                    self._pending = [u for u in self._pending if u["update_id"] >= offset]
            while True:
                if self._closing:
                    return []
                if generation != self._poll_generation:
                    raise ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                if self._pending:
                    return self._pending[:limit]
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return []
                self._cond.wait(remaining)

    def _chat_id(self, params: dict[str, Any]) -> int:
        if "chat_id" not in params:
            raise ApiError(400, "Bad Request: chat_id is empty")
        try:
            return int(params["chat_id"])
        except (TypeError, ValueError) as exc:
            raise ApiError(400, "Bad Request: chat not found") from exc

    def _check_markup(self, markup: Any) -> dict[str, Any] | None:
        if markup in (None, ""):
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard") or []:
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not (1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES):
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        return markup

    def _display_text(self, text: Any, parse_mode: str | None, limit: int, empty_error: str) -> str:
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, empty_error)
        shown = _plain_from_html(text) if (parse_mode or "").upper() == "HTML" else text
        if not shown.strip():
            raise ApiError(400, empty_error)
        if _utf16_len(shown) > limit:
            raise ApiError(400, "Bad Request: message is too long")
        return shown

    def _message_object(self, m: BotMessage) -> dict[str, Any]:
        obj: dict[str, Any] = {
            "message_id": m.message_id,
            "date": m.date,
            "chat": self._chat(m.chat_id, self.user(m.chat_id)),
            "from": dict(self.bot_user),
        }
        if m.edits:
            obj["edit_date"] = int(time.time())
        if m.document is not None:
            stored = self._files[m.document.file_id]
            obj["document"] = self._document_object(stored)
            if m.document.caption is not None:
                obj["caption"] = m.document.caption
        elif m.text is not None:
            obj["text"] = m.text
        if m.reply_markup and "inline_keyboard" in m.reply_markup:
            obj["reply_markup"] = m.reply_markup
        return obj

    def _record(self, kind: str, message: BotMessage) -> None:
        """Store the new state of a message (under the lock) and log the event."""
        messages = self._messages.setdefault(message.chat_id, [])
        for i, existing in enumerate(messages):
            if existing.message_id == message.message_id:
                messages[i] = message
                break
        else:
            messages.append(message)
        self._events.setdefault(message.chat_id, []).append(MessageEvent(kind, message))
        self._cond.notify_all()

    def _find(self, chat_id: int, message_id: Any, error: str) -> BotMessage:
        for m in self._messages.get(chat_id, []):
            if m.message_id == int(message_id) and not m.deleted:
                return m
        raise ApiError(400, f"Bad Request: {error}")

    def _send_message(self, params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        parse_mode = params.get("parse_mode")
        text = self._display_text(
            params.get("text"), parse_mode, MAX_TEXT_LENGTH, "Bad Request: message text is empty"
        )
        markup = self._check_markup(params.get("reply_markup"))
        with self._cond:
            message = BotMessage(
                chat_id=chat_id,
                message_id=self._next_message_id(chat_id),
                text=text,
                raw_text=params["text"],
                parse_mode=parse_mode,
                reply_markup=markup,
                date=int(time.time()),
            )
            self._record("sent", message)
            return self._message_object(message)

    def _edit(self, params: dict[str, Any], *, new_text: bool) -> Any:
        if params.get("inline_message_id"):
            return True
        chat_id = self._chat_id(params)
        parse_mode = params.get("parse_mode")
        text = None
        if new_text:
            text = self._display_text(
                params.get("text"), parse_mode, MAX_TEXT_LENGTH, "Bad Request: message text is empty"
            )
        markup = self._check_markup(params.get("reply_markup"))
        with self._cond:
            current = self._find(chat_id, params.get("message_id"), "message to edit not found")
            if new_text and current.document is not None:
                raise ApiError(400, "Bad Request: there is no text in the message to edit")
            updated = dataclasses.replace(
                current,
                text=text if new_text else current.text,
                raw_text=params["text"] if new_text else current.raw_text,
                parse_mode=parse_mode if new_text else current.parse_mode,
                reply_markup=markup,
            )
            if updated.text == current.text and (updated.reply_markup or None) == (
                current.reply_markup or None
            ):
                raise ApiError(
                    400,
                    "Bad Request: message is not modified: specified new message content and reply "
                    "markup are exactly the same as a current content and reply markup of the message",
                )
            updated = dataclasses.replace(updated, edits=current.edits + 1)
            self._record("edited", updated)
            return self._message_object(updated)

    def _edit_message_text(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return self._edit(params, new_text=True)

    def _edit_message_reply_markup(self, params: dict[str, Any], files: dict[str, Upload]) -> Any:
        return self._edit(params, new_text=False)

    def _delete_message(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        chat_id = self._chat_id(params)
        with self._cond:
            current = self._find(chat_id, params.get("message_id"), "message to delete not found")
            self._record("deleted", dataclasses.replace(current, deleted=True))
        return True

    def _answer_callback_query(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        with self._cond:
            query_id = params.get("callback_query_id")
            if query_id not in self._callback_queries:
                raise ApiError(
                    400,
                    "Bad Request: query is too old and response timeout expired or query ID is invalid",
                )
            del self._callback_queries[query_id]
            self._callback_answers.append(dict(params))
            self._cond.notify_all()
        return True

    def _store_file(self, filename: str, content: bytes, mime: str) -> StoredFile:
        n = next(self._file_counter)
        ext = "." + filename.rsplit(".", 1)[1] if "." in filename else ""
        stored = StoredFile(
            file_id=f"BQACAgUAAxkBAAI{n:06d}",
            file_unique_id=f"AgAD{n:06d}",
            file_path=f"documents/file_{n}{ext}",
            file_name=filename,
            mime_type=mime,
            content=content,
        )
        self._files[stored.file_id] = stored
        return stored

    @staticmethod
    def _document_object(stored: StoredFile) -> dict[str, Any]:
        return {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "mime_type": stored.mime_type,
            "file_size": len(stored.content),
        }

    def _send_document(self, params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        chat_id = self._chat_id(params)
        document = params.get("document")
        upload = files.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            upload = files.get(document[len("attach://") :])
        caption = params.get("caption")
        if caption is not None:
            caption = self._display_text(
                caption, params.get("parse_mode"), MAX_CAPTION_LENGTH, "Bad Request: caption is empty"
            )
        markup = self._check_markup(params.get("reply_markup"))
        with self._cond:
            if upload is not None:
                stored = self._store_file(upload.filename, upload.content, upload.content_type)
            elif isinstance(document, str) and document in self._files:
                stored = self._files[document]
            else:
                raise ApiError(400, "Bad Request: there is no document in the request")
            message = BotMessage(
                chat_id=chat_id,
                message_id=self._next_message_id(chat_id),
                text=None,
                raw_text=None,
                parse_mode=params.get("parse_mode"),
                reply_markup=markup,
                document=Document(
                    file_id=stored.file_id,
                    file_name=stored.file_name,
                    mime_type=stored.mime_type,
                    content=stored.content,
                    caption=caption,
                    message_id=0,
                ),
                date=int(time.time()),
            )
            message = dataclasses.replace(
                message, document=dataclasses.replace(message.document, message_id=message.message_id)
            )
            self._record("sent", message)
            return self._message_object(message)

    def _get_file(self, params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        with self._cond:
            stored = self._files.get(params.get("file_id", ""))
            if stored is None:
                raise ApiError(400, "Bad Request: invalid file_id")
            if len(stored.content) > MAX_DOWNLOAD_BYTES:
                raise ApiError(400, "Bad Request: file is too big")
            return {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(stored.content),
                "file_path": stored.file_path,
            }

    @staticmethod
    def _scope_key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        key = scope.get("type", "default") if isinstance(scope, dict) else "default"
        if isinstance(scope, dict) and "chat_id" in scope:
            key += f":{scope['chat_id']}"
        return key, params.get("language_code") or ""

    def _set_my_commands(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for c in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(c.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not (1 <= len(str(c.get("description", ""))) <= 256):
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        with self._cond:
            self._commands[self._scope_key(params)] = [
                {"command": c["command"], "description": c["description"]} for c in commands
            ]
        return True

    def _get_my_commands(self, params: dict[str, Any], files: dict[str, Upload]) -> list[dict[str, str]]:
        with self._cond:
            return list(self._commands.get(self._scope_key(params), []))

    def _delete_my_commands(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        with self._cond:
            self._commands.pop(self._scope_key(params), None)
        return True

    def _set_webhook(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        url = params.get("url") or ""
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        with self._cond:
            if params.get("drop_pending_updates"):
                self._pending.clear()
            if url:
                self._webhook = {"url": url, "secret_token": secret}
            else:
                self._webhook = {}
            self._cond.notify_all()
        return True

    def _delete_webhook(self, params: dict[str, Any], files: dict[str, Upload]) -> bool:
        with self._cond:
            if params.get("drop_pending_updates"):
                self._pending.clear()
            self._webhook = {}
        return True

    def _get_webhook_info(self, params: dict[str, Any], files: dict[str, Upload]) -> dict[str, Any]:
        with self._cond:
            return {
                "url": self._webhook.get("url", ""),
                "has_custom_certificate": False,
                "pending_update_count": len(self._pending),
            }


def events_tail(events: list[MessageEvent], n: int = 5) -> list[BotMessage]:
    return [e.message for e in events[-n:]]
