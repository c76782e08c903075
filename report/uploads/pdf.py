"""PDF files: opened within limits, read into positioned glyphs and ruling lines.

The library is pypdfium2 (PDFium, the PDF engine of Chromium, fuzzed continuously; BSD/Apache
wheels on PyPI, no system package; pdfplumber itself depends on it). pdfplumber and pdfminer.six
were measured first on the four-page test report: pdfplumber read it at 2.5 reports/s (0.40 s, of
which pdfminer.six spent 0.26 s interpreting the content streams in Python before any table was
looked for), eight times below the 20/s the issue asks; PDFium gives its glyphs and lines in ~25 ms.

Before PDFium sees a file: the page count and every compressed non-image stream are checked
(a stream inflated past the budget is a bomb; inflating stops there, memory stays flat). A file
with an open password is refused; one without any text on its pages is a scan. PDFium is not
thread-safe, so every call into it holds one lock.

Coordinates are PDF points measured from the top-left corner of the page as displayed
(``/Rotate`` applied), so "above" and "left of" mean what a reader sees.
"""

from __future__ import annotations

import re
import threading
import zlib
from dataclasses import dataclass, field

from .errors import UploadRefused

MAX_PAGES = 100
MAX_INFLATED = 96 * 1024 * 1024  # all compressed non-image streams together, inflated
MAX_OBJECTS_PER_PAGE = 50_000
_LOCK = threading.Lock()
_STREAM = re.compile(rb"stream(?:\r\n|\n|\r)")


@dataclass(slots=True)
class Glyph:
    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class Page:
    number: int  # 1-based
    width: float
    height: float
    glyphs: list[Glyph] = field(default_factory=list)
    rules: list[tuple[float, float, float, float]] = field(default_factory=list)  # x0, top, x1, bottom


# -- before PDFium: page count and compressed streams ------------------------------------------------
def check_streams(data: bytes, budget: int = MAX_INFLATED) -> None:
    """Refuse a file whose compressed content, fonts or object streams inflate past ``budget``.

    Images are skipped (text extraction never decodes them). Flate streams are inflated in
    chunks with a cap; LZW and run-length streams are counted at their worst-case expansion.
    """
    total = 0
    pos = 0
    while (m := _STREAM.search(data, pos)) is not None:
        start = m.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        pos = end + 9  # the next search starts after this stream's data, never inside it
        obj = data.rfind(b"obj", max(0, m.start() - 4096), m.start())
        head = data[max(obj, m.start() - 4096, 0) : m.start()]
        if b"/Image" in head:
            continue
        body = data[start:end]
        if b"/FlateDecode" in head:
            total += _inflated(body, budget - total)
        elif b"/LZWDecode" in head or b"/RunLengthDecode" in head:
            total += len(body) * 128
        if total > budget:
            raise UploadRefused("zip_bomb", kind="PDF", reason="inflates", limit=budget)


def _inflated(body: bytes, room: int) -> int:
    d = zlib.decompressobj()
    n = 0
    chunk = body
    try:
        while chunk and n <= room:
            out = d.decompress(chunk, 1024 * 1024)
            n += len(out)
            chunk = d.unconsumed_tail
            if d.eof:
                break
    except zlib.error:
        return n  # PDFium decides what a damaged stream means
    return n


# -- PDFium ----------------------------------------------------------------------------------------
def _display(rotation: int, w: float, h: float):
    """Page space (origin bottom-left) → display space (origin top-left, rotation applied)."""
    if rotation == 90:
        return lambda x, y: (y, x)
    if rotation == 180:
        return lambda x, y: (w - x, y)
    if rotation == 270:
        return lambda x, y: (h - y, w - x)
    return lambda x, y: (x, h - y)


def _box(to, left: float, bottom: float, right: float, top: float) -> tuple[float, float, float, float]:
    ax, ay = to(left, bottom)
    bx, by = to(right, top)
    return min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)


def read_pages(data: bytes, *, max_pages: int = MAX_PAGES, max_chars: int | None = None, rules: bool = True) -> list[Page]:
    """Every page's glyphs (and, with ``rules``, its ruling lines); UploadRefused for a file that
    is damaged, encrypted, too long, too complex, or a scan without text."""
    if b"%PDF" not in data[:1024]:
        raise UploadRefused("pdf_damaged")
    check_streams(data)
    import pypdfium2 as pdfium  # imported on first use: it loads a 10 MB shared library

    with _LOCK:
        try:
            doc = pdfium.PdfDocument(data)
        except pdfium.PdfiumError as exc:
            code = getattr(exc, "err_code", None)
            if code in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY):
                raise UploadRefused("encrypted") from exc
            raise UploadRefused("pdf_damaged") from exc
        try:
            count = len(doc)
            if count > max_pages:
                raise UploadRefused("too_many_pages", pages=count, limit=max_pages)
            pages, chars = [], 0
            for i in range(count):
                try:
                    page = _read_page(pdfium, doc, i, rules)
                except (RuntimeError, ValueError, OSError) as exc:  # PdfiumError: a page that cannot be loaded
                    raise UploadRefused("pdf_damaged") from exc
                chars += sum(1 for g in page.glyphs if not g.text.isspace())
                if max_chars is not None and chars > max_chars:
                    raise UploadRefused("text_too_long", limit=max_chars)
                pages.append(page)
        finally:
            doc.close()
    if chars == 0:
        raise UploadRefused("scanned_pdf")
    return pages


