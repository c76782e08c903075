"""Label pieces as published reports break them, joined back against the official labels.

A mixin of :class:`report.parsing.walker.Walker` (it reads the walker's vocabulary, current table
and diagnostics).
"""

from __future__ import annotations

import re

from ..validation import WARNING
from .text import norm, short
from .vocab import similarity

TABLE_NUMBER = re.compile(r"^\s*附?表\s*[一二三四五六七八九十\d]{1,2}\s*[:：.．]?\s*$")


class Labels:
    def rejoin(self, labels: list[str]) -> list[str]:
        """Label pieces joined back against the official labels: a label or header broken over
        lines (“本年制发” + “件数”, “自” “然” “人” printed vertically), headers of one row split
        into two lines column by column (“信息内容 本年制发 本年废止” over “件数 件数”), several
        headers on one line; a table number left from the layout (“表三”) dropped."""
        known = self.v.known
        if len(labels) == 1 and " " not in labels[0] or all(norm(x) in known for x in labels):
            return labels if not (len(labels) == 1 and TABLE_NUMBER.match(labels[0])) else []
        labels = [x for x in labels if not TABLE_NUMBER.match(x)]
        out: list[str] = []
        i = 0
        while i < len(labels):
            upper, lower = labels[i].split(), labels[i + 1].split() if i + 1 < len(labels) else []
            if 1 < len(upper) and 0 < len(lower) <= len(upper):
                paired = upper[: len(upper) - len(lower)] + [a + b for a, b in zip(upper[-len(lower) :], lower, strict=True)]
                if all(norm(x) in known for x in paired):
                    out += paired
                    i += 2
                    continue
            out.append(labels[i])
            i += 1
        tokens = [t for x in out for t in x.split()]
        joined = self._join(tokens)
        if all(norm(x) in known for x in joined):
            return joined
        return self._join(out)

    def _join(self, pieces: list[str]) -> list[str]:
        """Consecutive pieces that together make a known label, joined (longest first)."""
        known, prefixes = self.v.known, self.v.prefixes
        out: list[str] = []
        i = 0
        while i < len(pieces):
            joined, best = "", None
            for j in range(i, min(i + 12, len(pieces))):
                joined += norm(pieces[j])
                if joined in known:
                    best = j
                elif joined not in prefixes:
                    break
            end = best if best is not None else i
            out.append("".join(pieces[i : end + 1]))
            i = end + 1
        return out

    def take_tail(self, cell: str) -> bool:
        """The rest of a row label broken across lines, after the row's numbers: consumed."""
        n = norm(cell)
        if self.tail and n and self.tail.startswith(n):
            self.tail = self.tail[len(n) :]
            return True
        self.tail = ""
        return False

    def check_prefix(self, labels: list[str], data_follows: bool) -> None:
        for raw in labels:
            n = norm(raw)
            if not n:
                continue
            if n in self.v.rows:
                for table, row in self.v.rows[n]:
                    if self.table is None or table is self.table:
                        self.empty_rows.add((table.id, row.id))
                continue
            if self.table is not None:
                for col in self.table.columns:
                    cn = norm(col.label)
                    if col.type == "decimal" and n.startswith(cn) and n != cn:
                        unit = "万元" if "万元" in n else ("元" if "元" in n else None)
                        if unit:
                            self.header_units[(self.table.id, col.id)] = unit
                            n = cn
            if n in self.v.struct:
                continue
            if len(n) >= 2 and any(c.startswith(n) for c in self.v.columns):
                continue  # a header cut short (本年新 for 本年新制作数量)
            pool = list(self.v.struct) + list(self.v.rows)
            best = max(pool, key=lambda p: similarity(n, p)) if pool else ""
            score = similarity(n, best) if best else 0.0
            label_of = self.official_text(best)
            hint = f"（最接近的官方标签是“{label_of}”）" if score >= 0.5 and label_of else ""
            self.problem(WARNING, "parse.unknown_label", f"{self.where()}表格中的“{short(raw)}”不是官方标签{hint}")

    def official_text(self, n: str) -> str:
        if n in self.v.rows:
            return self.v.rows[n][0][1].label
        for t in self.fmt.tables:
            for text in [t.caption, t.label_header, t.note, t.column_header]:
                if text and norm(text) == n:
                    return text
            for c in t.columns:
                if norm(c.label) == n:
                    return c.label
                if c.group and norm(c.group) == n:
                    return c.group
            for r in t.rows:
                for g in (r.group, r.subgroup):
                    if g and norm(g) == n:
                        return g
        return ""

