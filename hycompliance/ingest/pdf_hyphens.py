"""The space typed after a hyphen that ends a line, which pdfium's text page takes out.

pdfium reads a hyphen that ends a line before a letter or digit as a word broken there: it marks the hyphen
(U+FFFE in its text) and deletes the spaces the file draws after it, so "giảng dạy- " + "học tập" reads
"dạy\\ufffehọc" and the lines join as "dạy-học", while a symbol broken at its own hyphen ("87/KH-" + "UBND")
reads the same way. The text object that drew the hyphen still tells them apart: pdfium's box of a text object
is the union of its glyphs' boxes, where a space (a glyph with no ink) counts as a point at its start. A hyphen
that ends its object ends the box at its own glyph; a space drawn after it moves the box's right side to the
hyphen's advance (past its glyph by its right side bearing). Where it does, the space is put back after the
hyphen (``with_typed_spaces``), and the line keeps it as a line that ends on a typed space ("07- " + "NQ/TU").
"""

from __future__ import annotations

import ctypes

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from hycompliance.ingest.pdf_columns import PDFIUM_CHAR_HYPHEN, PDFIUM_LINE_END_HYPHEN, PageChars, char_geometry

# A text object's box reaching this far (points) past its last hyphen's glyph holds something drawn after it.
PAST_GLYPH = 0.02


def typed_space_after(textpage: pdfium.PdfTextPage, index: int) -> bool:
    """Did the file draw a space after pdfium's line-end hyphen at ``index``? Its text object's box ends past
    the hyphen's glyph, and not past its advance (the start of a space that follows it)."""
    obj = pdfium_c.FPDFText_GetTextObject(textpage.raw, index)
    if not obj:
        return False
    left, bottom, right, top = (ctypes.c_float() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return False
    glyph = textpage.get_charbox(index)
    loose = pdfium_c.FS_RECTF()
    if not pdfium_c.FPDFText_GetLooseCharBox(textpage.raw, index, loose):
        return False
    return glyph[2] + PAST_GLYPH < right.value <= loose.right + PAST_GLYPH


def with_typed_spaces(chars: PageChars, textpage: pdfium.PdfTextPage, text: str) -> PageChars:
    """``chars`` with a space (the file's) after each line-end hyphen pdfium marked where the file drew one
    (``typed_space_after``). ``text``: the page's text as ``page_chars`` read it (one code a character)."""
    if PDFIUM_CHAR_HYPHEN not in text or len(text) != pdfium_c.FPDFText_CountChars(textpage.raw):
        return chars
    marked = [  # (U+FFFE also stands for a code with no Unicode; pdfium's hyphen is the one it gives as 2)
        index for index, char in enumerate(text)
        if char == PDFIUM_CHAR_HYPHEN and pdfium_c.FPDFText_GetUnicode(textpage.raw, index) == ord(PDFIUM_LINE_END_HYPHEN)
    ]
    typed = np.array([index for index in marked if typed_space_after(textpage, index)], dtype=np.int64)
    if not len(typed):
        return chars
    left, _, base = char_geometry(textpage, typed)
    after = [
        int(found[0]) + 1 for found in (
            np.flatnonzero((chars.x0 == x) & (chars.base == y) & ~chars.space) for x, y in zip(left.tolist(), base.tolist())
        ) if len(found) == 1
    ]
    return _insert_spaces(chars, sorted(after)) if after else chars


def _insert_spaces(chars: PageChars, at: list[int]) -> PageChars:
    """``chars`` with a space of the file before each position of ``at`` (ascending), where the character
    before it ends, on its baseline and line."""
    before = np.array(at, dtype=np.int64) - 1
    texts = list(chars.texts)
    for position in reversed(at):
        texts.insert(position, " ")
    codes = None if chars.codes is None else np.insert(chars.codes, at, ord(" ")).astype(chars.codes.dtype)
    return PageChars(
        texts,
        np.insert(chars.x0, at, chars.x1[before]),
        np.insert(chars.x1, at, chars.x1[before]),
        np.insert(chars.base, at, chars.base[before]),
        np.insert(chars.space, at, True),
        np.insert(chars.generated, at, False),
        np.insert(chars.stream_line, at, chars.stream_line[before]),
        np.insert(chars.alpha, at, False),
        codes,
    )
