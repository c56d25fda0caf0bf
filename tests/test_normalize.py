"""Table tests for the named cleaning steps in hycompliance.normalize."""

from __future__ import annotations

import unicodedata

import pytest

from hycompliance.normalize import (
    dehyphenate_lines,
    fold_whitespace,
    nfc,
    normalize_tone_marks,
    strip_diacritics,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (unicodedata.normalize("NFD", "Kế hoạch"), "Kế hoạch"),
        ("Kế hoạch", "Kế hoạch"),
        (unicodedata.normalize("NFD", "ĐẢNG"), "ĐẢNG"),
    ],
)
def test_nfc(raw: str, expected: str) -> None:
    assert nfc(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Số:\u00a087/KH-UBND  ", "Số: 87/KH-UBND"),
        ("Kế\thoạch\r\nthực   hiện", "Kế hoạch thực hiện"),
        ("a\u200bb", "a b"),
        ("\n\t ", ""),
        ("không đổi", "không đổi"),
        ("", ""),
        ("Số 87\u2060KH", "Số 87 KH"),
        ("\u3000ngày 23\ufeff", "ngày 23"),
        ("Hưng Yên,\u202fngày", "Hưng Yên, ngày"),
        ("kế hoạch ", "kế hoạch"),
    ],
)
def test_fold_whitespace(raw: str, expected: str) -> None:
    assert fold_whitespace(raw) == expected


def test_only_the_space_is_printable_whitespace() -> None:
    """``fold_whitespace`` returns a printable text without double or edge spaces as it is: no other
    printable character may be one it folds."""
    from hycompliance.normalize import WHITESPACE_RUN

    folded = [hex(c) for c in range(0x110000) if chr(c).isprintable() and c != 0x20 and WHITESPACE_RUN.match(chr(c))]
    assert folded == []


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hoà", "hòa"),
        ("hoá", "hóa"),
        ("hoả", "hỏa"),
        ("hoạ", "họa"),
        ("khoẻ", "khỏe"),
        ("thuỷ", "thủy"),
        ("tuỳ", "tùy"),
        ("Uỷ ban", "Ủy ban"),
        ("ỦY BAN", "ỦY BAN"),
        ("HOÀ", "HÒA"),
        ("công nghiệp hoá, hiện đại hoá.", "công nghiệp hóa, hiện đại hóa."),
        # not old-style pairs: closed syllables, qu+y, diphthong + glide
        ("quý", "quý"),
        ("Quỳnh", "Quỳnh"),
        ("hoàng", "hoàng"),
        ("khuyết", "khuyết"),
        ("hoài", "hoài"),
        ("xoáy", "xoáy"),
        ("khuỷu", "khuỷu"),
        ("quá", "quá"),
    ],
)
def test_normalize_tone_marks(raw: str, expected: str) -> None:
    out = normalize_tone_marks(raw)
    assert out == expected
    assert len(out) == len(raw)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Đường", "Duong"),
        ("đô thị", "do thi"),
        ("Nghị quyết số 29-NQ/TW", "Nghi quyet so 29-NQ/TW"),
        ("ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN", "UY BAN NHAN DAN TINH HUNG YEN"),
        ("Ănh Ơi Ư", "Anh Oi U"),
    ],
)
def test_strip_diacritics(raw: str, expected: str) -> None:
    out = strip_diacritics(raw)
    assert out == expected
    assert len(out) == len(raw)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # a document symbol broken after its hyphen
        (["Nghị quyết số 29-", "NQ/TW ngày 17/11/2022"], ["Nghị quyết số 29-NQ/TW ngày 17/11/2022"]),
        (["Chương trình hành động số 34-", "CTr/TU ngày 15/02/2023"], ["Chương trình hành động số 34-CTr/TU ngày 15/02/2023"]),
        # a year range
        (["giai đoạn 2021-", "2025"], ["giai đoạn 2021-2025"]),
        (["giai đoạn 2021–", "2025"], ["giai đoạn 2021–2025"]),
        # a dash between words (space before it) stays a dash, lines stay apart
        (["công nghiệp -", "đô thị"], ["công nghiệp -", "đô thị"]),
        (["kinh tế –", "xã hội"], ["kinh tế –", "xã hội"]),
        # the next line starts a bullet or an item: no join
        (["tiến độ 2021-", "- Tổ chức thực hiện"], ["tiến độ 2021-", "- Tổ chức thực hiện"]),
        (["tiến độ 2021-", "2. Nhiệm vụ"], ["tiến độ 2021-", "2. Nhiệm vụ"]),
        (["tiến độ 2021-", "II. NHIỆM VỤ"], ["tiến độ 2021-", "II. NHIỆM VỤ"]),
        (["tiến độ 2021-", "a) Mục tiêu"], ["tiến độ 2021-", "a) Mục tiêu"]),
        # a bare hyphen line is not a broken token
        (["-", "NQ/TW"], ["-", "NQ/TW"]),
        # soft hyphen: a real hyphenation break, joined without the hyphen
        (["công nghi\u00ad", "ệp"], ["công nghiệp"]),
        # three-line chain
        (["số 29-", "NQ/", "TW"], ["số 29-NQ/", "TW"]),
        (["số 10-", "NQ/TU, 29-", "NQ/TW"], ["số 10-NQ/TU, 29-NQ/TW"]),
        # nothing to do
        (["Kế hoạch", "thực hiện"], ["Kế hoạch", "thực hiện"]),
        ([], []),
    ],
)
def test_dehyphenate_lines(lines: list[str], expected: list[str]) -> None:
    assert dehyphenate_lines(lines) == expected


def test_broken_token_end_needs_only_the_last_three_characters() -> None:
    """``dehyphenate_lines`` looks for a broken token in a line's last three characters only (a paragraph
    joined so far can be long): the same answer as the pattern over the whole line, on every short text."""
    from itertools import product

    from hycompliance.normalize import BROKEN_TOKEN_END

    texts = ["".join(t) for n in range(7) for t in product(["a", "-", "–", " ", "\n", "9", "\t"], repeat=n)]
    differ = [t for t in texts if bool(BROKEN_TOKEN_END.search(t)) != bool(BROKEN_TOKEN_END.search(t[-3:]))]
    assert len(texts) > 100_000 and differ == []
