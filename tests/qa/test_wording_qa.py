"""QA regressions in user-visible wording (bot/messages.py)."""

from __future__ import annotations

from bot import messages as M


def test_section_gates_ask_a_yes_no_question():
    """The section gates have 是/否 buttons: the question must be a 是否 question, not 有无 (有/无)."""
    for section, question in M.SECTION_GATES.items():
        assert "是否" in question, section
        assert "有无" not in question, section


def test_import_offer_names_the_agency_one_way():
    text = M.import_offer(2023, "甲局", "乙局")
    assert "文件中的机构是“乙局”，与本机构不同" in text
