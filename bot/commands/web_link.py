"""``disclosure-bot web-link TELEGRAM_ID``: print a one-time sign-in link to the desk (for an
administrator at the console; the bot's /web command sends the same kind of link in chat)."""

from __future__ import annotations

from ._common import fail, open_store

NO_PUBLIC_URL = """\
未配置 web.public_url（网页工作台的访问地址），无法生成登录链接。
请在 config.toml 的 [web] 段设置 public_url，或设置环境变量 DISCLOSURE_BOT_WEB__PUBLIC_URL。
web.public_url (the address of the web desk) is not configured; set it in the [web] section of
config.toml or in DISCLOSURE_BOT_WEB__PUBLIC_URL.
"""


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "web-link",
        help="生成网页工作台的一次性登录链接 / print a one-time sign-in link to the web desk",
        description="为指定的 Telegram 用户生成网页工作台的一次性登录链接（几分钟内有效，只能使用一次）。 / "
        "Print a one-time sign-in link to the web desk for a Telegram user (valid for minutes, usable once).",
    )
    parser.add_argument("telegram_id", metavar="TELEGRAM_ID", type=int, help="Telegram 数字 ID / numeric Telegram id")
    parser.set_defaults(handler=run)


def run(args, settings) -> int:
    if not settings.web.public_url:
        return fail(NO_PUBLIC_URL)
    if args.telegram_id <= 0:
        return fail("TELEGRAM_ID 应为正整数 / TELEGRAM_ID must be a positive number")
    store = open_store(settings)
    if store is None:
        return 2
    try:
        from storage.web_login import issue_login_link

        link = issue_login_link(store, settings, args.telegram_id)
    finally:
        store.dispose()
    print(link)
    print(f"此链接 {settings.web.link_minutes} 分钟内有效，只能使用一次。"
          f" / Valid for {settings.web.link_minutes} minutes, usable once.")
    return 0
