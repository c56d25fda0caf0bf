"""pdfium characters → a page's character columns (``PageChars``): one entry per drawn character, read in
drawing order, with its text, advance box, baseline and kind; the runs of ``pdf_chars`` are built from them.

A page has about 2,000 characters, and a Python loop over them was most of the reading time: the columns are
numpy arrays, filled by pdfium's two per-character calls in a C loop (``_pdfium_bulk``, built with the package)
or, where that module is not built, in a ctypes loop (same values).
"""

from __future__ import annotations

import ctypes
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

# pdfium's marker for a hyphen at a line end, and the same soft hyphen as one character reads it.
PDFIUM_LINE_END_HYPHEN = "\x02"
PDFIUM_CHAR_HYPHEN = "\ufffe"


@dataclass(frozen=True)
class PageChars:
    """A page's drawn characters in drawing order, as columns: text (with any combining marks that follow
    it), advance box, baseline, whether it is a space the file has (or pdfium generated: ``generated``),
    how many line breaks pdfium found before it in drawing order (``stream_line``), whether it is a letter;
    ``codes``: each character's code point where every character is one (no separate accent marks), else ``None``
    (the runs are joined from it without encoding the texts again)."""

    texts: list[str]
    x0: np.ndarray
    x1: np.ndarray
    base: np.ndarray
    space: np.ndarray
    generated: np.ndarray
    stream_line: np.ndarray
    alpha: np.ndarray
    codes: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.texts)

    def subset(self, keep: np.ndarray) -> PageChars:
        """The characters where ``keep`` (a boolean mask) is true, in the same order."""
        where = np.flatnonzero(keep)
        codes = None if self.codes is None else self.codes[where]
        if codes is None:
            texts = self.texts
            kept = [texts[i] for i in where.tolist()]
        else:  # (one code a character: the texts decoded at once)
            kept = list(codes.tobytes().decode("utf-32-le", "surrogatepass"))
        return PageChars(kept, self.x0[where], self.x1[where], self.base[where], self.space[where],
                         self.generated[where], self.stream_line[where], self.alpha[where], codes)

    def inside(self, height: float, bbox: tuple[float, float, float, float]) -> np.ndarray:
        """Mask of the characters whose horizontal middle and baseline fall in ``bbox`` (top-down points)."""
        x0, top, x1, bottom = bbox
        middle = (self.x0 + self.x1) / 2
        y = height - self.base
        return (x0 <= middle) & (middle <= x1) & (top <= y) & (y <= bottom)


class _Calls:
    """pdfium's per-character functions loaded again from the library pypdfium2 uses (the loader hands back
    the same handle), called without ctypes' argument checks: pointers go as ``byref`` of reused values
    (a page has thousands of characters; the checked calls cost about twice as much, measured)."""

    def __init__(self) -> None:
        import pypdfium2_raw

        found = sorted(p for p in Path(pypdfium2_raw.__file__).parent.iterdir() if "pdfium" in p.name and p.suffix in (".so", ".dll", ".dylib"))
        library = ctypes.CDLL(str(found[0])) if found else None
        self.origin = library.FPDFText_GetCharOrigin if library else pdfium_c.FPDFText_GetCharOrigin
        self.loose_box = library.FPDFText_GetLooseCharBox if library else pdfium_c.FPDFText_GetLooseCharBox
        self.generated = library.FPDFText_IsGenerated if library else pdfium_c.FPDFText_IsGenerated
        self.unchecked = library is not None
        try:
            import hycompliance.ingest._pdfium_bulk as _pdfium_bulk
        except ImportError:  # not built (no C compiler at install): the ctypes loop gives the same values
            _pdfium_bulk = None
        self.bulk = _pdfium_bulk.geometry if _pdfium_bulk is not None and library is not None else None
        # (a module built before ``generated`` was added lacks it: the ctypes loop then, same values)
        self.bulk_generated = getattr(_pdfium_bulk, "generated", None) if self.bulk is not None else None
        # the two functions' addresses, for the C loop
        self.addresses = tuple(ctypes.cast(f, ctypes.c_void_p).value or 0 for f in (self.origin, self.loose_box))
        self.generated_address = ctypes.cast(self.generated, ctypes.c_void_p).value or 0


