"""The console script: ``disclosure-bot [--config FILE] COMMAND``.

Composition only: each subcommand lives in its own module under bot/commands/ and exposes
``register(subparsers)``, which adds its parser and sets ``handler(args, settings) -> int``.

Start-up is kept short: only the module of the command named on the command line is imported
(``--help`` without a command imports them all, to list them), and the settings (pydantic) are
loaded before the command runs only for commands that use them; ``render`` and ``check``, which
work on local files, load them on first use, if ever (an unconfigured ``check`` reads its upload
limit's default without them). Neither imports the database or Telegram libraries.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path
from typing import Any

from report.uploads.limits import MAX_UPLOAD_BYTES

# command name → module in bot/commands/
COMMANDS = {
    "run": "run",
    "chat": "chat",
    "render": "render",
    "check": "check",
    "deadlines": "deadlines",
    "db": "db",
    "export": "export",
    "import-json": "import_json",
    "web": "web",
    "web-link": "web_link",
    "admin": "admin",
    "agencies": "agencies",
}
COMMAND_MODULES = tuple(COMMANDS.values())
# Commands on local files: their settings load on first use (never, for `render`).
LAZY_SETTINGS = frozenset({"render", "check"})
# When nothing configures the bot (no --config, no ./config.toml, no DISCLOSURE_BOT_* environment
# variable), the settings are bot.settings.Settings' defaults: those a command on local files reads
# are answered from here, without importing pydantic (~0.3 s). tests/test_cli_startup.py checks
# that they are the defaults Settings has.
DEFAULT_CONFIG_FILE = "config.toml"
ENV_PREFIX = "DISCLOSURE_BOT_"
UNCONFIGURED_DEFAULTS = {"max_upload_bytes": MAX_UPLOAD_BYTES}  # report/uploads/limits.py


class _SettingsFailed(Exception):
    """The settings could not be loaded; the message says why (printed, exit status 2)."""


def _load(config: str | None):
    from .settings import ConfigFileMissing, load_settings

    try:
        return load_settings(config)
    except ConfigFileMissing as exc:
        raise _SettingsFailed(f"找不到配置文件 / config file not found: {exc}") from exc
    except ValueError as exc:  # pydantic ValidationError is a ValueError
        raise _SettingsFailed(f"配置有误 / invalid configuration:\n{exc}") from exc


def configured(config: str | None) -> bool:
    """Whether anything but the defaults makes the settings: a config file or the environment."""
    if config is not None or Path(DEFAULT_CONFIG_FILE).is_file():
        return True
    return any(name.upper().startswith(ENV_PREFIX) for name in os.environ)


class _LazySettings:
    """The settings, loaded when a command first reads one (not at all for a default it can be
    told without them)."""

    def __init__(self, config: str | None) -> None:
        self._config = config
        self._settings: Any = None

    def __getattr__(self, name: str) -> Any:
        if self._settings is None:
            if name in UNCONFIGURED_DEFAULTS and not configured(self._config):
                return UNCONFIGURED_DEFAULTS[name]
            self._settings = _load(self._config)
        return getattr(self._settings, name)


def _command_in(argv: list[str]) -> str | None:
    """The command named on the command line (after the global options), if it is one of ours."""
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--config":
            i += 2
        elif arg.startswith("--config="):
            i += 1
        elif arg.startswith("-"):
            return None  # --help, or an option argparse will refuse
        else:
            return arg if arg in COMMANDS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser with every command, or with ``only`` that one (a faster start)."""
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
    for name, module_name in COMMANDS.items():
        if only is None or name == only:
            module = importlib.import_module(f"bot.commands.{module_name}")
            module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command_in(argv)
    parser = build_parser(command)
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    if args.config is not None and not Path(args.config).is_file():
        print(f"找不到配置文件 / config file not found: {args.config}", file=sys.stderr)
        return 2
    try:
        settings = _LazySettings(args.config) if args.command in LAZY_SETTINGS else _load(args.config)
        return int(args.handler(args, settings) or 0)
    except _SettingsFailed as exc:
        print(exc, file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`disclosure-bot check --json ... | head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
