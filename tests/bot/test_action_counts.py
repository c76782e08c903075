"""Issue 14's measure: an officer's actions (messages, commands, button presses, files) from /start
to the Word file, through the production Application (build_application), each report checked
figure by figure in the Word file it ends with. bench/bench_interview.py prints the same counts."""

from __future__ import annotations

import pytest
from conftest import AGENCY
from scenarios import county_report, past_year_sample, pasted_tables, shared_sample, typed_row_by_row
from test_bot_conversation import assert_docx_matches, stored

from bot.interview import questions as Q
from report.drafts import draft_for
from report.model import Report

pytestmark = pytest.mark.db


def with_drafted_six(rep: Report) -> Report:
    """``rep`` with 六 as the draft the officer adopts (采用草稿)."""
    out = rep.copy()
    out.narratives["n6"] = draft_for(rep.format.narrative_part("n6"), rep)
    return out


async def test_the_shared_2020_sample_in_at_most_12_actions(chat):
    sample = shared_sample()
    rep = sample.copy(agency=AGENCY)
    data = await past_year_sample(chat, rep)
    assert chat.user_messages <= 12, chat.user_messages
    expected = with_drafted_six(rep)
    assert_docx_matches(data, expected)
    saved, _ = stored(chat, 2020)
    assert saved.values == rep.values and saved.narratives == expected.narratives
    assert chat.errors == []


async def test_a_busy_county_department_typed_row_by_row_in_at_most_30_actions(chat):
    rep = county_report(agency=AGENCY)
    data = await typed_row_by_row(chat, rep)
    assert chat.user_messages <= 30, chat.user_messages
    expected = with_drafted_six(rep)
    assert_docx_matches(data, expected)
    saved, _ = stored(chat, rep.year)
    assert saved.values == rep.values and saved.narratives == expected.narratives
    assert chat.errors == []


async def test_the_same_report_by_pasting_its_three_published_tables_in_at_most_15_actions(chat):
    rep = county_report(agency=AGENCY)
    data = await pasted_tables(chat, rep)
    assert chat.user_messages <= 15, chat.user_messages
    expected = with_drafted_six(rep)
    assert_docx_matches(data, expected)
    saved, _ = stored(chat, rep.year)
    assert saved.values == rep.values and saved.narratives == expected.narratives
    # every table question was answered by the three pastes
    assert all(q.answered(saved) for s in ("二", "三", "四") for q in Q.section_questions(rep.format, s))
    assert chat.errors == []
