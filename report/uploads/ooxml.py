"""Word and Excel packages (zip files of XML parts), opened only within limits.

Before any library sees a package, its central directory is checked: number of entries, total
uncompressed size, and each large entry's compression ratio (a deflate bomb inflates 1000×).
Parts are then read through a stream that stops at a hard cap whatever the directory claims,
and the XML is parsed with defusedxml (no DTD, no entities, no external references).
"""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as DET

from .errors import UploadRefused

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, OSError, ValueError, EOFError, NotImplementedError, RuntimeError)


@dataclass(frozen=True)
class ZipLimits:
    kind: str  # as the user knows it: "Word", "Excel"
    entries: int  # members in the package
    total: int  # sum of uncompressed sizes, bytes
    part: int  # one XML part read into memory, bytes
    ratio: int  # uncompressed / compressed, for entries above RATIO_FLOOR
    required: tuple[str, ...] = ()


RATIO_FLOOR = 256 * 1024  # a small part may compress well; only a large one can be a bomb
DOCX = ZipLimits("Word", entries=1000, total=50 * 1024 * 1024, part=16 * 1024 * 1024, ratio=100,
                 required=("word/document.xml",))
XLSX = ZipLimits("Excel", entries=200, total=8 * 1024 * 1024, part=4 * 1024 * 1024, ratio=200,
                 required=("[Content_Types].xml", "xl/workbook.xml"))
_PART_NAMES = {"word/document.xml": "正文（document.xml）", "xl/workbook.xml": "工作簿（workbook.xml）",
               "[Content_Types].xml": "内容类型表（[Content_Types].xml）"}


def open_zip(data: bytes, limits: ZipLimits) -> zipfile.ZipFile:
    """The package, after its directory passed every limit; UploadRefused otherwise."""
    if not data.startswith(b"PK"):
        raise UploadRefused("zip_damaged", kind=limits.kind)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except _ZIP_ERRORS as exc:
        raise UploadRefused("zip_damaged", kind=limits.kind) from exc
    if len(infos) > limits.entries:
        raise UploadRefused("zip_bomb", kind=limits.kind, reason="entries", entries=len(infos), limit=limits.entries)
    total = sum(i.file_size for i in infos)
    if total > limits.total:
        raise UploadRefused("zip_bomb", kind=limits.kind, reason="size", size=total, limit=limits.total)
    for info in infos:
        if info.file_size > RATIO_FLOOR and info.file_size > limits.ratio * max(info.compress_size, 1):
            raise UploadRefused(
                "zip_bomb", kind=limits.kind, reason="ratio", part=info.filename,
                ratio=info.file_size // max(info.compress_size, 1), limit=limits.ratio,
            )
    names = {i.filename for i in infos}
    for required in limits.required:
        if required not in names:
            raise UploadRefused("part_missing", kind=limits.kind, part=_PART_NAMES.get(required, required))
    return zf


class _Capped(io.RawIOBase):
    """A member's stream that refuses to give more than ``cap`` bytes in all."""

    def __init__(self, raw, cap: int, limits: ZipLimits, name: str):
        self.raw, self.left, self.limits, self.name, self.cap = raw, cap, limits, name, cap

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        try:
            chunk = self.raw.read(min(len(buf), self.left + 1))
        except _ZIP_ERRORS as exc:
            raise UploadRefused("zip_damaged", kind=self.limits.kind) from exc
        if len(chunk) > self.left:
            raise UploadRefused("zip_bomb", kind=self.limits.kind, reason="inflates", limit=self.cap)
        self.left -= len(chunk)
        buf[: len(chunk)] = chunk
        return len(chunk)


def member_stream(zf: zipfile.ZipFile, name: str, limits: ZipLimits) -> io.BufferedReader:
    try:
        raw = zf.open(name)
    except KeyError as exc:
        raise UploadRefused("part_missing", kind=limits.kind, part=_PART_NAMES.get(name, name)) from exc
    except _ZIP_ERRORS as exc:
        raise UploadRefused("zip_damaged", kind=limits.kind) from exc
    return io.BufferedReader(_Capped(raw, limits.part, limits, name), 64 * 1024)