@lru_cache(maxsize=1)
def _calls() -> _Calls:
    return _Calls()


def page_chars(textpage: pdfium.PdfTextPage, text: str | None = None) -> PageChars:
    """The characters of a page in drawing order; line breaks pdfium inserted are dropped, a separate accent
    glyph joins the letter before it. ``text``: the page's whole text when the caller has it already."""
    raw = textpage.raw
    count = pdfium_c.FPDFText_CountChars(raw)
    if text is None:
        text = textpage.get_text_range(0, count) if count else ""
    if len(text) != count:  # characters outside the BMP take two code units: read them one by one
        text = "".join(textpage.get_text_range(index, 1) or "\x00" for index in range(count))
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    kinds = _code_kinds(codes)
    dropped, combining, space, letter = ((kinds & bit) > 0 for bit in (_DROPPED_BIT, _COMBINING_BIT, _SPACE_BIT, _LETTER_BIT))
    kept = np.flatnonzero(~dropped)
    joins = combining[kept]
    if len(joins):
        joins[0] = False  # a mark first on the page has no letter to join
    starts = kept[~joins]  # the index of each character's first code
    # kept codes only, so positions in it are positions in ``kept``: line breaks pdfium inserts (and a NUL it gives
    # for unreadable codes) are not characters; its hyphens read "-"
    kept_codes = codes[kept]
    kept_codes = np.where((kept_codes == ord(PDFIUM_LINE_END_HYPHEN)) | (kept_codes == ord(PDFIUM_CHAR_HYPHEN)), ord("-"), kept_codes)
    kept_codes = kept_codes.astype(np.uint32, copy=False)
    kept_text = kept_codes.tobytes().decode("utf-32-le", "surrogatepass")
    bounds = np.append(np.flatnonzero(~joins), len(kept))
    marked = np.diff(bounds) > 1  # a letter with accent glyphs of its own after it
    any_marked = bool(marked.any())
    if any_marked:
        texts = [kept_text[a:b] for a, b in zip(bounds.tolist(), bounds[1:].tolist())]
    else:
        texts = list(kept_text)
    x0, x1, base = char_geometry(textpage, starts)
    spaces = space[starts]
    generated = np.zeros(len(starts), dtype=bool)
    at = np.flatnonzero(spaces)
    generated[at] = char_generated(textpage, starts[at])
    # how many of pdfium's line breaks come before each character (a count of the breaks up to it: they are few)
    stream_line = np.searchsorted(np.flatnonzero(codes == ord("\n")), starts, side="right").astype(np.int64)
    # a letter (``str.isalpha``: not with a separate accent mark, which is no letter)
    alpha = letter[starts] & ~marked & ~spaces
    return PageChars(texts, x0, x1, base, spaces, generated, stream_line, alpha, None if any_marked else kept_codes)


# Bits of ``_code_kinds``: a line break pdfium inserted or a code it cannot read (dropped), a combining mark, a space, a letter.
_DROPPED_BIT, _COMBINING_BIT, _SPACE_BIT, _LETTER_BIT = 1, 2, 4, 8
# Codes below this are looked up in one table (Latin with Vietnamese letters, marks, punctuation); others one by one.
_TABLE_CODES = 0x3000


def _code_kind(code: int) -> int:
    char = chr(code)
    return ((char in "\r\n\x00") * _DROPPED_BIT | (unicodedata.combining(char) > 0) * _COMBINING_BIT
            | char.isspace() * _SPACE_BIT | char.isalpha() * _LETTER_BIT)


