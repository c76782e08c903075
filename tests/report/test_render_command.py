"""``disclosure-bot render``: exit codes, messages, output file names, stdout."""

from __future__ import annotations

import argparse
import io
import json
import shutil
from pathlib import Path

import docx
import pytest

from bot.commands import render as render_command
from bot.settings import Settings
from report import interchange
from report.render import filename

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load_fixture(name: str):
    return interchange.loads((FIXTURES / name).read_text(encoding="utf-8"))


def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="disclosure-bot")
    render_command.register(parser.add_subparsers())
    args = parser.parse_args(["render", *argv])
    return args.handler(args, Settings())


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_default_name_in_current_directory(workdir, capsys) -> None:
    busy = load_fixture("2023-busy.json")
    assert run([str(FIXTURES / "2023-busy.json"), "--to", "docx"]) == 0
    out = workdir / filename(busy, "docx")
    assert out.name == "2023年示例市示例区市场监督管理局政府信息公开工作年度报告.docx"
    assert docx.Document(str(out)).paragraphs[0].text.replace("\n", "") == busy.title
    err = capsys.readouterr().err
    assert "已生成" in err
    # the report has no 成文日期: today's is used, and said so
    assert "成文日期未填写，落款使用了今天的日期" in err


def test_output_to_stdout_with_preamble_details(workdir, capfdbinary) -> None:
    code = run(
        [
            str(FIXTURES / "2023-busy.json"),
            "--to",
            "txt",
            "-o",
            "-",
            "--preamble-website",
            "www.example.gov.cn",
            "--preamble-contact",
            "电话 0123-4567890",
        ]
    )
    assert code == 0
    out = capfdbinary.readouterr().out.decode("utf-8")
    assert out.startswith("示例市示例区市场监督管理局2023年政府信息公开工作年度报告\n")
    assert "本报告电子版可在www.example.gov.cn查阅或下载" in out and "电话 0123-4567890" in out
    assert list(workdir.iterdir()) == []


def test_report_with_errors_still_renders_but_exits_1(workdir, capsys) -> None:
    src = workdir / "sample.json"
    shutil.copy(FIXTURES / "2020-shuicheng.json", src)
    assert run([str(src), "--to", "html", "-o", "out.html"]) == 1
    err = capsys.readouterr().err
    assert "5.属于三类内部事务信息 总计 为空白（没有数据应填 0）" in err
    assert (workdir / "out.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert run([str(src), "--to", "html", "-o", "out.html", "--allow-errors"]) == 0
    assert "为空白" in capsys.readouterr().err


def test_identity_error_is_printed_with_numbers(workdir, capsys) -> None:
    doc = json.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8"))
    doc["tables"]["四"]["行政复议"][4] += 1
    (workdir / "bad.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run(["bad.json", "--to", "md", "-o", "bad.md"]) == 1
    err = capsys.readouterr().err
    assert "报告有 1 处错误" in err and "行政复议：总计为" in err
    assert (workdir / "bad.md").is_file()


def test_malformed_json_names_the_key(workdir, capsys) -> None:
    doc = json.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8"))
    doc["tables"]["三"]["（一）予以公开"] = [1, 2, 3]
    (workdir / "bad.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    assert run(["bad.json", "--to", "txt"]) == 2
    err = capsys.readouterr().err
    assert 'tables."三"."（一）予以公开": 应为 7 个数值' in err
    assert not any(p.suffix == ".txt" for p in workdir.iterdir())


def test_not_json_and_missing_file(workdir, capsys) -> None:
    (workdir / "x.json").write_text("{not json", encoding="utf-8")
    assert run(["x.json", "--to", "txt"]) == 2
    assert "不是有效的 JSON：第 1 行第 2 列" in capsys.readouterr().err
    assert run(["missing.json", "--to", "txt"]) == 2
    assert "无法读取报告文件 missing.json" in capsys.readouterr().err


def test_unknown_kind_is_refused(workdir, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        run([str(FIXTURES / "2023-busy.json"), "--to", "pdf"])
    assert exc.value.code == 2


def test_help_is_bilingual() -> None:
    parser = argparse.ArgumentParser(prog="disclosure-bot")
    render_command.register(parser.add_subparsers())
    buf = io.StringIO()
    parser._subparsers._group_actions[0].choices["render"].print_help(buf)
    text = buf.getvalue()
    assert "输出格式 / output format" in text and "--allow-errors" in text


def test_through_the_console_script(workdir, capfdbinary) -> None:
    from bot.cli import main

    assert main(["render", str(FIXTURES / "2023-busy.json"), "--to", "md", "-o", "-"]) == 0
    assert capfdbinary.readouterr().out.decode("utf-8").startswith("# 示例市示例区市场监督管理局2023年")


def _unfinished(workdir: Path) -> Path:
    doc = json.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8"))
    del doc["narrative"]["五"]
    doc["narrative"]["一"]["（三）政府信息管理"] = None
    del doc["tables"]["四"]
    path = workdir / "unfinished.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def test_a_final_file_of_an_unfinished_report_is_refused_naming_the_parts(workdir, capsys) -> None:
    path = _unfinished(workdir)
    assert run([str(path), "--to", "docx"]) == 2
    err = capsys.readouterr().err
    assert "报告尚未填完" in err and "--draft" in err
    for part in ("一、总体情况（三）政府信息管理", "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况"):
        assert f"  - {part}" in err
    assert list(workdir.iterdir()) == [path]


def test_draft_renders_an_unfinished_report_marked_draft(workdir, capfdbinary) -> None:
    path = _unfinished(workdir)
    assert run([str(path), "--to", "txt", "-o", "-", "--draft"]) == 0
    captured = capfdbinary.readouterr()
    out = captured.out.decode("utf-8")
    assert out.startswith("【草稿】以下部分尚未填写——一、总体情况（三）政府信息管理；")
    assert "五、存在的主要问题及改进情况\n　　（尚未填写）\n" in out
    assert run([str(path), "--to", "docx", "-o", "draft.docx", "--draft"]) == 0
    assert "已生成草稿" in capfdbinary.readouterr().err.decode("utf-8")
    header = docx.Document(str(workdir / "draft.docx")).sections[0].header
    assert [p.text for p in header.paragraphs] == ["草稿"]


def test_date_and_no_preamble(workdir, capfdbinary) -> None:
    argv = [str(FIXTURES / "2023-busy.json"), "--to", "txt", "-o", "-", "--date", "2024-01-17", "--no-preamble"]
    assert run(argv) == 0
    captured = capfdbinary.readouterr()
    out = captured.out.decode("utf-8")
    assert out.startswith("示例市示例区市场监督管理局2023年政府信息公开工作年度报告\n\n一、总体情况\n")
    assert out.endswith("\n\n示例市示例区市场监督管理局\n2024年1月17日\n")
    assert "成文日期" not in captured.err.decode("utf-8")
    # the old flag is accepted and changes nothing
    assert run([*argv, "--preamble"]) == 0
    assert capfdbinary.readouterr().out.decode("utf-8") == out


def test_a_bad_date_is_refused(workdir, capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        run([str(FIXTURES / "2023-busy.json"), "--to", "txt", "--date", "2024-13-01"])
    assert exc.value.code == 2
    assert "--date" in capsys.readouterr().err
