"""`disclosure-bot chat` with a scripted stdin."""

from __future__ import annotations

import io
import re
import sys

import pytest

from bot import cli
from storage.store import Store

pytestmark = pytest.mark.db


def _run(monkeypatch, capsys, db_url, script: str, *extra: str) -> str:
    monkeypatch.setenv("DISCLOSURE_BOT_DATABASE_URL", db_url)
    monkeypatch.setattr(sys, "stdin", io.StringIO(script))
    assert cli.main(["chat", *extra]) == 0
    return capsys.readouterr().out


def test_scripted_session_exports_a_docx(db_url, tmp_path, monkeypatch, capsys):
    out_dir = tmp_path / "out"
    narrative = tmp_path / "五.txt"
    narrative.write_text("存在的主要问题：人手不足。", encoding="utf-8")
    script = "\n".join(
        [
            "某某县某某局",
            "1",  # [1] 政府部门
            "/menu",
            "2",  # [2] 二、主动公开政府信息情况
            "2 0 15",
            "1 0 3",
            "#2",  # on a number question '#N' presses a button: [1] 上一题 [2] 主页
            "4",  # [4] 四、…  -> the gate
            "2",  # [2] 否
            "/menu",
            "5",  # 五、
            f":file {narrative}",
            ":file /no/such/file.txt",
            "/export",
            "1",  # [1] Word
            "",
        ]
    )
    out = _run(monkeypatch, capsys, db_url, script, "--out", str(out_dir), "--user-id", "7")
    assert "[1] 政府部门" in out
    assert "✅ 已保存 规章：2 0 15" in out
    assert "✅ 已将相应 12 个栏目填为 0。" in out
    assert "找不到文件" in out
    docx_files = list(out_dir.glob("*.docx"))
    assert len(docx_files) == 1
    assert re.fullmatch(r"\d{4}年某某县某某局政府信息公开工作年度报告\.docx", docx_files[0].name)
    assert docx_files[0].read_bytes()[:2] == b"PK"
    assert out.rstrip().endswith("再见。")
    store = Store.from_url(db_url, upgrade=False)
    try:
        agency = store.find_agency("某某县某某局")
        (info,) = store.reports_of_agency(agency.id)
        rep, _ = store.load_report(info.id)
        assert rep.values["s2.i1.rules.in_force"] == 15
        assert rep.values["s4.review.upheld"] == 0
        assert rep.narratives["n5"] == "存在的主要问题：人手不足。"
        assert {e.source for e in store.audit_events(info.id)} == {"console"}
    finally:
        store.dispose()


def test_resumes_in_a_second_session_and_exits_on_eof(db_url, tmp_path, monkeypatch, capsys):
    _run(monkeypatch, capsys, db_url, "某某局\n1\n/menu\n2\n2 0 15\n", "--out", str(tmp_path))
    out = _run(monkeypatch, capsys, db_url, "1\n", "--out", str(tmp_path))  # [1] 继续填报
    assert "“行政规范性文件”" in out.split("> 1", 1)[1]
    out = _run(monkeypatch, capsys, db_url, "", "--out", str(tmp_path))
    assert "再见。" in out
