"""``disclosure-bot run`` as a subprocess against the local Bot API emulation."""

from __future__ import annotations

import re
import signal

import pytest

from bot.messages import BOT_COMMANDS as COMMANDS

from .harness import TEST_TOKEN, TEST_TOKEN_SECRET, bot_environment, free_port, run_cli

pytestmark = pytest.mark.e2e

CJK = re.compile(r"[\u4e00-\u9fff]")


def is_answer(message) -> bool:
    """A Chinese reply that is not the error handler's apology."""
    return bool(message.text and CJK.search(message.text) and not message.text.startswith("出错了"))


def test_without_token_exits_2_with_guidance_in_both_languages(emulator, tmp_path):
    env = bot_environment(emulator, tmp_path)
    del env["DISCLOSURE_BOT_TOKEN"]
    result = run_cli(["run"], env, tmp_path)
    assert result.returncode == 2
    text = result.stderr
    assert "@BotFather" in text and "/newbot" in text
    assert "DISCLOSURE_BOT_TOKEN" in text and "config.toml" in text
    assert "disclosure-bot chat" in text
    assert "disclosure-bot admin add" in text and "/admin" in text  # how to become its administrator
    assert "令牌" in text and "No bot token configured" in text
    assert emulator.requests == []  # it never tried to reach the Bot API


def test_answers_start_in_chinese_and_registers_commands(bot, emulator):
    emulator.send_text(1001, "/start")
    reply = emulator.wait_for_message(1001)
    assert is_answer(reply), reply.text

    registered = emulator.commands
    # handler modules may add commands when they register; the base list is all there
    assert set(COMMANDS) <= set(registered)
    assert "start" in [c for c, _ in registered]
    assert all(CJK.search(description) for _, description in registered)
    assert len({c for c, _ in registered}) == len(registered)
    assert emulator.calls("getMe")
    assert emulator.unauthorized_requests == 0


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_during_long_poll_exits_0_within_5_seconds(bot, emulator, sig):
    # wait until a long poll (timeout > 0) is in flight, then stop the bot in the middle of it
    emulator.wait_for_call("getUpdates", lambda c: int(c.params.get("timeout") or 0) > 0)
    code = bot.signal(sig, timeout=5.0)
    assert code == 0, bot.output()


def test_rejected_token_exits_1_with_guidance_and_without_the_token(emulator, tmp_path):
    env = bot_environment(
        emulator, tmp_path, DISCLOSURE_BOT_TOKEN="654321:WRONG-secret-token-0123456789abcdef"
    )
    result = run_cli(["run"], env, tmp_path)
    assert result.returncode == 1
    assert "@BotFather" in result.stderr and "rejected" in result.stderr
    assert "WRONG-secret" not in result.stdout + result.stderr
    assert emulator.unauthorized_requests >= 1


def test_no_token_in_any_log_line_at_debug_level(bot_factory, bot_env, emulator):
    process = bot_factory(bot_env | {"DISCLOSURE_BOT_LOG_LEVEL": "DEBUG"})
    emulator.send_text(1002, "/start")
    emulator.wait_for_message(1002)
    emulator.wait_for_call("getUpdates", lambda c: int(c.params.get("offset") or 0) > 0)
    assert process.terminate() == 0
    output = process.output()
    assert " DEBUG " in output  # the run did log at DEBUG, so there was something to leak
    assert TEST_TOKEN not in output
    assert TEST_TOKEN_SECRET not in output
    assert "TEST-SECRET" not in output


def test_invalid_log_level_exits_2(emulator, tmp_path):
    env = bot_environment(emulator, tmp_path, DISCLOSURE_BOT_LOG_LEVEL="LOUD")
    result = run_cli(["run"], env, tmp_path)
    assert result.returncode == 2
    assert "log_level" in result.stderr


def _webhook_env(bot_env, port, secret="s3cret_Token-42"):
    env = bot_env | {
        "DISCLOSURE_BOT_MODE": "webhook",
        "DISCLOSURE_BOT_WEBHOOK__LISTEN": "127.0.0.1",
        "DISCLOSURE_BOT_WEBHOOK__PORT": str(port),
        "DISCLOSURE_BOT_WEBHOOK__URL_PATH": "hook",
        "DISCLOSURE_BOT_WEBHOOK__PUBLIC_URL": f"http://127.0.0.1:{port}/hook",
    }
    if secret is not None:
        env["DISCLOSURE_BOT_WEBHOOK__SECRET_TOKEN"] = secret
    return env


