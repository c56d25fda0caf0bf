"""PDF → one ``line`` block per visual line, tables as ``table`` blocks, the page-1 header as ``header``.

Text comes from pypdfium2's characters (``pdf_chars``: baselines and advances, the same whatever program
wrote the file); ruled tables from the page's drawn paths (``pdf_tables``: pdfplumber's table finder on
pdfium's edges, no pdfminer parse); lines, the header and two-column regions from their positions
(``pdf_layout``). Pages are read one at a time and closed. Here: pages → blocks (running lines and page
numbers dropped, paragraph starts and continuations from the layout, broken words rejoined).

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
from bisect import bisect_right
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
from hycompliance.ingest.pdf_layout import CENTRED_TOLERANCE, Line, PageItem, arrange_page, group_lines, ocr_lines
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
# A first line indented by more than this (points) starts a paragraph.
PARAGRAPH_INDENT = 6.0
# A gap above a line wider than this share of the usual line spacing starts a paragraph.
PARAGRAPH_GAP_SHARE = 1.35
# What starts a line like a label (a bullet, "2.", "a)", "II."), and what ends a sentence.
LINE_LABEL = re.compile(r"^(?:[-+•–]|\d+(?:\.\d+)*[.)]|[a-zđ][).]|[IVXLC]+\.)\s", re.IGNORECASE)
SENTENCE_END = re.compile(r"[.;:!?]\s*$")
# A line ended its paragraph when the next line's first word (its width times this) would have fitted after it.
WORD_FIT_MARGIN = 1.5
# A document sets its paragraphs apart when at least this share (and this many) of the lines after a sure
# paragraph end carry a gap or an indent.
MARKED_SHARE = 0.9
MARKED_MIN_ENDS = 5
LIST_BULLETS = "-+•–"
# A document (of at least this many body lines) is justified when this share of them end at one right edge,
JUSTIFIED_SHARE = 0.4
JUSTIFIED_MIN_LINES = 5
# within this many points short of it or this many past it.
JUSTIFIED_TOLERANCE = 2.0
JUSTIFIED_OVERFULL = 4.0


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
    blocks = tuple(_blocks(items))
    warnings += check_text(blocks, plain_pages=plain, dropped_pages=dropped)
    return Document(path=path, blocks=blocks, pages=pages, form="pdf", warnings=warnings)


@dataclass(frozen=True)
class _Page:
    """What is kept of a text page once pdfium's page is closed: its lines, tables and plain text."""

    lines: list[Line]
    tables: list[FoundTable]
    plain: str


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
        chars = page_chars(textpage, plain)
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
        return _Page(group_lines(segments, index + 1), tables + borderless, plain)
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
    as_items = [[PageItem(top=line.top, line=line) for line in lines] for lines, _ in pages]
    running = _running_keys(as_items) if len(pages) >= RUNNING_LINE_MIN_PAGES else set()
    out = []
    dropped: dict[int, str] = {}
    for number, ((lines, tables), items) in enumerate(zip(pages, as_items), start=1):
        kept = [
            line for index, line in enumerate(lines)
            if _running_key(line, number) not in running
            and not _is_page_number(line, items, running, number)
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


def _running_keys(pages: list[list[PageItem]]) -> set[tuple[str, int]]:
    """(text with its page number masked, rounded top) of lines repeated at the top/bottom of most pages."""
    counts: Counter[tuple[str, int]] = Counter()
    for number, items in enumerate(pages, start=1):
        lines = [item.line for item in items if item.line is not None]
        edge = lines[:RUNNING_LINE_DEPTH] + lines[-RUNNING_LINE_DEPTH:]
        counts.update({_running_key(line, number) for line in edge})
    needed = max(RUNNING_LINE_MIN_PAGES, RUNNING_LINE_MIN_SHARE * len(pages))
    return {key for key, count in counts.items() if count >= needed}


def _running_key(line: Line, page: int) -> tuple[str, int]:
    """"87/KH-UBND - Trang 3" on page 3 → ("87/KH-UBND - Trang #", top bucket)."""
    text = line.text
    if str(page) in text:  # (most lines hold no such number: no pattern to run)
        text = re.sub(rf"(?<!\d){page}(?!\d)", "#", text)
    return text, round(line.top / RUNNING_LINE_Y_TOLERANCE)


def _is_page_number(line: Line, items: list[PageItem], running: set[tuple[str, int]], page: int) -> bool:
    """A bare page number among the first/last lines of its page, set apart from the lines next to it
    (running headers/footers aside): "- 3 -" above a footer, not "2023" wrapped under the header's date."""
    if PAGE_NUMBER.match(line.text) is None:
        return False
    lines = [item.line for item in items if item.line is not None]
    index = next(i for i, other in enumerate(lines) if other is line)
    if RUNNING_LINE_DEPTH <= index < len(lines) - RUNNING_LINE_DEPTH:
        return False
    gaps = [
        abs(other.top - line.top) for other in lines[max(0, index - 1) : index + 2]
        if other is not line and _running_key(other, page) not in running
    ]
    return not gaps or min(gaps) > max(PAGE_NUMBER_MIN_GAP, PARAGRAPH_GAP_SHARE * _line_step(lines))


def _line_step(lines: list[Line]) -> float:
    """A page's usual line step: the lower quartile of the steps between its lines (paragraph gaps are
    the larger ones); 0 for a page of one line."""
    steps = sorted(b.top - a.top for a, b in zip(lines, lines[1:]) if b.top > a.top)
    return steps[len(steps) // 4] if steps else 0.0


def _blocks(pages: list[list[PageItem]]) -> Iterator[Block]:
    """Blocks in reading order; a table that goes on at the top of the next page is one table.

    A line that starts a paragraph by its layout (indented first line, or space above it) is a
    ``paragraph`` block; the other lines are ``line`` blocks that may continue the one before.
    """
    running = _running_keys(pages) if len(pages) >= RUNNING_LINE_MIN_PAGES else set()
    bodies = [
        [
            item.line for item in items
            if item.line is not None
            and _running_key(item.line, number) not in running
            and not _is_page_number(item.line, items, running, number)
        ]
        for number, items in enumerate(pages, start=1)
    ]
    right = justified_right(bodies)
    marks = [paragraph_marks(body) for body in bodies]
    marked = marks_paragraphs(bodies, marks)
    pending: list[tuple[int, str, bool, bool]] = []
    table: Block | None = None
    for number, (items, body, page_marks) in enumerate(zip(pages, bodies, marks), start=1):
        starts = paragraph_starts(body, page_marks)
        above = next((lines for lines in reversed(bodies[: number - 1]) if lines), [])
        if marked and body and above and not starts[body[0]] and _broke_short(above[-1], body[0], above):
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
                table = Block(text="", page=table.page, kind="table", rows=continue_table(table.rows, item.table))
            else:
                if table is not None:
                    yield table
                table = Block(text="", page=number, kind="table", rows=item.table)
    if table is not None:
        yield table
    yield from _line_blocks(pending)


def _line_blocks(pending: list[tuple[int, str, bool, bool]]) -> Iterator[Block]:
    for page, text, start in _dehyphenate(pending):
        yield Block(text=text, page=page, kind="paragraph" if start else "line")


def justified_right(pages: list[list[Line]]) -> float | None:
    """Where the lines of a justified document end: the right end of the ``JUSTIFIED_TOLERANCE``-wide
    window that holds the most body line ends (of all its pages), or ``None`` when that window holds fewer
    than ``JUSTIFIED_SHARE`` of them (or the document has fewer than ``JUSTIFIED_MIN_LINES``), or fewer
    than end past it (beyond ``JUSTIFIED_OVERFULL``): a ragged document. Judged over the whole document,
    so a last page of mostly "Nơi nhận" and signature lines is as justified as the others."""
    ends = sorted(line.x1 for lines in pages for line in lines)
    if not ends:  # (every line in the header or a table)
        return None
    best, count, low = ends[0], 0, 0
    for high, x in enumerate(ends):
        while ends[low] < x - JUSTIFIED_TOLERANCE:
            low += 1
        if high - low + 1 >= count:
            best, count = x, high - low + 1
    past = len(ends) - bisect_right(ends, best + JUSTIFIED_OVERFULL)
    if len(ends) < JUSTIFIED_MIN_LINES or count < JUSTIFIED_SHARE * len(ends) or past >= count:
        return None  # (more lines going past it than ending at it: the short last lines of paragraphs)
    return best


def _full(line: Line, right: float) -> bool:
    """Does a line reach the justified edge (a line set a little past it, as TeX's overfull lines are,
    counts; a line of a wider page, far past it, does not)?"""
    return right - JUSTIFIED_TOLERANCE <= line.x1 <= right + JUSTIFIED_OVERFULL


def justified_continuations(lines: list[Line], starts: dict[Line, bool], right: float | None) -> set[int]:
    """``id()`` of the body lines of a justified page that go on from the line above although the text
    alone would say otherwise: the line above reaches the right edge (a justified paragraph stretches every
    line but its last), this one starts no paragraph by its layout, and either it starts like a label after
    a line with no sentence end ("... Phòng Lao động" + "- Thương binh và Xã hội") or the line above ends a
    sentence and this one is no label ("... Trung tâm GDNN-GDTX:" + "Chủ trì mục 5 ..."). The structure
    stage judges the other wrapped lines itself. ``right`` is the document's justified edge
    (``justified_right``; ``None``: ragged, nothing goes on)."""
    if right is None:
        return set()
    full = {id(line) for line in lines if _full(line, right)}
    out = set()
    for above, line in zip(lines, lines[1:]):
        if id(above) not in full or starts.get(line, True):
            continue
        labelled = LINE_LABEL.match(line.text) is not None
        ended = SENTENCE_END.search(above.text) is not None
        if labelled != ended:
            out.add(id(line))
    return out


def paragraph_starts(lines: list[Line], marks: dict[Line, bool] | None = None) -> dict[Line, bool]:
    """For each body line of a page: does its layout start a paragraph? Its ``paragraph_marks`` (given, or
    measured here), or the line above ended its sentence early (``_ended_early``)."""
    marks = paragraph_marks(lines) if marks is None else marks
    if not lines:
        return {}
    right = max(line.x1 for line in lines)
    return {
        line: marks[line] or (index > 0 and _ended_early(lines[index - 1], line, right))
        for index, line in enumerate(lines)
    }


def paragraph_marks(lines: list[Line]) -> dict[Line, bool]:
    """For each body line of a page: is it set apart as a paragraph's first line?

    A first-line indent (the line begins right of the page's usual left edge, and is not centred like a
    title line) or a gap above the line wider than the usual line spacing. Pages whose lines all start at
    one edge and are evenly spaced give no signal: every line is then a plain ``line`` for the structure
    stage to judge.
    """
    if not lines:
        return {}
    edges = Counter(round(line.x0) for line in lines)
    margin = min(x for x, n in edges.items() if n >= max(2, edges.most_common(1)[0][1] // 3)) if len(lines) > 2 else min(edges)
    step = _line_step(lines)
    right = max(line.x1 for line in lines)
    middle = (margin + right) / 2
    out: dict[Line, bool] = {}
    previous: Line | None = None
    for line in lines:
        centred = line.x0 > margin + PARAGRAPH_INDENT and abs((line.x0 + line.x1) / 2 - middle) < CENTRED_TOLERANCE
        indented = line.x0 > margin + PARAGRAPH_INDENT and not centred
        spaced = previous is not None and step > 0 and line.top - previous.top > step * PARAGRAPH_GAP_SHARE
        out[line] = indented or spaced  # (a page's first line: by its indent alone)
        previous = line
    return out


def marks_paragraphs(pages: list[list[Line]], marks: list[dict[Line, bool]]) -> bool:
    """Does the document set every paragraph apart (a gap above it or an indent)? Judged on the lines that
    follow a sentence ended well short of the right edge (as in ``_ended_early``: surely a paragraph's end),
    bullets aside (lists are often set tight, "Nơi nhận:" + "- UBND tỉnh;"): at least ``MARKED_SHARE`` of
    them (and ``MARKED_MIN_ENDS``) carry the mark."""
    ends = marked = 0
    for lines, page_marks in zip(pages, marks):
        right = max((line.x1 for line in lines), default=0.0)
        for above, line in zip(lines, lines[1:]):
            if (SENTENCE_END.search(above.text) and line.text[:1] not in LIST_BULLETS
                    and right - above.x1 > _first_word_width(line) * WORD_FIT_MARGIN):
                ends += 1
                marked += page_marks[line]
    return ends >= MARKED_MIN_ENDS and marked >= MARKED_SHARE * ends


def wrapped_continuations(lines: list[Line], marks: dict[Line, bool]) -> set[int]:
    """``id()`` of the body lines, in a document that sets its paragraphs apart (``marks_paragraphs``), that
    go on from a sentence end above them: the line carries no paragraph mark, is no label, and the line
    above could not have held its first word (the break was the wrap's): "5. Trung tâm Khuyến công ...,
    Trung tâm Xúc tiến thương mại:" + "Căn cứ chức năng, nhiệm vụ, ..." in ragged text."""
    if not lines:
        return set()
    right = max(line.x1 for line in lines)
    return {
        id(line) for above, line in zip(lines, lines[1:])
        if not marks[line] and SENTENCE_END.search(above.text) is not None and LINE_LABEL.match(line.text) is None
        and right - above.x1 < _first_word_width(line)
    }


def _first_word_width(line: Line) -> float:
    """About how wide the line's first word and the space before it are (its share of the line's width)."""
    text = line.text
    return (line.x1 - line.x0) * (len(text.split(" ", 1)[0]) + 1) / max(len(text), 1)


def _broke_short(previous: Line, line: Line, page: list[Line]) -> bool:
    """Did the last line of a page (``previous``, one of ``page``'s lines) stop short of that page's right
    edge by more than the next page's first line's first word needs, so that the break was the writer's,
    not the wrap's? In a document that sets its paragraphs apart (``marks_paragraphs``) the first line of a
    page has no line above to show a gap: "a) Mục tiêu chung (6 mục tiêu)" + (next page) "(1) Tỷ trọng ..."."""
    right = max(x.x1 for x in page)
    return right - previous.x1 > _first_word_width(line) * WORD_FIT_MARGIN


def _ended_early(previous: Line, line: Line, right: float) -> bool:
    """Did the line above end its sentence short of the right edge by more than this line's first word
    needs (so the break was the writer's, not the wrap's): "... trước ngày 30/11 hằng năm." + "Trên đây là"?"""
    text = line.text
    if SENTENCE_END.search(previous.text) is None or not text[:1].isupper():
        return False
    return right - previous.x1 > _first_word_width(line) * WORD_FIT_MARGIN


def _dehyphenate(lines: list[tuple[int, str, bool, bool]]) -> list[tuple[int, str, bool]]:
    """Rejoin hyphen-broken lines and lines broken after a slash, and lines the layout says go on (``justified_continuations``), keeping
    the page and paragraph start of each joined line's first part."""
    out: list[tuple[int, str, bool]] = []
    for page, text, start, continues in lines:
        if out and not start:
            joined = dehyphenate_lines([out[-1][1], text])
            if out[-1][1].endswith("/") and text[:1].isalnum():  # a symbol or unit broken after "/": "34-CTr/" + "TU"
                joined = [out[-1][1] + text]
            if len(joined) == 1 or continues:
                out[-1] = (out[-1][0], joined[0] if len(joined) == 1 else f"{out[-1][1].rstrip()} {text}", out[-1][2])
                continue
        out.append((page, text, start))
    return [(page, text.strip(), start) for page, text, start in out]
