"""Rows printed as one run of digits (“0000000”, “291000030”): decoded only where the split is unique.

A run whose length equals the row's cell count is one digit per cell. Otherwise every split of
the run into the row's cells (numbers without leading zeros) is a candidate, and the format's
identities — the row total, 一+二=三+四, （七）总计 — are applied to the candidates of all runs
of the report together: a run is decoded when exactly one of its candidates survives; otherwise
its row is refused, naming the row and the candidates, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations, product
from math import comb

from ..formats import Format

RUN = re.compile(r"^\d+$")
MAX_SPLITS = 200_000  # ways to cut one run considered; a longer run is refused as it is
MAX_COMBINATIONS = 200_000  # joint assignments of several ambiguous runs tried against the identities


@dataclass
class Run:
    keys: tuple[str, ...]  # the cells the run fills, in order
    digits: str
    name: str  # the row, as the user reads it
    section: str
    candidates: list[tuple[int, ...]] | None = None
    decoded: tuple[int, ...] | None = None


def is_run(vals: list[str], n: int) -> bool:
    """One value that is a run of at least as many digits as the row has cells (n > 1)."""
    return n > 1 and len(vals) == 1 and bool(RUN.match(vals[0].strip())) and len(vals[0].strip()) >= n


def splits(digits: str, n: int) -> list[tuple[int, ...]] | None:
    """Every way to cut ``digits`` into ``n`` numbers without leading zeros; None when too many."""
    if len(digits) == n:
        return [tuple(int(d) for d in digits)]
    if comb(len(digits) - 1, n - 1) > MAX_SPLITS:
        return None
    out = []
    for cuts in combinations(range(1, len(digits)), n - 1):
        bounds = (0, *cuts, len(digits))
        parts = [digits[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
        if any(len(p) > 1 and p[0] == "0" for p in parts):
            continue
        out.append(tuple(int(p) for p in parts))
    return out


def _holds(identity, values: dict[str, int | None]) -> bool | None:
    """Whether ``identity`` holds; None when one of its cells is unknown."""
    total = 0
    for k in identity.lhs:
        v = values.get(k)
        if v is None:
            return None
        total += v
    for k in identity.rhs:
        v = values.get(k)
        if v is None:
            return None
        total -= v
    return total == 0


def resolve(fmt: Format, runs: list[Run], known: dict[str, object]) -> None:
    """Decide each run: ``decoded`` when its split is unique, else ``candidates`` stay for the message."""
    values: dict[str, int | None] = {k: v for k, v in known.items() if isinstance(v, int)}
    open_runs: list[Run] = []
    for run in runs:
        run.candidates = splits(run.digits, len(run.keys))
        if run.candidates is None:
            continue
        if len(run.digits) == len(run.keys):  # one digit per cell: certain; validation judges it
            run.decoded = run.candidates[0]
            values.update(zip(run.keys, run.decoded, strict=True))
            continue
        own = [i for i in fmt.identities if set(i.cells) <= set(run.keys)]
        run.candidates = [c for c in run.candidates if all(_holds(i, dict(zip(run.keys, c, strict=True))) for i in own)]
        if len(run.candidates) == 1:
            run.decoded = run.candidates[0]
            values.update(zip(run.keys, run.decoded, strict=True))
        elif run.candidates:
            open_runs.append(run)
    if not open_runs:
        return
    size = 1
    for run in open_runs:
        size *= len(run.candidates)
    if size > MAX_COMBINATIONS:
        return
    cells = {k for run in open_runs for k in run.keys}
    checks = [i for i in fmt.identities if cells & set(i.cells)]
    options: list[set[tuple[int, ...]]] = [set() for _ in open_runs]
    for combo in product(*(run.candidates for run in open_runs)):
        trial = dict(values)
        for run, cand in zip(open_runs, combo, strict=True):
            trial.update(zip(run.keys, cand, strict=True))
        if all(_holds(i, trial) is not False for i in checks):
            for idx, cand in enumerate(combo):
                options[idx].add(cand)
    for idx, run in enumerate(open_runs):
        run.candidates = sorted(options[idx])
        if len(run.candidates) == 1:
            run.decoded = run.candidates[0]
