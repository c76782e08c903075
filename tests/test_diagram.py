"""docs/interview.md is the state diagram generated from the screen declarations (bot/diagram.py)."""

from __future__ import annotations

from pathlib import Path

from bot import diagram

DOC = Path(__file__).resolve().parents[1] / "docs" / "interview.md"


def test_the_documented_diagram_is_the_one_the_declarations_give():
    assert DOC.read_text(encoding="utf-8") == diagram.render(), (
        "docs/interview.md is out of date: run .venv/bin/python -m bot.diagram > docs/interview.md")


def test_the_diagram_follows_the_walk():
    found = set((src, dst) for src, dst, _ in diagram.edges())
    # the task list opens sections; answering leads to checks; a check's Edit goes back to a question
    assert {("hub", "q"), ("q", "check"), ("q", "all"), ("check", "q"), ("all", "q"), ("sign", "export")} <= found
    assert ("reg_name", "reg_kind") in found and ("await_file", "checkup") in found
