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
from statistics import median

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

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
SPACED_GAP_EMS = 0.05
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


@dataclass(frozen=True, slots=True)
class Char:
    """One drawn character: text (with any combining marks that follow it), advance box, baseline."""

    text: str
    x0: float
    x1: float
    base: float
    space: bool  # a space character the file has (or pdfium generated: ``generated``)
    generated: bool
    stream_line: int  # how many line breaks pdfium found before it, in drawing order


def page_chars(textpage: pdfium.PdfTextPage) -> list[Char]:
    """The characters of a page in drawing order; line breaks pdfium inserted are dropped."""
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters outside the BMP take two code units: read them one by one
        text = "".join(textpage.get_text_range(index, 1) or "\x00" for index in range(count))
    x = ctypes.c_double()
    y = ctypes.c_double()
    rect = pdfium_c.FS_RECTF()
    chars: list[Char] = []
    stream_line = 0
    for index, char in enumerate(text):
        if char in "\r\n\x00":
            stream_line += char == "\n"
            continue
        if unicodedata.combining(char) and chars:  # a separate accent glyph belongs to its letter
            last = chars[-1]
            chars[-1] = Char(last.text + char, last.x0, last.x1, last.base, last.space, last.generated, last.stream_line)
            continue
        pdfium_c.FPDFText_GetCharOrigin(raw, index, x, y)
        pdfium_c.FPDFText_GetLooseCharBox(raw, index, rect)
        space = char.isspace()
        generated = space and bool(pdfium_c.FPDFText_IsGenerated(raw, index))
        if char in (PDFIUM_LINE_END_HYPHEN, PDFIUM_CHAR_HYPHEN):
            char = "-"
        chars.append(Char(char, rect.left, max(rect.right, rect.left), y.value, space, generated, stream_line))
    return chars


def baseline_lines(chars: list[Char]) -> list[list[Char]]:
    """Characters grouped by baseline, top line first, each line left to right (spaces before the
    character that starts where they end)."""
    lines: list[list[Char]] = []
    first_base = 0.0
    for char in sorted(chars, key=lambda c: -c.base):
        if lines and first_base - char.base < BASELINE_TOLERANCE:
            lines[-1].append(char)
        else:
            lines.append([char])
            first_base = char.base
    for line in lines:
        line.sort(key=lambda c: (c.x0, not c.space))
    return [line for line in lines if any(not c.space for c in line)]


def _em(line: list[Char], page_em: float) -> float:
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
    segments: list[Segment] = []
    parts: list[str] = []
    start = end = 0.0
    between: Char | None = None  # the last space character since the last drawn one
    previous: Char | None = None
    for char in line:
        if char.space:
            between = char if between is None or between.generated else between
            continue
        if parts and previous is not None:
            gap = char.x0 - end
            # a gap wider than a run gap, or a word gap between two lines the file drew apart (the two
            # columns of a header, close together)
            if gap > RUN_GAP_EMS * em or (char.stream_line != previous.stream_line and gap > WORD_GAP_EMS * em):
                segments.append(Segment(start, top, end, bottom, "".join(parts)))
                parts = []
            elif _is_space(gap, em, between):
                parts.append(" ")
        if not parts:
            start = char.x0
        parts.append(char.text)
        end = char.x1 if len(parts) == 1 else max(end, char.x1)
        between = None
        previous = char
    if between is not None and not between.generated:
        parts.append(" ")  # the file's space after the run's last character ("07- " + "NQ/TU")
    if parts:
        segments.append(Segment(start, top, end, bottom, "".join(parts)))
    return [
        Segment(s.x0, s.top, s.x1, s.bottom, unicodedata.normalize("NFC", s.text))
        for s in segments
        if s.text.strip()
    ]


def _is_space(gap: float, em: float, between: Char | None) -> bool:
    if between is None:
        return gap > WORD_GAP_EMS * em
    if between.generated:
        return gap > SPACED_GAP_EMS * em
    return True


def page_segments(textpage: pdfium.PdfTextPage, height: float) -> list[Segment]:
    """Every run of the page, top line first, left to right."""
    lines = baseline_lines(page_chars(textpage))
    usual = page_em(lines)
    return [segment for line in lines for segment in line_segments(line, height, _em(line, usual))]
