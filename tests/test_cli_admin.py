"""``disclosure-bot admin add|list|remove``: administrators kept in the database."""

from __future__ import annotations

import pytest

from bot import cli
from storage import access
from storage.store import Store

pytestmark = pytest.mark.db


@pytest.fixture
def env(migrated_db_url, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no config.toml of the checkout
    for name in ("DISCLOSURE_BOT_ADMINS", "DISCLOSURE_BOT_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DISCLOSURE_BOT_DATABASE_URL", migrated_db_url)
    return migrated_db_url


def stored(url: str) -> list[int]:
    store = Store.from_url(url, upgrade=False)
    try:
        return access.stored_admins(store)
    finally:
        store.dispose()


def test_add_list_remove(env, capsys):
    assert cli.main(["admin", "list"]) == 0
    assert "disclosure-bot admin add" in capsys.readouterr().out  # none yet: how to add one
    assert cli.main(["admin", "add", "123456789"]) == 0
    assert "/admin" in capsys.readouterr().out
    assert stored(env) == [123456789]
    assert cli.main(["admin", "add", "123456789"]) == 0
    assert "已经是管理员" in capsys.readouterr().out and stored(env) == [123456789]
    assert cli.main(["admin", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == ["123456789\tadmin add"]
    assert cli.main(["admin", "remove", "123456789"]) == 0
    assert stored(env) == []
    assert cli.main(["admin", "remove", "123456789"]) == 1
    assert "不是管理员" in capsys.readouterr().err


def test_configured_administrators_are_listed_and_removed_only_there(env, capsys, monkeypatch):
    monkeypatch.setenv("DISCLOSURE_BOT_ADMINS", "111,222")
    assert cli.main(["admin", "list"]) == 0
    out = capsys.readouterr().out
    assert "111\t" in out and "222\t" in out and "configuration" in out
    assert cli.main(["admin", "remove", "111"]) == 1
    assert "DISCLOSURE_BOT_ADMINS" in capsys.readouterr().err


@pytest.mark.parametrize("bad", ["abc", "-5", "0", "12345678901234567890"])
def test_an_id_that_is_not_a_telegram_id_is_refused(env, bad, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["admin", "add", bad])
    assert exit_info.value.code == 2
    assert "Telegram" in capsys.readouterr().err
    assert stored(env) == []


@pytest.mark.parametrize("value, expected", [("111,222", [111, 222]), ("424242", [424242]), ("[1, 2]", [1, 2]),
                                             ("111 222", [111, 222])])
def test_admins_from_the_environment_as_documented(value, expected, monkeypatch, tmp_path):
    from bot.settings import load_settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DISCLOSURE_BOT_ADMINS", value)
    assert load_settings().admins == expected
