"""bot.logging_setup, bot.errors and bot.app in process, against the Bot API emulation."""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram import Bot, Update
from telegram.ext import Application, CommandHandler, ContextTypes

from bot.app import build_application
from bot.errors import describe_exception, user_message
from bot.logging_setup import LOGGER_FLOORS, REDACTED, configure_logging, redact, token_secrets
from bot.messages import BOT_COMMANDS
from bot.settings import Settings
from tests.emulator import BotApiEmulator

from .harness import TEST_TOKEN, TEST_TOKEN_SECRET


@pytest.fixture
def restore_logging():
    root = logging.getLogger()
    saved = (
        list(root.handlers),
        root.level,
        {n: logging.getLogger(n).level for n in [*LOGGER_FLOORS, "telegram.Bot"]},
    )
    yield
    for handler in list(root.handlers):
        if handler not in saved[0]:
            root.removeHandler(handler)
    for handler in saved[0]:
        for f in list(handler.filters):
            if type(f).__name__ == "RedactingFilter":
                handler.removeFilter(f)
    root.setLevel(saved[1])
    for name, level in saved[2].items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)


def assert_no_token(text: str) -> None:
    assert TEST_TOKEN not in text
    assert TEST_TOKEN_SECRET not in text


def test_redaction_covers_message_args_traceback_and_stack(restore_logging, capsys):
    configure_logging("DEBUG", secrets=token_secrets(TEST_TOKEN))
    log = logging.getLogger("some.module")
    log.debug("GET https://api.telegram.org/bot%s/getMe", TEST_TOKEN)
    log.info(f"secret part alone: {TEST_TOKEN_SECRET}")
    log.warning("another bot's URL: https://x/bot987654321:AAH-zz_yy1234567890abcdefghijklmnop/getMe")
    try:
        raise RuntimeError(f"The token `{TEST_TOKEN}` was rejected by the server.")
    except RuntimeError:
        log.exception("failed", stack_info=True)
    err = capsys.readouterr().err
    assert_no_token(err)
    assert "AAH-zz_yy1234567890abcdefghijklmnop" not in err
    assert err.count(REDACTED) >= 4
    assert "RuntimeError" in err and "Stack (most recent call last)" in err


def test_floors_keep_url_and_content_loggers_quiet_at_any_level(restore_logging):
    configure_logging("DEBUG")
    for name in ("httpx", "httpcore", "telegram.request.HTTPXRequest"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.WARNING, name
    for name in ("telegram.Bot", "telegram.ext.ExtBot", "telegram.ext.Application", "telegram.ext.Updater"):
        assert logging.getLogger(name).getEffectiveLevel() >= logging.INFO, name
    assert logging.getLogger("bot.app").getEffectiveLevel() == logging.DEBUG
    configure_logging("ERROR")
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.ERROR
    assert len([h for h in logging.getLogger().handlers if getattr(h, "_disclosure_bot_handler", False)]) == 1


async def test_real_ptb_debug_output_is_redacted_even_without_the_floors(restore_logging, capsys):
    configure_logging("DEBUG", secrets=token_secrets(TEST_TOKEN))
    for name in ("telegram.Bot", "httpx", "httpcore"):  # take the floors away: the filter alone
        logging.getLogger(name).setLevel(logging.DEBUG)
    with BotApiEmulator(TEST_TOKEN) as emulator:
        async with Bot(TEST_TOKEN, base_url=emulator.base_url) as bot:
            await bot.get_me()
    err = capsys.readouterr().err
    assert "Set Bot API URL" in err and "HTTP Request" in err  # the library did print its URLs
    assert_no_token(err)
    assert REDACTED in err


@given(st.text(max_size=40), st.text(max_size=40))
def test_redact_removes_the_token_wherever_it_is(before, after):
    out = redact(before + TEST_TOKEN + after, token_secrets(TEST_TOKEN))
    assert TEST_TOKEN not in out and TEST_TOKEN_SECRET not in out


def test_describe_exception_keeps_types_and_frames_but_not_messages():
    user_text = "".join(["机", "密"])  # built at run time: the source lines in the frames don't show it
    person = "张" + "三"
    try:
        try:
            raise KeyError(person)
        except KeyError as inner:
            raise ValueError(user_text) from inner
    except ValueError as exc:
        text = describe_exception(exc)
    assert "builtins.ValueError" in text and "builtins.KeyError" in text
    assert "test_describe_exception_keeps_types" in text  # the frames are there
    assert "机密" not in text and "张三" not in text


@pytest.fixture
def settings(emulator: BotApiEmulator, tmp_path) -> Settings:
    return Settings(
        token=TEST_TOKEN,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        database_url=f"sqlite:///{tmp_path / 'bot.db'}",
    )


async def test_application_composition_and_error_handler(settings, emulator, caplog):
    application = build_application(settings)
    assert isinstance(application, Application)
    assert application.bot_data["settings"] is settings
    store = application.bot_data["store"]
    assert store is not None and hasattr(store, "engine")
    assert application.bot.base_url == f"{emulator.base_url}{TEST_TOKEN}"
    assert application.bot.base_file_url == f"{emulator.base_file_url}{TEST_TOKEN}"
    assert application.error_handlers

    async def explode(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise RuntimeError(f"could not parse {update.message.text!r}")

    application.add_handler(CommandHandler("boom", explode), group=-1)
    caplog.set_level(logging.INFO)
    async with application:
        await application.post_init(application)
        assert application.bot_data["conversation"].bot_username == "disclosure_test_bot"
        assert set(BOT_COMMANDS) <= set(emulator.commands)
        update = Update.de_json(emulator.build_text_update(31337, "/boom 某局机密数据"), application.bot)
        await application.process_update(update)
    apology = emulator.wait_for_message(31337, lambda m: (m.text or "").startswith("出错了"))
    ref = re.fullmatch(r"出错了，请稍后再试（编号 (\w+)）", apology.text).group(1)
    assert apology.text == user_message(ref)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert ref in logged and "RuntimeError" in logged
    assert "某局机密数据" not in logged and "31337" not in logged
    store.dispose()
