"""The one guarded reader of uploaded files (interim version; the parsing work replaces it).

Every uploaded document goes through here before any library parses it: a zip container (.docx,
.xlsx) is checked for entry count, uncompressed size and compression ratio first, and text has a
length cap.
"""

from __future__ import annotations

import io
import zipfile

NARRATIVE_MAX_CHARS = 20_000
MAX_ZIP_ENTRIES = 2_000
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 100

MESSAGES = {
    "unsupported_type": "不支持这种文件（{name}）",
    "zip_damaged": "文件已损坏，无法打开（如果是旧版 .doc 文件，请另存为 .docx）",
    "zip_bomb": "文件解压后过大，拒绝读取",
    "not_text": "无法读取这个 .txt 文件的文字（请另存为 UTF-8 或 GBK 编码后再发送）",
    "text_too_long": "文字太长（{n} 字），每一部分最多 {limit} 字，请删减或分部分发送",
}


class UploadRefused(ValueError):
    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        self.message = MESSAGES[code].format(**params)
        super().__init__(self.message)


def check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise UploadRefused("zip_damaged") from exc
    if len(infos) > MAX_ZIP_ENTRIES:
        raise UploadRefused("zip_bomb")
    total = 0
    for info in infos:
        total += info.file_size
        if total > MAX_UNCOMPRESSED or info.file_size > MAX_RATIO * max(info.compress_size, 1) + 4096:
            raise UploadRefused("zip_bomb")


def narrative_text(filename: str, data: bytes, *, max_chars: int = NARRATIVE_MAX_CHARS) -> str:
    name = filename.lower()
    if name.endswith(".txt"):
        for enc in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(enc).replace("\r\n", "\n").strip()
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UploadRefused("not_text")
    elif name.endswith(".docx"):
        check_zip(data)
        import docx

        try:
            document = docx.Document(io.BytesIO(data))
        except Exception as exc:  # python-docx raises several kinds for a damaged file
            raise UploadRefused("zip_damaged") from exc
        text = "\n".join(p.text for p in document.paragraphs if p.text.strip()).strip()
    else:
        raise UploadRefused("unsupported_type", name=filename)
    if len(text) > max_chars:
        raise UploadRefused("text_too_long", n=len(text), limit=max_chars)
    return text
