"""Where a text PDF page's reading time goes, and whether pdfium's own text rectangles could replace the
per-character geometry (issue 13: ≥ 200 pages/s on one core with the same output).

Stage rows: CPU pages/s of cumulative passes over the text PDFs of ``bench_pdf`` (dev plans and the
provincial plan), interleaved ``REPEAT`` times and the best kept: pdfium's page, text page and plain text;
plus its text rectangles (``FPDFText_CountRects``/``GetRect``); plus each rectangle's text
(``FPDFText_GetBoundedText``); plus the per-character geometry (origin and loose box) by a ctypes loop and by
the reader's call (the C loop of ``_pdfium_bulk`` where built); plus the reader's character columns; the whole
reader; and the whole reader less the time of its per-character geometry (what any faster geometry, from
rectangles or a bulk call, could reach with everything after it unchanged).

Agreement rows: per producer (the dev plans, the provincial plan, and the cached producer prints of
``tests/producers.py`` when built), the pages whose lines built from pdfium's rectangles (rectangles on one
line by their vertical middle, left to right, each one's bounded text) read exactly as the reader's lines.
Texts agreeing is necessary, not sufficient: the reader's line boxes come from baselines and an em measured
from the letters' advances, which rectangles (tight boxes) do not give.
"""

from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

from hycompliance.ingest import read
from hycompliance.ingest.pdf_chars import join_segments, segment_lines
from hycompliance.ingest.pdf_columns import char_geometry, ctypes_geometry, page_chars
from hycompliance.normalize import fold_whitespace

REPEAT = 3
# Rectangles whose vertical middles are closer than this (points) are on one line.
LINE_TOLERANCE = 2.0


def _pages(files: list[Path], work: Callable[[pdfium.PdfTextPage, str], None]) -> tuple[int, float]:
    """(pages, CPU seconds) of opening every page and its text page, reading its plain text, then ``work``."""
    started = time.process_time()
    pages = 0
    for path in files:
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            textpage = page.get_textpage()
            work(textpage, textpage.get_text_range())
            textpage.close()
            page.close()
            pages += 1
        pdf.close()
    return pages, time.process_time() - started


def _rects(textpage: pdfium.PdfTextPage, _: str) -> None:
    for index in range(textpage.count_rects()):
        textpage.get_rect(index)


def _rects_text(textpage: pdfium.PdfTextPage, _: str) -> None:
    for index in range(textpage.count_rects()):
        textpage.get_text_bounded(*textpage.get_rect(index))


def _geometry_only(textpage: pdfium.PdfTextPage, _: str) -> None:
    char_geometry(textpage, np.arange(pdfium.raw.FPDFText_CountChars(textpage.raw)))


def _ctypes_geometry_only(textpage: pdfium.PdfTextPage, _: str) -> None:
    ctypes_geometry(textpage, np.arange(pdfium.raw.FPDFText_CountChars(textpage.raw)))


def _read(files: list[Path]) -> tuple[int, float]:
    started = time.process_time()
    pages = sum(read(path).pages for path in files)
    return pages, time.process_time() - started


def stage_rows(files: list[Path]) -> list[dict]:
    passes: dict[str, Callable[[], tuple[int, float]]] = {
        "pdfium page + text page + plain text": lambda: _pages(files, lambda tp, text: None),
        "+ text rectangles (CountRects/GetRect)": lambda: _pages(files, _rects),
        "+ each rectangle's text (GetBoundedText)": lambda: _pages(files, _rects_text),
        "+ per-character geometry (origin, loose box), ctypes loop": lambda: _pages(files, _ctypes_geometry_only),
        "+ per-character geometry (origin, loose box)": lambda: _pages(files, _geometry_only),
        "+ per-character columns (page_chars)": lambda: _pages(files, lambda tp, text: page_chars(tp, text)),
        "hycompliance read": lambda: _read(files),
    }
    best: dict[str, tuple[int, float]] = {}
    for _ in range(REPEAT):  # interleaved: every pass sees the same machine load
        for name, run in passes.items():
            pages, seconds = run()
            if name not in best or seconds < best[name][1]:
                best[name] = (pages, seconds)
    plain = best["pdfium page + text page + plain text"][1]
    geometry = best["+ per-character geometry (origin, loose box)"][1] - plain
    pages, whole = best["hycompliance read"]
    best["read less its per-character geometry (ceiling)"] = (pages, whole - geometry)
    return [{"what": f"stage: {name}", "files": len(files), "pages": pages, "CPU pages/s": pages / seconds,
             "ms/page": 1000 * seconds / pages} for name, (pages, seconds) in best.items()]


def _ours(textpage: pdfium.PdfTextPage, height: float) -> list[str]:
    lines = (fold_whitespace(join_segments(tuple(line))) for line in segment_lines(page_chars(textpage), height))
    return [line for line in lines if line]


def _from_rects(textpage: pdfium.PdfTextPage) -> list[str]:
    rects = sorted((textpage.get_rect(i) for i in range(textpage.count_rects())), key=lambda r: (-r[3], r[0]))
    lines: list[tuple[float, list[tuple[float, str]]]] = []
    for left, bottom, right, top in rects:
        text = textpage.get_text_bounded(left, bottom, right, top).replace("\r\n", " ").replace("\x02", "-")
        middle = (bottom + top) / 2
        if lines and abs(lines[-1][0] - middle) < LINE_TOLERANCE:
            lines[-1][1].append((left, text))
        else:
            lines.append((middle, [(left, text)]))
    joined = (fold_whitespace(unicodedata.normalize("NFC", " ".join(t for _, t in sorted(parts)))) for _, parts in lines)
    return [line for line in joined if line]


def agreement_row(what: str, files: list[Path]) -> dict:
    same = pages = 0
    for path in files:
        pdf = pdfium.PdfDocument(str(path))
        for page in pdf:
            textpage = page.get_textpage()
            same += _ours(textpage, page.get_size()[1]) == _from_rects(textpage)
            pages += 1
            textpage.close()
            page.close()
        pdf.close()
    return {"what": f"rect lines = built lines: {what}", "files": len(files), "pages": pages, "same pages": same}


def bench_pdf_stages() -> list[dict]:
    from benchmarks.bench_pdf import _text_pdfs
    from tests.conftest import DEV
    from tests.producers import PRODUCERS, cache_path

    files = _text_pdfs()
    rows = stage_rows(files)
    rows.append(agreement_row("dev plans + provincial plan", files))
    for name, producer in PRODUCERS.items():
        cached = [path for path in (cache_path(producer, docx) for docx in sorted(DEV.glob("*.docx"))) if path.exists()]
        rows.append(agreement_row(name, cached) if cached else {"what": f"rect lines = built lines: {name} (not built)"})
    return rows
