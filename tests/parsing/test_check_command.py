"""``disclosure-bot check``: exit codes 0/1/2, the text report and the --json shape."""

from __future__ import annotations

import argparse
import json

import pytest

from bot.commands import check as check_command
from bot.settings import Settings
from report import interchange
from report.render import render

from .conftest import SAMPLE, SAMPLE_AGENCY


def run(argv: list[str], capsys) -> tuple[int, str, str]:
    parser = argparse.ArgumentParser()
    check_command.register(parser.add_subparsers())
    args = parser.parse_args(["check", *argv])
    code = args.handler(args, Settings())
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def good_file(busy, tmp_path):
    path = tmp_path / "good.html"
    path.write_bytes(render(busy, "html"))
    return path


def test_clean_report_exits_0(good_file, busy, capsys):
    code, out, _ = run([str(good_file)], capsys)
    assert code == 0
    assert "年度：2023" in out and f"机关：{busy.agency}" in out and "格式：2021" in out
    assert "[错误]" not in out


def test_sample_exits_1_and_names_the_row(capsys):
    code, out, _ = run([str(SAMPLE)], capsys)
    assert code == 1
    assert f"年度：2020　机关：{SAMPLE_AGENCY}　格式：2019" in out
    assert "[错误] 三、收到和处理政府信息公开申请情况：（三）不予公开 5.属于三类内部事务信息：应有 7 个数，只有 6 个" in out
    assert "[警告]" in out


def test_unreadable_exits_2(tmp_path, good_file, capsys):
    junk = tmp_path / "junk.docx"
    junk.write_bytes(b"PK\x03\x04 not a zip")
    code, out, _ = run([str(good_file), str(junk), str(SAMPLE)], capsys)
    assert code == 2
    assert "无法读取：不是有效的 Word" in out
    assert "有文件无法读取" in out


def test_json_single_file(capsys):
    code, out, _ = run(["--json", str(SAMPLE)], capsys)
    assert code == 1
    doc = json.loads(out)
    assert isinstance(doc, dict)
    assert doc["format"] == "2019" and doc["year"] == 2020 and doc["agency"] == SAMPLE_AGENCY
    assert doc["tables"]["三"]["5.属于三类内部事务信息"] == [None] * 7
    assert doc["tables"]["三"]["一、本年新收政府信息公开申请数量"] == [0] * 7
    (p,) = [p for p in doc["problems"] if p["severity"] == "error"]
    assert set(p) == {"severity", "rule", "cells", "message"}
    assert p["rule"] == "parse.missing_cell" and "s3.deny_5.total" in p["cells"]
    # the report part is interchange JSON that reads back
    report = interchange.from_dict({k: v for k, v in doc.items() if k not in ("problems", "file", "readable")})
    assert report.year == 2020


def test_json_several_files_is_a_list(tmp_path, good_file, capsys):
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 10)
    code, out, _ = run(["--json", str(good_file), str(junk)], capsys)
    assert code == 2
    docs = json.loads(out)
    assert isinstance(docs, list) and len(docs) == 2
    assert docs[0]["readable"] is True and docs[0]["problems"] is not None
    assert docs[1]["readable"] is False and docs[1]["problems"][0]["rule"] == "parse.unreadable"


def test_interchange_json_input_and_previous(busy, tmp_path, capsys):
    this_year = tmp_path / "2023.json"
    this_year.write_text(interchange.dumps(busy), encoding="utf-8")
    last = interchange.loads(interchange.dumps(busy))
    last.year = 2022
    for col in busy.format.table("s3").columns:
        last.values[f"s3.carried_over.{col.id}"] = busy.effective()[f"s3.carried_in.{col.id}"]
    prev_ok = tmp_path / "2022.html"
    prev_ok.write_bytes(render(last, "html"))
    assert run([str(this_year), "--previous", str(prev_ok)], capsys)[0] == 0

    last.values["s3.carried_over.natural"] = 999
    prev_bad = tmp_path / "2022-bad.docx"
    prev_bad.write_bytes(render(last, "docx"))
    code, out, _ = run([str(this_year), "--previous", str(prev_bad)], capsys)
    assert code == 1
    assert "2022年度报告“四、结转下年度继续办理”为999" in out


def test_unreadable_previous_exits_2(good_file, tmp_path, capsys):
    bad = tmp_path / "prev.pdf"
    bad.write_bytes(b"%PDF-1.4")
    code, _, err = run([str(good_file), "--previous", str(bad)], capsys)
    assert code == 2 and "PDF" in err


def test_signature_printed_and_in_json(capsys):
    """The 落款 is read into the report's signature (not into 六) and check shows it."""
    from .conftest import FIXTURES

    path = FIXTURES / "damaged" / "closing-renamed.txt"
    code, out, _ = run([str(path)], capsys)
    assert code == 0 and "落款：示例市示例区市场监督管理局　2024年1月17日" in out
    code, out, _ = run(["--json", str(path)], capsys)
    doc = json.loads(out)
    assert doc["signature"] == {"agency": "示例市示例区市场监督管理局", "date": "2024-01-17"}
    assert "示例市示例区市场监督管理局" not in (doc["narrative"]["六"] or "")


def test_hostile_pdf_refused_with_its_message(tmp_path, capsys):
    from . import pdfmake

    path = tmp_path / "many.pdf"
    path.write_bytes(pdfmake.many_pages(3000))
    code, out, _ = run([str(path)], capsys)
    assert code == 2 and "无法读取：PDF 文件有 3000 页，超过 100 页的上限，拒绝读取" in out
