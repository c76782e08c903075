"""Inputs for the parsing tests: the shared sample, the busy 2021 fixture, and builders of
synthetic published reports (text, HTML, Word) in the shapes real web pages take."""

from __future__ import annotations

from pathlib import Path

import pytest

from report import formats, interchange
from report.model import Report

# The shared sample (../shared/samples/), copied into the fixtures.
SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "2020-shuicheng-investment-promotion.txt"
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
SAMPLE_AGENCY = "六盘水市水城区招商投资促进服务中心"


@pytest.fixture(scope="session")
def sample_text() -> str:
    return SAMPLE.read_text(encoding="utf-8")


@pytest.fixture
def busy() -> Report:
    """A 2021-format report with a distinct non-zero figure in every cell; every identity holds."""
    return interchange.loads((FIXTURES / "2023-busy.json").read_text(encoding="utf-8"))


def s3_row_labels(format_id: str) -> list[str]:
    return [r.label for r in formats.load(format_id).table("s3").rows]


def replace_row_values(text: str, label: str, new_values: list[str]) -> str:
    """In the flattened sample layout, replace the value lines following ``label``."""
    lines = text.split("\n")
    start = next(i for i, line in enumerate(lines) if line.split(" |")[0].strip() == label)
    j = start + 1
    old = 0
    while j < len(lines) and lines[j].split("|")[0].strip().isdigit():
        j += 1
        old += 1
    new = [f"{v} |" for v in new_values]
    return "\n".join(lines[: start + 1] + new + lines[j:])


@pytest.fixture(scope="session")
def clean_sample(sample_text) -> str:
    """The sample with its damaged row (5.属于三类内部事务信息, six numbers) repaired."""
    return replace_row_values(sample_text, "5.属于三类内部事务信息", ["0"] * 7)
