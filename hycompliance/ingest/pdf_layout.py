"""PDF page layout: visual lines from runs, and what their positions say (the page-1 header beside or under a
header table, two-column regions such as the closing block, tesseract's lines laid out the same way).

The reader (``pdf.py``) turns each page's characters into runs (``pdf_chars``) and ruled tables (``pdf_tables``);
here runs become ``Line``s and a page's lines and tables become ``PageItem``s in reading order.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from hycompliance.ingest.ocr import OcrWord
from hycompliance.ingest.pdf_chars import Segment, join_segments
from hycompliance.ingest.pdf_tables import FoundTable, Rows
from hycompliance.normalize import dehyphenate_lines

# Two text rectangles are on one line when their vertical centres differ by less than this share of
# the smaller height.
SAME_LINE_SHARE = 0.5

# The page-1 header: a gap at least this wide (points) between two runs of one line splits the columns,
HEADER_COLUMN_GAP = 24.0

# The column boundary sits this far left of where the right column's first run begins.
COLUMN_MARGIN = 12.0

# and a two-column region needs at least this many split lines; in the header, each line is within this many
# times the header's closest line step of the one above.
REGION_GAP_STEPS = 1.8

MIN_SPLIT_LINES = 2

# Two OCR'd lines side by side are one line when their middles are this close (share of their height).
OCR_SAME_LINE_SHARE = 0.3

# The quốc hiệu header table: its markers, its size.
HEADER_TABLE_MARKERS = re.compile(r"CỘNG\s+HÒA|CỘNG\s+HOÀ|Độc\s+lập|Số\s*:|ngày\s+\d{1,2}\s+tháng", re.IGNORECASE)

HEADER_TABLE_MAX_ROWS = 6

# A header cell's wrapped line is at most this many line heights below the line it continues.
HEADER_WRAP_STEP = 1.6

# A line whose middle is this close (points) to the text block's middle is centred (a title), not indented.
CENTRED_TOLERANCE = 12.0


@dataclass(frozen=True, eq=False)
class Line:
    """A visual line: its runs left to right, its position, and its text (each computed once: the reader
    asks for them many times). Lines compare by identity: each is one line of one page."""

    segments: tuple[Segment, ...]
    page: int
    top: float = field(init=False, repr=False)
    x0: float = field(init=False, repr=False)
    x1: float = field(init=False, repr=False)
    text: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # every line's position and text are read (running lines, paragraphs): computed here, once (a
        # ``cached_property`` costs a lock on each first read)
        segments = self.segments
        if len(segments) == 1:  # (most lines)
            top, x0, x1 = segments[0].top, segments[0].x0, segments[0].x1
        else:
            top, x0, x1 = min(s.top for s in segments), min(s.x0 for s in segments), max(s.x1 for s in segments)
        object.__setattr__(self, "top", top)
        object.__setattr__(self, "x0", x0)
        object.__setattr__(self, "x1", x1)
        object.__setattr__(self, "text", join_segments(segments))

    @property
    def spaced_end(self) -> bool:
        """The source had a space after the line's last character (pdfium keeps it): "07- " + "NQ/TU"
        was typed with the space, unlike a token broken at its hyphen ("29-" + "NQ/TW")."""
        last = self.segments[-1].text
        return last != last.rstrip()


@dataclass(frozen=True)
class PageItem:
    """A line or a table on one page, in reading order by ``top``."""

    top: float
    line: Line | None = None
    table: tuple[tuple[str, ...], ...] = ()
    header: tuple[str, ...] = ()  # page 1's header lines, left column then right


# --- lines --------------------------------------------------------------------------------------------


def group_lines(segments: list[Segment], page: int) -> list[Line]:
    """Group segments whose vertical centres are close into lines, top to bottom."""
    lines: list[list[Segment]] = []
    for segment in sorted(segments, key=lambda s: (s.top + s.bottom) / 2):
        if lines and _same_line(lines[-1], segment):
            lines[-1].append(segment)
        else:
            lines.append([segment])
    return [Line(segments=tuple(sorted(group, key=lambda s: s.x0)), page=page) for group in lines]


def _same_line(group: list[Segment], segment: Segment) -> bool:
    last = group[-1]
    centre = (segment.top + segment.bottom) / 2
    last_centre = (last.top + last.bottom) / 2
    height = min(segment.bottom - segment.top, last.bottom - last.top)
    return abs(centre - last_centre) < SAME_LINE_SHARE * max(height, 1.0)


def ocr_lines(words: list[OcrWord], page: int) -> list[Line]:
    """tesseract's lines as ``Line``s, its words as runs (a space after each); two lines side by side whose
    middles are within ``OCR_SAME_LINE_SHARE`` of their height (the header's columns) make one line."""
    by_line: dict[int, list[OcrWord]] = {}
    for word in words:
        by_line.setdefault(word.line, []).append(word)
    groups: list[list[list[OcrWord]]] = []
    for members in sorted(by_line.values(), key=lambda ws: (ws[0].top + ws[0].bottom) / 2):
        middle, height = (members[0].top + members[0].bottom) / 2, members[0].bottom - members[0].top
        last = groups[-1] if groups else None
        if last is not None:
            other = last[-1][0]
            apart = min(w.x0 for w in members) > max(w.x1 for g in last for w in g) or max(
                w.x1 for w in members) < min(w.x0 for g in last for w in g)
            if apart and abs(middle - (other.top + other.bottom) / 2) < OCR_SAME_LINE_SHARE * height:
                last.append(members)
                continue
        groups.append([members])
    lines = []
    for group in groups:
        top = min(w.top for g in group for w in g)
        bottom = max(w.bottom for g in group for w in g)
        segments = sorted((Segment(w.x0, top, w.x1, bottom, w.text + " ") for g in group for w in g), key=lambda s: s.x0)
        lines.append(Line(segments=tuple(segments), page=page))
    return lines


def arrange_page(page: int, lines: list[Line], tables: list[FoundTable]) -> list[PageItem]:
    """Lines outside every table, and the tables, ordered by position.

    On page 1 a ruled table above every line that holds the quốc hiệu is the header; two-column lines
    right below it with the number or the date (a header table ruled only in its first row) join it.
    """
    outside = [line for line in lines if not any(_inside(line, bbox) for bbox, _ in tables)]
    items: list[PageItem] = []
    for bbox, rows in tables:
        if page == 1 and _is_header_table(rows) and not any(line.top < bbox[1] for line in outside):
            below = list(_header_lines_below(outside, bbox[3]))
            outside = [line for line in outside if line not in below]
            for line in below:
                split = _column_split(line)
                if split is not None:
                    rows = rows + (_split_at(line, split) or ("", ""),)
                else:  # the right column's last cell wrapped: "... tháng 6 năm" + "2023"
                    rows = rows[:-1] + ((rows[-1][0], f"{rows[-1][1]} {line.text}"),)
            items.append(PageItem(top=bbox[1], header=_header_cells(rows)))
        else:
            items.append(PageItem(top=bbox[1], table=rows))
    items += _column_items(outside, page)
    return sorted(items, key=lambda item: item.top)


def _header_lines_below(lines: list[Line], bottom: float) -> Iterator[Line]:
    """Two-column lines right below a header table that hold the number or the date, and a line wrapped in
    the right column of the last of them (wholly right of its column gap, the next line down)."""
    previous: Line | None = None
    for line in sorted((line for line in lines if line.top >= bottom), key=lambda line: line.top):
        split = _column_split(line)
        if split is not None and HEADER_TABLE_MARKERS.search(line.text) is not None:
            yield line
            previous = line
            continue
        above = _column_split(previous) if previous is not None else None
        if (previous is not None and above is not None and split is None and line.x0 >= above
                and line.top - previous.top <= HEADER_WRAP_STEP * (previous.segments[0].bottom - previous.segments[0].top)):
            yield line
        return


def _is_header_table(rows: Rows) -> bool:
    """A ruled table at the top of page 1 that holds the quốc hiệu, number and date: the header.

    >>> _is_header_table((("UBND TỈNH HƯNG YÊN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    ...                   ("Số: 1025/KH-SCT", "Hưng Yên, ngày 12 tháng 6 năm 2023")))
    True
    >>> _is_header_table((("TT", "Nhiệm vụ"), ("1", "Tổ chức Ngày hội khởi nghiệp")))
    False
    """
    return (
        len(rows) <= HEADER_TABLE_MAX_ROWS
        and all(len(row) == 2 for row in rows)
        and HEADER_TABLE_MARKERS.search(" ".join(cell for row in rows for cell in row)) is not None
    )


def _header_cells(rows: Rows) -> tuple[str, ...]:
    """Header lines, left column first (as a borderless header reads)."""
    return tuple(line for column in (0, 1) for row in rows for line in row[column].split("\n") if line.strip())


def _inside(line: Line, bbox: tuple[float, float, float, float]) -> bool:
    x0, top, x1, bottom = bbox
    centre_y = (line.top + max(s.bottom for s in line.segments)) / 2
    centre_x = (line.x0 + line.x1) / 2
    return top <= centre_y <= bottom and x0 <= centre_x <= x1


# --- two-column regions: the header, the closing ------------------------------------------------------


def two_column_regions(lines: list[Line], *, header: bool = False) -> list[tuple[int, int, float]]:
    """(first, end, boundary) of each run of lines laid out in two borderless columns.

    A region starts at a line with exactly one wide gap between runs (the boundary is where its right
    column begins, less ``COLUMN_MARGIN``) and goes on while lines either split at that boundary or sit
    wholly on one side of it. With ``header`` (page 1), the region that starts at the page's first line is
    the header: its lines also sit within ``REGION_GAP_STEPS`` times its closest line step of the line above and
    not off the centre its left column's lines share (``_off_centre``), so a title set apart below it or at
    the left margin ("KẾ HOẠCH") is not the header's (a closing block keeps its signature space). It needs at least
    ``MIN_SPLIT_LINES`` split lines. Full-width body lines cross the boundary and end it.
    """
    regions: list[tuple[int, int, float]] = []
    index = 0
    while index < len(lines):
        boundary = _column_split(lines[index])
        if boundary is None:
            index += 1
            continue
        end = index + 1
        splits = 1
        steps: list[float] = []
        middles = [_left_middle(lines[index], boundary)]
        strict = header and index == 0
        while end < len(lines) and _split_at(lines[end], boundary) is not None:
            step = lines[end].top - lines[end - 1].top
            if strict and (steps and step > REGION_GAP_STEPS * min(steps) or _off_centre(lines[end], boundary, middles)):
                break
            steps.append(step)
            splits += _column_split(lines[end]) is not None
            middles.append(_left_middle(lines[end], boundary))
            end += 1
        if splits >= MIN_SPLIT_LINES:
            regions.append((index, end, boundary))
            index = end
        else:
            index += 1
    return regions


def _left_middle(line: Line, boundary: float) -> float | None:
    left = [seg for seg in line.segments if seg.x1 <= boundary]
    return (left[0].x0 + left[-1].x1) / 2 if left else None


def _off_centre(line: Line, boundary: float, middles: list[float | None]) -> bool:
    """A line wholly in the left column, off the centre its lines so far share (a title at the margin
    right below a centred header)."""
    middle = _left_middle(line, boundary)
    known = [m for m in middles if m is not None]
    if middle is None or line.x1 > boundary or not known or max(known) - min(known) > CENTRED_TOLERANCE:
        return False
    return abs(middle - sum(known) / len(known)) > CENTRED_TOLERANCE


def _column_split(line: Line) -> float | None:
    """Where a line's right column begins, less a margin, if it has exactly one wide gap between runs."""
    if len(line.segments) < 2:  # (most lines: one run, no gap)
        return None
    starts = [b.x0 for a, b in zip(line.segments, line.segments[1:]) if b.x0 - a.x1 >= HEADER_COLUMN_GAP]
    return starts[0] - COLUMN_MARGIN if len(starts) == 1 else None


def _split_at(line: Line, boundary: float) -> tuple[str, str] | None:
    """(left text, right text) of a line split at its own column gap or at ``boundary``; ``None`` if
    a run crosses ``boundary`` and the line has no gap of its own."""
    own = _column_split(line)
    at = own if own is not None else boundary
    if any(s.x0 < at < s.x1 for s in line.segments):
        return None
    left = tuple(s for s in line.segments if s.x1 <= at)
    right = tuple(s for s in line.segments if s.x0 >= at)
    return join_segments(left), join_segments(right)


def _columns(lines: list[Line], boundary: float) -> tuple[list[str], list[str]]:
    left: list[str] = []
    right: list[str] = []
    for line in lines:
        parts = _split_at(line, boundary)
        if parts is not None:
            left += [parts[0]] if parts[0] else []
            right += [parts[1]] if parts[1] else []
    return left, right


def _column_items(lines: list[Line], page: int) -> list[PageItem]:
    """Lines as items, two-column regions folded: page 1's first region is the header, others a table row."""
    items: list[PageItem] = []
    cursor = 0
    for first, end, boundary in two_column_regions(lines, header=page == 1):
        items += [PageItem(top=line.top, line=line) for line in lines[cursor:first]]
        left, right = _columns(lines[first:end], boundary)
        if page == 1 and first == 0:
            items.append(PageItem(top=lines[first].top, header=tuple(left + right)))
        else:
            left_text, right_text = "\n".join(dehyphenate_lines(left)), "\n".join(dehyphenate_lines(right))
            items.append(PageItem(top=lines[first].top, table=((left_text, right_text),)))
        cursor = end
    items += [PageItem(top=line.top, line=line) for line in lines[cursor:]]
    return items
