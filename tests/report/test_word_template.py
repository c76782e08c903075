"""The stored Word package (templates/report/docx/) is what report.render.docx_style builds: a
change of style in the code without ``python -m report.render.docx_style`` fails here."""

from __future__ import annotations

from report.render.docx import package, stored_name
from report.render.docx_style import STORED, build


def test_stored_parts_are_the_built_ones() -> None:
    built = build()
    stored = {p.relative_to(STORED).as_posix(): p.read_bytes() for p in STORED.rglob("*") if p.is_file()}
    assert stored == {stored_name(name): data for name, data in built.items()}


def test_package_reads_every_part_in_order() -> None:
    pkg = package()
    assert next(iter(pkg.parts)) == "[Content_Types].xml"
    assert "_rels/.rels" in pkg.parts and not any("thumbnail" in n for n in pkg.parts)
    assert pkg.head.endswith("<w:body>") and pkg.tail.startswith("<w:sectPr")
    assert pkg.style_ids["Heading 1"] == "Heading1"
