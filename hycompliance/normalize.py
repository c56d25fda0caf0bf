"""Named, pure text-cleaning steps for Vietnamese plan text.

Each function does one thing and says whether it keeps string length (so character offsets into the
text survive it): ``nfc`` (on already composed text), ``normalize_tone_marks`` and
``strip_diacritics`` (on NFC input) keep length; ``fold_whitespace`` and ``dehyphenate_lines`` do not.

>>> strip_diacritics(normalize_tone_marks(nfc("Uỷ ban nhân dân tỉnh Hưng Yên")))
'Uy ban nhan dan tinh Hung Yen'
"""

from __future__ import annotations

import re
import unicodedata
from types import MappingProxyType

# Any run of whitespace, including no-break and other Unicode spaces (``\s`` covers U+00A0, U+2000..).
# Zero-width space/joiners and BOMs left inside text count as whitespace too.
WHITESPACE_RUN = re.compile(r"[\s\u200b\u200c\u200d\u2060\ufeff]+")

# Old-style tone placement ("hoà", "khoẻ", "thuỷ"): in an open syllable ending in the glide+vowel pairs
# oa, oe, uy, the old style marks the second vowel, the new (2018 textbook, and the provincial plan's)
# style marks the first. Group 1: the o/u; group 2: a/e/y carrying a tone; then no letter may follow
# (open syllable; "hoàng", "khuyết" are the same in both styles). "qu" + y is not a pair: in "quý" the
# u belongs to the consonant, so a preceding q/Q excludes the match.
_TONED_AEY = "àáảãạÀÁẢÃẠèéẻẽẹÈÉẺẼẸỳýỷỹỵỲÝỶỸỴ"
OLD_STYLE_TONE = re.compile(
    rf"(?<![qQ])(?:([oO])([{_TONED_AEY[:20]}])|([uU])([{_TONED_AEY[20:]}]))(?![^\W\d_])"
)

# A line end that breaks a hyphenated token: a non-space character, then a hyphen or en dash, at the end.
# "29-" | "NQ/TW" and "2021-" | "2025" are such breaks; "công nghiệp -" (space before) is a dash between
# words and is left alone.
BROKEN_TOKEN_END = re.compile(r"(?<=[^\s\-–])[-–]$")
# A soft hyphen (U+00AD) at a line end marks a word broken by hyphenation: join and drop it.
SOFT_HYPHEN_END = re.compile(r"\u00ad$")
# The next line must start with a letter or digit to continue the token ...
CONTINUATION_START = re.compile(r"^[^\W_]")
# ... and must not start a new labelled item: "II. ", "2. ", "1.2. ", "a) ", "b. ".
LABEL_START = re.compile(r"^(?:[IVXLC]+\.|\d{1,2}(?:\.\d{1,2})*\.|[a-zđ][).])(?:\s|$)")


def nfc(s: str) -> str:
    """Compose to Unicode NFC (one code point per Vietnamese letter).

    >>> len("Hoà"), len(nfc(unicodedata.normalize("NFD", "Hoà")))
    (3, 3)
    """
    return unicodedata.normalize("NFC", s)


def fold_whitespace(s: str) -> str:
    """Collapse every whitespace run (tabs, newlines, no-break and zero-width spaces) to one space; trim.

    >>> fold_whitespace("  Số:\\u00a087/KH-UBND\\t\\n ngày  23 ")
    'Số: 87/KH-UBND ngày 23'
    """
    # (most texts are folded already but for spaces at their ends: every whitespace or zero-width character
    # but " " is unprintable)
    core = s.strip(" ")
    if core.isprintable() and "  " not in core:
        return core
    return WHITESPACE_RUN.sub(" ", s).strip()


def _move_tone(first: str, toned: str) -> str:
    """Move the tone mark of ``toned`` onto ``first``: ("o", "à") → "òa"."""
    decomposed = unicodedata.normalize("NFD", toned)
    base, mark = decomposed[0], decomposed[1:]
    return unicodedata.normalize("NFC", first + mark) + base


