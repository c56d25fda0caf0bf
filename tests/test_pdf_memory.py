"""The PDF reader streams pages: memory grows with the text kept, not with pdfium's pages (issue 11 asked
a peak of at most 1 GB per worker for a 2,000-page PDF). Two text PDFs of ``SMALL`` and ``LARGE`` pages (the
provincial plan's pages repeated) are read in fresh processes; the peak of a 2,000-page read, extrapolated
from the two, stays within ``PEAK_LIMIT_MB``. ``make bench`` reads a real 2,000-page file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pypdfium2 as pdfium

from tests.conftest import PROVINCIAL

SMALL, LARGE = 20, 120
TARGET_PAGES = 2000
PEAK_LIMIT_MB = 1024

READ_PEAK = """
import resource, sys
from hycompliance.ingest import read
document = read(sys.argv[1])
assert document.pages == int(sys.argv[2]), document.pages
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""


def repeated_pdf(pages: int, target: Path) -> Path:
    """A text PDF of ``pages`` pages: the provincial plan's pages over and over."""
    source = pdfium.PdfDocument(str(PROVINCIAL.with_suffix(".pdf")))
    out = pdfium.PdfDocument.new()
    while len(out) < pages:
        out.import_pages(source, list(range(min(len(source), pages - len(out)))))
    out.save(str(target))
    return target


def _peak_mb(path: Path, pages: int) -> float:
    done = subprocess.run([sys.executable, "-c", READ_PEAK, str(path), str(pages)], capture_output=True, text=True,
                          check=True, cwd=Path(__file__).resolve().parent.parent)
    return float(done.stdout.strip().splitlines()[-1])


def test_peak_memory_of_a_2000_page_pdf_is_bounded(tmp_path: Path) -> None:
    small = _peak_mb(repeated_pdf(SMALL, tmp_path / "small.pdf"), SMALL)
    large = _peak_mb(repeated_pdf(LARGE, tmp_path / "large.pdf"), LARGE)
    per_page = max(large - small, 0.0) / (LARGE - SMALL)
    projected = large + per_page * (TARGET_PAGES - LARGE)
    assert projected <= PEAK_LIMIT_MB, (small, large, per_page, projected)
