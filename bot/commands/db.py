"""``disclosure-bot db upgrade|current``: the database schema (Alembic migrations shipped in storage/)."""

from __future__ import annotations

from storage.db import SchemaTooNew, current_revision, head_revision, make_engine, upgrade_schema

from ._common import fail, usage


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "db",
        help="数据库结构管理 / manage the database schema",
        description="数据库结构管理 / manage the database schema",
    )
    sub = parser.add_subparsers(dest="db_command", metavar="ACTION", title="操作 / actions")
    up = sub.add_parser(
        "upgrade",
        help="将数据库结构升级到最新版本 / upgrade the database schema to the latest revision",
        description="将数据库结构升级到最新版本（机器人启动时也会自动升级） / upgrade the database "
        "schema to the latest revision (the bot also does this on start)",
    )
    up.set_defaults(handler=upgrade)
    cur = sub.add_parser(
        "current",
        help="显示数据库结构当前版本 / show the database's schema revision",
        description="显示数据库结构当前版本 / show the database's schema revision",
    )
    cur.set_defaults(handler=current)
    parser.set_defaults(handler=usage(parser))



def upgrade(args, settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        before = current_revision(engine)
        after = upgrade_schema(engine)
    except SchemaTooNew as exc:
        return fail(exc)
    finally:
        engine.dispose()
    if before == after:
        print(f"数据库结构已是最新版本 / schema already at revision: {after}")
    else:
        print(f"数据库结构已升级 / schema upgraded: {before or '（空）/ (empty)'} → {after}")
    return 0


def current(args, settings) -> int:
    engine = make_engine(settings.database_url)
    try:
        rev = current_revision(engine)
    finally:
        engine.dispose()
    head = head_revision()
    state = "最新 / up to date" if rev == head else f"最新为 / head is {head}"
    print(f"{rev or '（空）/ (empty)'}（{state}）")
    return 0