def test_webhook_checks_the_secret_token_header(bot_factory, bot_env, emulator):
    port = free_port()
    secret = "s3cret_Token-42"
    process = bot_factory(_webhook_env(bot_env, port, secret))
    assert emulator.webhook_url == f"http://127.0.0.1:{port}/hook"
    assert emulator.webhook_secret == secret

    wrong = emulator.build_text_update(2001, "/start")
    status, _ = emulator.post_to_webhook(wrong, secret_token="not-the-secret")
    assert status == 403
    missing = emulator.build_text_update(2002, "/start")
    status, _ = emulator.post_to_webhook(missing, secret_token=None)
    assert status == 403

    emulator.send_text(2003, "/start")  # delivered to the webhook with the registered secret
    reply = emulator.wait_for_message(2003)
    assert is_answer(reply), reply.text
    # updates are handled in order; the refused ones never reached a handler
    assert emulator.messages(2001) == [] and emulator.messages(2002) == []
    assert emulator.calls("getUpdates") == []
    assert process.terminate() == 0


@pytest.mark.parametrize(
    "drop, expected",
    [
        ("DISCLOSURE_BOT_WEBHOOK__SECRET_TOKEN", "secret_token"),
        ("DISCLOSURE_BOT_WEBHOOK__PUBLIC_URL", "public_url"),
    ],
)
def test_webhook_mode_without_secret_or_public_url_exits_2(emulator, tmp_path, bot_env, drop, expected):
    env = _webhook_env(bot_env, free_port())
    del env[drop]
    result = run_cli(["run"], env, tmp_path)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "webhook" in result.stderr and CJK.search(result.stderr)
    assert emulator.requests == []


def test_handler_error_is_reported_with_reference_and_no_user_content(bot, emulator):
    """A handler fails (here: "Telegram" refuses its reply). The user gets the Chinese error with
    a reference; the log has that reference and the exception type, not what the user wrote."""
    secret_words = "机密内容请勿记录7391"
    emulator.inject_error(
        "sendMessage",
        400,
        "Bad Request: chat not found",
        when=lambda call: not str(call.params.get("text", "")).startswith("出错了"),
    )
    emulator.send_text(770031, "/start " + secret_words)
    reply = emulator.wait_for_message(770031)
    match = re.fullmatch(r"出错了，请稍后再试（编号 ([A-Z0-9]{4,8})）", reply.text or "")
    assert match, reply.text
    assert bot.terminate() == 0
    output = bot.output()
    log_lines = [line for line in output.splitlines() if match.group(1) in line]
    assert log_lines, output
    assert "BadRequest" in output
    assert secret_words not in output
    assert "770031" not in output  # not even the chat id


def test_restart_after_sigkill_resumes_polling_without_losing_updates(bot, emulator):
    emulator.wait_for_call("getUpdates", lambda c: int(c.params.get("timeout") or 0) > 0)
    bot.kill()
    emulator.send_text(4001, "/start")  # arrives while the bot is down
    bot.start()
    reply = emulator.wait_for_message(4001)
    assert is_answer(reply), reply.text


def test_without_an_administrator_run_says_how_to_add_one(bot_factory, bot_env, emulator):
    process = bot_factory(bot_env)
    assert process.terminate() == 0
    err = process.stderr()
    assert "disclosure-bot admin add" in err and "Telegram ID" in err
    assert "还没有管理员" in err and "No administrator yet" in err


@pytest.mark.parametrize("how", ["settings", "database"])
def test_with_an_administrator_run_says_nothing_about_it(how, bot_factory, bot_env, emulator, tmp_path):
    env = dict(bot_env)
    if how == "settings":
        env["DISCLOSURE_BOT_ADMINS"] = "424242"
    else:
        result = run_cli(["admin", "add", "424242"], env, tmp_path)
        assert result.returncode == 0, result.stderr
    process = bot_factory(env)
    assert process.terminate() == 0
    err = process.stderr()
    assert "还没有管理员" not in err and "No administrator yet" not in err
