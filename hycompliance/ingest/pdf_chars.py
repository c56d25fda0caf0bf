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
"""

from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from statistics import median
from typing import NamedTuple

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from hycompliance.normalize import fold_whitespace

# pdfium's marker for a hyphen at a line end, and the same soft hyphen as one character reads it.
PDFIUM_LINE_END_HYPHEN = "\x02"
PDFIUM_CHAR_HYPHEN = "\ufffe"
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


class Char(NamedTuple):
    """One drawn character: text (with any combining marks that follow it), advance box, baseline."""

    text: str
    x0: float
    x1: float
    base: float
    space: bool  # a space character the file has (or pdfium generated: ``generated``)
    generated: bool
    stream_line: int  # how many line breaks pdfium found before it, in drawing order


class _Calls:
    """pdfium's per-character functions called without ctypes' argument conversion (pointers passed as
    plain addresses): a page has thousands of characters and the checked calls cost about twice as much.
    The library is the one pypdfium2 loaded (the same file; the loader hands back the same handle)."""

    def __init__(self) -> None:
        import pypdfium2_raw

        found = sorted(p for p in Path(pypdfium2_raw.__file__).parent.iterdir() if "pdfium" in p.name and p.suffix in (".so", ".dll", ".dylib"))
        library = ctypes.CDLL(str(found[0])) if found else None
        self.origin = library.FPDFText_GetCharOrigin if library else None
        self.loose_box = library.FPDFText_GetLooseCharBox if library else None


@lru_cache(maxsize=1)
def _calls() -> _Calls:
    return _Calls()


def page_chars(textpage: pdfium.PdfTextPage, text: str | None = None) -> list[Char]:
    """The characters of a page in drawing order; line breaks pdfium inserted are dropped. ``text``: the
    page's whole text when the caller already has it (``get_text_range()``)."""
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if text is None:
        text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters outside the BMP take two code units: read them one by one
        text = "".join(textpage.get_text_range(index, 1) or "\x00" for index in range(count))
    calls = _calls()
    x = ctypes.c_double()
    y = ctypes.c_double()
    rect = pdfium_c.FS_RECTF()
    if calls.origin is not None:
        handle = ctypes.cast(raw, ctypes.c_void_p)
        x_at, y_at, rect_at = ctypes.byref(x), ctypes.byref(y), ctypes.byref(rect)
        origin, loose_box = calls.origin, calls.loose_box
    else:  # no library file found beside pypdfium2: its checked functions
        handle, x_at, y_at, rect_at = raw, x, y, rect
        origin, loose_box = pdfium_c.FPDFText_GetCharOrigin, pdfium_c.FPDFText_GetLooseCharBox
    combining = unicodedata.combining
    new = tuple.__new__  # a Char without NamedTuple's Python-level constructor (thousands a page)
    chars: list[Char] = []
    append = chars.append
    stream_line = 0
    for index, char in enumerate(text):
        if char in "\r\n\x00":
            stream_line += char == "\n"
            continue
        if chars and combining(char):  # a separate accent glyph belongs to its letter
            chars[-1] = chars[-1]._replace(text=chars[-1].text + char)
            continue
        origin(handle, index, x_at, y_at)
        loose_box(handle, index, rect_at)
        left = rect.left
        right = rect.right
        if char.isspace():
            generated = bool(pdfium_c.FPDFText_IsGenerated(raw, index))
            append(new(Char, (char, left, right if right > left else left, y.value, True, generated, stream_line)))
            continue
        if char in (PDFIUM_LINE_END_HYPHEN, PDFIUM_CHAR_HYPHEN):
            char = "-"
        append(new(Char, (char, left, right if right > left else left, y.value, False, False, stream_line)))
    return chars


def baseline_lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped by baseline, top line first, each line left to right (spaces before the
    character that starts where they end)."""
    lines: list[list[Char]] = []
    first_base = 0.0
    for char in sorted(chars, key=itemgetter(3), reverse=True):  # by baseline, top first, stable
        if lines and first_base - char.base < BASELINE_TOLERANCE:
            lines[-1].append(char)
        else:
            lines.append([char])
            first_base = char.base
    for line in lines:
        line.sort(key=lambda c: (c.x0, not c.space))
    return [line for line in lines if any(not c.space for c in line)]


def line_em(line: list[Char], page_em: float) -> float:
    advances = [c.x1 - c.x0 for c in line if not c.space and c.text.isalpha()]
    if len(advances) < MIN_LETTERS_FOR_EM:
        return page_em
    return EM_PER_ADVANCE * median(advances)


def page_em(lines: list[list[Char]]) -> float:
    """The page's usual em: from the advances of all its letters."""
    advances = [c.x1 - c.x0 for line in lines for c in line if not c.space and c.text.isalpha()]
    return EM_PER_ADVANCE * median(advances) if advances else DEFAULT_EM


def line_segments(line: list[Char], height: float, em: float) -> list[Segment]:
    """Runs of one baseline line, with spaces restored from the file's spaces and the gaps."""
    top = height - (line[0].base + ASCENT_EMS * em)
    bottom = height - (line[0].base - DESCENT_EMS * em)
    run_gap, word_gap, spaced_gap = RUN_GAP_EMS * em, WORD_GAP_EMS * em, SPACED_GAP_EMS * em
    segments: list[Segment] = []
    parts: list[str] = []
    start = end = 0.0
    between = 0  # the last space since the last drawn character: 0 none, 1 generated by pdfium, 2 the file's
    previous_line = -1
    for text, x0, x1, _, space, generated, stream_line in line:
        if space:
            if between != 2:
                between = 1 if generated else 2
            continue
        if parts:
            gap = x0 - end
            # a gap wider than a run gap, or a word gap between two lines the file drew apart (the two
            # columns of a header, close together)
            if gap > run_gap or (stream_line != previous_line and gap > word_gap):
                segments.append(Segment(start, top, end, bottom, "".join(parts)))
                parts = []
            elif between == 2 or gap > (spaced_gap if between else word_gap):
                parts.append(" ")
        if not parts:
            start = x0
            end = x1
        elif x1 > end:
            end = x1
        parts.append(text)
        between = 0
        previous_line = stream_line
    if between == 2:
        parts.append(" ")  # the file's space after the run's last character ("07- " + "NQ/TU")
    if parts:
        segments.append(Segment(start, top, end, bottom, "".join(parts)))
    normalize = unicodedata.normalize
    return [
        Segment(s.x0, s.top, s.x1, s.bottom, normalize("NFC", s.text))
        for s in segments
        if not s.text.isspace()
    ]


def chars_segments(chars: list[Char], height: float) -> list[Segment]:
    """Every run of the characters of a page, top line first, left to right."""
    lines = baseline_lines(chars)
    usual = page_em(lines)
    return [segment for line in lines for segment in line_segments(line, height, line_em(line, usual))]


# Within a line, a horizontal gap between two runs wider than this share of the text height is a word space.
WORD_GAP_SHARE = 0.15


def join_segments(segments: tuple[Segment, ...]) -> str:
    """Join a line's runs: a space where the text has one or the gap is wide, else nothing."""
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
