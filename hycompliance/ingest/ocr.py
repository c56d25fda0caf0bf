"""OCR of scanned PDFs with the ``tesseract`` command line, when it is installed with Vietnamese data.

Nothing is downloaded: without ``tesseract`` on PATH or without the ``vie`` language the reader raises
``E108`` (the message says what to install). Pages are rendered by pypdfium2 at ``OCR_DPI`` to PNG in a
temporary directory, one ``tesseract PAGE.png stdout -l vie tsv`` per page: words with their line boxes, so the
PDF reader lays OCR'd pages out like text pages (header columns, indents, page numbers).

>>> tesseract_ready(lambda name: None)  # no tesseract on PATH
False
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from hycompliance.errors import Code, HyError

OCR_DPI = 300


# A "word" made only of marks no plan prints on their own: specks, table rules, page dust.
SPECK = re.compile(r"^[`^¡|~_¬‹›°§¢«»'\"“”‘’—=\\/]+$")


@dataclass(frozen=True)
class OcrWord:
    """A word tesseract read, in PDF points from the page's top-left; top/bottom are its line's."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str
    line: int  # tesseract's line it belongs to (numbered per page)

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


def ocr_pages(pdf: pdfium.PdfDocument, path: str, pages: list[int] | None = None) -> dict[int, list[OcrWord]]:
    """Words read by tesseract on each page of ``pages`` (0-based; all when None), in PDF points from the
    page's top-left; ``E108`` without tesseract and its Vietnamese data, ``E114`` if it fails."""
    binary = shutil.which(TESSERACT)
    if binary is None or not tesseract_ready():
        raise HyError(Code.E108_SCANNED, path=path)
    out: dict[int, list[OcrWord]] = {}
    scale = OCR_DPI / 72
    with tempfile.TemporaryDirectory(prefix="hycompliance-ocr-") as workdir:
        for index in range(len(pdf)) if pages is None else pages:
            image = Path(workdir) / f"page-{index + 1:04d}.png"
            pdf[index].render(scale=scale, grayscale=True).to_pil().save(image)
            out[index] = _words(_tesseract(binary, image, path), scale)
    return out


def _words(tsv: str, scale: float) -> list[OcrWord]:
    """tesseract's TSV rows of words → words with their line's box (so words of a line share a top)."""
    rows = [line.split("\t") for line in tsv.splitlines()[1:]]
    words = [r for r in rows if len(r) == 12 and r[0] == "5" and r[11].strip()]
    lines: dict[tuple[str, str, str], list[list[str]]] = {}
    for r in words:
        lines.setdefault((r[2], r[3], r[4]), []).append(r)
    out = []
    for number, members in enumerate(lines.values()):
        top = min(int(r[7]) for r in members) / scale
        bottom = max(int(r[7]) + int(r[9]) for r in members) / scale
        for r in members:
            left = int(r[6]) / scale
            text = unicodedata.normalize("NFC", r[11].strip())
            if SPECK.match(text):  # dust and rule fragments read as marks
                continue
            out.append(OcrWord(left, top, left + int(r[8]) / scale, bottom, text, number))
    return out


def _tesseract(binary: str, image: Path, path: str) -> str:
    try:
        done = subprocess.run(
            [binary, str(image), "stdout", "-l", OCR_LANGUAGE, "--psm", "3", "tsv"],
            capture_output=True,
            timeout=PAGE_TIMEOUT,
            env={**os.environ, "OMP_THREAD_LIMIT": "1"},  # one page per core: tesseract's threads only contend
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
