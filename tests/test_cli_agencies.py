"""``disclosure-bot agencies import ROSTER.csv``: offices, agencies, deadlines and one invitation link
per agency from a roster as Excel/WPS save it; all or nothing; idempotent on re-run."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from zoneinfo import ZoneInfo

import pytest

from bot import cli
from bot.commands import agencies as cmd
from storage import coordination as co
from storage import invitations as inv
from storage.store import Store

pytestmark = pytest.mark.db

SHANGHAI = ZoneInfo("Asia/Shanghai")
HEADER = "name,kind,office,deadline"
ROSTER = [
    HEADER,
    "某县教育局,部门,某县政务公开办,",
    "某县人民政府,government,某县政务公开办,2026-03-20",
    "某镇人民政府,乡镇（街道）,某县政务公开办,2026/2/10",
    "某市统计局,政府部门,某市政务公开办,",
]


@pytest.fixture
def env(migrated_db_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DISCLOSURE_BOT_CONFIG_FILE", raising=False)
    monkeypatch.setenv("DISCLOSURE_BOT_DATABASE_URL", migrated_db_url)
    monkeypatch.setenv("DISCLOSURE_BOT_BOT_USERNAME", "TestBot")
    return migrated_db_url


@pytest.fixture
def store(env):
    s = Store.from_url(env, upgrade=False)
    yield s
    s.dispose()


def write(path, lines, encoding="utf-8-sig", newline="\r\n"):
    path.write_bytes(newline.join(lines).encode(encoding) + newline.encode())
    return path


def links(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def token_of(link: str) -> str:
    m = re.fullmatch(r"https://t\.me/TestBot\?start=([A-Za-z0-9_-]+)", link)
    assert m, link
    return m.group(1)


def test_import_creates_offices_agencies_deadlines_and_one_link_each(env, store, tmp_path, capsys):
    roster = write(tmp_path / "名单.csv", ROSTER)  # Excel's "CSV UTF-8": BOM and CRLF
    assert cli.main(["agencies", "import", str(roster), "--out", str(tmp_path / "links.csv")]) == 0
    county, city = store.find_office("某县政务公开办"), store.find_office("某市政务公开办")
    kinds = {a.name: (a.kind, a.office_id) for a in store.agencies_of_office(county.id)}
    assert kinds == {"某县教育局": ("department", county.id), "某县人民政府": ("government", county.id),
                     "某镇人民政府": ("township", county.id)}
    assert store.find_agency("某市统计局").office_id == city.id
    _office_date, agency_dates = co.deadline_overrides(store, 2025, office_id=county.id)
    assert agency_dates == {store.find_agency("某县人民政府").id: dt.date(2026, 3, 20),
                            store.find_agency("某镇人民政府").id: dt.date(2026, 2, 10)}
    rows = links(tmp_path / "links.csv")
    assert [(r["agency"], r["office"]) for r in rows] == [tuple(line.split(",")[0:3:2]) for line in ROSTER[1:]]
    for r in rows:
        checked = inv.check(store, token_of(r["link"]))
        assert checked.ok and checked.info.role == "officer" and checked.info.agency_name == r["agency"]
        expires = dt.datetime.strptime(r["expires"], "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
        assert abs(expires - checked.info.expires_at) < dt.timedelta(minutes=1)  # shown in local time
        assert abs(checked.info.expires_at - (dt.datetime.now(dt.UTC) + dt.timedelta(days=7))) < dt.timedelta(minutes=5)
    out = capsys.readouterr().out
    assert "机关 4 个（新建 4 个）" in out and "新建协调办公室 2 个" in out


@pytest.mark.parametrize("encoding, newline", [("utf-8", "\n"), ("gb18030", "\r\n")])
def test_utf8_without_bom_and_gb18030(env, store, tmp_path, encoding, newline):
    roster = write(tmp_path / "roster.csv", ROSTER[:2], encoding=encoding, newline=newline)
    assert cli.main(["agencies", "import", str(roster)]) == 0
    assert store.find_agency("某县教育局").kind == "department"
    assert [r["agency"] for r in links(tmp_path / "roster-links.csv")] == ["某县教育局"]


def test_rerun_creates_nothing_twice_renews_open_links_and_skips_agencies_with_an_officer(env, store, tmp_path, capsys):
    roster = write(tmp_path / "roster.csv", ROSTER)
    assert cli.main(["agencies", "import", str(roster)]) == 0
    first = {r["agency"]: token_of(r["link"]) for r in links(tmp_path / "roster-links.csv")}
    officer = store.get_or_create_user(5001, "填报人")
    inv.accept(store, first["某县教育局"], officer.id)  # this agency now has its officer
    capsys.readouterr()
    assert cli.main(["agencies", "import", str(roster)]) == 0
    second = {r["agency"]: token_of(r["link"]) for r in links(tmp_path / "roster-links.csv")}
    assert set(second) == {"某县人民政府", "某镇人民政府", "某市统计局"}
    for name, old in first.items():
        if name != "某县教育局":
            assert inv.check(store, old).reason == inv.REVOKED and inv.check(store, second[name]).ok
    assert len(store.agencies_of_office(store.find_office("某县政务公开办").id)) == 3
    out = capsys.readouterr().out
    assert "新建 0 个" in out and "新建协调办公室 0 个" in out
    assert "3 条替换了尚未使用的旧链接" in out and "已有填报人、未生成链接的机关 1 个：某县教育局" in out


def test_errors_name_their_lines_and_nothing_is_written(env, store, tmp_path, capsys):
    bad = [*ROSTER[:2], "某县财政局,局,某县政务公开办,", "某县审计局,department,某县政务公开办,2026-02-30",
           "某县教育局,department,某县政务公开办,", ",department,某县政务公开办,"]
    roster = write(tmp_path / "roster.csv", bad)
    assert cli.main(["agencies", "import", str(roster)]) == 2
    err = capsys.readouterr().err
    assert "第 3 行" in err and "“局”无法识别" in err
    assert "第 4 行" in err and "2026-02-30" in err
    assert "第 5 行" in err and "与第 2 行重复" in err
    assert "第 6 行" in err and "名称为空" in err
    assert "第 2 行：" not in err
    assert store.find_office("某县政务公开办") is None and store.find_agency("某县教育局") is None
    assert not (tmp_path / "roster-links.csv").exists()


def test_a_roster_contradicting_the_database_writes_nothing(env, store, tmp_path, capsys):
    other = store.create_office("另一个办公室")
    store.create_agency("某县人民政府", "government", other.id)
    roster = write(tmp_path / "roster.csv", ROSTER)
    assert cli.main(["agencies", "import", str(roster)]) == 2
    err = capsys.readouterr().err
    assert "第 3 行" in err and "另一个办公室" in err
    assert store.find_office("某县政务公开办") is None and store.find_agency("某县教育局") is None


def test_without_bot_username_it_says_to_set_it_and_writes_nothing(env, store, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("DISCLOSURE_BOT_BOT_USERNAME", "")
    roster = write(tmp_path / "roster.csv", ROSTER)
    assert cli.main(["agencies", "import", str(roster)]) == 2
    assert "bot_username" in capsys.readouterr().err
    assert store.find_office("某县政务公开办") is None


def test_chinese_header_without_deadline_column(env, store, tmp_path):
    roster = write(tmp_path / "roster.csv", ["机关名称,机关类型,协调办公室", "某街道办事处,街道,某区政务公开办"])
    assert cli.main(["agencies", "import", str(roster)]) == 0
    assert store.find_agency("某街道办事处").kind == "township"


@pytest.mark.parametrize("header, problem", [
    ("name,kind,office,deadlne", "不认识的列名“deadlne”"),
    ("name,kind,deadline", "缺少列 office"),
    ("", "文件是空的"),
])
def test_header_problems(header, problem):
    with pytest.raises(cmd.RosterError) as info:
        cmd.parse(f"{header}\n某县教育局,department,某县政务公开办,\n" if header else "\n\n")
    assert problem in str(info.value)


@pytest.mark.parametrize("text, code", [
    ("department", "department"), ("Government", "government"), ("乡镇(街道)", "township"),
    ("乡镇", "township"), ("街道", "township"), ("政府", "government"), ("人民政府", "government"),
    ("部门", "department"), ("其他机关", "other"), (" 其他 ", "other"),
])
def test_kinds(text, code):
    assert cmd.KINDS[cmd._norm(text)] == code


@pytest.mark.parametrize("text, date", [
    ("2026-01-20", dt.date(2026, 1, 20)), ("2026/1/20", dt.date(2026, 1, 20)), ("2026年1月20日", dt.date(2026, 1, 20)),
    ("2026-13-01", None), ("20-01-2026", None), ("1900-01-01", None),
])
def test_dates(text, date):
    assert cmd.parse_date(text) == date


def test_utf16_is_refused_with_advice():
    with pytest.raises(cmd.RosterError) as info:
        cmd.decode("name,kind,office\n".encode("utf-16"))
    assert "CSV UTF-8" in str(info.value)


def test_decode_reads_gb18030_when_not_utf8():
    text = "name,kind,office\n某县教育局,部门,某县政务公开办\n"
    assert cmd.decode(text.encode("gb18030")) == text
    assert cmd.parse(cmd.decode(io.BytesIO(text.encode("utf-8")).read()))[0].name == "某县教育局"