def _read_page(pdfium, doc, index: int, with_rules: bool) -> Page:
    raw = pdfium.raw
    page = doc[index]
    try:
        n_objects = raw.FPDFPage_CountObjects(page.raw)
        if n_objects > MAX_OBJECTS_PER_PAGE:
            raise UploadRefused("too_complex", kind="PDF", where=f"第 {index + 1} 页", count=n_objects, limit=MAX_OBJECTS_PER_PAGE)
        w, h = page.get_size()
        rotation = page.get_rotation()
        # get_size() is the displayed size; page space is the unrotated one.
        pw, ph = (h, w) if rotation in (90, 270) else (w, h)
        to = _display(rotation, pw, ph)
        out = Page(index + 1, w, h)
        textpage = page.get_textpage()
        try:
            out.glyphs = _glyphs(raw, textpage, to, rotation, ph)
        finally:
            textpage.close()
        if with_rules:
            out.rules = _rules(pdfium, page, to)
        return out
    finally:
        page.close()


def _glyphs(raw, textpage, to, rotation: int, height: float) -> list[Glyph]:
    """Every character of the page with its loose box (the font's full height, so a comma and a
    character of the same line share it). The page's text comes in one call; the spaces PDFium
    inserts at word gaps are kept like real ones, its line breaks dropped."""
    import ctypes

    tp = textpage.raw
    n = textpage.count_chars()
    if n <= 0:
        return []
    buf = ctypes.create_string_buffer((n + 1) * 2)
    got = raw.FPDFText_GetText(tp, 0, n, ctypes.cast(buf, ctypes.POINTER(ctypes.c_ushort)))
    text = buf.raw[: max(got - 1, 0) * 2].decode("utf-16-le", errors="replace")
    if len(text) != n:  # characters outside the BMP: one call per character instead
        text = "".join(chr(raw.FPDFText_GetUnicode(tp, j) or 0xFFFE) for j in range(n))
    rect = raw.FS_RECTF()
    loose = raw.FPDFText_GetLooseCharBox
    out = []
    append = out.append
    for j, ch in enumerate(text):
        if ch in "\r\n\x00\ufffe\uffff\ufffd" or not loose(tp, j, rect):
            continue
        if rotation == 0:
            append(Glyph(ch, rect.left, height - rect.top, rect.right, height - rect.bottom))
        else:
            x0, top, x1, bottom = _box(to, rect.left, rect.bottom, rect.right, rect.top)
            append(Glyph(ch, x0, top, x1, bottom))
    return out


def _rules(pdfium, page, to) -> list[tuple[float, float, float, float]]:
    """Ruling lines: thin path objects (a stroked line, a thin filled rectangle) and the straight
    axis-parallel segments of stroked paths (a cell's outline). Filled areas are not lines.
    Objects are visited through PDFium's C calls directly (thousands per page), forms included."""
    import ctypes

    raw = pdfium.raw
    out: list[tuple[float, float, float, float]] = []
    fill, stroke = ctypes.c_int(), ctypes.c_int()
    fx, fy = ctypes.c_float(), ctypes.c_float()
    left, bottom, right, top = ctypes.c_float(), ctypes.c_float(), ctypes.c_float(), ctypes.c_float()
    matrix = raw.FS_MATRIX()
    get_type, get_bounds = raw.FPDFPageObj_GetType, raw.FPDFPageObj_GetBounds
    PATH, FORM = raw.FPDF_PAGEOBJ_PATH, raw.FPDF_PAGEOBJ_FORM

    def visit(objects, depth: int) -> None:
        for obj in objects:
            kind = get_type(obj)
            if kind == FORM and depth < 4:
                n = raw.FPDFFormObj_CountObjects(obj)
                visit((raw.FPDFFormObj_GetObject(obj, k) for k in range(max(n, 0))), depth + 1)
                continue
            if kind != PATH or not get_bounds(obj, left, bottom, right, top):
                continue
            x0, t, x1, b = _box(to, left.value, bottom.value, right.value, top.value)
            if x1 - x0 <= 3 or b - t <= 3:
                if max(x1 - x0, b - t) >= 4:
                    out.append((x0, t, x1, b))
                continue
            raw.FPDFPath_GetDrawMode(obj, fill, stroke)
            if not stroke.value or not raw.FPDFPageObj_GetMatrix(obj, matrix):
                continue
            m = pdfium.PdfMatrix.from_raw(matrix)
            last = start = None
            for k in range(min(raw.FPDFPath_CountSegments(obj), 10_000)):
                seg = raw.FPDFPath_GetPathSegment(obj, k)
                raw.FPDFPathSegment_GetPoint(seg, fx, fy)
                point = to(*m.on_point(fx.value, fy.value))
                seg_kind = raw.FPDFPathSegment_GetType(seg)
                if seg_kind == raw.FPDF_SEGMENT_MOVETO:
                    start = point
                elif seg_kind == raw.FPDF_SEGMENT_LINETO and last is not None:
                    _segment(out, last, point)
                if raw.FPDFPathSegment_GetClose(seg) and start is not None:
                    _segment(out, point, start)
                last = point

    n = raw.FPDFPage_CountObjects(page.raw)
    visit((raw.FPDFPage_GetObject(page.raw, k) for k in range(max(n, 0))), 0)
    return out


def _segment(out: list, a: tuple[float, float], b: tuple[float, float]) -> None:
    (ax, ay), (bx, by) = a, b
    if (abs(ax - bx) < 1 or abs(ay - by) < 1) and max(abs(ax - bx), abs(ay - by)) >= 4:
        out.append((min(ax, bx) - 0.5, min(ay, by) - 0.5, max(ax, bx) + 0.5, max(ay, by) + 0.5))
