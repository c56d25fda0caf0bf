"""OCR of scanned PDFs with the ``tesseract`` command line, when it is installed with Vietnamese data.

Nothing is downloaded: without ``tesseract`` on PATH or without the ``vie`` language the reader raises
``E108`` (the message says what to install). Pages are rendered by pypdfium2 at ``OCR_DPI`` to PNG in a
temporary directory, one ``tesseract PAGE.png stdout -l vie`` per page.

>>> tesseract_ready(lambda name: None)  # no tesseract on PATH
False
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium

from hycompliance.errors import Code, HyError

OCR_DPI = 300
OCR_LANGUAGE = "vie"
TESSERACT = "tesseract"
# Seconds allowed for listing languages and for one page.
LIST_TIMEOUT = 30
PAGE_TIMEOUT = 300


def tesseract_ready(which: Callable[[str], str | None] = shutil.which) -> bool:
    """True when ``tesseract`` is on PATH and lists the Vietnamese language data."""
    binary = which(TESSERACT)
    if binary is None:
        return False
    try:
        listed = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=LIST_TIMEOUT, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    languages = {line.strip() for line in (listed.stdout + listed.stderr).splitlines()}
    return OCR_LANGUAGE in languages


def ocr_pages(pdf: pdfium.PdfDocument, path: str) -> list[tuple[int, str]]:
    """(page, line) for every non-empty OCR'd line; ``E108`` without tesseract, ``E114`` if it fails."""
    binary = shutil.which(TESSERACT)
    if binary is None or not tesseract_ready():
        raise HyError(Code.E108_SCANNED, path=path)
    lines: list[tuple[int, str]] = []
    with tempfile.TemporaryDirectory(prefix="hycompliance-ocr-") as workdir:
        for index in range(len(pdf)):
            image = Path(workdir) / f"page-{index + 1:04d}.png"
            pdf[index].render(scale=OCR_DPI / 72).to_pil().save(image)
            text = _tesseract(binary, image, path)
            lines += [(index + 1, line.strip()) for line in text.splitlines() if line.strip()]
    return lines


def _tesseract(binary: str, image: Path, path: str) -> str:
    try:
        done = subprocess.run(
            [binary, str(image), "stdout", "-l", OCR_LANGUAGE],
            capture_output=True,
            timeout=PAGE_TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise HyError(Code.E114_OCR_FAILED, path=path, detail=f"tesseract took over {PAGE_TIMEOUT}s on {image.stem}") from None
    except OSError as exc:
        raise HyError(Code.E114_OCR_FAILED, path=path, detail=str(exc)) from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
        raise HyError(Code.E114_OCR_FAILED, path=path, detail=(message[-1] if message else f"exit {done.returncode}")[:120])
    return unicodedata.normalize("NFC", done.stdout.decode("utf-8", errors="replace"))
