"""Answers saved per second by one writer, as the bot saves them: in one transaction (the unit of
work of an update, Store.transaction()) the update id claimed, Store.save_answers with one cell and
the expected version, and the user's position stored.

    .venv/bin/python bench/bench_storage.py [-n 2000] [--postgres postgresql://postgres@127.0.0.1:5432/postgres]

SQLite runs on a temporary file; with --postgres a throwaway database is created on that server
and dropped afterwards. Results go to docs/benchmarks.md ("## Storage: answers saved per second").
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from report import formats  # noqa: E402
from storage.db import make_engine, normalize_url  # noqa: E402
from storage.store import Store  # noqa: E402


def run(url: str, n: int) -> tuple[float, float]:
    """(saves per wall second, saves per second of this process's CPU time)."""
    store = Store.from_url(url, upgrade=True)
    try:
        user = store.get_or_create_user(1, "基准测试")
        agency = store.create_agency("基准测试局", "department")
        report = store.get_or_create_report(agency.id, 2023)
        keys = formats.for_year(2023).input_keys
        keys = [k for k in keys if formats.for_year(2023).cells[k].type != "decimal"]
        _, version = store.load_report(report.id)
        start, cpu_start = time.perf_counter(), time.process_time()
        for i in range(n):
            key = keys[i % len(keys)]
            with store.transaction():
                store.claim_update(10_000 + i, now=dt.datetime.now(dt.UTC))
                version = store.save_answers(report.id, user_id=user.id, source="chat", values={key: i},
                                             expected_version=version)
                store.set_position(user.id, {"screen": "q", "q": key, "tok": i})
        elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
        assert version == 1 + n
        return n / elapsed, n / cpu
    finally:
        store.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=2000, help="saves per backend (default 2000)")
    ap.add_argument("--postgres", metavar="URL", help="PostgreSQL server URL (a throwaway database is used)")
    args = ap.parse_args()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
          f"load average {load:.1f}, n={args.n}")
    with tempfile.TemporaryDirectory() as tmp:
        rate, cpu_rate = run(f"sqlite:///{tmp}/bench.db", args.n)
        print(f"SQLite (file, WAL, synchronous=NORMAL): {rate:,.0f} answers/s wall, {cpu_rate:,.0f}/s CPU")
    if args.postgres:
        admin = make_engine(args.postgres, isolation_level="AUTOCOMMIT")
        name = f"bench_{uuid.uuid4().hex[:12]}"
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            from sqlalchemy.engine import make_url

            url = make_url(normalize_url(args.postgres)).set(database=name).render_as_string(hide_password=False)
            rate, cpu_rate = run(url, args.n)
            print(f"PostgreSQL (psycopg 3, local TCP): {rate:,.0f} answers/s wall, {cpu_rate:,.0f}/s client CPU")
        finally:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
