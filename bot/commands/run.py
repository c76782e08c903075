"""``disclosure-bot run``: start the bot (long polling by default, webhook when configured)."""

from __future__ import annotations

import argparse
import logging
import re

from ..settings import Settings
from ._common import fail

logger = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds a getUpdates long poll waits; SIGTERM cancels it at once

NO_TOKEN_MESSAGE = """\
未配置机器人令牌（token），无法连接 Telegram。
  1. 在 Telegram 中打开 @BotFather，发送 /newbot，按提示取名，得到形如 123456789:AA… 的令牌；
  2. 把令牌放进环境变量 DISCLOSURE_BOT_TOKEN，或写入 config.toml 的 token = "…"；
  3. 再运行 disclosure-bot run。
不连 Telegram 也能先试用：disclosure-bot chat（在终端里走一遍填报流程）。

No bot token configured, so the bot cannot connect to Telegram.
  1. In Telegram, open @BotFather, send /newbot and follow the prompts; it gives you a token
     like 123456789:AA…;
  2. put it in the environment variable DISCLOSURE_BOT_TOKEN, or as token = "…" in config.toml;
  3. run disclosure-bot run again.
To try the bot offline first: disclosure-bot chat (the same interview in the terminal).
"""

WEBHOOK_INCOMPLETE_MESSAGE = """\
webhook 模式需要配置 {missing}（config.toml 的 [webhook] 段，或环境变量 {env}）。
  public_url：Telegram 访问本机的 HTTPS 地址，例如 https://bot.example.gov.cn/telegram；
  secret_token：1–256 个字符（A–Z a–z 0–9 _ -），Telegram 每次推送都带上它，机器人据此拒绝伪造的请求。
不需要 webhook 时，去掉 mode = "webhook" 即使用长轮询。

Webhook mode needs {missing} (the [webhook] section of config.toml, or {env}).
  public_url: the HTTPS address at which Telegram reaches this machine,
    e.g. https://bot.example.gov.cn/telegram;
  secret_token: 1-256 characters (A-Z a-z 0-9 _ -); Telegram sends it with every update and the
    bot refuses requests without it.
Without a webhook, remove mode = "webhook" to use long polling.
"""

BAD_SECRET_MESSAGE = """\
webhook.secret_token 只能由 1–256 个 A–Z a–z 0–9 _ - 字符组成。
webhook.secret_token must be 1-256 characters from A-Z a-z 0-9 _ -.
"""

TOKEN_REJECTED_MESSAGE = """\
Telegram 拒绝了这个令牌（token）。请到 @BotFather 核对（/mybots → API Token），再更新 DISCLOSURE_BOT_TOKEN 或 config.toml。
Telegram rejected the bot token. Check it with @BotFather (/mybots → API Token) and update
DISCLOSURE_BOT_TOKEN or config.toml.
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "run",
        help="运行机器人（默认长轮询，可配置 webhook） / run the bot (long polling, or webhook)",
        description="连接 Telegram 并开始服务；Ctrl+C 或 SIGTERM 停止。 / Connect to Telegram and serve "
        "until Ctrl+C or SIGTERM.",
    )
    parser.add_argument(
        "--mode",
        choices=("polling", "webhook"),
        help="覆盖配置中的 mode / override the configured mode",
    )
    parser.add_argument(
        "--log-level",
        metavar="LEVEL",
        help="覆盖配置中的 log_level（DEBUG、INFO、WARNING…） / override log_level (DEBUG, INFO, WARNING…)",
    )
    parser.set_defaults(handler=run)


def _webhook_problem(settings: Settings) -> str | None:
    missing = []
    env = []
    if not settings.webhook.public_url:
        missing.append("webhook.public_url")
        env.append("DISCLOSURE_BOT_WEBHOOK__PUBLIC_URL")
    secret = settings.webhook.secret_token.get_secret_value() if settings.webhook.secret_token else ""
    if not secret:
        missing.append("webhook.secret_token")
        env.append("DISCLOSURE_BOT_WEBHOOK__SECRET_TOKEN")
    if missing:
        return WEBHOOK_INCOMPLETE_MESSAGE.format(missing=", ".join(missing), env=", ".join(env))
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        return BAD_SECRET_MESSAGE
    return None


def run(args: argparse.Namespace, settings: Settings) -> int:
    overrides = {}
    if getattr(args, "mode", None):
        overrides["mode"] = args.mode
    if getattr(args, "log_level", None):
        overrides["log_level"] = args.log_level
    if overrides:
        settings = settings.model_copy(update=overrides)

    token = settings.token_value
    if not token:
        return fail(NO_TOKEN_MESSAGE)
    if settings.mode == "webhook":
        problem = _webhook_problem(settings)
        if problem:
            return fail(problem)

    from ..logging_setup import configure_logging, install_redaction, parse_level, token_secrets

    webhook_secret = (
        settings.webhook.secret_token.get_secret_value() if settings.webhook.secret_token else None
    )
    try:
        parse_level(settings.log_level)
    except ValueError:
        return fail(f"log_level 无效 / invalid log_level: {settings.log_level!r}")
    secrets = [*token_secrets(token), webhook_secret or ""]
    configure_logging(settings.log_level, secrets=secrets)

    # Imported late: the PTB stack is only needed here, and logging is in place before it loads.
    from telegram import Update
    from telegram.error import InvalidToken

    from storage.db import SchemaTooNew

    from ..app import build_application

    try:
        application = build_application(settings)
    except SchemaTooNew as exc:
        return fail(exc)
    except Exception:
        logger.exception("Could not start: the database or the configuration failed")
        return 1
    install_redaction(secrets)  # again: in case anything added a root handler while building
    if settings.web.enabled:  # the web desk in this process, beside the bot (web/serve.py)
        from web.serve import start_in_background

        start_in_background(settings)

    try:
        if settings.mode == "webhook":
            logger.info("Starting in webhook mode on %s:%s", settings.webhook.listen, settings.webhook.port)
            application.run_webhook(
                listen=settings.webhook.listen,
                port=settings.webhook.port,
                url_path=settings.webhook.url_path,
                webhook_url=settings.webhook.public_url,
                secret_token=webhook_secret,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
        else:
            logger.info("Starting in polling mode")
            application.run_polling(
                timeout=POLL_TIMEOUT,
                allowed_updates=Update.ALL_TYPES,
                drop_pending_updates=False,
            )
    except InvalidToken:
        return fail(TOKEN_REJECTED_MESSAGE, 1)
    except Exception:
        logger.exception("The bot stopped on an error")
        return 1
    logger.info("Stopped")
    return 0
