"""Alembic environment, configured in code by storage.db (no alembic.ini needed).

storage.db passes an open connection in ``config.attributes["connection"]``; running the
``alembic`` command line against an URL (sqlalchemy.url) also works.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from storage.models import metadata

config = context.config


def _configure(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from storage.db import normalize_url

    engine = create_engine(normalize_url(config.get_main_option("sqlalchemy.url")))
    with engine.begin() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
