"""pdfium characters → runs of one visual line (``Segment``), the same whatever program wrote the PDF.

Every position comes from what does not depend on the font's declared metrics: a character's origin
(its baseline) and its advance (the horizontal extent of pdfium's box). The declared ascent/descent is
not used: LibreOffice writes ``/Ascent 0``, and pdfium then measures each subset font by one of its
glyphs, so punctuation and letters of one line got boxes of different heights and split apart.

- A line is the characters whose baselines agree within ``BASELINE_TOLERANCE`` points, read left to
  right by position, not in the order the file draws them: LibreOffice draws the glyphs it took from a
  fallback font (ạ–ỹ, ơ, ư when the main font lacks them) after the rest of the line.
- Its em (the font size as drawn) is estimated from the advances of its letters (``EM_PER_ADVANCE``),
  since the size pdfium reports ignores the page's scaling (Chromium) and a single line may mix fonts.
- A space is where the file has a space character or the gap between two characters is wider than
  ``WORD_GAP_EMS``; a space pdfium generated is trusted only where some gap is left (it also generates
  them around the out-of-order fallback glyphs). A gap wider than ``RUN_GAP_EMS`` ends the run: another
  column, another cell; so does a word gap between characters pdfium read on different lines of the
  drawing order (two header columns a word space apart).
- A run's box is its line's baseline box (``ASCENT_EMS`` above, ``DESCENT_EMS`` below), so every run of a
  line has the same top, whatever its glyphs.

A page's characters come as columns (``PageChars`` of ``pdf_columns``: numpy arrays, one entry per
character) and the rules above are applied to whole pages at once (``segment_lines``).
"""

from __future__ import annotations

import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

import numpy as np

from hycompliance.ingest.pdf_columns import PageChars
from hycompliance.ingest.pdf_columns import page_chars  # noqa: F401 (the reader imports both stages from here)
from hycompliance.normalize import fold_whitespace

# Characters on baselines closer than this (points) are on one line.
BASELINE_TOLERANCE = 2.0
# A text letter's advance is about this share of an em (Vietnamese text, serif and sans faces alike).
EM_PER_ADVANCE = 2.1
# With fewer letters than this a line's em is the page's (one "-" says little about the size).
MIN_LETTERS_FOR_EM = 6
# A gap between two characters wider than this many ems is a word space ...
WORD_GAP_EMS = 0.15
# ... and, where the file has a space character (or pdfium generated one), this many.
SPACED_GAP_EMS = 0.1
# A gap wider than this many ems starts a new run (another column, a table cell).
RUN_GAP_EMS = 1.5
# A run's box around its baseline, in ems.
ASCENT_EMS = 0.75
DESCENT_EMS = 0.25
DEFAULT_EM = 12.0


@dataclass(frozen=True)
class Segment:
    """A run of characters of one line, in top-down page coordinates."""

    x0: float
    top: float
    x1: float
    bottom: float
    text: str


def page_em(chars: PageChars) -> float:
    """The page's usual em: from the advances of all its letters."""
    advances = (chars.x1 - chars.x0)[chars.alpha]
    return EM_PER_ADVANCE * _median(advances) if len(advances) else DEFAULT_EM


def _median(values: np.ndarray) -> float:
    """``np.median`` of a non-empty array, by one partition (np.median's own checks cost more than the
    partition on a page's letters); the same value, NaN aside (then np.median's)."""
    size = len(values)
    middle = size // 2
    part = np.partition(values, (middle - 1, middle) if size > 1 else middle)
    if np.isnan(part[-1]):
        return float(np.median(values))
    return float(part[middle]) if size % 2 else float((part[middle - 1] + part[middle]) / 2)


