"""An offline Telegram test client around the REAL python-telegram-bot Application.

:class:`RecordingRequest` replaces PTB's HTTP layer (a ``telegram.request.BaseRequest``): every Bot
API call is recorded (method, parameters, uploaded files) and answered with canned JSON of the
real shape. :class:`ChatClient` plays one officer in a private chat: it builds real ``Update``
objects (``Update.de_json``) and feeds them to ``application.process_update`` with increasing
update ids, then reads what the bot sent from the recording. ``restart()`` throws the Application
and the Store away and builds new ones on the same database, like a crash and a restart.

Nothing here reaches the network.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes
from telegram.request import BaseRequest, RequestData

TOKEN = "123:ABC"
BASE_URL = "https://api.telegram.test/bot"
BASE_FILE_URL = "https://api.telegram.test/file/bot"
BOT_USER = {
    "id": 123,
    "is_bot": True,
    "first_name": "信息公开年报助手",
    "username": "disclosure_test_bot",
    "can_join_groups": False,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    result: Any = None


class RecordingRequest(BaseRequest):
    """Records every Bot API request and answers it like Telegram would (offline)."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.files: dict[str, bytes] = {}  # file_id -> content, for getFile + download
        self.downloads: list[str] = []  # file paths downloaded
        self._message_ids = itertools.count(10_000)
        self._file_ids = itertools.count(1)

    @property
    def read_timeout(self) -> float | None:
        return 5.0

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    def add_file(self, data: bytes) -> str:
        file_id = f"file-{next(self._file_ids)}"
        self.files[file_id] = data
        return file_id

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        if url.startswith(BASE_FILE_URL):
            path = url.split("/", 6)[-1]
            file_id = path.rsplit("/", 1)[-1]
            self.downloads.append(file_id)
            if file_id not in self.files:
                return 404, b'{"ok": false, "error_code": 404, "description": "Not Found"}'
            return 200, self.files[file_id]
        api_method = url.rsplit("/", 1)[-1]
        params = dict(request_data.parameters) if request_data else {}
        files: dict[str, tuple[str, bytes]] = {}
        if request_data and request_data.contains_files:
            for name, part in request_data.multipart_data.items():
                filename, content = part[0], part[1]
                if hasattr(content, "read"):
                    content = content.read()
                files[name] = (filename, bytes(content))
        call = Call(api_method, params, files)
        result = self._answer(call)
        call.result = result
        self.calls.append(call)
        if isinstance(result, tuple):  # an error
            code, description = result
            return code, json.dumps({"ok": False, "error_code": code, "description": description}).encode()
        return 200, json.dumps({"ok": True, "result": result}).encode()

    def _message(self, params: dict[str, Any], **extra: Any) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        msg: dict[str, Any] = {
            "message_id": next(self._message_ids),
            "date": int(dt.datetime.now(dt.UTC).timestamp()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
        }
        if "reply_markup" in params and params["reply_markup"] is not None:
            markup = params["reply_markup"]
            markup = json.loads(markup) if isinstance(markup, str) else markup
            if "inline_keyboard" in markup:  # Telegram echoes only inline keyboards back
                msg["reply_markup"] = markup
        msg.update(extra)
        return msg

    def _answer(self, call: Call) -> Any:
        p = call.params
        m = call.method
        if m == "getMe":
            return BOT_USER
        if m == "sendMessage":
            text = p.get("text", "")
            if not text or not str(text).strip():
                return 400, "Bad Request: message text is empty"
            if len(str(text).encode("utf-16-le")) // 2 > 4096:  # Telegram counts UTF-16 code units
                return 400, "Bad Request: message is too long"
            return self._message(p, text=text)
        if m == "sendDocument":
            filename, data = call.files.get("document", ("", b""))
            file_id = self.add_file(data)
            doc = {"file_id": file_id, "file_unique_id": file_id, "file_name": filename, "file_size": len(data)}
            extra: dict[str, Any] = {"document": doc}
            if p.get("caption"):
                extra["caption"] = p["caption"]
            return self._message(p, **extra)
        if m in ("editMessageText", "editMessageReplyMarkup", "editMessageCaption"):
            if "chat_id" in p:
                extra = {"text": p["text"]} if "text" in p else {}
                msg = self._message(p, **extra)
                msg["message_id"] = int(p["message_id"])
                return msg
            return True
        if m == "getFile":
            file_id = p["file_id"]
            if file_id not in self.files:
                return 400, "Bad Request: invalid file_id"
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": len(self.files[file_id]),
                "file_path": f"documents/{file_id}",
            }
        # answerCallbackQuery, setMyCommands, deleteMyCommands, sendChatAction, deleteWebhook, ...
        return True

    # -- reading the record ------------------------------------------------------------------
    def sent(self, chat_id: int | None = None) -> list[Call]:
        """Messages and documents sent (in order), optionally to one chat."""
        out = []
        for c in self.calls:
            if c.method not in ("sendMessage", "sendDocument", "editMessageText"):
                continue
            if isinstance(c.result, tuple):
                continue
            if chat_id is not None and int(c.params.get("chat_id", 0)) != chat_id:
                continue
            out.append(c)
        return out

    def methods(self) -> list[str]:
        return [c.method for c in self.calls]


