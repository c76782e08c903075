"""A Word (.docx) report: paragraphs and tables in body order, merged cells counted once.

Before python-docx sees the file, the zip is checked against bombs (member count, total
uncompressed size, compression ratio) and every XML part is scanned for a DTD or entity
declaration, which a Word file never needs (billion laughs, external entities). python-docx's
own parser also runs with ``resolve_entities=False``.

Tables are read from the XML: ``w:gridSpan`` (a cell spanning columns) gives one cell, and a
``w:vMerge`` continuation gives the cell above again, flagged as continued, so nothing is
counted twice.
"""

from __future__ import annotations

import io
import re
import zipfile

from .errors import UnreadableReport
from .lines import Document, Line
from .text import clean
from .vocab import parse_title

MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_MEMBERS = 2000
MAX_RATIO = 100

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
W_P, W_TBL, W_TR, W_TC, W_SDT, W_SDTCONTENT = (W + t for t in ("p", "tbl", "tr", "tc", "sdt", "sdtContent"))
W_T, W_TAB, W_BR, W_CR = (W + t for t in ("t", "tab", "br", "cr"))
W_TCPR, W_GRIDSPAN, W_VMERGE, W_VAL = W + "tcPr", W + "gridSpan", W + "vMerge", W + "val"
W_TRPR, W_GRIDBEFORE = W + "trPr", W + "gridBefore"
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:.0f} MB"


def check_zip(data: bytes) -> None:
    """Refuse zip bombs and XML with DTDs before anything parses the package."""
    if not data.startswith(b"PK"):
        raise UnreadableReport("不是有效的 Word（.docx）文件：文件格式不对（如果是旧版 .doc 文件，请在 Word 中另存为 .docx）")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UnreadableReport("不是有效的 Word（.docx）文件：压缩包已损坏") from exc
    with zf:
        infos = zf.infolist()
        if len(infos) > MAX_MEMBERS:
            raise UnreadableReport(f"Word 文件内部文件过多（{len(infos)} 个），疑似恶意文件，拒绝读取")
        total = sum(i.file_size for i in infos)
        if total > MAX_UNCOMPRESSED:
            raise UnreadableReport(
                f"Word 文件解压后过大（{_mb(total)}，上限 {_mb(MAX_UNCOMPRESSED)}），疑似压缩炸弹，拒绝读取"
            )
        packed = sum(i.compress_size for i in infos)
        if total > 1024 * 1024 and total > MAX_RATIO * max(packed, 1):
            raise UnreadableReport(
                f"Word 文件压缩比异常（{total // max(packed, 1)} 倍），疑似压缩炸弹，拒绝读取"
            )
        names = {i.filename for i in infos}
        if "word/document.xml" not in names and not any(n.endswith("document.xml") for n in names):
            raise UnreadableReport("不是有效的 Word（.docx）文件：找不到正文（document.xml）")
        for info in infos:
            if info.is_dir():
                continue
            if not info.filename.lower().endswith((".xml", ".rels")):
                continue
            try:
                raw = zf.read(info)
            except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
                raise UnreadableReport(f"Word 文件已损坏：无法解压 {info.filename}") from exc
            head = raw[:4]
            if head.startswith((b"\xff\xfe", b"\xfe\xff")) or (len(head) == 4 and (head[1] == 0 or head[0] == 0)):
                try:
                    raw = raw.decode("utf-16").encode("utf-8")
                except UnicodeDecodeError as exc:
                    raise UnreadableReport(f"Word 文件已损坏：{info.filename} 编码无法识别") from exc
            if _DTD.search(raw):
                raise UnreadableReport(
                    f"Word 文件的 {info.filename} 含有 DTD/实体声明（正常的 Word 文件不会有），出于安全考虑拒绝读取"
                )


def _para_text(p) -> str:
    parts = []
    for el in p.iter(W_T, W_TAB, W_BR, W_CR):
        tag = el.tag
        if tag == W_T:
            parts.append(el.text or "")
        elif tag == W_TAB:
            parts.append("\t")
        else:
            parts.append("\n")
    return "".join(parts)


def _tc_text(tc) -> str:
    texts = []
    for p in tc.iter(W_P):
        t = clean(_para_text(p))
        if t:
            texts.append(t)
    return "\n".join(texts)


def _val(el, tag: str, default: str | None = None) -> str | None:
    child = el.find(tag) if el is not None else None
    if child is None:
        return default
    return child.get(W_VAL, "")


def _table(tbl, out: list[Line]) -> None:
    rows = [tr for tr in tbl if tr.tag == W_TR]
    nested = any(t is not tbl for t in tbl.iter(W_TBL))
    tcs = [tc for tr in rows for tc in tr if tc.tag == W_TC]
    if nested or len(tcs) <= 1:
        for tc in tcs:
            _blocks(tc, out)
        return
    above: dict[int, str] = {}  # grid column -> text of the cell that starts a vertical merge there
    for tr in rows:
        cells: list[str] = []
        conts: list[bool] = []
        col = int(_val(tr.find(W_TRPR), W_GRIDBEFORE, "0") or 0)
        for tc in (c for c in tr if c.tag == W_TC):
            pr = tc.find(W_TCPR)
            try:
                span = max(1, min(int(_val(pr, W_GRIDSPAN, "1") or 1), 1000))
            except ValueError:
                span = 1
            vmerge = _val(pr, W_VMERGE)
            if vmerge is not None and vmerge != "restart":
                cells.append(above.get(col, ""))
                conts.append(True)
            else:
                text = _tc_text(tc)
                cells.append(text)
                conts.append(False)
                if vmerge == "restart":
                    above[col] = text
                else:
                    above.pop(col, None)
            col += span
        if cells:
            out.append(Line(cells, grid=True, cont=conts, text=" ".join(c for c in cells if c)))


def _broken_title(pieces: list[str]) -> bool:
    """A title broken by a line break (GB/T 9704: the agency, then “XXXX年政府信息公开工作年度报告”):
    the last line is a title without an agency, the whole paragraph one with it."""
    last = parse_title(pieces[-1])
    if last is None or last.agency is not None:
        return False
    whole = parse_title("".join(pieces))
    return whole is not None and whole.agency is not None


def _blocks(parent, out: list[Line]) -> None:
    for child in parent:
        tag = child.tag
        if tag == W_P:
            pieces = [p for p in (clean(x) for x in _para_text(child).split("\n")) if p]
            if len(pieces) > 1 and _broken_title(pieces):
                pieces = ["".join(pieces)]
            for piece in pieces:
                out.append(Line([piece], text=piece))
        elif tag == W_TBL:
            _table(child, out)
        elif tag == W_SDT:
            content = child.find(W_SDTCONTENT)
            if content is not None:
                _blocks(content, out)


def read_docx(data: bytes) -> Document:
    check_zip(data)
    try:
        import docx  # python-docx

        document = docx.Document(io.BytesIO(data))
    except UnreadableReport:
        raise
    except Exception as exc:  # python-docx raises many kinds on a malformed package
        raise UnreadableReport(f"无法打开 Word 文件：{type(exc).__name__}") from exc
    lines: list[Line] = []
    _blocks(document.element.body, lines)
    titles = []
    try:
        if document.core_properties.title:
            titles.append(clean(document.core_properties.title))
    except Exception:  # noqa: BLE001 - a broken core.xml must not stop the report
        pass
    return Document(lines, titles=titles)