def normalize_tone_marks(s: str) -> str:
    """Rewrite old-style tone placement to the new style; keeps length on NFC input.

    >>> normalize_tone_marks("hoà bình, thuỷ lợi, sức khoẻ, HOÀ, Uỷ ban")
    'hòa bình, thủy lợi, sức khỏe, HÒA, Ủy ban'
    >>> normalize_tone_marks("quý, hoàng, khuyết, hoài, xoáy")
    'quý, hoàng, khuyết, hoài, xoáy'
    """

    def repl(m: re.Match[str]) -> str:
        first, toned = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        return _move_tone(first, toned)

    return OLD_STYLE_TONE.sub(repl, s)


def _letter_table(lower: bool) -> MappingProxyType:
    """Every precomposed Latin letter -> its base letter (one char -> one char; lower-cased with ``lower``,
    A-Z too); đ/Đ -> d/D."""
    table: dict[int, str] = {}
    for cp in list(range(0x00C0, 0x0250)) + list(range(0x1E00, 0x1F00)):
        base = unicodedata.normalize("NFD", chr(cp))[0]
        if base.isascii() and base.isalpha():
            table[cp] = base.lower() if lower else base
    table[ord("Đ")], table[ord("đ")] = ("d" if lower else "D"), "d"
    if lower:
        table.update({cp: chr(cp).lower() for cp in range(ord("A"), ord("Z") + 1)})
    return MappingProxyType(table)


BASE_LETTERS = _letter_table(lower=False)
FOLD_LETTERS = _letter_table(lower=True)
COMBINING = MappingProxyType(dict.fromkeys(range(0x0300, 0x0370)))


def strip_diacritics(s: str) -> str:
    """Remove tone and vowel marks for search; đ/Đ become d/D. Keeps length on NFC input.

    >>> strip_diacritics("Đường giao thông nông thôn")
    'Duong giao thong nong thon'
    """
    return s.translate(BASE_LETTERS).translate(COMBINING)


def fold(s: str) -> str:
    """The one search form of a text: no diacritics, đ→d, lower case. Always keeps length (a combining
    mark of decomposed input stays), so offsets into the folded text are offsets into the text.

    >>> fold("Chuyển đổi SỐ, Đường")
    'chuyen doi so, duong'
    """
    return s.translate(FOLD_LETTERS)


def _joins(line: str, following: str) -> str | None:
    """The joined line if ``line`` ends with a token broken at a hyphen that ``following`` continues."""
    if not CONTINUATION_START.match(following) or LABEL_START.match(following):
        return None
    if SOFT_HYPHEN_END.search(line):
        return line[:-1] + following
    if BROKEN_TOKEN_END.search(line[-3:]):  # (the dash, the character before it, a final newline: the pattern
        return line + following  # reads no further back, and searching a whole paragraph costs its length)
    return None


def dehyphenate_lines(lines: list[str]) -> list[str]:
    """Join lines where a hyphenated token was broken at the line end; keep real dashes.

    The hyphen is kept (Vietnamese hyphens join codes and ranges, not syllables), except a soft hyphen.

    >>> dehyphenate_lines(["Nghị quyết số 29-", "NQ/TW ngày 17/11/2022"])
    ['Nghị quyết số 29-NQ/TW ngày 17/11/2022']
    >>> dehyphenate_lines(["giai đoạn 2021-", "2025"])
    ['giai đoạn 2021-2025']
    >>> dehyphenate_lines(["công nghiệp -", "đô thị"])
    ['công nghiệp -', 'đô thị']
    >>> dehyphenate_lines(["kinh tế-", "- Nhiệm vụ"])
    ['kinh tế-', '- Nhiệm vụ']
    """
    out: list[str] = []
    for line in lines:
        if out:
            joined = _joins(out[-1], line)
            if joined is not None:
                out[-1] = joined
                continue
        out.append(line)
    return out


# A line ending in a word or mark that cannot end a sentence or a title: what follows continues it
# ("Sở Kế hoạch và" / "Đầu tư", "Phối hợp với" / "Ban Quản lý ...").
OPEN_END = re.compile(
    r"(?:\b(?:và|của|với|các|những|về|cho|trong|theo|tại|để|đến|từ|là|số|ngày|năm|giai đoạn|thời kỳ)|[,\-–(])\s*$",
    re.IGNORECASE,
)
