"""Reports parsed and checked per second, per input type, and cell accuracy per source kind.

Each iteration reads one file from bytes (``report.parsing.parse_bytes``, through the guarded
reader) and checks it (``report.parsing.check``: parse diagnostics plus validation), as
``disclosure-bot check`` and the bot do. Inputs: the busy 2021 fixture rendered by report.render
as .txt, .html and .docx, a Word-exported style web page (merged cells, split <span> labels, GBK),
the shared sample (text copied from a web page), and PDFs made as agencies make them: the
rendered Word file exported by LibreOffice, the web page printed by Chromium (with and without
table borders).

Accuracy: over the fixture set of each source kind (the damaged copies in tests/fixtures/damaged,
the PDFs and pages above), the share of the busy report's cells read to exactly its value; a cell
left blank because it could not be read for certain counts as not read.

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
    return out + [x for x in pdfs(busy) if x[1].startswith("busy 2021, Word")] + [x for x in pdfs(busy) if "borders" in x[1]]


_PDFS: list[tuple[str, str, bytes]] = []


def pdfs(busy) -> list[tuple[str, str, bytes]]:
    """The busy report as PDF: LibreOffice's export of the rendered Word file, Chromium's print of
    the web page with and without table borders (empty when the programs are missing)."""
    if _PDFS:
        return _PDFS
    try:
        sys.path.insert(0, str(ROOT / "tests"))
        from parsing.test_html import page
        from parsing.tools import chromium_pdf, soffice_pdf

        from report.uploads import read_pages

        html = page(busy)
        made = [
            ("Word → LibreOffice PDF", soffice_pdf(render(busy, "docx"), "report.docx")),
            ("web page with table borders → Chromium PDF", chromium_pdf(html.encode("gb18030"))),
            ("web page without borders → Chromium PDF", chromium_pdf(
                html.replace("border=1", "border=0").replace("border:solid windowtext 1.0pt", "border:none").encode("gb18030"))),
        ]
        for label, data in made:
            _PDFS.append(("pdf", f"busy 2021, {label}, {len(read_pages(data))} pages", data))
    except BaseException as exc:  # noqa: BLE001 - pytest's skip when LibreOffice/Chromium are missing
        print(f"(no PDF inputs: {exc})")
    return _PDFS


def accuracy() -> dict[str, tuple[int, int, int]]:
    """{source kind: (files, cells read exactly, cells in all)} over the fixture set."""
    busy = interchange.loads((ROOT / "tests/fixtures/2023-busy.json").read_text(encoding="utf-8"))
    eff = busy.effective()
    files: list[tuple[str, bytes]] = [(p.name, p.read_bytes()) for p in sorted((ROOT / "tests/fixtures/damaged").glob("*.txt"))]
    files += [("r.txt", render(busy, "txt")), ("r.html", render(busy, "html")), ("r.docx", render(busy, "docx"))]
    try:
        from parsing.test_html import page

        files.append(("page.html", page(busy).encode("gb18030")))
    except ImportError:  # pragma: no cover
        pass
    files += [("r.pdf", data) for _k, _l, data in pdfs(busy)]
    out: dict[str, list[int]] = {}
    for name, data in files:
        result = parse_bytes(data, name)
        agg = out.setdefault(result.source, [0, 0, 0])
        agg[0] += 1
        keys = [t.key(r.id, c.id) for t in busy.format.tables for r in t.rows for c in t.columns]
        agg[1] += sum(1 for k in keys if result.report.values.get(k) == eff[k])
        agg[2] += len(keys)
    return {k: tuple(v) for k, v in out.items()}


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
    print("\ncell accuracy per source kind (fixture set)")
    for kind, (n, good, total) in sorted(accuracy().items()):
        print(f"{kind:5} {n:3} files {good:6}/{total:<6} cells {100 * good / total:6.2f} %")


if __name__ == "__main__":
    main()
