"""QA regressions in ``disclosure-bot chat`` (bot/console.py)."""

from __future__ import annotations

import io
import sys

import pytest

from bot import cli

pytestmark = pytest.mark.db


def _run(monkeypatch, capsys, db_url, lines: list[str], *extra: str) -> str:
    monkeypatch.setenv("DISCLOSURE_BOT_DATABASE_URL", db_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    assert cli.main(["chat", *extra]) == 0
    return capsys.readouterr().out


def test_export_buttons_stay_usable_after_a_document(db_url, tmp_path, monkeypatch, capsys):
    """After one export the menu's other buttons still work, as the Telegram message keeps them."""
    out_dir = tmp_path / "out"
    script = ["某某县某某局", "1", "/export", "1", "3", "5"]  # Word, then 文本, then Excel
    out = _run(monkeypatch, capsys, db_url, script, "--out", str(out_dir))
    assert "请点击下方按钮" not in out.split("> /export", 1)[1]
    assert sorted(p.suffix for p in out_dir.iterdir()) == [".docx", ".txt", ".xlsx"]


def test_paste_block_is_one_message(db_url, monkeypatch, capsys):
    """``:paste`` … ``:end`` sends several lines as one message: 一 in one message works in the console."""
    script = [
        "某某县某某局",
        "1",
        ":paste",
        "（一）主动公开",
        "主动公开信息30条。",
        "（二）依申请公开",
        "收到申请2件。",
        "（三）政府信息管理",
        "管理。",
        "（四）平台建设",
        "平台。",
        "（五）监督保障",
        "监督。",
        ":end",
    ]
    out = _run(monkeypatch, capsys, db_url, script)
    assert "✅ 已按小标题分别保存" in out
    assert "（五）监督保障，共 3 字" in out
    assert "一、总体情况：已完成" in out


def test_unfinished_paste_is_not_sent(db_url, monkeypatch, capsys):
    out = _run(monkeypatch, capsys, db_url, ["某某县某某局", "1", ":paste", "半截文字"])
    assert "没有以 :end 结束" in out
    assert "已保存" not in out
