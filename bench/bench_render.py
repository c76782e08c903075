"""Rendering time: the busy 2021 report (tests/fixtures/2023-busy.json) in all five formats.

    .venv/bin/python bench/bench_render.py [-n 50] [--write]

Prints the median time of one round (txt + md + html + docx + xlsx together) and of each kind.
Target: a round ≤ 100 ms. With --write, the figures replace the "## Rendering" section of
docs/benchmarks.md (other sections are left as they are).
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from report import interchange  # noqa: E402
from report.render import KINDS, render  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "2023-busy.json"
DOC = ROOT / "docs" / "benchmarks.md"
HEADING = "## Rendering"
TARGET_MS = 100.0


def measure(n: int) -> tuple[float, float, dict[str, float]]:
    """(median wall ms of a round, median CPU ms of a round, median wall ms per kind)."""
    report = interchange.loads(FIXTURE.read_text(encoding="utf-8"))
    for kind in KINDS:  # warm up: templates compiled, the Word template styled, imports done
        render(report, kind)
    rounds: list[float] = []
    cpu: list[float] = []
    per_kind: dict[str, list[float]] = {k: [] for k in KINDS}
    for _ in range(n):
        total = 0.0
        cpu_start = time.process_time()
        for kind in KINDS:
            start = time.perf_counter()
            render(report, kind)
            elapsed = (time.perf_counter() - start) * 1000
            per_kind[kind].append(elapsed)
            total += elapsed
        cpu.append((time.process_time() - cpu_start) * 1000)
        rounds.append(total)
    per = {k: statistics.median(v) for k, v in per_kind.items()}
    return statistics.median(rounds), statistics.median(cpu), per


def section_text(n: int, median: float, cpu: float, per_kind: dict[str, float]) -> str:
    kinds = " · ".join(f"{k} {v:.1f}" for k, v in per_kind.items())
    verdict = "meets" if median <= TARGET_MS else "misses"
    return (
        f"{HEADING}\n\n"
        "The busy 2021 report (`tests/fixtures/2023-busy.json`, every cell non-zero) rendered to "
        "txt, md, html, docx and xlsx, one after another, in one process (templates compiled and the "
        "stored Word package read in the first round), each with its opening paragraph, 落款 and page "
        "numbers; `report.render.render(report, kind)`.\n\n"
        f"    .venv/bin/python bench/bench_render.py -n {n} --write\n\n"
        f"| figure | value |\n|---|---|\n"
        f"| median of one round (all five) | **{median:.1f} ms** ({verdict} the {TARGET_MS:.0f} ms target) |\n"
        f"| median CPU time of one round | {cpu:.1f} ms |\n"
        f"| median per kind, ms | {kinds} |\n"
        f"| rounds | {n} |\n"
        f"| machine | Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f} while measuring |\n"
        "\nWall time counts waiting for a CPU: on a busy machine compare the CPU time with the target.\n"
    )


def write_section(text: str, heading: str = HEADING) -> None:
    """Replace (or append) only the section ``heading`` ('## Rendering') of docs/benchmarks.md."""
    doc = DOC.read_text(encoding="utf-8") if DOC.is_file() else "# Benchmarks\n"
    start = doc.find(f"\n{heading}\n")
    if start == -1:
        doc = doc.rstrip("\n") + "\n\n" + text
    else:
        end = doc.find("\n## ", start + 1)
        doc = doc[: start + 1] + text + ("\n" + doc[end + 1 :] if end != -1 else "")
    DOC.write_text(doc, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=50, help="rounds (default 50)")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    median, cpu, per_kind = measure(args.n)
    print(f"median of one round (txt+md+html+docx+xlsx): {median:.1f} ms (target ≤ {TARGET_MS:.0f} ms)")
    print(f"median CPU time of one round: {cpu:.1f} ms")
    for kind, v in per_kind.items():
        print(f"  {kind:5s} {v:6.1f} ms")
    if args.write:
        write_section(section_text(args.n, median, cpu, per_kind))
        print(f"written to {DOC.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
