"""Hand-made PDF files for the hostile-file tests: thousands of pages, a scan, a deflate bomb.

Written byte by byte (objects, cross-reference table, trailer) so each test controls exactly the
structure under test; the realistic PDFs come from LibreOffice and Chromium (tests/parsing/tools.py).
"""

from __future__ import annotations

import zlib


def build(objects: list[bytes]) -> bytes:
    """A PDF of ``objects`` (object 1 is the catalog), numbered from 1 in order."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def stream(content: bytes, extra: bytes = b"", compress: bool = False) -> bytes:
    if compress:
        content = zlib.compress(content, 9)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(content), extra) + content + b"\nendstream"


def text_pdf(lines_per_page: list[list[str]]) -> bytes:
    """Pages of ASCII text lines in Helvetica (a standard font: nothing embedded)."""
    n = len(lines_per_page)
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]  # the page tree is filled in below
    font = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    kids = []
    for lines in lines_per_page:
        ops = ["BT /F1 12 Tf 72 760 Td 16 TL"] + [f"({s}) Tj T*" for s in lines] + ["ET"]
        objects.append(stream("\n".join(ops).encode("latin-1")))
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (font, content)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (n, b" ".join(b"%d 0 R" % k for k in kids))
    return build(objects)


def many_pages(n: int) -> bytes:
    """``n`` pages sharing one small content stream: a few kilobytes per thousand pages."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream(b"BT /F1 12 Tf 72 760 Td (page) Tj ET"),
    ]
    first = len(objects) + 1
    for _ in range(n):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>")
    kids = b" ".join(b"%d 0 R" % k for k in range(first, first + n))
    objects[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (n, kids)
    return build(objects)


def scanned(pages: int = 2) -> bytes:
    """Pages that only draw an image (a grey 200×100 picture), as a scanner makes them."""
    pixels = bytes([128]) * (200 * 100)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        stream(pixels, b" /Type /XObject /Subtype /Image /Width 200 /Height 100 /ColorSpace /DeviceGray /BitsPerComponent 8", compress=True),
        stream(b"q 400 0 0 200 100 500 cm /Im1 Do Q"),
    ]
    first = len(objects) + 1
    for _ in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /XObject << /Im1 3 0 R >> >> /Contents 4 0 R >>")
    objects[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, b" ".join(b"%d 0 R" % k for k in range(first, first + pages)))
    return build(objects)


def deflate_bomb(inflated_mb: int) -> bytes:
    """One page whose content stream inflates to ``inflated_mb`` MB of spaces (deflate's ~1000:1)."""
    comp = zlib.compressobj(9)
    chunk = b" " * (1024 * 1024)
    body = b"".join(comp.compress(chunk) for _ in range(inflated_mb)) + comp.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [4 0 R] >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 3 0 R >>",
    ]
    return build(objects)


def rotated_text_pdf(lines: list[str]) -> bytes:
    """One page stored sideways (/Rotate 90) whose text is drawn turned the other way, so that it
    reads upright on screen: how landscape pages and some scanners' output are written."""
    ops = ["BT /F1 12 Tf 0 1 -1 0 100 72 Tm 16 TL"] + [f"({s}) Tj T*" for s in lines] + ["ET"]
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 1 /Kids [5 0 R] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        stream("\n".join(ops).encode("latin-1")),
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Rotate 90 /Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>",
    ]
    return build(objects)


def broken_page_tree() -> bytes:
    """Two pages announced, the second of which is not a page (a damaged or hand-edited file)."""
    return build([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count 2 /Kids [4 0 R 5 0 R] >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents 6 0 R >>",
        b"<< /Type /Font >>",
        stream(b"BT /F1 12 Tf 72 760 Td (page) Tj ET"),
    ])
