"""Fixtures for the report tests: the shared sample (2020, 2019 format) and the busy 2021 report."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from report import interchange
from report.model import Report

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def load_fixture(name: str) -> Report:
    return interchange.loads((FIXTURES / name).read_text(encoding="utf-8"))


@pytest.fixture
def sample() -> Report:
    """六盘水市水城区招商投资促进服务中心 2020, transcribed from the shared sample (one cell lost)."""
    return load_fixture("2020-shuicheng.json")


@pytest.fixture
def busy() -> Report:
    """A 2021-format report with a non-zero figure in every cell and every identity holding."""
    return load_fixture("2023-busy.json")


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def missing(message: str) -> None:
    """A program or package a test needs is missing: in CI that fails the test (.ci/run installs
    everything); elsewhere the test is skipped, saying why."""
    if in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def _require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        missing(f"{name} is not installed (Debian: see .ci/run)")
    return path


@pytest.fixture(scope="session")
def require_tool():
    """``require_tool("soffice")``: the program's path (see :func:`missing` when it is absent)."""
    return _require_tool


@pytest.fixture(scope="session")
def require_missing():
    return missing
