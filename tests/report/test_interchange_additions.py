"""Interchange JSON: the 落款 ("signature"), the opening paragraph ("preamble"), the 信息处理费 facts
("facts") and amounts as written, read and written back equal."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from report import interchange
from report.interchange import InterchangeError
from report.model import Report, Signature


def test_signature_preamble_and_facts_round_trip(busy: Report) -> None:
    busy.signature = Signature(agency="示例市示例区市场监督管理局（盖章）", date=dt.date(2024, 1, 17))
    busy.preamble = "本局依据条例编制本报告。\n如有疑问请来电。"
    busy.values |= {"s6.fee.notices": 2, "s6.fee.amount": Decimal("120.50"), "s6.fee.collected": Decimal("0.00")}
    busy.values["s2.i8.fees.fees"] = Decimal("12.50")
    doc = json.loads(interchange.dumps(busy))
    assert doc["signature"] == {"agency": "示例市示例区市场监督管理局（盖章）", "date": "2024-01-17"}
    assert doc["preamble"] == "本局依据条例编制本报告。\n如有疑问请来电。"
    assert doc["facts"] == {
        "六": {"信息处理费": {"发出收费通知件数": 2, "收费通知金额（单位：元）": "120.50", "实际收取金额（单位：元）": "0.00"}}
    }
    assert doc["tables"]["二"]["第二十条第（八）项"]["行政事业性收费"]["本年收费金额（单位：万元）"] == "12.50"
    back = interchange.loads(interchange.dumps(busy))
    assert back == busy
    assert back.values["s2.i8.fees.fees"].as_tuple() == Decimal("12.50").as_tuple()


def test_defaults_are_written_as_null_and_read_back(busy: Report) -> None:
    doc = json.loads(interchange.dumps(busy))
    assert doc["signature"] == {"agency": None, "date": None} and doc["preamble"] is None
    assert "facts" not in doc  # not answered yet
    back = interchange.from_dict(doc)
    assert back.signature == Signature() and back.preamble is None and back == busy
    # the agency defaults to the report's: given as the report's agency, it reads as the default
    doc["signature"] = {"agency": busy.agency, "date": "2024-01-17"}
    assert interchange.from_dict(doc).signature == Signature(date=dt.date(2024, 1, 17))
    doc["preamble"] = ""
    assert interchange.from_dict(doc).preamble == ""


def test_partly_answered_facts_stay_partly_answered(busy: Report) -> None:
    busy.values["s6.fee.notices"] = 0
    doc = json.loads(interchange.dumps(busy))
    assert doc["facts"] == {"六": {"信息处理费": {"发出收费通知件数": 0}}}
    back = interchange.from_dict(doc)
    assert back.values["s6.fee.notices"] == 0 and "s6.fee.amount" not in back.values


@pytest.mark.parametrize(
    "change, message",
    [
        ({"signature": {"date": "2024-1-17"}}, 'signature."date" 应为 YYYY-MM-DD 格式的日期（成文日期），得到 \'2024-1-17\''),
        ({"signature": {"date": "2024-02-30"}}, "signature.\"date\" 应为 YYYY-MM-DD"),
        ({"signature": {"seal": "x"}}, 'signature."seal": 未知键'),
        ({"signature": "某局"}, '"signature" 应为对象'),
        ({"signature": {"agency": 3}}, 'signature."agency" 应为字符串'),
        ({"preamble": ["x"]}, '"preamble" 应为字符串'),
        ({"facts": {"五": {}}}, 'facts."五": 2021 格式没有这部分数据（应为 六）'),
        ({"facts": {"六": {"信息处理费": {"收费金额": "1"}}}}, 'facts."六"."信息处理费"."收费金额": 未知列'),
        ({"facts": {"六": {"信息处理费": {"实际收取金额（单位：元）": 1.5}}}}, "金额须写成字符串"),
    ],
)
def test_malformed_additions_are_named(busy: Report, change: dict, message: str) -> None:
    doc = interchange.to_dict(busy) | change
    with pytest.raises(InterchangeError) as exc:
        interchange.from_dict(doc)
    assert message in str(exc.value)


def test_the_2019_format_has_no_facts(sample: Report) -> None:
    doc = interchange.to_dict(sample)
    assert "facts" not in doc
    with pytest.raises(InterchangeError, match="2019 格式没有这部分数据"):
        interchange.from_dict(doc | {"facts": {"六": {}}})
