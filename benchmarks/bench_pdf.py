"""PDF reading speed on one core: text PDFs (the dev plans and the provincial plan) and OCR'd scans.

Goal (issue 13): at least ``TEXT_GOAL`` pages/s for text PDFs on one core, against pdfium's own plain-text
extraction on the same files (its ceiling). Rates are given by wall clock and by this process's CPU time (the
latter is what one core does when the machine is shared). OCR is timed on one dev plan rendered as an
image-only PDF (as the OCR tests make it; tesseract runs in a child process, so by wall clock only); skipped
when tesseract with Vietnamese data is missing. A 2,000-page text PDF (the provincial plan's pages repeated)
is read in a fresh process for its peak memory (issue 11: at most ``PEAK_GOAL_MB`` per worker).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pypdfium2 as pdfium

from hycompliance.ingest import read
from hycompliance.ingest.ocr import tesseract_ready

ROOT = Path(__file__).resolve().parent.parent
TEXT_GOAL = 200.0
PEAK_GOAL_MB = 1024
LONG_PAGES = 2000
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
    # the first pass also pays the process's one-time costs (imports, rule files, syllable tables): apart
    for what, repeat, goal in (("text PDFs (hycompliance), first pass", 1, None),
                               ("text PDFs (hycompliance), next passes", REPEAT, TEXT_GOAL)):
        started, cpu = time.perf_counter(), time.process_time()
        pages = sum(read(path).pages for _ in range(repeat) for path in files)
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        rows.append({"what": what, "files": len(files), "pages": pages // repeat, "pages/s": pages / seconds,
                     "CPU pages/s": pages / cpu_seconds, "goal pages/s": goal})
    rows.append(_producer_prints())
    plain_pages, plain_seconds = _pdfium_plain(files)
    rows.append({"what": "text PDFs (pdfium plain text)", "files": len(files), "pages": plain_pages,
                 "pages/s": plain_pages / plain_seconds})
    rows.append(_long_pdf())
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


def _producer_prints() -> dict:
    """Distinct documents: every cached print of the producer matrix (``make producers``), each read once."""
    from tests.producers import CACHE

    prints = sorted(CACHE.glob("*/*.pdf"))
    if not prints:
        return {"what": "producer prints: none cached (make producers)"}
    started, cpu = time.perf_counter(), time.process_time()
    pages = sum(read(path).pages for path in prints)
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
    return {"what": "producer prints, each read once", "files": len(prints), "pages": pages,
            "pages/s": pages / seconds, "CPU pages/s": pages / cpu_seconds, "goal pages/s": TEXT_GOAL}


READ_LONG = """
import resource, sys, time
from hycompliance.ingest import read
started = time.perf_counter()
document = read(sys.argv[1])
print(document.pages, time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def _long_pdf() -> dict:
    from tests.test_pdf_memory import repeated_pdf

    with tempfile.TemporaryDirectory() as work:
        path = repeated_pdf(LONG_PAGES, Path(work) / "long.pdf")
        done = subprocess.run([sys.executable, "-c", READ_LONG, str(path)], capture_output=True, text=True, check=True, cwd=ROOT)
    pages, seconds, peak = done.stdout.split()
    return {"what": f"{LONG_PAGES}-page text PDF (fresh process)", "files": 1, "pages": int(pages),
            "pages/s": int(pages) / float(seconds), "peak MB": float(peak), "goal peak MB": PEAK_GOAL_MB}
