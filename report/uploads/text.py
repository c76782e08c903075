"""Plain text files: decoding (UTF-8, UTF-16 with BOM, GB18030), binary junk refused, length capped."""

from __future__ import annotations

import re

from .errors import UploadRefused

_CONTROL = re.compile("[\x00-\x08\x0e-\x1f\ufffd]")
_STRAY = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # control characters except \t \n \r


def decode_text(data: bytes) -> str:
    """The text of a file; UploadRefused ``not_text`` for anything that is not text."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise UploadRefused("not_text", why="UTF-16 编码有误") from exc
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            try:
                text = data.decode("gb18030")
            except UnicodeDecodeError as exc:
                raise UploadRefused("not_text", why="无法按 UTF-8 或 GBK 解码") from exc
    sample = text[:20000]
    if sample:
        control = len(_CONTROL.findall(sample))
        if "\x00" in sample or control > max(2, len(sample) // 100):
            raise UploadRefused("not_text", why="含有大量二进制字符")
    return text


def without_controls(text: str) -> str:
    """Stray control characters (a NUL, a form feed) removed; newlines and tabs kept."""
    return _STRAY.sub("", text)


def cap(text: str, max_chars: int) -> str:
    if len(text) > max_chars:
        raise UploadRefused("text_too_long", limit=max_chars)
    return text