def _baseline_order(chars: PageChars, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, line) : the characters of each group (a table cell; one group for a page's body) top line
    first, each line left to right (a space before the character that starts where it ends), and each one's
    line number. A line starts at the highest baseline of its group not yet placed and takes every character
    of the group less than ``BASELINE_TOLERANCE`` below it."""
    n = len(chars)
    grouped = bool(n) and bool((groups != groups[0]).any())
    by_base = _sorted_by((-chars.base, groups) if grouped else (-chars.base,))  # top first; ties in drawing order
    line_of = _baseline_lines(chars.base[by_base], groups[by_base] if grouped else None)
    number = int(line_of[-1]) + 1 if n else 0
    lines = np.empty(n, dtype=np.int64)
    lines[by_base] = line_of
    # ``line_of`` ascends in ``by_base`` order: sorting within lines there keeps drawing order for ties; most
    # lines are in order already (drawn left to right): only the others are sorted
    x0, spaces = chars.x0[by_base], chars.space[by_base]
    same_line = line_of[1:] == line_of[:-1]
    back = same_line & ((x0[1:] < x0[:-1]) | ((x0[1:] == x0[:-1]) & spaces[1:] & ~spaces[:-1]))
    order = by_base
    if back.any():
        unsorted = np.zeros(number, dtype=bool)
        unsorted[line_of[1:][back]] = True
        at = np.flatnonzero(unsorted[line_of])  # whole lines, in line order
        order = by_base.copy()
        order[at] = by_base[at][_sorted_by((~spaces[at], x0[at], line_of[at]))]
    return order, lines[order]


def _baseline_lines(bases: np.ndarray, groups: np.ndarray | None) -> np.ndarray:
    """The line number of each character, ``bases`` descending within each group (``groups`` ascending, or
    ``None`` for one): a line starts at a group's first character, or at the first character at least
    ``BASELINE_TOLERANCE`` below the line's first one. Where every gap between lines is that wide and every
    line narrower (most pages), lines start where two neighbours are that far apart: no loop over lines."""
    n = len(bases)
    starts = np.ones(n, dtype=bool)
    np.greater_equal(bases[:-1] - bases[1:], BASELINE_TOLERANCE, out=starts[1:])
    if groups is not None:
        starts[1:] |= groups[1:] != groups[:-1]
    first = np.flatnonzero(starts)
    if not n or (bases[first] - bases[np.append(first[1:], n) - 1] < BASELINE_TOLERANCE).all():
        return np.cumsum(starts) - 1
    values = bases.tolist()
    group_ends = np.searchsorted(groups, groups, side="right") if groups is not None else None
    line_of = np.empty(n, dtype=np.int64)
    start = number = 0
    while start < n:
        top = values[start]
        stop = int(group_ends[start]) if group_ends is not None else n
        # the first character at least ``BASELINE_TOLERANCE`` below the line's top (the group's end if none)
        end = bisect_left(values, True, start, stop, key=lambda base: top - base >= BASELINE_TOLERANCE)
        line_of[start:end] = number
        start, number = end, number + 1
    return line_of


def _sorted_by(keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """``np.lexsort(keys)`` (the last key first, ties in index order) as one stable sort a key, least
    significant first: each is adaptive (a page's characters come nearly in reading order, which a stable
    sort takes in about linear time), and small integer keys sort by radix; lexsort's own sorts are several
    times slower on a page's characters (measured)."""
    order: np.ndarray | None = None
    for key in keys:
        if key.dtype.kind in "iu" and len(key) and -(2**15) <= int(key.min()) and int(key.max()) < 2**15:
            key = key.astype(np.int16)  # (numpy sorts 16-bit integers by radix)
        if order is None:
            order = np.argsort(key, kind="stable")
        else:
            order = order[np.argsort(key[order], kind="stable")]
    assert order is not None
    return order


def _line_ems(lines: np.ndarray, advances: np.ndarray, count: int, usual: float) -> np.ndarray:
    """Each line's em: from the median advance of its letters, the page's with fewer than ``MIN_LETTERS_FOR_EM``."""
    ems = np.full(count, usual, dtype=np.float64)
    if not len(lines):
        return ems
    advances = _sorted_within(advances, lines)
    first = np.flatnonzero(_changes(lines))
    numbers, sizes = lines[first], np.append(first[1:], len(lines)) - first
    enough = sizes >= MIN_LETTERS_FOR_EM
    numbers, first, sizes = numbers[enough], first[enough], sizes[enough]
    upper = advances[first + sizes // 2]
    lower = advances[first + (sizes - 1) // 2]
    ems[numbers] = EM_PER_ADVANCE * np.where(sizes % 2, upper, (lower + upper) / 2)
    return ems


def _sorted_within(values: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """``values`` (not negative) sorted within each line (``lines`` ascending). One direct sort of
    ``line * step + value`` (``step`` a power of two above every value) where that sum holds each value
    exactly (checked: then its order is the order wanted); else sorted by line, then value."""
    if (values >= 0).all():  # (False with a NaN)
        step = 2.0 ** np.ceil(np.log2(float(values.max()) + 1.0))
        offsets = lines * step
        keys = offsets + values
        if np.array_equal(keys - offsets, values):  # (the difference is exact: it gives the sum's error)
            return np.sort(keys) - offsets  # (the lines keep their places: they ascend)
    return values[_sorted_by((values, lines))]


def _changes(values: np.ndarray) -> np.ndarray:
    """True where a value differs from the one before it (and at the first)."""
    out = np.empty(len(values), dtype=bool)
    out[:1] = True
    np.not_equal(values[1:], values[:-1], out=out[1:])
    return out


def _before(values: np.ndarray, first: float) -> np.ndarray:
    """Each value's predecessor (``first`` for the first)."""
    out = np.empty_like(values)
    out[:1] = first
    out[1:] = values[:-1]
    return out


def segment_lines(chars: PageChars, height: float, usual: float | None = None) -> list[list[Segment]]:
    """The runs of each baseline line that has a drawn character, top line first, each left to right,
    with spaces restored from the file's spaces and the gaps. ``usual``: the page's em (else from ``chars``)."""
    if not len(chars):
        return []
    groups = np.zeros(len(chars), dtype=np.int64)
    return [runs for _, runs in _group_lines(chars, groups, height, page_em(chars) if usual is None else usual)]


def cell_lines(chars: PageChars, cells: np.ndarray, height: float, usual: float) -> dict[int, list[list[Segment]]]:
    """``segment_lines`` of each cell's characters at once: ``cells`` gives each character's cell number
    (negative: in none); lines never join characters of two cells."""
    inside = cells >= 0
    out: dict[int, list[list[Segment]]] = {}
    if inside.any():
        for cell, runs in _group_lines(chars.subset(inside), cells[inside], height, usual):
            out.setdefault(cell, []).append(runs)
    return out


def _group_lines(chars: PageChars, groups: np.ndarray, height: float, usual: float) -> list[tuple[int, list[Segment]]]:
    """(group, runs) of each baseline line with a drawn character, group by group (see ``segment_lines``)."""
    order, line = _baseline_order(chars, groups)
    count = int(line[-1]) + 1
    is_space = chars.space[order]
    drawn = ~is_space
    letters = chars.alpha[order]
    lettered = order[letters]
    ems = _line_ems(line[letters], chars.x1[lettered] - chars.x0[lettered], count, usual)
    # each line's first baseline (lines are numbered 0, 1, ... in reading order: one first character each)
    first_base = chars.base[order[np.flatnonzero(_changes(line))]]
    # the file's spaces and pdfium's generated ones seen so far, in reading order
    file_spaces = np.cumsum(is_space & ~chars.generated[order])
    any_spaces = np.cumsum(is_space)
    at = np.flatnonzero(drawn)  # positions (in reading order) of the drawn characters
    index = order[at]
    line_at = line[at]
    x0, x1 = chars.x0[index], chars.x1[index]
    end = _line_maximum(x1, line_at)  # the right end of everything drawn so far on the line
    em = ems[line_at]
    follows = ~_changes(line_at)  # a drawn character before it on its line
    gap = x0 - _before(end, 0.0)
    file_spaces_at, any_spaces_at = file_spaces[at], any_spaces[at]
    between_file = file_spaces_at != _before(file_spaces_at, 0)
    between_any = any_spaces_at != _before(any_spaces_at, 0)
    stream = chars.stream_line[index]
    other_stream = stream != _before(stream, -1)
    breaks = follows & ((gap > RUN_GAP_EMS * em) | (other_stream & (gap > WORD_GAP_EMS * em)))
    spaced = follows & ~breaks & (
        between_file | (gap > np.where(between_any, SPACED_GAP_EMS * em, WORD_GAP_EMS * em)))
    # the file's space after a line's last drawn character ("07- " + "NQ/TU")
    last = np.append(line_at[1:] != line_at[:-1], True)
    line_end = np.searchsorted(line, line_at[last], side="right") - 1
    trailing = file_spaces[line_end] - file_spaces[at[last]] > 0
    joined, offsets = _spaced_text(chars.texts, index, spaced, codes=chars.codes)
    starts = np.flatnonzero(~follows | breaks)  # each run's first drawn character
    stops = np.append(starts[1:], len(at))
    # what the loop below reads, for each run only
    ends_with_space = np.zeros(len(at), dtype=bool)
    ends_with_space[np.flatnonzero(last)[trailing]] = True
    run_lines = line_at[starts]
    run_ems, run_bases = ems[run_lines], first_base[run_lines]
    # each run's box: its line's, the same float operations element by element
    tops = height - (run_bases + ASCENT_EMS * run_ems)
    bottoms = height - (run_bases - DESCENT_EMS * run_ems)
    out: list[tuple[int, list[Segment]]] = []
    runs: list[Segment] = []
    normalize = unicodedata.normalize
    for new_line, group, left, top, right, bottom, start, stop, spaced_end in zip(
        _changes(run_lines).tolist(), groups[index[starts]].tolist(), x0[starts].tolist(), tops.tolist(),
        end[stops - 1].tolist(), bottoms.tolist(), offsets[starts].tolist(), offsets[stops].tolist(),
        ends_with_space[stops - 1].tolist(),
    ):
        if new_line:
            runs = []
            out.append((group, runs))
        text = joined[start:stop] + " " if spaced_end else joined[start:stop]
        if not text.isspace():
            runs.append(Segment(left, top, right, bottom, normalize("NFC", text)))
    return out


def _line_maximum(values: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """The running maximum of ``values`` within each line (``lines`` ascending), as one accumulate over
    integer keys (the line, then the value's rank): exact, with no loop over lines."""
    back = (values[1:] < values[:-1]) & (lines[1:] == lines[:-1])
    if not back.any():  # (most pages: every character ends right of the one before it on its line)
        return values.copy()
    by_value = np.argsort(values, kind="stable")
    rank = np.empty(len(values), dtype=np.int64)
    rank[by_value] = np.arange(len(values))
    best = np.maximum.accumulate(lines.astype(np.int64) * len(values) + rank) - lines.astype(np.int64) * len(values)
    return values[by_value[best]]


def _spaced_text(texts: list[str], index: np.ndarray, spaced: np.ndarray,
                 *, codes: np.ndarray | None = None) -> tuple[str, np.ndarray]:
    """The texts of the characters ``index`` in that order, each after a space where ``spaced``, as one string,
    and where each character's piece (its space, then its text) starts in it (one offset more: the end).
    ``codes``: the texts' code points as ``PageChars.codes`` gives them (one a text), where the caller has them."""
    if codes is None:
        codes = np.frombuffer("".join(texts).encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    offsets = np.zeros(len(index) + 1, dtype=np.int64)
    if len(codes) == len(texts):  # one code a character (no separate accent marks): no lengths to look up
        np.cumsum(spaced + 1, out=offsets[1:])
        out = np.full(int(offsets[-1]), ord(" "), dtype=np.uint32)
        out[offsets[:-1] + spaced] = codes[index]
        return out.tobytes().decode("utf-32-le", "surrogatepass"), offsets
    sizes = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    lengths = sizes[index]
    firsts = (np.cumsum(sizes) - sizes)[index]
    np.cumsum(lengths + spaced, out=offsets[1:])
    out = np.full(int(offsets[-1]), ord(" "), dtype=np.uint32)
    which = np.repeat(np.arange(len(index)), lengths)  # the character of each code taken
    within = np.arange(len(which)) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    out[offsets[which] + spaced[which] + within] = codes[firsts[which] + within]
    return out.tobytes().decode("utf-32-le", "surrogatepass"), offsets


def chars_segments(chars: PageChars, height: float) -> list[Segment]:
    """Every run of the characters of a page, top line first, left to right."""
    return [segment for line in segment_lines(chars, height) for segment in line]


# Within a line, a horizontal gap between two runs wider than this share of the text height is a word space.
WORD_GAP_SHARE = 0.15


def join_segments(segments: tuple[Segment, ...]) -> str:
    """Join a line's runs: a space where the text has one or the gap is wide, else nothing."""
    if len(segments) == 1:  # (most lines)
        return fold_whitespace(segments[0].text)
    out = ""
    previous: Segment | None = None
    for segment in segments:
        if previous is not None:
            gap = segment.x0 - previous.x1
            height = segment.bottom - segment.top
            if gap > WORD_GAP_SHARE * height and not out.endswith(" "):
                out += " "
        out += segment.text
        previous = segment
    return fold_whitespace(out)
