"""Start ``disclosure-bot`` as a real subprocess against the local Bot API emulation.

:class:`BotProcess` wraps one bot process (which may be started, stopped, killed and started again
on the same database); the fixtures in tests/e2e/conftest.py build them.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.emulator import BotApiEmulator

TEST_TOKEN = "123456:TEST-SECRET-token-AAbbCCddEEff0123456789_xyz"
TEST_TOKEN_SECRET = TEST_TOKEN.split(":", 1)[1]


def cli_command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m bot.cli``."""
    script = Path(sys.executable).with_name("disclosure-bot")
    if script.is_file():
        return [str(script)]
    return [sys.executable, "-m", "bot.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bot_environment(emulator: BotApiEmulator, workdir: Path, **extra: str) -> dict[str, str]:
    """The environment for a bot process: no DISCLOSURE_BOT_* from outside, the test token,
    the emulator's URLs and a SQLite database in ``workdir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCLOSURE_BOT_")}
    env.update(
        PYTHONUNBUFFERED="1",
        DISCLOSURE_BOT_TOKEN=emulator.token or TEST_TOKEN,
        DISCLOSURE_BOT_BASE_URL=emulator.base_url,
        DISCLOSURE_BOT_BASE_FILE_URL=emulator.base_file_url,
        DISCLOSURE_BOT_DATABASE_URL=f"sqlite:///{workdir / 'bot.db'}",
        DISCLOSURE_BOT_OUTPUT_DIR=str(workdir / "output"),
    )
    env.update(extra)
    return env


class BotProcess:
    """``disclosure-bot <args>`` with stdout/stderr captured to files in ``workdir``.

    The working directory is ``workdir``, so no config.toml of the checkout is read.
    """

    def __init__(
        self,
        emulator: BotApiEmulator,
        workdir: Path,
        env: Mapping[str, str],
        args: Sequence[str] = ("run",),
    ):
        self.emulator = emulator
        self.workdir = workdir
        self.env = dict(env)
        self.args = list(args)
        self.proc: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.log_files: list[Path] = []

    # ------------------------------------------------------------------ lifecycle

    def start(self, *, wait_ready: bool = True, timeout: float = 30.0) -> BotProcess:
        assert not self.running, "already running"
        self.runs += 1
        stdout = self.workdir / f"run{self.runs}.stdout"
        stderr = self.workdir / f"run{self.runs}.stderr"
        self.log_files += [stdout, stderr]
        self._calls_before = len(self.emulator.requests)
        with open(stdout, "wb") as out, open(stderr, "wb") as err:
            self.proc = subprocess.Popen(
                [*cli_command(), *self.args],
                cwd=self.workdir,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        if wait_ready:
            self.wait_ready(timeout)
        return self

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Until the bot asks for updates (polling) or has set its webhook and listens (webhook)."""
        deadline = time.monotonic() + timeout
        webhook = self.env.get("DISCLOSURE_BOT_MODE") == "webhook" or "webhook" in self.args
        method = "setWebhook" if webhook else "getUpdates"
        while True:
            self._check_alive()
            try:
                self.emulator.wait_for_call(method, timeout=0.2, after=self._calls_before)
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"bot not ready after {timeout} s\n{self.output()}") from None
        if webhook:
            port = int(self.env.get("DISCLOSURE_BOT_WEBHOOK__PORT", "8443"))
            while True:
                self._check_alive()
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                        return
                except OSError:
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"webhook not listening after {timeout} s") from None
                    time.sleep(0.05)

    def _check_alive(self) -> None:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"bot exited early with code {self.proc.returncode}\n{self.output()}")

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    @property
    def returncode(self) -> int | None:
        return None if self.proc is None else self.proc.poll()

    def terminate(self, timeout: float = 5.0) -> int:
        """SIGTERM; the exit code (raises subprocess.TimeoutExpired if it does not end in time)."""
        return self.signal(signal.SIGTERM, timeout)

    def kill(self) -> int:
        """SIGKILL: a crash, nothing cleaned up."""
        return self.signal(signal.SIGKILL, 10.0)

    def signal(self, sig: int, timeout: float) -> int:
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def restart(self, *, kill: bool = False, wait_ready: bool = True) -> BotProcess:
        """Stop (SIGTERM, or SIGKILL with kill=True) and start again on the same database."""
        if self.running:
            self.kill() if kill else self.terminate()
        return self.start(wait_ready=wait_ready)

    def close(self) -> None:
        """Make sure the process is gone (used by the fixture teardown)."""
        if self.running:
            try:
                self.terminate(timeout=5.0)
            except subprocess.TimeoutExpired:
                self.kill()

    # ------------------------------------------------------------------ output

    def output(self) -> str:
        """Everything every run of this process printed (stdout and stderr)."""
        return "".join(
            f"--- {p.name}\n{p.read_text(encoding='utf-8', errors='replace')}"
            for p in self.log_files
            if p.exists()
        )

    def stderr(self, run: int | None = None) -> str:
        path = self.workdir / f"run{run or self.runs}.stderr"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""

    def stdout(self, run: int | None = None) -> str:
        path = self.workdir / f"run{run or self.runs}.stdout"
        return path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""


def run_cli(
    args: Sequence[str], env: Mapping[str, str], cwd: Path, timeout: float = 30.0
) -> subprocess.CompletedProcess:
    """Run ``disclosure-bot <args>`` to completion, capturing text output."""
    return subprocess.run(
        [*cli_command(), *args],
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
