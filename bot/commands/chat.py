"""``disclosure-bot chat``: the interview in a terminal, without Telegram."""

from __future__ import annotations

import sys
from pathlib import Path

from bot import messages as M

from ._common import open_store


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "chat",
        help="在终端中试用填报对话 / try the interview in a terminal",
        description="在终端中运行与机器人相同的填报对话（本机单用户，自动开放登记）。"
        "按钮显示为编号，输入编号即可点击；/help 查看命令；:file 路径 上传文件；:paste 与 :end 之间的多行作为一条消息发送。 / "
        "Run the same interview as the bot in a terminal (single local user, registration open). "
        "Buttons are numbered: type the number to press one; :file PATH uploads a file; the lines between "
        ":paste and :end are sent as one message.",
    )
    parser.add_argument(
        "--user-id", type=int, default=1, metavar="N",
        help="终端用户的编号（相当于 Telegram 用户 ID），默认 1 / the user's id (as a Telegram id), default 1",
    )
    parser.add_argument(
        "--name", default=M.CONSOLE_DEFAULT_NAME, metavar="NAME",
        help="显示名称 / display name",
    )
    parser.add_argument(
        "--out", metavar="DIR", default=None,
        help="导出文件保存的文件夹，默认为配置中的 output_dir / folder for exported files "
        "(default: output_dir from the settings)",
    )
    parser.set_defaults(handler=run)


def run(args, settings) -> int:
    from ..console import Console
    from ..conversation import build_conversation
    from ..kit.io import Actor

    settings = settings.model_copy(update={"open_registration": True})
    store = open_store(settings)
    if store is None:
        return 2
    try:
        service = build_conversation(store, settings, source="console")
        console = Console(
            service,
            Actor(args.user_id, args.name, args.user_id),
            Path(args.out or settings.output_dir),
            stdin=sys.stdin,
            stdout=sys.stdout,
            max_upload_bytes=settings.max_upload_bytes,
        )
        return console.run()
    finally:
        store.dispose()
