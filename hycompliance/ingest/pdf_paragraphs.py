"""Paragraph layout of a PDF's body lines: which lines start a paragraph by their indent or the space above
them, whether the document sets its paragraphs apart at all, and, in justified or ragged text, which lines go
on from the line above although the text alone would say otherwise. Used by ``pdf._blocks``."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

from hycompliance.ingest.pdf_layout import CENTRED_TOLERANCE, Line

# A first line indented by more than this (points) starts a paragraph.
PARAGRAPH_INDENT = 6.0
# A gap above a line wider than this share of the usual line spacing starts a paragraph.
PARAGRAPH_GAP_SHARE = 1.35
# What starts a line like a label (a bullet, "2.", "a)", "II."), and what ends a sentence.
LINE_LABEL = re.compile(r"^(?:[-+•–]|\d+(?:\.\d+)*[.)]|[a-zđ][).]|[IVXLC]+\.)\s", re.IGNORECASE)
SENTENCE_END = (".", ";", ":", "!", "?")  # (the line's last character, trailing spaces aside)
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


def ends_sentence(text: str) -> bool:
    """Does a line end a sentence (its last character, trailing spaces aside, one of ``SENTENCE_END``)?
    (The same as searching ``[.;:!?]\\s*$``, without a search from every position of the line.)

    >>> ends_sentence("Trên đây là Kế hoạch."), ends_sentence("Nơi nhận: "), ends_sentence("khu công nghiệp,")
    (True, True, False)
    """
    return text.rstrip().endswith(SENTENCE_END)


def line_step(lines: list[Line]) -> float:
    """A page's usual line step: the lower quartile of the steps between its lines (paragraph gaps are
    the larger ones); 0 for a page of one line."""
    steps = sorted(b.top - a.top for a, b in zip(lines, lines[1:]) if b.top > a.top)
    return steps[len(steps) // 4] if steps else 0.0


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
        ended = ends_sentence(above.text)
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
    step = line_step(lines)
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
            if (ends_sentence(above.text) and line.text[:1] not in LIST_BULLETS
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
        if not marks[line] and ends_sentence(above.text) and LINE_LABEL.match(line.text) is None
        and right - above.x1 < _first_word_width(line)
    }


def _first_word_width(line: Line) -> float:
    """About how wide the line's first word and the space before it are (its share of the line's width)."""
    text = line.text
    return (line.x1 - line.x0) * (len(text.split(" ", 1)[0]) + 1) / max(len(text), 1)


def broke_short(previous: Line, line: Line, page: list[Line]) -> bool:
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
    if not ends_sentence(previous.text) or not text[:1].isupper():
        return False
    return right - previous.x1 > _first_word_width(line) * WORD_FIT_MARGIN
