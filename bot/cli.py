"""The console script: ``disclosure-bot [--config FILE] COMMAND``.

Composition only: each subcommand lives in its own module under bot/commands/ and exposes
``register(subparsers)``, which adds its parser and sets ``handler(args, settings) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from .settings import ConfigFileMissing, load_settings

COMMAND_MODULES = (
    "run",
    "chat",
    "render",
    "check",
    "deadlines",
    "db",
    "export",
    "import_json",
    "admin",
    "agencies",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="disclosure-bot",
        description="政府信息公开工作年度报告填报机器人 / Telegram bot for the annual government "
        "information disclosure report.",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="配置文件（TOML），默认读取当前目录的 config.toml / settings file (TOML); "
        "default ./config.toml if present",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", title="命令 / commands")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"bot.commands.{name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        settings = load_settings(args.config)
    except ConfigFileMissing as exc:
        print(f"找不到配置文件 / config file not found: {exc}", file=sys.stderr)
        return 2
    except ValueError as exc:  # pydantic ValidationError is a ValueError
        print(f"配置有误 / invalid configuration:\n{exc}", file=sys.stderr)
        return 2
    try:
        return int(args.handler(args, settings) or 0)
    except BrokenPipeError:
        # The reader went away (`disclosure-bot check --json ... | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
