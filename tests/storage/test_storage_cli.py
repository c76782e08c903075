"""export / import-json at the command line: a stored report round-trips unchanged."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from bot.cli import main
from report import formats
from storage.store import Store

pytestmark = pytest.mark.db


@pytest.fixture
def cli_env(migrated_db_url, monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no stray config.toml
    monkeypatch.delenv("DISCLOSURE_BOT_CONFIG_FILE", raising=False)
    monkeypatch.delenv("DISCLOSURE_BOT_ALLOW_IMPORT_CREATES_AGENCY", raising=False)
    monkeypatch.setenv("DISCLOSURE_BOT_DATABASE_URL", migrated_db_url)
    return migrated_db_url


def _fill(store: Store, agency: str, year: int) -> int:
    """A report with every entered cell answered (distinct values), a unit, and narratives."""
    a = store.create_agency(agency, "government")
    info = store.get_or_create_report(a.id, year)
    fmt = formats.for_year(year)
    values: dict[str, int | Decimal] = {}
    for i, key in enumerate(fmt.input_keys):
        values[key] = Decimal(f"{i}.25") if fmt.cells[key].type == "decimal" else i
    narratives = {p.key: f"{p.label}：第{n}段。\n“引号”与 \\ 反斜杠" for n, p in enumerate(fmt.narrative_parts)}
    # Leave one cell and one part unanswered: they must stay unanswered.
    values.pop(fmt.input_keys[-1])
    narratives.pop(fmt.narrative_parts[-1].key)
    store.save_answers(info.id, user_id=None, source="console", values=values, narratives=narratives)
    return info.id


@pytest.mark.parametrize("year", [2020, 2023])
def test_report_round_trips_through_export_and_import(store, cli_env, tmp_path, monkeypatch, capsys, year):
    report_id = _fill(store, "某市人民政府", year)
    original, _ = store.load_report(report_id)

    out = tmp_path / "a.json"
    assert main(["export", "--agency", "某市人民政府", "--year", str(year), "-o", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["agency"] == "某市人民政府" and doc["year"] == year

    # Into a new agency (creation allowed by configuration).
    monkeypatch.setenv("DISCLOSURE_BOT_ALLOW_IMPORT_CREATES_AGENCY", "true")
    capsys.readouterr()
    assert main(["import-json", str(out), "--agency", "某市人民政府副本", "--kind", "government"]) == 0
    assert "已导入" in capsys.readouterr().out
    copy_agency = store.find_agency("某市人民政府副本")
    assert copy_agency.kind == "government"
    copy_info = store.find_report(copy_agency.id, year)
    copy, _ = store.load_report(copy_info.id)
    assert copy.format.id == original.format.id
    assert (copy.values, copy.narratives, copy.units) == (original.values, original.narratives, original.units)
    assert not (set(copy.values) & copy.format.derived_keys)
    assert {e.source for e in store.audit_events(copy_info.id)} == {"import"}

    # Exporting the copy gives the same document (but for the agency name), on stdout.
    capsys.readouterr()
    assert main(["export", "--agency", "某市人民政府副本", "--year", str(year)]) == 0
    doc2 = json.loads(capsys.readouterr().out)
    assert doc2 | {"agency": "某市人民政府"} == doc

    # Importing the export over the original changes nothing.
    before = store.get_report_info(report_id).version
    n_events = len(store.audit_events(report_id))
    assert main(["import-json", str(out), "--agency", "某市人民政府"]) == 0
    assert store.get_report_info(report_id).version == before
    assert len(store.audit_events(report_id)) == n_events
    assert store.load_report(report_id)[0] == original


def test_import_changes_are_audited_with_source_import(store, cli_env, tmp_path):
    report_id = _fill(store, "某县司法局", 2023)
    out = tmp_path / "a.json"
    assert main(["export", "--agency", "某县司法局", "--year", "2023", "-o", str(out)]) == 0
    doc = json.loads(out.read_text(encoding="utf-8"))
    doc["narrative"]["五"] = "修改后的问题与改进"
    doc["tables"]["四"]["行政复议"][0] = 42
    out.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    old, _ = store.load_report(report_id)
    assert main(["import-json", str(out), "--agency", "某县司法局"]) == 0
    events = [(e.key, e.old, e.new, e.source) for e in store.audit_events(report_id) if e.source == "import"]
    assert events == [
        ("s4.review.upheld", str(old.values["s4.review.upheld"]), "42", "import"),
        ("n5", old.narratives["n5"], "修改后的问题与改进", "import"),
    ]


def test_export_of_unknown_agency_or_year_fails_clearly(store, cli_env, capsys):
    assert main(["export", "--agency", "不存在的局", "--year", "2023"]) == 2
    assert "找不到机关“不存在的局”" in capsys.readouterr().err
    store.create_agency("某县商务局", "department")
    assert main(["export", "--agency", "某县商务局", "--year", "2023"]) == 2
    assert "没有 2023 年度的报告" in capsys.readouterr().err


def test_import_refuses_unknown_agency_unless_allowed(store, cli_env, tmp_path, capsys):
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"year": 2023, "tables": {"四": {"行政复议": [1, 0, 0, 0, 1]}}}), encoding="utf-8")
    assert main(["import-json", str(path), "--agency", "新机构"]) == 2
    err = capsys.readouterr().err
    assert "找不到机关“新机构”" in err and "allow_import_creates_agency" in err
    assert store.find_agency("新机构") is None


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "不是有效的 JSON"),
        ('{"year": 2023}', "缺少键 \"tables\""),
        ('{"year": 2023, "tables": {"三": {"不存在的行": [1]}}}', "未知行"),
    ],
)
def test_import_of_malformed_json_fails_with_the_interchange_message(store, cli_env, tmp_path, capsys,
                                                                     content, expected):
    store.create_agency("某县统计局", "department")
    path = tmp_path / "bad.json"
    path.write_text(content, encoding="utf-8")
    assert main(["import-json", str(path), "--agency", "某县统计局"]) == 2
    assert expected in capsys.readouterr().err
    assert store.reports_of_agency(store.find_agency("某县统计局").id) == []


def test_import_of_missing_file_fails_clearly(cli_env, tmp_path, capsys):
    assert main(["import-json", str(tmp_path / "nope.json"), "--agency", "X"]) == 2
    assert "无法读取文件" in capsys.readouterr().err
