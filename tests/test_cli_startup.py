"""`disclosure-bot render` and `check` start without the libraries they do not use: no database
(SQLAlchemy, Alembic, SQLModel), no Telegram, and for `render` no settings (pydantic). (How long
the start takes is measured in bench/bench_startup.py, not asserted here.)"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"
HEAVY = ("sqlalchemy", "alembic", "sqlmodel", "telegram", "psycopg", "pydantic", "docx")

PROBE = """
import json, sys
from bot.cli import main
code = main(sys.argv[1:])
sys.stdout.flush()
heavy = sorted({m.split('.')[0] for m in sys.modules} & set(%r))
print(json.dumps({"code": code, "heavy": heavy}), file=sys.stderr)
"""


def loaded(tmp_path: Path, *argv: str) -> tuple[int, list[str]]:
    """The exit status of ``disclosure-bot argv`` run in ``tmp_path`` with nothing configuring the
    bot, and which of HEAVY it imported."""
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("DISCLOSURE_BOT_")}
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *argv],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return report["code"], report["heavy"]


def test_render_loads_no_database_telegram_settings_or_word_library(tmp_path: Path) -> None:
    code, heavy = loaded(tmp_path, "render", str(FIXTURES / "2023-busy.json"), "--to", "docx", "-o", "out.docx")
    assert code == 0 and (tmp_path / "out.docx").is_file()
    assert heavy == []


@pytest.mark.parametrize("kind", ["txt", "html"])
def test_check_loads_no_database_telegram_or_settings_library(tmp_path: Path, kind: str) -> None:
    from report import interchange
    from report.render import render

    busy = interchange.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8"))
    (tmp_path / f"r.{kind}").write_bytes(render(busy, kind))
    code, heavy = loaded(tmp_path, "check", f"r.{kind}")
    assert code == 0
    assert heavy == []  # unconfigured: not even the settings library


def test_a_missing_config_file_is_still_reported(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", "nope.toml", "render", str(FIXTURES / "2023-busy.json"), "--to", "txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "找不到配置文件" in result.stderr


def test_defaults_told_without_the_settings_are_the_settings_defaults(monkeypatch, tmp_path: Path) -> None:
    from bot import cli, settings

    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.upper().startswith(cli.ENV_PREFIX):
            monkeypatch.delenv(name)
    assert not cli.configured(None)
    defaults = settings.load_settings()
    assert {k: getattr(defaults, k) for k in cli.UNCONFIGURED_DEFAULTS} == cli.UNCONFIGURED_DEFAULTS
    assert settings.DEFAULT_CONFIG_FILE == cli.DEFAULT_CONFIG_FILE
    assert settings.Settings.model_config["env_prefix"].upper() == cli.ENV_PREFIX
    # anything that configures the bot makes the command load the real settings
    monkeypatch.setenv("DISCLOSURE_BOT_MAX_UPLOAD_BYTES", "1000")
    assert cli.configured(None) and cli._LazySettings(None).max_upload_bytes == 1000
    monkeypatch.delenv("DISCLOSURE_BOT_MAX_UPLOAD_BYTES")
    (tmp_path / "config.toml").write_text("max_upload_bytes = 2000\n", encoding="utf-8")
    assert cli._LazySettings(None).max_upload_bytes == 2000


def test_check_honours_a_configured_upload_limit(tmp_path: Path) -> None:
    (tmp_path / "big.txt").write_text("x" * 5000, encoding="utf-8")
    (tmp_path / "config.toml").write_text("max_upload_bytes = 1000\n", encoding="utf-8")
    code, heavy = loaded(tmp_path, "check", "big.txt")
    assert code == 2 and "pydantic" in heavy
