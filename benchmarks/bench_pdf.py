"""PDF reading speed on one core: text PDFs (the dev plans and the provincial plan) and OCR'd scans.

Goal (issue 13): at least ``TEXT_GOAL`` pages/s for text PDFs, against pdfium's own plain-text extraction
on the same files (its ceiling). OCR is timed on one dev plan rendered as an image-only PDF (as the OCR
tests make it); skipped when tesseract with Vietnamese data is missing.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from hycompliance.ingest import read
from hycompliance.ingest.ocr import tesseract_ready

ROOT = Path(__file__).resolve().parent.parent
TEXT_GOAL = 200.0
REPEAT = 3


def _text_pdfs() -> list[Path]:
    from tests.conftest import DEV

    return sorted(DEV.glob("*.pdf")) + [ROOT / "corpora" / "87-KH-UBND-2023.pdf"]


def _pdfium_plain(files: list[Path]) -> tuple[int, float]:
    started = time.perf_counter()
    pages = 0
    for path in files:
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            page.get_textpage().get_text_range()
            pages += 1
        pdf.close()
    return pages, time.perf_counter() - started


def bench_pdf() -> list[dict]:
    files = _text_pdfs()
    rows = []
    started = time.perf_counter()
    pages = 0
    for _ in range(REPEAT):
        pages += sum(read(path).pages for path in files)
    seconds = time.perf_counter() - started
    rows.append({"what": "text PDFs (hycompliance)", "files": len(files), "pages": pages // REPEAT,
                 "pages/s": pages / seconds, "goal pages/s": TEXT_GOAL})
    plain_pages, plain_seconds = _pdfium_plain(files)
    rows.append({"what": "text PDFs (pdfium plain text)", "files": len(files), "pages": plain_pages,
                 "pages/s": plain_pages / plain_seconds})
    if not tesseract_ready():
        rows.append({"what": "OCR: tesseract with vie not installed"})
        return rows
    from tests.conftest import DEV
    from tests.test_ocr_real import scan

    with tempfile.TemporaryDirectory() as work:
        scanned = scan(DEV / "soct-kh-2023.pdf", Path(work) / "scan.pdf")
        started = time.perf_counter()
        document = read(scanned)
        seconds = time.perf_counter() - started
    rows.append({"what": "OCR (tesseract vie, 300 dpi)", "files": 1, "pages": document.pages,
                 "pages/s": document.pages / seconds})
    return rows
