"""Legacy Vietnamese 8-bit encodings: TCVN3 (ABC, ``.VnTime`` fonts) and VNI (``VNI-Times`` fonts).

Before Unicode, Vietnamese offices typed in fonts whose glyphs sat at Latin-1 code points. A file or a
Word run in such a font, read as cp1252, shows Latin-1 junk: TCVN3 ``"KÕ ho¹ch"`` is ``"Kế hoạch"``;
VNI ``"Keá hoaïch"`` is the same words. TCVN3 puts each precomposed letter on one byte; VNI writes a base
letter followed by a mark byte (``"aø"`` → ``"à"``), with a few one-byte letters (``"ñ"`` → ``"đ"``,
``"ô"`` → ``"ơ"``, ``"ö"`` → ``"ư"``, ``"í"`` → ``"í"``).

The tables below are written per base vowel, tones in the order
``none, grave (huyền), acute (sắc), hook (hỏi), tilde (ngã), dot below (nặng)``; each string is the
Unicode letter and its legacy spelling. Encoders (``unicode_to_tcvn3``/``unicode_to_vni``) exist so tests
can round-trip real sentences.

>>> tcvn3_to_unicode("KÕ ho¹ch thùc hiÖn")
'Kế hoạch thực hiện'
>>> vni_to_unicode("Keá hoaïch thöïc hieän")
'Kế hoạch thực hiện'
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

Legacy = Literal["tcvn3", "vni"]
LEGACY_NAMES: tuple[Legacy, ...] = ("tcvn3", "vni")

# Unicode vowel rows: each base letter with its six tones (none, grave, acute, hook, tilde, dot).
_UNICODE_ROWS: dict[str, str] = {
    "a": "aàáảãạ", "ă": "ăằắẳẵặ", "â": "âầấẩẫậ", "e": "eèéẻẽẹ", "ê": "êềếểễệ", "i": "iìíỉĩị",
    "o": "oòóỏõọ", "ô": "ôồốổỗộ", "ơ": "ơờớởỡợ", "u": "uùúủũụ", "ư": "ưừứửữự", "y": "yỳýỷỹỵ",
}

# TCVN3 (TCVN 5712:1993 VN3, the ABC ".VnTime" fonts): one cp1252 character per lower-case letter,
# same row/tone order as _UNICODE_ROWS. Upper-case toned letters do not exist in VN3: headings use the
# ".VnTimeH" fonts, which draw capitals at these same lower-case code points.
_TCVN3_ROWS: dict[str, str] = {
    "a": "aµ¸¶·¹", "ă": "¨»¾¼½Æ", "â": "©ÇÊÈÉË", "e": "eÌÐÎÏÑ", "ê": "ªÒÕÓÔÖ", "i": "i×ÝØÜÞ",
    "o": "oßãáâä", "ô": "«åèæçé", "ơ": "¬êíëìî", "u": "uïóñòô", "ư": "\xadõøö÷ù", "y": "yúýûüþ",
}
# TCVN3 letters outside the vowel rows: đ and the seven toneless capitals VN3 does carry.
_TCVN3_EXTRA: dict[str, str] = {
    "đ": "®", "Ă": "¡", "Â": "¢", "Ê": "£", "Ô": "¤", "Ơ": "¥", "Ư": "¦", "Đ": "§",
}

# VNI Windows ("VNI-Times"): base letter + mark characters. Tone marks after a plain or hooked vowel.
_VNI_TONES_LOWER = ("", "ø", "ù", "û", "õ", "ï")
_VNI_TONES_UPPER = ("", "Ø", "Ù", "Û", "Õ", "Ï")
# Circumflex (â ê ô) and breve (ă) combine with the tone into a single mark character.
_VNI_CIRCUMFLEX_LOWER = ("â", "à", "á", "å", "ã", "ä")
_VNI_CIRCUMFLEX_UPPER = ("Â", "À", "Á", "Å", "Ã", "Ä")
_VNI_BREVE_LOWER = ("ê", "è", "é", "ú", "ü", "ë")
_VNI_BREVE_UPPER = ("Ê", "È", "É", "Ú", "Ü", "Ë")
# Letters VNI writes as one character: ơ ư (then tone marks follow), đ, the toned i's and ỵ.
_VNI_SINGLE_LOWER = {"ơ": "ô", "ư": "ö", "đ": "ñ", "ì": "ì", "í": "í", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}
_VNI_SINGLE_UPPER = {"Ơ": "Ô", "Ư": "Ö", "Đ": "Ñ", "Ì": "Ì", "Í": "Í", "Ỉ": "Æ", "Ĩ": "Ó", "Ị": "Ò", "Ỵ": "Î"}


def _tcvn3_encode_table() -> dict[str, str]:
    """Unicode letter → TCVN3 character (lower-case and the seven toneless capitals)."""
    table = {uni: leg for base, row in _UNICODE_ROWS.items() for uni, leg in zip(row, _TCVN3_ROWS[base])}
    table.update(_TCVN3_EXTRA)
    return {uni: leg for uni, leg in table.items() if uni != leg}


def _vni_encode_table() -> dict[str, str]:
    """Unicode letter → VNI spelling, both cases."""
    table: dict[str, str] = {}
    for upper in (False, True):
        tones = _VNI_TONES_UPPER if upper else _VNI_TONES_LOWER
        circ = _VNI_CIRCUMFLEX_UPPER if upper else _VNI_CIRCUMFLEX_LOWER
        breve = _VNI_BREVE_UPPER if upper else _VNI_BREVE_LOWER
        single = _VNI_SINGLE_UPPER if upper else _VNI_SINGLE_LOWER
        case = str.upper if upper else str.lower
        for base, row in _UNICODE_ROWS.items():
            letters = [case(ch) for ch in row]
            if base in "aeouy":
                spellings = [case(base) + tone for tone in tones]
            elif base in "âêô":
                spellings = [case(unicodedata.normalize("NFD", base)[0]) + mark for mark in circ]
            elif base == "ă":
                spellings = [case("a") + mark for mark in breve]
            elif base in "ơư":
                spellings = [single[case(base)] + tone for tone in tones]
            else:  # i: plain i, then one character per tone
                spellings = [case("i")] + [single[ch] for ch in letters[1:]]
            table.update(zip(letters, spellings))
        table.update(single)  # after the rows: ỵ/Ỵ are one character, not y + dot mark
    return {uni: leg for uni, leg in table.items() if uni != leg}


TCVN3_ENCODE: dict[str, str] = _tcvn3_encode_table()
TCVN3_DECODE: dict[str, str] = {leg: uni for uni, leg in TCVN3_ENCODE.items()}
VNI_ENCODE: dict[str, str] = _vni_encode_table()
VNI_DECODE: dict[str, str] = {leg: uni for uni, leg in VNI_ENCODE.items()}

_TCVN3_TRANSLATION = str.maketrans(TCVN3_DECODE)
# VNI spellings, longest first so "oâ" (ô) wins over "o" and "ôø" (ờ) over "ô" (ơ).
# Any character a TCVN3 or VNI spelling uses: text without one cannot be legacy.
LEGACY_CHARACTERS = re.compile("[" + re.escape("".join(sorted(set("".join(TCVN3_DECODE) + "".join(VNI_DECODE)) - set("aeiouyAEIOUY")))) + "]")
_VNI_PATTERN = re.compile("|".join(re.escape(s) for s in sorted(VNI_DECODE, key=len, reverse=True)))
_TCVN3_ENCODE_TRANSLATION = str.maketrans(TCVN3_ENCODE)
_VNI_ENCODE_TRANSLATION = str.maketrans(VNI_ENCODE)

# --- detection -------------------------------------------------------------------------------------
#
# Statistical: read the text each way (as it is, as TCVN3, as VNI) and count the words that are
# well-formed Vietnamese syllables (onset + vowel nucleus + coda, at most one tone mark). Real Vietnamese
# scores 75-95% (abbreviations such as UBND, NQ/TW are the rest); legacy text read as cp1252 is full of
# Latin-1 symbols and impossible letter sequences ("ho¹ch", "thöïc"), and reading Unicode or the other
# legacy encoding through the wrong table breaks syllables the same way. A conversion is chosen only
# when it makes a clearly larger share of words well-formed.

# Syllable onsets, longest first.
_ONSETS = "ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|b|c|d|đ|g|h|k|l|m|n|p|r|s|t|v|x"
# Vowel nuclei with their glides, without tone marks, longest first.
_NUCLEI = (
    "iêu|yêu|oai|oay|oao|oeo|uây|uôi|ươi|ươu|uya|uyê|uyu|"
    "ai|ao|au|ay|âu|ây|eo|êu|ia|iê|iu|oa|oă|oe|oi|oo|ôi|ơi|ua|uâ|uê|ui|uô|uơ|uy|ưa|ưi|ưu|ươ|yê|"
    "a|ă|â|e|ê|i|o|ô|ơ|u|ư|y"
)
_CODAS = "ng|nh|ch|c|m|n|p|t"
SYLLABLE = re.compile(rf"(?:{_ONSETS})?(?:{_NUCLEI})(?:{_CODAS})?")
# The five tone marks as combining characters (grave, acute, tilde, hook, dot below).
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
# Punctuation stripped from both ends of a word before the syllable test.
WORD_PUNCTUATION = ".,;:!?()[]{}\"'“”‘’…-–—/%*"
# Detection reads this many leading characters (a few thousand words decide it).
DETECT_SAMPLE_CHARS = 20_000
# A conversion must make at least this much larger a share of words well-formed ...
MIN_SHARE_GAIN = 0.15
# ... and at least this many more words (too little text says nothing).
MIN_WORDS_GAINED = 3


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """True for one well-formed Vietnamese syllable (any case, one tone mark at most).

    >>> [is_syllable(w) for w in ("Nghị", "quyết", "HƯỚNG", "khuỷu", "hoạch")]
    [True, True, True, True, True]
    >>> [is_syllable(w) for w in ("ho¹ch", "thửùc", "UBND", "hieän", "ñaûng")]
    [False, False, False, False, False]
    """
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(1 for ch in decomposed if ch in TONE_MARKS) > 1:
        return False
    toneless = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in TONE_MARKS))
    return SYLLABLE.fullmatch(toneless) is not None


@dataclass(frozen=True)
class Reading:
    """How Vietnamese one reading of a text looks."""

    words: int  # words holding at least one letter
    syllables: int  # of which well-formed Vietnamese syllables

    @property
    def share(self) -> float:
        return self.syllables / max(1, self.words)


def measure(text: str) -> Reading:
    """Count words with letters and, among them, well-formed Vietnamese syllables.

    >>> measure("Kế hoạch số 87/KH-UBND")
    Reading(words=4, syllables=3)
    >>> measure("KÕ ho¹ch sè 87/KH-UBND")
    Reading(words=4, syllables=2)
    """
    words = [w.strip(WORD_PUNCTUATION) for w in text.split()]
    lettered = [w for w in words if any(ch.isalpha() for ch in w)]
    return Reading(words=len(lettered), syllables=sum(1 for w in lettered if is_syllable(w)))


def better_reading(baseline: Reading, candidate: Reading) -> bool:
    """True when ``candidate`` has clearly more well-formed syllables than ``baseline``.

    >>> better_reading(measure("KÕ ho¹ch thùc hiÖn NghÞ"), measure("Kế hoạch thực hiện Nghị"))
    True
    """
    return (
        candidate.share - baseline.share >= MIN_SHARE_GAIN
        and candidate.syllables - baseline.syllables >= MIN_WORDS_GAINED
    )


def detect_legacy(text: str) -> Legacy | None:
    """Which legacy encoding ``text`` (legacy bytes read as cp1252) is written in, if any.

    >>> detect_legacy("KÕ ho¹ch thùc hiÖn NghÞ quyÕt sè 29-NQ/TW")
    'tcvn3'
    >>> detect_legacy("Keá hoaïch thöïc hieän Nghò quyeát soá 29-NQ/TW")
    'vni'
    >>> detect_legacy("Kế hoạch thực hiện Nghị quyết số 29-NQ/TW") is None
    True
    """
    sample = text[:DETECT_SAMPLE_CHARS]
    if not LEGACY_CHARACTERS.search(sample):
        return None
    baseline = measure(sample)
    readings = {name: measure(to_unicode(sample, name)) for name in LEGACY_NAMES}
    best = max(LEGACY_NAMES, key=lambda name: readings[name].syllables)
    return best if better_reading(baseline, readings[best]) else None


def tcvn3_to_unicode(text: str) -> str:
    """Convert TCVN3 text (read as cp1252) to Unicode NFC.

    >>> tcvn3_to_unicode("TØnh H\\xadng Yªn, ngµy 23 th¸ng 5 n¨m 2023")
    'Tỉnh Hưng Yên, ngày 23 tháng 5 năm 2023'
    """
    return unicodedata.normalize("NFC", text.translate(_TCVN3_TRANSLATION))


def vni_to_unicode(text: str) -> str:
    """Convert VNI text (read as cp1252) to Unicode NFC.

    >>> vni_to_unicode("Höng Yeân, ngaøy 23 thaùng 5 naêm 2023")
    'Hưng Yên, ngày 23 tháng 5 năm 2023'
    >>> vni_to_unicode("ÑAÛNG")
    'ĐẢNG'
    """
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda m: VNI_DECODE[m.group()], text))


def unicode_to_tcvn3(text: str) -> str:
    """Encode Unicode text as TCVN3 characters (toned capitals, absent from VN3, become lower case).

    >>> unicode_to_tcvn3("Hưng Yên")
    'H\\xadng Yªn'
    """
    nfc = unicodedata.normalize("NFC", text)
    lowered = "".join(ch.lower() if ch.lower() in TCVN3_ENCODE and ch not in TCVN3_ENCODE else ch for ch in nfc)
    return lowered.translate(_TCVN3_ENCODE_TRANSLATION)


def unicode_to_vni(text: str) -> str:
    """Encode Unicode text in VNI spelling.

    >>> unicode_to_vni("Đảng")
    'Ñaûng'
    """
    return unicodedata.normalize("NFC", text).translate(_VNI_ENCODE_TRANSLATION)


def to_unicode(text: str, legacy: Legacy) -> str:
    """Dispatch to the converter for ``legacy``."""
    return tcvn3_to_unicode(text) if legacy == "tcvn3" else vni_to_unicode(text)