def read_member(zf: zipfile.ZipFile, name: str, limits: ZipLimits) -> bytes:
    with member_stream(zf, name, limits) as fh:
        return fh.read()


def parse_xml(raw: bytes, part: str, kind: str) -> Element:
    """One XML part as an ElementTree element, through defusedxml."""
    try:
        return DET.fromstring(raw, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise UploadRefused("xml_dtd", kind=kind, part=part) from exc
    except (ParseError, ValueError, UnicodeError) as exc:
        raise UploadRefused("xml_damaged", kind=kind, part=part) from exc


MAX_ELEMENTS = 400_000  # a long real report has ~50,000 in word/document.xml


def _tree(fh, part: str, kind: str) -> Element:
    """A whole part as a tree, parsed by defusedxml while counting elements (a part of millions
    of tiny elements would take gigabytes as a tree)."""
    count = 0
    root = None
    try:
        for _event, el in DET.iterparse(fh, events=("start",), forbid_dtd=True):
            if root is None:
                root = el
            count += 1
            if count > MAX_ELEMENTS:
                raise UploadRefused("too_complex", kind=kind, where=f"的 {part} ", count=MAX_ELEMENTS, limit=MAX_ELEMENTS)
    except DefusedXmlException as exc:
        raise UploadRefused("xml_dtd", kind=kind, part=part) from exc
    except (ParseError, UnicodeError) as exc:
        raise UploadRefused("xml_damaged", kind=kind, part=part) from exc
    if root is None:
        raise UploadRefused("xml_damaged", kind=kind, part=part)
    return root


def docx_tree(data: bytes) -> tuple[Element, str]:
    """A Word file's body (``w:document``) and its core title (or "")."""
    zf = open_zip(data, DOCX)
    with zf:
        with member_stream(zf, "word/document.xml", DOCX) as fh:
            root = _tree(fh, "word/document.xml", "Word")
        title = ""
        if "docProps/core.xml" in zf.namelist():
            try:
                core = parse_xml(read_member(zf, "docProps/core.xml", DOCX), "docProps/core.xml", "Word")
                title = next((el.text or "" for el in core.iter("{http://purl.org/dc/elements/1.1/}title")), "")
            except UploadRefused as exc:
                if exc.code == "xml_dtd":
                    raise
    return root, title


# -- the text of a Word file, streamed: a narrative answer ------------------------------------------
_P, _T, _TAB, _BR, _CR = W + "p", W + "t", W + "tab", W + "br", W + "cr"


def docx_paragraphs(data: bytes) -> Iterator[str]:
    """The paragraphs of a Word file in order, streamed from ``word/document.xml``: memory stays
    bounded however long the text; a caller that has enough stops early."""
    zf = open_zip(data, DOCX)
    with zf, member_stream(zf, "word/document.xml", DOCX) as fh:
        stack: list[list[str]] = []  # the text of each open paragraph (a text box nests them)
        open_els: list[Element] = []
        try:
            for event, el in DET.iterparse(fh, events=("start", "end"), forbid_dtd=True):
                tag = el.tag
                if event == "start":
                    open_els.append(el)
                    if tag == _P:
                        stack.append([])
                    continue
                open_els.pop()
                if stack:
                    if tag == _T:
                        stack[-1].append(el.text or "")
                    elif tag == _TAB:
                        stack[-1].append("\t")
                    elif tag in (_BR, _CR):
                        stack[-1].append("\n")
                    elif tag == _P:
                        yield "".join(stack.pop())
                el.clear()  # read: keep only an empty shell, and none at all under w:body
                if len(open_els) == 2:
                    open_els[-1].remove(el)
        except DefusedXmlException as exc:
            raise UploadRefused("xml_dtd", kind="Word", part="word/document.xml") from exc
        except (ParseError, UnicodeError) as exc:
            raise UploadRefused("xml_damaged", kind="Word", part="word/document.xml") from exc
