"""LibreOffice and Chromium for the tests that build PDFs the way agencies do.

Locally a missing program skips the test; in CI (CI=true) it fails it, since .ci/run installs
both (libreoffice-writer-nogui, chromium) and a silent skip would hide a broken install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

_PROFILE = Path(tempfile.gettempdir()) / f"disclosure-bot-tests-lo-{os.getuid()}"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def need(*names: str) -> str:
    for name in names:
        path = shutil.which(name)
        if path:
            return path
    message = f"{' / '.join(names)} is not installed (CI installs it in .ci/run)"
    if _in_ci():
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def soffice_pdf(data: bytes, name: str = "report.docx", export: str = "") -> bytes:
    """``data`` (a .docx or .html file) converted to PDF by LibreOffice headless, as an officer's
    "export as PDF" does; ``export`` is the filter's JSON options (e.g. an open password)."""
    soffice = need("soffice", "libreoffice")
    target = "pdf" + (f":writer_pdf_Export:{export}" if export else "")
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / name
        src.write_bytes(data)
        subprocess.run(
            [soffice, f"-env:UserInstallation=file://{_PROFILE}", "--headless", "--convert-to", target,
             "--outdir", tmp, str(src)],
            check=True, capture_output=True, timeout=180,
        )
        return (Path(tmp) / (src.stem + ".pdf")).read_bytes()


def chromium_pdf(html: bytes) -> bytes:
    """A web page printed to PDF by headless Chromium (what "print → save as PDF" gives)."""
    chromium = need("chromium", "chromium-browser", "google-chrome")
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "page.html"
        page.write_bytes(html)
        out = Path(tmp) / "page.pdf"
        subprocess.run(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
             f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", page.as_uri()],
            check=True, capture_output=True, timeout=180,
        )
        return out.read_bytes()
