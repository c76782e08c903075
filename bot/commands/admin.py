"""``disclosure-bot admin add|list|remove``: the administrators kept in the database.

Administrators may also be named in the configuration (``admins`` / DISCLOSURE_BOT_ADMINS); those
are listed too but can only be removed there. The rules themselves are storage/access.py.
"""

from __future__ import annotations

import argparse
import sys

from storage import access

from ._common import fail, open_store, usage

MAX_TELEGRAM_ID = 2**52  # Telegram user ids fit in 52 bits


def telegram_id(text: str) -> int:
    try:
        value = int(text.strip())
    except ValueError:
        value = 0
    if not 0 < value < MAX_TELEGRAM_ID:
        raise argparse.ArgumentTypeError(
            f"不是 Telegram 用户 ID（一串正整数，如 123456789） / not a Telegram user id (a positive number): {text!r}"
        )
    return value


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "admin",
        help="管理员：添加、列出、移除 / administrators: add, list, remove",
        description="管理员可以新建协调办公室和机关、生成邀请链接（在 Telegram 中发送 /admin）。"
        " / Administrators create coordinator offices and agencies and make invitation links "
        "(/admin in Telegram).",
    )
    sub = parser.add_subparsers(dest="admin_command", metavar="ACTION", title="操作 / actions")
    add = sub.add_parser(
        "add",
        help="添加管理员 / add an administrator",
        description="按 Telegram ID 添加管理员（给机器人发送 /start 即可看到自己的 ID）。"
        " / Add an administrator by Telegram id (anyone who sends /start to the bot is told theirs).",
    )
    add.add_argument("telegram_id", type=telegram_id, metavar="TELEGRAM_ID", help="Telegram 用户 ID / user id")
    add.set_defaults(handler=add_admin)
    lst = sub.add_parser(
        "list",
        help="列出管理员 / list the administrators",
        description="列出配置中的和用本命令添加的管理员 / list the administrators of the configuration "
        "and those added with this command",
    )
    lst.set_defaults(handler=list_admins)
    rm = sub.add_parser(
        "remove",
        help="移除管理员 / remove an administrator",
        description="移除用本命令添加的管理员（配置中的须在配置中删除） / remove an administrator added "
        "with this command (those in the configuration are removed there)",
    )
    rm.add_argument("telegram_id", type=telegram_id, metavar="TELEGRAM_ID", help="Telegram 用户 ID / user id")
    rm.set_defaults(handler=remove_admin)
    parser.set_defaults(handler=usage(parser))



def add_admin(args, settings) -> int:
    store = open_store(settings)
    if store is None:
        return 2
    try:
        added = access.add_admin(store, args.telegram_id)
    finally:
        store.dispose()
    if added:
        print(f"已添加管理员 {args.telegram_id}：请在 Telegram 中给机器人发送 /admin。")
        print(f"Administrator {args.telegram_id} added: send /admin to the bot in Telegram.")
    else:
        print(f"{args.telegram_id} 已经是管理员。 / {args.telegram_id} is an administrator already.")
    return 0


def list_admins(args, settings) -> int:
    store = open_store(settings)
    if store is None:
        return 2
    try:
        stored = access.stored_admins(store)
    finally:
        store.dispose()
    configured = list(dict.fromkeys(settings.admins))
    if not stored and not configured:
        print("还没有管理员。添加：disclosure-bot admin add TELEGRAM_ID")
        print("No administrator yet. Add one: disclosure-bot admin add TELEGRAM_ID")
        return 0
    for tid in configured:
        print(f"{tid}\t配置文件或环境变量 / configuration")
    for tid in stored:
        if tid not in configured:
            print(f"{tid}\tadmin add")
    return 0


def remove_admin(args, settings) -> int:
    store = open_store(settings)
    if store is None:
        return 2
    try:
        removed = access.remove_admin(store, args.telegram_id)
    finally:
        store.dispose()
    if args.telegram_id in settings.admins:
        print(
            f"{args.telegram_id} 写在配置中（admins / DISCLOSURE_BOT_ADMINS），须在那里删除。\n"
            f"{args.telegram_id} is named in the configuration (admins / DISCLOSURE_BOT_ADMINS): remove it there.",
            file=sys.stderr,
        )
        return 1
    if not removed:
        return fail(f"{args.telegram_id} 不是管理员。 / {args.telegram_id} is not an administrator.", 1)
    print(f"已移除管理员 {args.telegram_id}。 / Administrator {args.telegram_id} removed.")
    return 0
