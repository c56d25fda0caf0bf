"""PDF → one ``line`` block per visual line, tables as ``table`` blocks, the page-1 header as ``header``.

Text comes from pypdfium2's characters (``pdf_chars``: baselines and advances, the same whatever program
wrote the file); ruled tables from the page's drawn paths (``pdf_tables``: pdfplumber's table finder on
pdfium's edges, no pdfminer parse); lines, the header and two-column regions from their positions
(``pdf_layout``). Pages are read one at a time and closed. Here: pages → blocks (running lines and page
numbers dropped, paragraph starts and continuations from the layout (``pdf_paragraphs``), broken words
rejoined).

Steps per page: characters → runs → lines (grouped by vertical position) → table regions cut out and replaced by
``table`` blocks at their position → page 1: the two-column header (issuer | quốc hiệu, number | place
and date) taken out as ``header`` lines, left column first. Then over the whole document: running
headers/footers and page numbers dropped, hyphen-broken lines rejoined (``normalize.dehyphenate_lines``).

A PDF with no text layer is OCR'd with the ``tesseract`` CLI (``vie`` data) when installed, else ``E108``.

>>> [bool(PAGE_NUMBER.match(t)) for t in ("- 3 -", "Trang 3/20", "3. Nhiệm vụ")]
[True, True, False]
>>> bool(BROWSER_CHROME.search("12/3/26, 6:37 AM Kế hoạch số 87/KH-UBND"))
True
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium

from hycompliance.errors import Code, HyError
from hycompliance.ingest.limits import Limits
from hycompliance.ingest.ocr import ocr_pages, tesseract_ready
from hycompliance.ingest.pdf_borderless import borderless_tables, outside_tables
from hycompliance.ingest.pdf_chars import page_chars, segment_lines
from hycompliance.ingest.pdf_hyphens import with_typed_spaces
from hycompliance.ingest.pdf_layout import Line, PageItem, arrange_page, group_lines, ocr_lines
from hycompliance.ingest.pdf_page_ends import PageEnd, body_em, page_end, pages_ending_in_tables
from hycompliance.ingest.pdf_paragraphs import (PARAGRAPH_GAP_SHARE, broke_short, justified_continuations,
                                                justified_right, line_step, marks_paragraphs, paragraph_marks,
                                                paragraph_starts, wrapped_continuations)
from hycompliance.ingest.pdf_tables import (FoundTable, continue_table, find_tables, has_images, has_paths,
                                             same_width)
from hycompliance.models import Block, Document, ParseWarning
from hycompliance.normalize import dehyphenate_lines
from hycompliance.quality import check_text

# A complete PDF ends with "%%EOF" (some writers add a little trailing junk).
PDF_EOF_MARK = b"%%EOF"
PDF_EOF_WINDOW = 2048
# A page counts as having text when it has at least this many non-space characters.
MIN_TEXT_CHARS = 20
# Page numbers printed by office suites: "3", "- 3 -", "– 3 –", "Trang 3", "Trang 3/20", "3/20".
PAGE_NUMBER = re.compile(r"^(?:[-–—]\s*)?(?:Trang\s+)?(\d{1,4})(?:\s*/\s*\d{1,4})?(?:\s*[-–—])?$", re.IGNORECASE)
# What a browser prints in the page margins: the date and time, the page's address, "3/12".
BROWSER_CHROME = re.compile(
    r"\b\d{1,2}/\d{1,2}/\d{2,4},?\s+\d{1,2}:\d{2}(?:\s*[AP]M)?\b|\b(?:file|https?)://\S+|^(?:Trang\s+)?\d{1,4}\s*/\s*\d{1,4}$",
    re.IGNORECASE,
)
# ... set apart from the nearest other line by more than this many points (body lines are ~17 apart) and by
# more than a paragraph gap (``PARAGRAPH_GAP_SHARE`` times the page's line step: "2023" wrapped under the date).
PAGE_NUMBER_MIN_GAP = 20.0
# Running headers/footers: a line near the top or bottom repeated on this share of pages (at least 3),
RUNNING_LINE_MIN_SHARE = 0.6
RUNNING_LINE_MIN_PAGES = 3
# among this many first and last lines of each page, at the same position within this many points.
RUNNING_LINE_DEPTH = 2
RUNNING_LINE_Y_TOLERANCE = 3.0
WARN_PAGE_WITHOUT_TEXT = "W108"
WARN_OCR = "W110"


def read_pdf(path: str, limits: Limits) -> Document:
    """Read a PDF into line, table and header blocks (see the module docstring). Pages are read one at a
    time and closed (pdfium's page and text page): memory stays bounded by one page plus the lines kept."""
    _check_complete(path)
    pdf = _open(path)
    try:
        pages = len(pdf)
        if pages > limits.max_pages:
            raise HyError(Code.E115_TOO_MANY_PAGES, path=path, pages=pages, limit=limits.max_pages)
        read = [_read_page(pdf, index) for index in range(pages)]
        scanned = [index for index, page in enumerate(read) if page is None]
        if len(scanned) == pages or (scanned and tesseract_ready()):
            words = ocr_pages(pdf, path, scanned)  # E108 when every page is an image and OCR is missing
        else:
            words = {}
    except pdfium.PdfiumError as exc:
        raise HyError(Code.E106_CORRUPT_PDF, path=path, detail=str(exc)[:120]) from None
    finally:
        pdf.close()
    laid_out = [
        (ocr_lines(words[index], index + 1), []) if index in words else (page.lines, page.tables) if page else ([], [])
        for index, page in enumerate(read)
    ]
    items, dropped = _pages_items(laid_out)
    plain = {index + 1: page.plain for index, page in enumerate(read) if page is not None}
    for page, text in _repeated_headings(items).items():
        dropped[page] = f"{dropped.get(page, '')}\n{text}"
    warnings = tuple(
        ParseWarning(WARN_PAGE_WITHOUT_TEXT, f"page {index + 1} has no text layer (scanned?); its text is missing",
                     (("page", str(index + 1)),))
        for index in scanned
        if index not in words
    )
    if words:
        done = ", ".join(str(index + 1) for index in sorted(words))
        warnings += (ParseWarning(WARN_OCR, f"pages {done} read by OCR (tesseract, vie); check names and numbers",
                                   (("pages", done),)),)
    blocks = tuple(_blocks(items, page_ends=_page_ends(read, items, words)))
    warnings += check_text(blocks, plain_pages=plain, dropped_pages=dropped)
    return Document(path=path, blocks=blocks, pages=pages, form="pdf", warnings=warnings)


@dataclass(frozen=True)
class _Page:
    """What is kept of a text page once pdfium's page is closed: its lines, tables and plain text."""

    lines: list[Line]
    tables: list[FoundTable]
    plain: str
    height: float


def _read_page(pdf: pdfium.PdfDocument, index: int) -> _Page | None:
    """One page's lines and ruled tables, pdfium's page closed after; ``None`` for a scanned page: one that
    draws an image and has almost no text layer. A short page without images (a last page holding only
    "Nơi nhận" or a signature) is text, not a scan."""
    page = pdf[index]
    textpage = page.get_textpage()
    try:
        plain = textpage.get_text_range()
        if len("".join(plain.split())) < MIN_TEXT_CHARS and has_images(page.raw):
            return None  # a scan (an image with at most a stray word of text): read by OCR
        width, height = page.get_size()
        chars = with_typed_spaces(page_chars(textpage, plain), textpage, plain)
        page_runs = cache(lambda: segment_lines(chars, height))  # built once, if the table finder asks first
        tables = find_tables(page.raw, width, height, chars, page_lines=page_runs) if has_paths(page.raw) else []
        if tables:
            # text inside a table is the table's: dropped before lines are formed, so a cell's stray last
            # character never joins the line just below the table
            outside = np.ones(len(chars), dtype=bool)
            for bbox, _ in tables:
                outside &= ~chars.inside(height, bbox)
            kept = chars.subset(outside)
            runs = segment_lines(kept, height)
        else:
            kept, runs = chars, page_runs()
        segments = [segment for line in runs for segment in line]
        borderless = borderless_tables(segments, kept, height)
        if borderless:  # (as for ruled tables: their text is the table's, the lines formed without it)
            segments = outside_tables(segments, borderless)
        return _Page(group_lines(segments, index + 1), tables + borderless, plain, height)
    finally:
        textpage.close()
        page.close()


def _check_complete(path: str) -> None:
    with Path(path).open("rb") as fh:
        fh.seek(0, 2)
        size = fh.tell()
        fh.seek(max(0, size - PDF_EOF_WINDOW))
        tail = fh.read()
    if PDF_EOF_MARK not in tail:
        raise HyError(Code.E106_CORRUPT_PDF, path=path, detail="truncated: no %%EOF at the end")


def _open(path: str) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise HyError(Code.E107_ENCRYPTED, path=path) from None
        raise HyError(Code.E106_CORRUPT_PDF, path=path, detail=str(exc)[:120]) from None


# --- pages ----------------------------------------------------------------------------------------------


def _pages_items(pages: list[tuple[list[Line], list[FoundTable]]]) -> tuple[list[list[PageItem]], dict[int, str]]:
    """Each page's lines and tables as items; running headers/footers and browser page chrome are taken
    out first, so they never count as a column of the header. Also the text taken out, by page (what the
    damage check must not count as lost)."""
    keys = [_running_keys_of(lines, number) for number, (lines, _) in enumerate(pages, start=1)]
    running = _running_keys(keys) if len(pages) >= RUNNING_LINE_MIN_PAGES else set()
    out = []
    dropped: dict[int, str] = {}
    for number, ((lines, tables), page_keys) in enumerate(zip(pages, keys), start=1):
        kept = [
            line for index, line in enumerate(lines)
            if page_keys[index] not in running
            and not _is_page_number(index, lines, page_keys, running)
            and not (index in (0, len(lines) - 1) and BROWSER_CHROME.search(line.text))
        ]
        if len(kept) < len(lines):
            kept_ids = {id(line) for line in kept}
            dropped[number] = "\n".join(line.text for line in lines if id(line) not in kept_ids)
        out.append(arrange_page(number, kept, tables))
    return out, dropped


def _repeated_headings(pages: list[list[PageItem]]) -> dict[int, str]:
    """The text of table rows that repeat, at the top of a table on a later page, the first row of a table
    before it (a heading row browsers and LaTeX print again on each page; ``continue_table`` drops it)."""
    seen: set[tuple[str, ...]] = set()
    out: dict[int, str] = {}
    for number, items in enumerate(pages, start=1):
        heads = [item.table[0] for item in items if item.table]
        out.update({number: "\n".join(head) for head in heads if head in seen})
        seen.update(heads)
    return out


# --- running lines, blocks ------------------------------------------------------------------------------


def _running_keys(keys: list[list[tuple[str, int]]]) -> set[tuple[str, int]]:
    """The keys (``_running_keys_of``; each page's, its lines in order) of lines repeated at the top/bottom
    of most pages."""
    counts: Counter[tuple[str, int]] = Counter()
    for page_keys in keys:
        counts.update(set(page_keys[:RUNNING_LINE_DEPTH] + page_keys[-RUNNING_LINE_DEPTH:]))
    needed = max(RUNNING_LINE_MIN_PAGES, RUNNING_LINE_MIN_SHARE * len(keys))
    return {key for key, count in counts.items() if count >= needed}


def _running_keys_of(lines: list[Line], page: int) -> list[tuple[str, int]]:
    """Each line's text with its page number masked and its rounded top, computed once per line: "87/KH-UBND
    - Trang 3" on page 3 → ("87/KH-UBND - Trang #", top bucket)."""
    number = str(page)
    masked = re.compile(rf"(?<!\d){page}(?!\d)")
    return [
        # (most lines hold no such number: no pattern to run)
        (masked.sub("#", line.text) if number in line.text else line.text, round(line.top / RUNNING_LINE_Y_TOLERANCE))
        for line in lines
    ]


def _is_page_number(index: int, lines: list[Line], keys: list[tuple[str, int]], running: set[tuple[str, int]]) -> bool:
    """Is the page's line at ``index`` (of its ``lines``, whose running ``keys`` are given) a bare page number
    among the first/last lines of its page, set apart from the lines next to it (running headers/footers
    aside)? "- 3 -" above a footer, not "2023" wrapped under the header's date."""
    if RUNNING_LINE_DEPTH <= index < len(lines) - RUNNING_LINE_DEPTH:
        return False
    line = lines[index]
    if PAGE_NUMBER.match(line.text) is None:
        return False
    gaps = [
        abs(lines[near].top - line.top) for near in range(max(0, index - 1), min(index + 2, len(lines)))
        if near != index and keys[near] not in running
    ]
    return not gaps or min(gaps) > max(PAGE_NUMBER_MIN_GAP, PARAGRAPH_GAP_SHARE * line_step(lines))


def _page_ends(read: list[_Page | None], items: list[list[PageItem]], ocr: dict[int, object]) -> frozenset[int]:
    """The pages that end inside a table (``pdf_page_ends``); a scanned page (read by OCR or not) has no table."""
    ends = [
        page_end(page.height, page_items, page.tables) if page is not None and index not in ocr else PageEnd(0.0, 0.0, False)
        for index, (page, page_items) in enumerate(zip(read, items))
    ]
    return pages_ending_in_tables(ends, em=body_em(items))


def _blocks(pages: list[list[PageItem]], *, page_ends: frozenset[int] = frozenset()) -> Iterator[Block]:
    """Blocks in reading order; a table that goes on at the top of the next page is one table (its row cut
    by the page break mended, ``continue_table``; ``page_ends``: the pages that end inside a table).

    A line that starts a paragraph by its layout (indented first line, or space above it) is a
    ``paragraph`` block; the other lines are ``line`` blocks that may continue the one before.
    """
    page_lines = [[item.line for item in items if item.line is not None] for items in pages]
    keys = [_running_keys_of(lines, number) for number, lines in enumerate(page_lines, start=1)]
    running = _running_keys(keys) if len(pages) >= RUNNING_LINE_MIN_PAGES else set()
    bodies = [
        [
            line for index, line in enumerate(lines)
            if page_keys[index] not in running and not _is_page_number(index, lines, page_keys, running)
        ]
        for lines, page_keys in zip(page_lines, keys)
    ]
    right = justified_right(bodies)
    marks = [paragraph_marks(body) for body in bodies]
    marked = marks_paragraphs(bodies, marks)
    pending: list[tuple[int, str, bool, bool]] = []
    table: Block | None = None
    table_end = 0  # the page of the table's last part
    for number, (items, body, page_marks) in enumerate(zip(pages, bodies, marks), start=1):
        starts = paragraph_starts(body, page_marks)
        above = next((lines for lines in reversed(bodies[: number - 1]) if lines), [])
        if marked and body and above and not starts[body[0]] and broke_short(above[-1], body[0], above):
            starts[body[0]] = True  # the gap that marks a paragraph is lost at the top of a page
        continued = justified_continuations(body, starts, right)
        if marked:
            continued |= wrapped_continuations(body, page_marks)
        for item in items:
            if item.line is not None:
                if item.line in starts:
                    if table is not None:
                        yield table
                        table = None
                    # a trailing space stops dehyphenate_lines from joining; _dehyphenate strips it
                    text = item.line.text + (" " if item.line.spaced_end else "")
                    pending.append((number, text, starts[item.line], id(item.line) in continued))
                continue
            yield from _line_blocks(pending)
            pending = []
            if item.header:
                yield from (Block(text=t, page=number, kind="line", region="header") for t in item.header)
            elif table is not None and table.page < number and same_width(table.rows, item.table):
                rows = continue_table(table.rows, item.table, page_end=table_end in page_ends)
                table, table_end = Block(text="", page=table.page, kind="table", rows=rows), number
            else:
                if table is not None:
                    yield table
                table, table_end = Block(text="", page=number, kind="table", rows=item.table), number
    if table is not None:
        yield table
    yield from _line_blocks(pending)


def _line_blocks(pending: list[tuple[int, str, bool, bool]]) -> list[Block]:
    return [
        Block(text=text, page=page, kind="paragraph" if start else "line")
        for page, text, start in _dehyphenate(pending)
    ]


def _dehyphenate(lines: list[tuple[int, str, bool, bool]]) -> list[tuple[int, str, bool]]:
    """Rejoin hyphen-broken lines and lines broken after a slash, and lines the layout says go on (``justified_continuations``), keeping
    the page and paragraph start of each joined line's first part."""
    out: list[tuple[int, str, bool]] = []
    for page, text, start, continues in lines:
        if out and not start:
            joined = dehyphenate_lines([out[-1][1], text])
            if out[-1][1].endswith("/") and text[:1].isalnum():  # a symbol or unit broken after "/": "34-CTr/" + "TU"
                joined = [out[-1][1] + text]
            if len(joined) == 1 or continues or _typed_dash(out[-1][1], text):
                out[-1] = (out[-1][0], joined[0] if len(joined) == 1 else f"{out[-1][1].rstrip()} {text}", out[-1][2])
                continue
        out.append((page, text, start))
    return [(page, text.strip(), start) for page, text, start in out]


def _typed_dash(line: str, following: str) -> bool:
    """Does ``line`` end on a hyphen the file follows with a space ("giảng dạy- " + "học tập"), where the lines
    would otherwise be rejoined as a token broken at its hyphen? Then they go on with the space: kept apart,
    the hyphen would end the block, and the plan's clause would rejoin it to the next one without the space."""
    return line.endswith(" ") and len(dehyphenate_lines([line.rstrip(), following])) == 1
