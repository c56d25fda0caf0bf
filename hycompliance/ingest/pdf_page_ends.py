"""Which pages end inside a table: the page's lowest item is a table that reaches the page's lower margin.

A writer that lets a table row break across pages (LibreOffice, Word, browsers) fills the page with the row's
first lines: the table then ends at the margin, within one line of the lowest any page's body reaches, and its
next-page part starts with the rest of that row (``pdf_tables.continue_table``). A row that ended whole leaves
the table where its last row ended, anywhere on the page. Judged from the layout only, so a rest that starts with a
capital ("Triển khai sổ ...") is mended like one that starts in lower case.

The margin is the document's: the smallest distance from a page's lower edge to its lowest body item (running
footers and page numbers are already taken out), so pages of different sizes (a landscape appendix) compare.
A stray item below the margin (a footnote) lowers it, and then fewer tables count as cut: the reader falls back
on the text (``continue_table`` without ``page_end``).

>>> ends = [PageEnd(842.0, 770.0, False), PageEnd(842.0, 769.0, True), PageEnd(842.0, 600.0, True)]
>>> sorted(pages_ending_in_tables(ends, em=13.0))
[2]
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from hycompliance.ingest.pdf_layout import Line, PageItem
from hycompliance.ingest.pdf_tables import FoundTable

# A table whose bottom is within this many ems (the body's text size) of the margin ends at it: a row broken
# across pages is broken between two of its lines, so the part left on the page ends less than a line (1.2-1.5
# ems with the paragraph's leading) above the margin.
CUT_ROW_EMS = 1.5
DEFAULT_EM = 12.0


@dataclass(frozen=True)
class PageEnd:
    """A page's height and the bottom of its lowest body item (0: none), in top-down points; whether that
    item is a table."""

    height: float
    bottom: float
    table: bool


def page_end(height: float, items: list[PageItem], tables: list[FoundTable]) -> PageEnd:
    """Where a page's body ends: its lines as kept (``items``: running lines and page numbers out) and its
    tables (``tables``: with their boxes; a page-1 header table is no body table)."""
    bottom, table = 0.0, False
    body_tables = {id(item.table) for item in items if item.table}
    for bbox, rows in tables:
        if id(rows) in body_tables and bbox[3] >= bottom:
            bottom, table = bbox[3], True
    for item in items:
        if item.line is not None and _bottom(item.line) > bottom:
            bottom, table = _bottom(item.line), False
    return PageEnd(height, bottom, table)


def _bottom(line: Line) -> float:
    return max(segment.bottom for segment in line.segments)


def body_em(items: list[list[PageItem]]) -> float:
    """The body's text size: the median height of its lines (a run's box is one em tall, ``pdf_chars``)."""
    heights = [item.line.segments[0].bottom - item.line.segments[0].top for page in items for item in page if item.line]
    return median(heights) if heights else DEFAULT_EM


def pages_ending_in_tables(ends: list[PageEnd], *, em: float) -> frozenset[int]:
    """The pages (numbered from 1) whose lowest item is a table ending within ``CUT_ROW_EMS`` ems of the
    document's lower margin."""
    margins = [end.height - end.bottom for end in ends if end.bottom > 0]
    if not margins:
        return frozenset()
    margin = min(margins)
    return frozenset(
        number for number, end in enumerate(ends, start=1)
        if end.table and end.height - end.bottom - margin <= CUT_ROW_EMS * em
    )
