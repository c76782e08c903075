"""QA regressions in user-visible wording (bot/messages/)."""

from __future__ import annotations

from bot import messages as M


def test_section_gates_ask_a_yes_no_question():
    """The section gates have 是/否 buttons: the question must be a 是否 question, not 有无 (有/无)."""
    for section, question in M.SECTION_GATES.items():
        assert "是否" in question, section
        assert "有无" not in question, section


def test_import_offer_names_the_agency_one_way():
    text = M.import_offer(2023, "甲局", "乙局")
    assert "文件中的机关是“乙局”，与本机关不同" in text


def test_users_read_jiguan_not_jigou():
    """The official text says 机关 (〔机关全称〕…年度报告, 行政机关): every user-visible word of the
    bot does too; 机构 stays only inside official labels (科研机构, 法律服务机构 …)."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    files = sorted((root / "bot" / "messages").glob("*.py"))
    files += sorted((root / "bot" / "commands").glob("*.py"))  # command-line help and messages
    files += sorted(p for p in (root / "templates" / "messages").rglob("*") if p.is_file())
    official = ("科研机构", "法律服务机构", "社会公益组织", "派出机构")  # 派出机构: 条例 Art. 10
    for path in files:
        text = path.read_text(encoding="utf-8")
        for label in official:
            text = text.replace(label, "")
        assert "机构" not in text, path
    assert "请输入您所在机关的全称" in M.REG_ASK_NAME