@lru_cache(maxsize=1)
def _kind_table() -> np.ndarray:
    table = np.array([_code_kind(code) for code in range(_TABLE_CODES)], dtype=np.uint8)
    table.flags.writeable = False
    return table


def _code_kinds(codes: np.ndarray) -> np.ndarray:
    """``_code_kind`` of every code (a page has a few dozen distinct ones: a table, not a call a character)."""
    inside = codes < _TABLE_CODES
    if inside.all():
        return _kind_table()[codes]
    kinds = _kind_table()[np.where(inside, codes, 0)]
    outside = np.flatnonzero(~inside)
    distinct, which = np.unique(codes[outside], return_inverse=True)
    kinds[outside] = np.array([_code_kind(code) for code in distinct.tolist()], dtype=np.uint8)[which]
    return kinds


def char_generated(textpage: pdfium.PdfTextPage, indexes: np.ndarray) -> np.ndarray:
    """Did pdfium generate each of these characters (a space it inferred, not the file's)?"""
    calls = _calls()
    if calls.bulk_generated is None or not len(indexes):
        return ctypes_generated(textpage, indexes)
    wanted = np.ascontiguousarray(indexes, dtype=np.int64)
    flags = np.zeros(len(wanted), dtype=np.uint8)
    page = ctypes.cast(textpage.raw, ctypes.c_void_p).value or 0
    calls.bulk_generated(calls.generated_address, page, len(wanted), wanted.ctypes.data, flags.ctypes.data)
    return flags.astype(bool)


def ctypes_generated(textpage: pdfium.PdfTextPage, indexes: np.ndarray) -> np.ndarray:
    """``char_generated`` by a loop of ctypes calls (where the C loop is not built)."""
    calls = _calls()
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p) if calls.unchecked else textpage.raw
    return np.array([calls.generated(handle, index) > 0 for index in indexes.tolist()], dtype=bool)


def char_geometry(textpage: pdfium.PdfTextPage, indexes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(left, right, baseline) of each character: its loose box's sides (right never left of left) and
    its origin's y. (pdfium has no call for many characters at once: these two calls a character are the
    largest part of the reading time left.)"""
    calls = _calls()
    if calls.bulk is not None:
        return _bulk_geometry(calls, textpage, indexes)
    return ctypes_geometry(textpage, indexes)


def ctypes_geometry(textpage: pdfium.PdfTextPage, indexes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``char_geometry`` by a loop of ctypes calls (where the C loop is not built)."""
    calls = _calls()
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p) if calls.unchecked else textpage.raw
    x, y, rect = ctypes.c_double(), ctypes.c_double(), pdfium_c.FS_RECTF()
    x_at, y_at, rect_at = (ctypes.byref(x), ctypes.byref(y), ctypes.byref(rect)) if calls.unchecked else (x, y, rect)
    origin, loose_box = calls.origin, calls.loose_box
    lefts: list[float] = []
    rights: list[float] = []
    bases: list[float] = []
    for index in indexes.tolist():
        origin(handle, index, x_at, y_at)
        loose_box(handle, index, rect_at)
        lefts.append(rect.left)
        rights.append(rect.right)
        bases.append(y.value)
    left = np.array(lefts, dtype=np.float64)
    right = np.array(rights, dtype=np.float64)
    return left, np.where(right > left, right, left), np.array(bases, dtype=np.float64)


def _bulk_geometry(calls: _Calls, textpage: pdfium.PdfTextPage, indexes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``char_geometry`` by one call of the C loop, into arrays made here."""
    wanted = np.ascontiguousarray(indexes, dtype=np.int64)
    count = len(wanted)
    left, right, base = np.empty(count), np.empty(count), np.empty(count)
    if count:
        page = ctypes.cast(textpage.raw, ctypes.c_void_p).value or 0
        calls.bulk(*calls.addresses, page, count, wanted.ctypes.data, left.ctypes.data, right.ctypes.data, base.ctypes.data)
    return left, right, base
