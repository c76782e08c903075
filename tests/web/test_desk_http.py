"""The desk over HTTP (httpx against uvicorn on loopback): headers and cookies, signing out,
ended sessions, stale approvals, the command line."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from bot.cli import main
from storage import web_login as wl
from web.chart import grouped_bars

from .conftest import COORD_TG, NOW, REVIEWER_TG, YEAR, link_for

pytestmark = pytest.mark.db


def _sign_in(served, store, telegram_id: int) -> httpx.Client:
    client = httpx.Client(base_url=served.base)
    path = link_for(store, served, telegram_id).removeprefix(served.base)
    page = client.get(path)
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    assert client.post(path, data={"csrf": csrf}).status_code == 303
    return client


def _csrf(client: httpx.Client, path: str) -> str:
    return client.get(path).text.split('name="csrf" value="')[1].split('"')[0]


def test_headers_and_cookie_flags(served, store, world):
    plain = httpx.Client(base_url=served.base)
    path = link_for(store, served, COORD_TG).removeprefix(served.base)
    header = plain.get(path).headers["set-cookie"].lower()
    assert "httponly" in header and "samesite=lax" in header and "secure" not in header  # plain HTTP
    behind_https = plain.get(path, headers={"X-Forwarded-Proto": "https"}).headers["set-cookie"].lower()
    assert "secure" in behind_https  # HTTPS at the (local) proxy: Secure
    client = _sign_in(served, store, COORD_TG)
    assert client.cookies["desk_session"]
    response = client.get(f"/office/{world.office.id}/board")
    assert response.status_code == 200
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert response.headers["referrer-policy"] == "no-referrer"
    assert response.headers["cache-control"] == "no-store"


def test_pages_need_a_session_and_sign_out_ends_it(served, store, world):
    anonymous = httpx.Client(base_url=served.base)
    for path in ("/", f"/office/{world.office.id}/board", f"/agency/{world.broken.id}/{YEAR}"):
        assert anonymous.get(path).status_code == 401
    client = _sign_in(served, store, COORD_TG)
    assert client.post("/logout", data={}).status_code == 403  # no CSRF token: still signed in
    assert client.get("/").status_code == 200
    csrf = _csrf(client, "/")
    cookie = client.cookies["desk_session"]
    assert client.post("/logout", data={"csrf": csrf}).status_code == 200
    stale = httpx.Client(base_url=served.base, cookies={"desk_session": cookie})
    assert stale.get("/").status_code == 401  # the session is gone on the server, not just the cookie


def test_an_ended_session_is_refused(served, store, world):
    user = store.find_user(COORD_TG) or store.get_or_create_user(COORD_TG)
    token = wl.create_link(store, user.id, minutes=5, now=NOW - dt.timedelta(hours=9))
    session_token, _ = wl.use_link(store, token, session_hours=8, now=NOW - dt.timedelta(hours=9))
    key = wl.signing_key(store)
    client = httpx.Client(base_url=served.base, cookies={"desk_session": wl.sign(key, session_token)})
    assert client.get("/").status_code == 401


def test_approving_a_changed_report_changes_nothing(served, store, world):
    client = _sign_in(served, store, REVIEWER_TG)
    csrf = _csrf(client, f"/agency/{world.awaiting.id}/{YEAR}")
    version = store.get_report_info(world.rid_awaiting).version
    response = client.post(f"/report/{world.rid_awaiting}/approve", data={"csrf": csrf, "version": str(version - 1)})
    assert response.status_code == 409 and "已被修改" in response.text
    assert store.get_report_info(world.rid_awaiting).status == "awaiting_approval"
    response = client.post(f"/report/{world.rid_awaiting}/return", data={"csrf": csrf, "comment": "请核对第三部分。"})
    assert response.status_code == 303
    assert store.get_report_info(world.rid_awaiting).status == "draft"
    assert store.audit_events(world.rid_awaiting)[-1].new == "请核对第三部分。"


def test_unknown_ids_and_bad_parameters_are_refused_not_errors(served, store, world):
    client = _sign_in(served, store, COORD_TG)
    assert client.get("/agency/99999/2024").status_code == 403
    assert client.get(f"/agency/{world.broken.id}/1900").status_code == 403
    assert client.get(f"/agency/{world.broken.id}/{YEAR}/file.exe").status_code == 403
    assert client.get(f"/office/{world.office.id}/board?year=abc&sort=evil&status=x&q=" + "长" * 500).status_code == 200
    csrf = _csrf(client, "/")
    bad = client.post(f"/office/{world.office.id}/invitations",
                      data={"csrf": csrf, "target": f"agency:{world.foreign.id}", "role": "officer"})
    assert bad.status_code == 400  # another office's agency
    assert client.post(f"/office/{world.other_office.id}/invitations",
                       data={"csrf": csrf, "target": "office", "role": "coordinator"}).status_code == 403


def test_cli_web_link(migrated_db_url, monkeypatch, capsys, store):
    monkeypatch.setenv("DISCLOSURE_BOT_DATABASE_URL", migrated_db_url)
    monkeypatch.setenv("DISCLOSURE_BOT_CONFIG_FILE", "/nonexistent.toml")
    assert main(["web-link", "555"]) == 2
    assert "web.public_url" in capsys.readouterr().err
    monkeypatch.setenv("DISCLOSURE_BOT_WEB__PUBLIC_URL", "https://desk.example.gov.cn")
    assert main(["web-link", "555"]) == 0
    link = capsys.readouterr().out.splitlines()[0]
    assert link.startswith("https://desk.example.gov.cn/login/")
    assert wl.link_user(store, link.rsplit("/", 1)[1])[0] == store.find_user(555).id


def test_chart_escapes_names():
    svg = str(grouped_bars("<t>", {"<script>甲": {2024: 3}}, [2024], "未填"))
    assert "<script>" not in svg and "&lt;script&gt;甲" in svg


def test_an_unexpected_error_is_a_500_page_with_a_reference_and_no_data_in_the_log(served, store, world,
                                                                                     monkeypatch, caplog):
    from storage import desk

    def broken(*args, **kwargs):
        data = "-".join(["secret", "user", "data"])  # built at run time: not in a source line
        raise RuntimeError(data)

    client = _sign_in(served, store, COORD_TG)
    monkeypatch.setattr(desk, "board", broken)
    with caplog.at_level("ERROR"):
        response = client.get(f"/office/{world.office.id}/board")
    assert response.status_code == 500 and "服务器出错" in response.text
    ref = response.text.split("编号 ")[1][:6]
    assert ref in caplog.text and "RuntimeError" in caplog.text
    assert "secret-user-data" not in caplog.text
