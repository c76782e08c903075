"""Why an uploaded file is refused: one code per reason, its Chinese message written once here.

``UploadRefused(code, **params)`` carries the code (for programs and tests) and the parameters;
``.message`` is the plain Chinese sentence the bot and the CLI show. Sizes are given in bytes and
printed in MB; ``kind`` is the kind of file as the user knows it (Word, Excel, PDF).
"""

from __future__ import annotations

from typing import Any

# What each purpose accepts, as the refusal says it.
ACCEPTED = {
    "narrative": ".txt、.docx 或 .pdf",
    "template": "机器人生成的 Excel 填报模板（.xlsx）",
    "report": ".docx、.html、.pdf 或 .txt（也可以是交换格式 .json）",
}

# Details of a suspected compression bomb (``reason`` of code ``zip_bomb``).
BOMB_DETAILS = {
    "entries": "内部文件过多（{entries} 个，上限 {limit} 个）",
    "size": "解压后过大（{size}，上限 {limit}）",
    "inflates": "解压后超过 {limit} 的上限",
    "ratio": "中的 {part} 压缩比异常（{ratio} 倍，上限 {limit} 倍）",
}

MESSAGES = {
    "too_large": "文件太大（{size}），超过 {limit} 的上限，拒绝读取",
    "empty": "文件是空的",
    "unsupported_type": "不支持的文件类型“{ext}”：请发送 {accepted} 文件",
    "old_format": "不支持旧版 {app}（{ext}）文件，请在 {app} 或 WPS 中另存为 {new} 后再发送",
    "archive": "不支持压缩包（{ext}），请直接发送 {accepted} 文件",
    "wrong_kind": "这是 {found} 文件，不是{purpose}：请发送 {accepted} 文件",
    "not_text": "文件不是文本（{why}），无法读取",
    "text_too_long": "文字太长，超过 {limit} 字的上限，请删减后再发送",
    "zip_damaged": "不是有效的 {kind} 文件：压缩包已损坏或格式不对",
    "zip_bomb": "{kind} 文件{detail}，疑似压缩炸弹，拒绝读取",
    "part_missing": "不是有效的 {kind} 文件：找不到{part}",
    "xml_damaged": "{kind} 文件已损坏：{part} 无法读取",
    "xml_dtd": "{kind} 文件的 {part} 含有 DTD/实体声明（正常的 {kind} 文件不会有），出于安全考虑拒绝读取",
    "pdf_damaged": "PDF 文件已损坏或格式不对，无法读取",
    "encrypted": "PDF 文件设有打开密码（已加密），无法读取：请发送未加密的 PDF，或报告的网页（.html）或 Word（.docx）版本",
    "scanned_pdf": "这个 PDF 没有文字层（是扫描件或图片），无法读取其中的文字：请发送报告的网页（.html）或 Word（.docx）版本",
    "too_many_pages": "PDF 文件有 {pages} 页，超过 {limit} 页的上限，拒绝读取",
    "too_complex": "{kind} 文件{where}内容异常（{count} 个以上对象，上限 {limit} 个），疑似恶意文件，拒绝读取",
    "json_invalid": "JSON 交换文件有误：{why}",
    "no_tables": "没有找到政府信息公开工作年度报告的表格（二、三、四部分的统计表），无法读取",
    "html_empty": "网页文件没有内容",
    "html_damaged": "无法读取网页文件：文件已损坏",
    "cannot_open": "无法打开文件：{name}（{why}）",
}


def mb(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB"


class UploadRefused(Exception):
    """An uploaded (or given) file refused before or while reading it; ``message`` says why."""

    def __init__(self, code: str, **params: Any):
        if code not in MESSAGES:
            raise KeyError(code)
        self.code = code
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        shown = {k: mb(v) if k in ("size", "limit") and self._is_bytes(k) else v for k, v in self.params.items()}
        if self.code == "zip_bomb":
            detail = BOMB_DETAILS[self.params["reason"]]
            shown["detail"] = detail.format(**shown)
        return MESSAGES[self.code].format(**shown)

    def _is_bytes(self, key: str) -> bool:
        """``size`` and ``limit`` are byte counts except where they count characters or pages."""
        if self.code in ("text_too_long", "too_many_pages"):
            return False
        if self.code == "zip_bomb" and self.params.get("reason") not in ("size", "inflates"):
            return False
        return isinstance(self.params.get(key), int)

    @property
    def message_zh(self) -> str:  # the name the parsing package has always used
        return self.message
