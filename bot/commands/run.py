"""``disclosure-bot run``: start the bot (long polling by default, webhook when configured).

Polling goes through bot/polling.py (an update is confirmed to Telegram only after its handlers
finished), webhook mode through bot/webhook.py (answered 200 only after its handlers finished). A
deployment without any administrator is told, on stderr, how to add the first one.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import re
import sys

from ..settings import Settings
from ._common import fail

logger = logging.getLogger(__name__)

POLL_TIMEOUT = 10  # seconds a getUpdates long poll waits; SIGTERM cancels it at once

NO_TOKEN_MESSAGE = """\
未配置机器人令牌（token），无法连接 Telegram。
  1. 在 Telegram 中打开 @BotFather，发送 /newbot，按提示取名，得到形如 123456789:AA… 的令牌；
  2. 把令牌放进环境变量 DISCLOSURE_BOT_TOKEN，或写入 config.toml 的 token = "…"；
  3. 再运行 disclosure-bot run。
机器人运行后，成为它的管理员：在 Telegram 中给机器人发送 /start，它会告诉您的 Telegram ID；
在本机运行 disclosure-bot admin add 您的TelegramID，再在 Telegram 中发送 /admin。
不连 Telegram 也能先试用：disclosure-bot chat（在终端里走一遍填报流程）。

No bot token configured, so the bot cannot connect to Telegram.
  1. In Telegram, open @BotFather, send /newbot and follow the prompts; it gives you a token
     like 123456789:AA…;
  2. put it in the environment variable DISCLOSURE_BOT_TOKEN, or as token = "…" in config.toml;
  3. run disclosure-bot run again.
Once it runs, become its administrator: send /start to the bot in Telegram and it tells you your
Telegram ID; run disclosure-bot admin add YOUR_TELEGRAM_ID here, then send /admin in Telegram.
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


NO_ADMIN_MESSAGE = """\
还没有管理员。管理员负责新建协调办公室和机关、生成邀请链接（/admin）。添加第一位管理员：
  1. 在 Telegram 中给机器人发送 /start：尚未加入任何机关的人会看到自己的 Telegram ID（一串数字）；
  2. 在运行机器人的机器上执行：disclosure-bot admin add 您的TelegramID
     （或在 config.toml 中写 admins = [您的TelegramID]，或设环境变量 DISCLOSURE_BOT_ADMINS）；
  3. 再在 Telegram 中发送 /admin。批量建立机关：disclosure-bot agencies import 名单.csv
No administrator yet. Administrators create coordinator offices and agencies and make invitation
links (/admin). To add the first one:
  1. send /start to the bot in Telegram: anyone who is not a member yet is told their Telegram ID;
  2. on the machine running the bot: disclosure-bot admin add YOUR_TELEGRAM_ID
     (or admins = [YOUR_TELEGRAM_ID] in config.toml, or DISCLOSURE_BOT_ADMINS);
  3. send /admin in Telegram. Many agencies at once: disclosure-bot agencies import ROSTER.csv
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

    from .. import webhook
    from ..app import build_application
    from ..polling import serve

    try:
        # Updates come through bot/polling.py or bot/webhook.py: each is handled before Telegram is
        # told it arrived, so PTB's Updater (which confirms first) is not used.
        application = build_application(settings, updater=False)
    except SchemaTooNew as exc:
        return fail(exc)
    except Exception:
        logger.exception("Could not start: the database or the configuration failed")
        return 1
    install_redaction(secrets)  # again: in case anything added a root handler while building
    _tell_if_no_admin(settings, application.bot_data["store"])
    if settings.web.enabled:  # the web desk in this process, beside the bot (web/serve.py)
        from web.serve import start_in_background

        start_in_background(settings)

    try:
        if settings.mode == "webhook":
            logger.info("Starting in webhook mode on %s:%s", settings.webhook.listen, settings.webhook.port)
            asyncio.run(
                webhook.serve(
                    application,
                    listen=settings.webhook.listen,
                    port=settings.webhook.port,
                    url_path=settings.webhook.url_path,
                    webhook_url=settings.webhook.public_url,
                    secret_token=webhook_secret,
                    allowed_updates=Update.ALL_TYPES,
                )
            )
        else:
            logger.info("Starting in polling mode")
            asyncio.run(serve(application, timeout=POLL_TIMEOUT, allowed_updates=Update.ALL_TYPES))
    except InvalidToken:
        return fail(TOKEN_REJECTED_MESSAGE, 1)
    except Exception:
        logger.exception("The bot stopped on an error")
        return 1
    logger.info("Stopped")
    return 0


def _tell_if_no_admin(settings: Settings, store) -> None:
    """Print how to add the first administrator when neither the settings nor the database name one."""
    from storage import access

    if settings.admins:
        return
    try:
        if access.stored_admins(store):
            return
    except Exception:  # noqa: BLE001 - a hint only; the bot starts anyway
        logger.exception("Could not read the administrators")
        return
    print(NO_ADMIN_MESSAGE, file=sys.stderr, flush=True)
    logger.warning("No administrator configured or added: see the instructions above")
