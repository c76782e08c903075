"""`disclosure-bot render` and `check` start without the libraries they do not use: no database
(SQLAlchemy, Alembic, SQLModel), no Telegram, and for `render` no settings (pydantic). (How long
the start takes is measured in bench/bench_startup.py, not asserted here.)"""

from __future__ import annotations

import json
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
    result = subprocess.run(
        [sys.executable, "-c", PROBE % (HEAVY,), *argv],
        cwd=tmp_path,
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
def test_check_loads_no_database_or_telegram_library(tmp_path: Path, kind: str) -> None:
    from report import interchange
    from report.render import render

    busy = interchange.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8"))
    (tmp_path / f"r.{kind}").write_bytes(render(busy, kind))
    code, heavy = loaded(tmp_path, "check", f"r.{kind}")
    assert code == 0
    assert not set(heavy) & {"sqlalchemy", "alembic", "sqlmodel", "telegram", "psycopg"}


def test_a_missing_config_file_is_still_reported(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "--config", "nope.toml", "render", str(FIXTURES / "2023-busy.json"), "--to", "txt"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2 and "找不到配置文件" in result.stderr