def build_application(store: Any, settings: Any, request: RecordingRequest) -> Application:
    """The production Application (bot.app.build_application), offline: requests go to ``request``."""
    from bot.app import build_application as build_production_application

    settings = settings.model_copy(update={"base_url": BASE_URL, "base_file_url": BASE_FILE_URL})
    app = build_production_application(settings, store=store, request=request, rate_limiter=False, updater=False)
    errors: list[BaseException] = []
    app.bot_data["_test_errors"] = errors

    async def record_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error)  # the production error handler (registered first) logs and replies

    app.add_error_handler(record_error)
    return app


class ChatClient:
    """One officer in a private chat with the bot."""

    _update_ids = itertools.count(1)  # shared: update ids are unique across clients of a run

    def __init__(self, db_url: str, settings: Any, *, user_id: int = 1001, first_name: str = "张",
                 last_name: str = "三", request: RecordingRequest | None = None, store: Any = None):
        self.db_url = db_url
        self.settings = settings
        self.user = {"id": user_id, "is_bot": False, "first_name": first_name, "last_name": last_name,
                     "language_code": "zh-hans"}
        self.chat_id = user_id
        self.request = request or RecordingRequest()
        self.store = store
        self.app: Application | None = None
        self.user_messages = 0  # messages, commands, presses and uploads sent by the officer
        self._msg_ids = itertools.count(1)
        self._mark = 0  # index in the record where the last input started
        self.last_update_id: int | None = None
        self.latencies: list[float] = []  # seconds spent in process_update, per update (for bench/)

    # -- lifecycle ------------------------------------------------------------------------------
    async def start(self) -> ChatClient:
        from storage.store import Store

        if self.store is None:
            self.store = Store.from_url(self.db_url, upgrade=True)
        self.app = build_application(self.store, self.settings, self.request)
        await self.app.initialize()
        return self

    async def stop(self) -> None:
        if self.app is not None:
            await self.app.shutdown()
            self.app = None
        if self.store is not None:
            self.store.dispose()
            self.store = None

    async def restart(self) -> None:
        """A crash and a restart: new Application and Store on the same database; the record stays."""
        await self.stop()
        await self.start()

    @property
    def errors(self) -> list[BaseException]:
        return self.app.bot_data["_test_errors"] if self.app else []

    # -- feeding updates ------------------------------------------------------------------------------
    def _message(self, **extra: Any) -> dict[str, Any]:
        return {
            "message_id": next(self._msg_ids),
            "date": int(dt.datetime.now(dt.UTC).timestamp()),
            "chat": {"id": self.chat_id, "type": "private", "first_name": self.user["first_name"]},
            "from": self.user,
            **extra,
        }

    async def feed(self, payload: dict[str, Any], update_id: int | None = None) -> int:
        """Feed one update (payload without update_id); returns its update id."""
        uid = update_id if update_id is not None else next(self._update_ids)
        self.last_update_id = uid
        data = {"update_id": uid, **payload}
        self._last_payload = data
        self._mark = len(self.request.calls)
        update = Update.de_json(json.loads(json.dumps(data)), self.app.bot)
        started = time.perf_counter()
        await self.app.process_update(update)
        self.latencies.append(time.perf_counter() - started)
        return uid

    async def replay(self) -> None:
        """Feed the last update again, same update id (Telegram redelivering after a crash)."""
        data = dict(self._last_payload)
        uid = data.pop("update_id")
        await self.feed(data, update_id=uid)

    async def send(self, text: str) -> list[str]:
        self.user_messages += 1
        extra: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            length = len(text.split()[0])
            extra["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        await self.feed({"message": self._message(**extra)})
        return self.new_texts()

    async def command(self, text: str) -> list[str]:
        return await self.send(text if text.startswith("/") else "/" + text)

    def find_button(self, label: str, *, exact: bool = True) -> tuple[dict[str, Any], str]:
        """(message, callback data) of the button with this label in the latest message showing it."""
        for call in reversed(self.request.sent(self.chat_id)):
            markup = call.result.get("reply_markup") if isinstance(call.result, dict) else None
            if not markup:
                continue
            for row in markup.get("inline_keyboard", []):
                for b in row:
                    text = b.get("text", "")
                    if (text == label if exact else label in text) and "callback_data" in b:
                        return call.result, b["callback_data"]
        raise AssertionError(f"no button {label!r}; last keyboard: {self.buttons()}")

    async def press(self, label: str, *, exact: bool = False) -> list[str]:
        """Press the inline button with this label in the bot's latest message that shows it."""
        message, data = self.find_button(label, exact=exact)
        return await self.press_data(message, data)

    async def press_data(self, message: dict[str, Any], data: str) -> list[str]:
        self.user_messages += 1
        query = {
            "id": f"cq{next(self._msg_ids)}",
            "from": self.user,
            "chat_instance": f"ci{self.chat_id}",
            "data": data,
            "message": {k: v for k, v in message.items() if k != "from"} | {"from": BOT_USER},
        }
        await self.feed({"callback_query": query})
        return self.new_texts()

    async def upload(self, filename: str, data: bytes, *, file_size: int | None = None) -> list[str]:
        """Send a document; ``file_size`` overrides the size Telegram reports (default: the real size)."""
        self.user_messages += 1
        file_id = self.request.add_file(data)
        doc = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": filename,
            "file_size": len(data) if file_size is None else file_size,
        }
        await self.feed({"message": self._message(document=doc)})
        return self.new_texts()

    # -- reading what the bot sent --------------------------------------------------------------------
    def new_texts(self) -> list[str]:
        """Texts (and document captions) the bot sent in answer to the last input."""
        out = []
        for c in self.request.calls[self._mark:]:
            if c.method in ("sendMessage", "editMessageText") and not isinstance(c.result, tuple):
                out.append(c.params.get("text", ""))
            elif c.method == "sendDocument" and c.params.get("caption"):
                out.append(c.params["caption"])
        return out

    def texts(self) -> list[str]:
        return [c.params.get("text") or c.params.get("caption") or "" for c in self.request.sent(self.chat_id)]

    def last_text(self) -> str:
        for c in reversed(self.request.sent(self.chat_id)):
            if c.method in ("sendMessage", "editMessageText"):
                return c.params.get("text", "")
        return ""

    def buttons(self) -> list[str]:
        """Labels of the latest keyboard the bot sent."""
        for call in reversed(self.request.sent(self.chat_id)):
            markup = call.result.get("reply_markup") if isinstance(call.result, dict) else None
            if markup:
                return [b.get("text", "") for row in markup.get("inline_keyboard", []) for b in row]
        return []

    def documents(self) -> list[tuple[str, bytes]]:
        """(filename, bytes) of every document the bot sent to this chat, in order."""
        return [c.files["document"] for c in self.request.sent(self.chat_id) if c.method == "sendDocument"]

    def answered_callbacks(self) -> int:
        return sum(1 for c in self.request.calls if c.method == "answerCallbackQuery")
