"""Helpers for the coordination tests: reports built through the real model and store."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from bot.kit.io import Actor
from report import formats
from report.model import Report

# The people and the moment of the coordination scenarios.
ADMIN = Actor(1, "管理员", 1)
COORD = Actor(2, "协调人", 2)
OFFICER = Actor(3, "填报人", 3)
REVIEWER = Actor(4, "审核人", 4)
YEAR = 2024
NOW = dt.datetime(2025, 1, 13, 3, 0, tzinfo=dt.UTC)  # Monday 11:00 in Shanghai


def full_values(year: int, seed: int, format_id: str | None = None) -> dict:
    """Every input cell of the year's format, consistent with the identities, distinct per seed.

    Section 三: each applicant column gets new = seed + c, carried_in = 1, all handled as 予以公开
    except carried_over = 1, so 一+二 = （七）总计+四 holds. Other cells: small seeded numbers.
    """
    fmt = formats.for_year(year, format_id)
    values: dict = {}
    for key in fmt.input_keys:
        cell = fmt.cells[key]
        if cell.table.id == "s3":
            continue
        if cell.type == "decimal":
            values[key] = Decimal(seed) + Decimal("0.25")
        elif cell.table.id == "s4":
            values[key] = 0
        else:
            values[key] = seed * 10 + len(values) % 7
    s3 = fmt.table("s3")
    for ci, col in enumerate(c for c in s3.columns if c.id != "total"):
        for row in s3.rows:
            key = s3.key(row.id, col.id)
            if key in fmt.derived_keys:
                continue
            values[key] = 0
        new = seed + ci
        values[s3.key("new", col.id)] = new
        values[s3.key("carried_in", col.id)] = 1
        values[s3.key("open", col.id)] = new
        values[s3.key("carried_over", col.id)] = 1
    s4 = fmt.table("s4")
    values[s4.key("review", "upheld")] = seed
    values[s4.key("suit_direct", "pending")] = 1
    return values


def full_report(year: int, agency: str, seed: int, format_id: str | None = None) -> Report:
    rep = Report.new(agency, year, format_id)
    rep.values.update(full_values(year, seed, format_id))
    for part in rep.format.narrative_parts:
        rep.narratives[part.key] = f"{agency}的{part.label}情况。"
    return rep
