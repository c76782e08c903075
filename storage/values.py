"""How answers are stored: exact values in cell rows, texts in narrative rows, and the audit
trail's record of a change.

- Values are exact: an int in ``int_value``, a Decimal as its exact text in ``decimal_text``
  (so 12.50 stays 12.50); never float. Derived cells (totals) are never stored.
- The report's opening paragraph and its 落款 are narrative rows under reserved keys
  (:data:`PREAMBLE_KEY`, :data:`SIGNATURE_KEY`), so they are saved, versioned and audited like
  any answer.
- An audit event records a changed text by a bounded excerpt and a hash (:func:`audit_text`):
  a 20,000-character part saved 200 times must not leave 200 whole copies behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from report import formats
from report.model import Signature

from .errors import InvalidData

UNIT_SUFFIX = ":unit"  # audit key of a cell's unit, e.g. "s2.i8.purchase.amount:unit"
PREAMBLE_KEY = "meta.preamble"
SIGNATURE_KEY = "meta.signature"
META_KEYS = (PREAMBLE_KEY, SIGNATURE_KEY)

# Audit texts up to this length are kept whole; longer ones as head … tail plus length and hash.
AUDIT_WHOLE = 600
AUDIT_HEAD = 300
AUDIT_TAIL = 100


def audit_value(value: int | Decimal | None) -> str | None:
    return None if value is None else str(value)


def audit_text(text: str | None) -> str | None:
    """A text as the audit trail keeps it: whole when short, else a bounded excerpt with its length
    and a hash (enough to see what changed and to recognise the same text again)."""
    if text is None or len(text) <= AUDIT_WHOLE:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
    return f"{text[:AUDIT_HEAD]}…{text[-AUDIT_TAIL:]} [{len(text)} chars, sha256 {digest}]"


def coerce(key: str, cell: formats.Cell, value: Any) -> int | Decimal:
    """An exact value of the cell's type; InvalidData for floats, bools and wrong types."""
    if isinstance(value, bool) or isinstance(value, float):
        raise InvalidData(f"{key}: an exact value (int or Decimal) is required, got {value!r}")
    if cell.type == "decimal":
        if isinstance(value, int):
            return Decimal(value)
        if isinstance(value, Decimal) and value.is_finite():
            return value
        raise InvalidData(f"{key}: a Decimal amount is required, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    raise InvalidData(f"{key}: an integer is required, got {value!r}")


def decode(key: str, kind: str | None, int_value: int | None, decimal_text: str | None) -> int | Decimal | None:
    if kind == "int":
        return int(int_value)
    if kind == "decimal":
        try:
            return Decimal(decimal_text)
        except InvalidOperation as exc:  # only if someone edits the database by hand
            raise InvalidData(f"stored decimal for {key} is not a number") from exc
    return None


def encode(value: int | Decimal | None) -> dict[str, Any]:
    if value is None:
        return {"kind": None, "int_value": None, "decimal_text": None}
    if isinstance(value, Decimal):
        return {"kind": "decimal", "int_value": None, "decimal_text": str(value)}
    return {"kind": "int", "int_value": int(value), "decimal_text": None}


def same(a: int | Decimal | None, b: int | Decimal | None) -> bool:
    """Equal and of the same written form: 12.5 and 12.50 differ (amounts are kept as written)."""
    if a is None or b is None:
        return a is None and b is None
    return a == b and str(a) == str(b)


def validated(
    fmt: formats.Format,
    values: Mapping[str, Any] | None,
    narratives: Mapping[str, str | None] | None,
    units: Mapping[str, str | None] | None,
    *,
    drop_derived: bool = False,
) -> tuple[dict, dict, dict]:
    """The answers checked against the format: known keys, exact values, no totals."""
    derived = fmt.derived_keys
    vals: dict[str, int | Decimal | None] = {}
    for key, value in (values or {}).items():
        cell = fmt.cells.get(key)
        if cell is None:
            raise InvalidData(f"unknown cell {key!r} in format {fmt.id}")
        if key in derived:
            if drop_derived:
                continue
            raise InvalidData(f"{key} is a total: computed, never stored")
        vals[key] = None if value is None else coerce(key, cell, value)
    part_keys = {p.key for p in fmt.narrative_parts}
    narrs: dict[str, str | None] = {}
    for key, text in (narratives or {}).items():
        if key not in part_keys and key not in META_KEYS and key not in fmt.lead_keys:
            raise InvalidData(f"unknown narrative part {key!r} in format {fmt.id}")
        if text is not None and not isinstance(text, str):
            raise InvalidData(f"{key}: a text is required")
        narrs[key] = text
    us: dict[str, str | None] = {}
    for key, unit in (units or {}).items():
        cell = fmt.cells.get(key)
        if cell is None or cell.type != "decimal":
            raise InvalidData(f"{key!r} is not an amount: it has no unit")
        if unit is not None and not isinstance(unit, str):
            raise InvalidData(f"{key}: a unit text is required")
        us[key] = unit
    return vals, narrs, us


# -- the report's opening paragraph and 落款, as narrative rows ------------------------------------
def signature_text(signature: Signature) -> str | None:
    """The stored text of a 落款 (None: nothing set)."""
    if not signature.agency and signature.date is None:
        return None
    return json.dumps({"agency": signature.agency, "date": signature.date.isoformat() if signature.date else None},
                      ensure_ascii=False, sort_keys=True)


def signature_of(text: str | None) -> Signature:
    if not text:
        return Signature()
    try:
        data = json.loads(text)
        date = dt.date.fromisoformat(data["date"]) if data.get("date") else None
        return Signature(agency=str(data.get("agency") or ""), date=date)
    except (ValueError, TypeError, KeyError, AttributeError):
        return Signature()


def meta_texts(preamble: str | None, signature: Signature) -> dict[str, str | None]:
    """The reserved narrative rows of a report's opening paragraph and 落款."""
    return {PREAMBLE_KEY: preamble, SIGNATURE_KEY: signature_text(signature)}
