"""Start-up time of `disclosure-bot render` and `disclosure-bot check` as commands (a new process each).

    .venv/bin/python bench/bench_startup.py [-n 20] [--write]

Runs each command ``n`` times (after two warm-up runs) on the busy 2021 report
(tests/fixtures/2023-busy.json; `check` reads it rendered as .html) and prints the median wall time
and the median CPU time (user + system) of the process, beside a bare `python -c pass`. Target: each
command ≤ 400 ms. With --write, the figures replace the "## Command start-up" section of
docs/benchmarks.md. (`hyperfine -N -w 3 'disclosure-bot render …'` measures the same wall time.)
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_render import write_section  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "2023-busy.json"
HEADING = "## Command start-up"
TARGET_MS = 400.0
SCRIPT = Path(sys.executable).with_name("disclosure-bot")


# As installed: Python's compiled bytecode kept (the warm-up runs write it if this environment
# says PYTHONDONTWRITEBYTECODE, which would otherwise compile every module on every start).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def run_once(argv: list[str], cwd: str) -> tuple[float, float]:
    """(wall ms, CPU ms) of one process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=cwd, env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) * 1000
    return wall, cpu


def measure(n: int) -> dict[str, tuple[float, float]]:
    from report import interchange
    from report.render import render

    out: dict[str, tuple[float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        page.write_bytes(render(interchange.loads(FIXTURE.read_text(encoding="utf-8")), "html"))
        commands = {
            "python -c pass": [sys.executable, "-c", "pass"],
            "disclosure-bot render REPORT.json --to docx": [str(SCRIPT), "render", str(FIXTURE), "--to", "docx", "-o", "out.docx"],
            "disclosure-bot check report.html": [str(SCRIPT), "check", str(page)],
        }
        for name, argv in commands.items():
            for _ in range(2):
                run_once(argv, tmp)
            runs = [run_once(argv, tmp) for _ in range(n)]
            out[name] = (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
    return out


def section_text(n: int, figures: dict[str, tuple[float, float]]) -> str:
    rows = []
    for name, (wall, cpu) in figures.items():
        verdict = "" if name.startswith("python") else (" (meets)" if wall <= TARGET_MS else " (misses)")
        rows.append(f"| `{name}` | **{wall:.0f} ms**{verdict} | {cpu:.0f} ms |")
    return (
        f"{HEADING}\n\n"
        "`disclosure-bot render` and `check` as commands, a new process each time (the console script "
        "imports only the named command's module; neither loads SQLAlchemy, Alembic or Telegram, and "
        "`render` does not load the settings either). Target: ≤ 400 ms each.\n\n"
        f"    .venv/bin/python bench/bench_startup.py -n {n} --write\n\n"
        "| command | median wall time | median CPU time |\n|---|---|---|\n" + "\n".join(rows) + "\n"
        f"\n{n} runs each after two warm-up runs, with Python's bytecode cached as in an installation; "
        f"Python {platform.python_version()}, {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} while measuring. Wall time counts "
        "waiting for a CPU: on a busy machine compare the CPU time with the target.\n"
        "\nBefore (main at a06668e: every command module, hence SQLAlchemy, Alembic, Telegram and "
        "pydantic, imported by every command), measured with hyperfine beside the new code at the same "
        "load (4.4): `render --to docx` 2.10 s (user CPU 1.50 s) → 0.39 s (0.20 s); `check report.html` "
        "3.22 s (1.50 s) → 0.25 s (0.13 s):\n\n"
        "    hyperfine -N -w 2 -r 15 '.venv/bin/python -m bot.cli render tests/fixtures/2023-busy.json "
        "--to docx -o /tmp/y.docx' '.venv/bin/python -m bot.cli check /tmp/busy.html'\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", type=int, default=20, help="runs per command (default 20)")
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    figures = measure(args.n)
    for name, (wall, cpu) in figures.items():
        print(f"{name:48s} wall {wall:6.0f} ms   CPU {cpu:6.0f} ms")
    if args.write:
        write_section(section_text(args.n, figures), HEADING)
        print("written to docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
