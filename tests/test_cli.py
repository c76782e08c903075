"""``disclosure-bot --help`` and ``disclosure-bot <command> --help`` for every subcommand."""

from __future__ import annotations

import argparse
import importlib
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import cli

CJK = re.compile(r"[\u4e00-\u9fff]")

# What argparse prints by itself, in English, whatever we wrote.
_ARGPARSE_WORDS = re.compile(
    r"usage:|show this help message and exit|options:|positional arguments:|optional arguments:"
)


def _english_words(help_text: str) -> list[str]:
    """Lowercase English words we wrote: argparse boilerplate, option names, metavars and the
    program name taken out."""
    text = re.sub(r"\Ausage:.*?(\n\s*\n|\Z)", " ", help_text, flags=re.S)  # the usage block
    text = _ARGPARSE_WORDS.sub(" ", text)
    text = re.sub(r"disclosure-bot", " ", text)
    text = re.sub(r"(?<![\w])-{1,2}[\w-]+", " ", text)  # --config, -h
    text = re.sub(r"\{[^}]*\}", " ", text)  # {polling,webhook}
    return re.findall(r"\b[a-z]{3,}\b", text)


def _help(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(argv)
    assert exit_info.value.code == 0
    return capsys.readouterr().out


def test_top_level_help_is_bilingual_and_lists_every_command(capsys):
    text = _help(["--help"], capsys)
    assert CJK.search(text)
    assert len(_english_words(text)) >= 5, text
    for name in cli.COMMAND_MODULES:
        command = name.replace("_", "-")
        assert re.search(rf"\b({re.escape(name)}|{re.escape(command)})\b", text), (name, text)


def _registered_commands(module: str) -> list[list[str]]:
    """The command paths bot/commands/<module>.py registers, nested subcommands included,
    e.g. [["db"], ["db", "upgrade"], ["db", "current"]]."""
    parser = argparse.ArgumentParser(prog="disclosure-bot")
    sub = parser.add_subparsers(dest="command")
    importlib.import_module(f"bot.commands.{module}").register(sub)
    paths: list[list[str]] = []

    def walk(prefix: list[str], action: argparse._SubParsersAction) -> None:
        seen: set[int] = set()
        for name, child in action.choices.items():
            if id(child) in seen:  # an alias
                continue
            seen.add(id(child))
            paths.append([*prefix, name])
            for nested in child._actions:
                if isinstance(nested, argparse._SubParsersAction):
                    walk([*prefix, name], nested)

    walk([], sub)
    return paths


@pytest.mark.parametrize("module", cli.COMMAND_MODULES)
def test_subcommand_help_is_bilingual(module, capsys):
    paths = _registered_commands(module)
    assert paths, f"bot/commands/{module}.py registered no command"
    for path in paths:
        text = _help([*path, "--help"], capsys)
        assert CJK.search(text), (path, text)
        assert _english_words(text), (path, text)


def test_no_command_prints_help_and_exits_2(capsys):
    assert cli.main([]) == 2
    assert "disclosure-bot" in capsys.readouterr().out


def test_console_script_help(tmp_path):
    script = Path(sys.executable).with_name("disclosure-bot")
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "bot.cli"]
    result = subprocess.run([*command, "--help"], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert CJK.search(result.stdout) and "run" in result.stdout
