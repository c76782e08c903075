"""The bot in a terminal (``disclosure-bot chat``): the same conversation as in Telegram.

Replies are printed; inline buttons become numbered choices (typing the number presses the
button; on a question that asks for numbers, type ``#N`` instead so that ``5`` stays an answer);
``/...`` commands work; ``:file PATH`` uploads a file; ``:paste`` … ``:end`` sends the lines between
them as one message (a table pasted from Excel, or 一 with its sub-headings); documents the bot
sends are written to the output folder. Buttons stay on screen until a reply brings new ones, as
an older Telegram message keeps its buttons. Reads stdin line by line, so a piped script works;
EOF ends the session.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TextIO

from bot import messages as M
from report.uploads.limits import MAX_UPLOAD_BYTES

from .kit.io import Actor, Callback, Document, Reply, Text, parse_command
from .kit.runtime import Conversation
from .kit.state import State
from .kit.texts import clean

_BUTTON = re.compile(r"^#?(\d{1,3})$")
PASTE_START = ":paste"
PASTE_END = ":end"


class Console:
    def __init__(
        self,
        service: Conversation,
        actor: Actor,
        out_dir: Path,
        *,
        stdin: TextIO | None = None,
        stdout: TextIO | None = None,
        max_upload_bytes: int = MAX_UPLOAD_BYTES,
    ):
        self.service = service
        self.actor = actor
        self.out_dir = Path(out_dir)
        self.stdin = stdin or sys.stdin
        self.stdout = stdout or sys.stdout
        self.max_upload_bytes = max_upload_bytes
        self.buttons: list[str] = []  # callback data of the numbered buttons on screen

    def say(self, text: str) -> None:
        print(text, file=self.stdout, flush=True)

    def show(self, replies: list[Reply]) -> None:
        # A reply without buttons (e.g. the exported document) leaves the earlier buttons usable,
        # as in Telegram, where the export menu's message keeps its buttons.
        if any(reply.buttons for reply in replies):
            self.buttons = []
        for reply in replies:
            self.say(reply.text)
            if reply.document is not None:
                name, data = reply.document
                self.out_dir.mkdir(parents=True, exist_ok=True)
                path = self.out_dir / Path(name).name
                path.write_bytes(data)
                self.say(M.console_saved(str(path)))
            for row in reply.buttons:
                cells = []
                for b in row:
                    self.buttons.append(b.data)
                    cells.append(f"[{len(self.buttons)}] {b.label}")
                self.say("  " + "   ".join(cells))
            self.say("")

    def input_for(self, line: str):
        """The interview input for one typed line, or None (after printing why)."""
        cmd = parse_command(line)
        if cmd is not None:
            return cmd
        if line.startswith(":file"):
            path = Path(line[len(":file") :].strip()).expanduser()
            if not path.is_file():
                self.say(M.console_file_missing(str(path)))
                return None
            data = path.read_bytes()
            if len(data) > self.max_upload_bytes:
                self.say(M.console_file_too_big(self.max_upload_bytes // (1024 * 1024)))
                return None
            return Document(path.name, data)
        m = _BUTTON.match(line)
        if m and (line.startswith("#") or not self.expects_numbers()):
            n = int(m.group(1))
            if 1 <= n <= len(self.buttons):
                return Callback(self.buttons[n - 1])
            if line.startswith("#"):
                self.say(M.console_bad_choice(n))
                return None
        return Text(clean(line))

    def expects_numbers(self) -> bool:
        """Whether the user's current question asks for numbers (then "5" is an answer, not a button)."""
        store = self.service.store
        user = store.find_user(self.actor.telegram_id)
        state = State.load(store.get_position(user.id) if user else None)
        return state.screen == "q" and (state.q or "").startswith("r:")

    def run(self) -> int:
        self.say(M.CONSOLE_BANNER)
        self.say("")
        self.show(self.service.handle(self.actor, parse_command("/start")))
        pasted: list[str] | None = None  # the lines of a :paste block being read
        for raw in self.stdin:
            line = raw.rstrip("\r\n")
            if pasted is not None:
                if line.strip() == PASTE_END:
                    self.say(f"> {PASTE_END}")
                    text = "\n".join(pasted).strip("\n")
                    pasted = None
                    if text.strip():
                        self.show(self.service.handle(self.actor, Text(text)))
                    else:
                        self.say(M.CONSOLE_PASTE_EMPTY)
                else:
                    pasted.append(line)
                    self.say(f"| {line}")
                continue
            if not line.strip():
                continue
            self.say(f"> {line}")
            if line.strip() == PASTE_START:
                pasted = []
                self.say(M.CONSOLE_PASTE_HINT)
                continue
            inp = self.input_for(line.strip())
            if inp is not None:
                self.show(self.service.handle(self.actor, inp))
        if pasted:
            self.say(M.CONSOLE_PASTE_UNFINISHED)
        self.say(M.CONSOLE_BYE)
        return 0
