"""The C loop over pdfium's per-character calls (``_pdfium_bulk``) gives exactly the values of the ctypes loop.

Both ask pdfium the same two questions a character (origin, loose box); the ctypes loop is the reader's
path where the module is not built, so any difference would make the reader's output depend on the build.
Every page of every dev plan and of the provincial plan, every character, compared bit for bit; and index
lists in other orders and lengths than a page's (a subset, reversed, empty), as the reader asks for them.
"""

from __future__ import annotations

import unicodedata

import numpy as np
import pypdfium2 as pdfium
import pytest

from hycompliance.ingest.pdf_chars import _spaced_text
from hycompliance.ingest.pdf_columns import (
    _calls,
    _code_kind,
    _code_kinds,
    char_generated,
    char_geometry,
    ctypes_generated,
    ctypes_geometry,
    page_chars,
)
from tests.conftest import DEV, PROVINCIAL

pytestmark = pytest.mark.skipif(
    _calls().bulk is None,
    reason="hycompliance/ingest/_pdfium_bulk is not built (no C compiler at install; `make setup` builds it)")

PDFS = sorted(DEV.glob("*.pdf")) + [PROVINCIAL.with_suffix(".pdf")]


def _same(got: tuple[np.ndarray, ...], want: tuple[np.ndarray, ...]) -> bool:
    return all(a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b) for a, b in zip(got, want, strict=True))


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_c_loop_gives_the_ctypes_values_on_every_page(path) -> None:
    pdf = pdfium.PdfDocument(str(path))
    try:
        characters = generated = 0
        for page in pdf:
            textpage = page.get_textpage()
            count = pdfium.raw.FPDFText_CountChars(textpage.raw)
            every = np.arange(count)
            for indexes in (every, every[::-1], every[::3], every[:0]):
                assert _same(char_geometry(textpage, indexes), ctypes_geometry(textpage, indexes)), (path.name, page)
                flags = char_generated(textpage, indexes)
                assert flags.dtype == bool and np.array_equal(flags, ctypes_generated(textpage, indexes)), (path.name, page)
            characters += count
            generated += int(char_generated(textpage, every).sum())
            textpage.close()
            page.close()
    finally:
        pdf.close()
    assert characters > 1000  # a text PDF: the comparison covered real characters
    assert generated > 0  # pdfium generated spaces (line ends at least): both answers were compared on some


@pytest.mark.parametrize("text", ["Độc lập - Tự do\r\n", "A\u0301 b\u20ac\U0001d400\x00\ufffe\x02", "", "\u3000\ud800x"])
def test_code_kinds_are_each_code_own_kind(text: str) -> None:
    """The table lookup gives each code the kind ``str`` methods give it, codes beyond the table included."""
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    want = [(c in "\r\n\x00") | (unicodedata.combining(c) > 0) << 1 | c.isspace() << 2 | c.isalpha() << 3 for c in text]
    assert _code_kinds(codes).tolist() == want == [_code_kind(ord(c)) for c in text]


@pytest.mark.parametrize(
    ("texts", "index", "spaced", "want"),
    [
        (["K", "ế", " ", "h", "o"], [0, 1, 3, 4], [False, False, True, False], "Kế ho"),
        (["a\u0301", "b", "c\u0323\u0302"], [2, 0, 1], [False, True, True], "c\u0323\u0302 a\u0301 b"),
        (["x"], [], [], ""),
    ],
)
def test_spaced_text_joins_characters_in_reading_order(texts, index, spaced, want) -> None:
    joined, offsets = _spaced_text(texts, np.array(index, dtype=np.int64), np.array(spaced, dtype=bool))
    pieces = [(" " if s else "") + texts[i] for i, s in zip(index, spaced)]
    assert joined == want
    assert [joined[a:b] for a, b in zip(offsets, offsets[1:])] == pieces
    if all(len(text) == 1 for text in texts):  # the page's code points given (``PageChars.codes``): the same
        codes = np.array([ord(text) for text in texts], dtype=np.uint32)
        with_codes = _spaced_text(texts, np.array(index, dtype=np.int64), np.array(spaced, dtype=bool), codes=codes)
        assert with_codes[0] == want and with_codes[1].tolist() == offsets.tolist()


@pytest.mark.parametrize("path", PDFS[:2], ids=lambda p: p.stem)
def test_page_codes_are_the_texts_code_points(path) -> None:
    """Where no character has accent glyphs of its own, ``PageChars.codes`` holds each text's code point (also in
    a subset), so the runs joined from it read what the texts read."""
    pdf = pdfium.PdfDocument(str(path))
    try:
        for page in pdf:
            textpage = page.get_textpage()
            chars = page_chars(textpage)
            textpage.close()
            if chars.codes is None:
                assert any(len(text) > 1 for text in chars.texts)
                continue
            assert chars.codes.tolist() == [ord(text) for text in chars.texts]
            half = chars.subset(np.arange(len(chars)) % 2 == 0)
            assert half.codes is not None and half.codes.tolist() == [ord(text) for text in half.texts]
    finally:
        pdf.close()


@pytest.mark.parametrize("word", ["KẾ HOẠCH", "Độc lập - Tự do - Hạnh phúc", "Triển khai thực hiện"])
def test_values_are_pdfium_boxes_of_the_text(word: str) -> None:
    """A word's characters, found in the page text, get left sides increasing along the word and one baseline
    (independent of either loop: the geometry must describe the characters pdfium reads)."""
    pdf = pdfium.PdfDocument(str(PDFS[0]))
    try:
        for page in pdf:
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            at = text.find(word)
            if at >= 0 and len(text) == pdfium.raw.FPDFText_CountChars(textpage.raw):
                indexes = np.array([at + k for k, ch in enumerate(word) if not ch.isspace()])
                left, right, base = char_geometry(textpage, indexes)
                assert np.all(np.diff(left) > 0) and np.all(right >= left)
                assert np.ptp(base) < 1.0
                return
    finally:
        pdf.close()
    pytest.fail(f"{word!r} not found on any page of {PDFS[0].name}")
