"""Fixtures for end-to-end tests (marked ``@pytest.mark.e2e``).

``emulator``: a started :class:`tests.emulator.BotApiEmulator` expecting ``TEST_TOKEN``.
``bot_env``: the environment for a bot process pointed at it (SQLite in tmp_path); add settings
    with ``bot_env | {"DISCLOSURE_BOT_…": "…"}``.
``bot_factory``: ``bot_factory(env=None, args=("run",), wait_ready=True) -> BotProcess``; every
    process it made is stopped at teardown. A BotProcess can ``terminate()`` (SIGTERM),
    ``kill()`` (SIGKILL) and ``start()`` / ``restart()`` again on the same database.
``bot``: a polling bot, started and ready (it has asked the emulator for updates).

A whole conversation::

    def test_hub(bot, emulator):
        emulator.send_text(42, "/start")
        reply = emulator.wait_for_message(42)
        emulator.press_button(42, "三、收到和处理政府信息公开申请情况")
        ...
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

import pytest

_ROOT = Path(__file__).resolve().parents[2]
if str(_ROOT) not in sys.path:  # `tests.emulator` must import however pytest was started
    sys.path.insert(0, str(_ROOT))

from tests.emulator import BotApiEmulator  # noqa: E402

from .harness import TEST_TOKEN, BotProcess, bot_environment  # noqa: E402


@pytest.fixture
def emulator() -> Iterator[BotApiEmulator]:
    with BotApiEmulator(TEST_TOKEN) as emu:
        yield emu


@pytest.fixture
def bot_env(emulator: BotApiEmulator, tmp_path: Path) -> dict[str, str]:
    return bot_environment(emulator, tmp_path)


@pytest.fixture
def bot_factory(
    emulator: BotApiEmulator, bot_env: dict[str, str], tmp_path: Path
) -> Iterator[Callable[..., BotProcess]]:
    made: list[BotProcess] = []

    def make(
        env: Mapping[str, str] | None = None, args: Sequence[str] = ("run",), wait_ready: bool = True
    ) -> BotProcess:
        workdir = tmp_path / f"process{len(made) + 1}"
        workdir.mkdir()
        process = BotProcess(emulator, workdir, env if env is not None else bot_env, args)
        made.append(process)
        return process.start(wait_ready=wait_ready)

    yield make
    for process in made:
        process.close()


@pytest.fixture
def bot(bot_factory: Callable[..., BotProcess]) -> BotProcess:
    return bot_factory()
