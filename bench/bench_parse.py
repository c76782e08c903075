"""Reports parsed and checked per second, per input type.

Each iteration reads one file from bytes (``report.parsing.parse_bytes``) and checks it
(``report.parsing.check``: parse diagnostics plus validation), as ``disclosure-bot check`` and the
bot do. Inputs: the busy 2021 fixture rendered by report.render as .txt, .html and .docx, a
Word-exported style web page (merged cells, split <span> labels, GBK) and the shared sample
(text copied from a web page).

    .venv/bin/python bench/bench_parse.py [--seconds 2]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import interchange  # noqa: E402
from report.parsing import check, parse_bytes  # noqa: E402
from report.render import render  # noqa: E402

SAMPLE = Path(__file__).resolve().parents[1] / "tests" / "fixtures" / "2020-shuicheng-investment-promotion.txt"


def inputs() -> list[tuple[str, str, bytes]]:
    busy = interchange.loads((ROOT / "tests/fixtures/2023-busy.json").read_text(encoding="utf-8"))
    out = [
        ("txt", "busy 2021, rendered .txt", render(busy, "txt")),
        ("html", "busy 2021, rendered .html", render(busy, "html")),
        ("docx", "busy 2021, rendered .docx", render(busy, "docx")),
    ]
    try:
        sys.path.insert(0, str(ROOT / "tests"))
        from parsing.test_html import page  # the Word-exported web page builder of the tests

        out.append(("html", "busy 2021, Word-exported web page (GBK)", page(busy).encode("gb18030")))
    except ImportError:  # pragma: no cover - tests not shipped
        pass
    if SAMPLE.exists():
        out.append(("txt", "shared 2020 sample (copied text)", SAMPLE.read_bytes()))
    return out


def measure(kind: str, data: bytes, seconds: float) -> tuple[float, float, int]:
    """(reports per second of wall time, reports per second of this process's CPU time, count).

    CPU time is the fair figure on a shared machine: wall time counts the waits for a core.
    """
    name = f"report.{kind}"
    check(parse_bytes(data, name))  # warm up caches
    n = 0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    deadline = wall0 + seconds
    while True:
        result = parse_bytes(data, name)
        check(result)
        n += 1
        wall = time.perf_counter()
        if wall >= deadline and n >= 5:
            cpu = time.process_time() - cpu0
            return n / (wall - wall0), n / cpu, n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=2.0, help="time per input")
    args = ap.parse_args()
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}, CPUs: {os.cpu_count()}")
    print(f"{'type':5} {'input':42} {'size':>8} {'wall/s':>8} {'cpu/s':>8} {'cpu ms':>8}")
    for kind, label, data in inputs():
        wall_rate, cpu_rate, _n = measure(kind, data, args.seconds)
        print(f"{kind:5} {label:42} {len(data) / 1024:7.1f}K {wall_rate:8.0f} {cpu_rate:8.0f} {1000 / cpu_rate:8.2f}")


if __name__ == "__main__":
    main()
