"""QA regressions in the CLI's messages: no English system text reaches the user."""

from __future__ import annotations

import pytest

from report import interchange
from report.parsing import UnreadableReport, parse_file


def test_malformed_json_message_is_chinese():
    with pytest.raises(interchange.InterchangeError) as exc:
        interchange.loads("{bad")
    assert str(exc.value) == "不是有效的 JSON：第 1 行第 2 列附近有语法错误"


def test_missing_file_message_is_chinese(tmp_path):
    with pytest.raises(UnreadableReport) as exc:
        parse_file(tmp_path / "nope.txt")
    assert exc.value.message_zh == "无法打开文件：nope.txt（文件不存在）"
    with pytest.raises(UnreadableReport) as exc:
        parse_file(tmp_path)
    assert "这是一个文件夹" in exc.value.message_zh
