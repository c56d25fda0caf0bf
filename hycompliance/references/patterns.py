"""Regular expressions for citations of Vietnamese Party and State documents.

Built from named, commented parts in the manner of eyecite's ``regexes.py``. Every pattern runs on the
*folded* text (``fold``): lower case, Vietnamese diacritics removed, ``đ`` -> ``d``, one character for
one character, so offsets in the folded text are offsets in the original. Folding makes typos in the
diacritics harmless ("sô 25-CT/TU", "Nghi quyet", "34-CTR/TU") and lets one pattern serve the printed
title in capitals and the running text.

Words that come from the rules (type words, issuer names) are joined into patterns by the functions at the
end; the constants here hold the fixed grammar of symbols, dates and named documents.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from types import MappingProxyType

from hycompliance.normalize import fold  # noqa: F401  (the one diacritic fold; used as P.fold)


# --- Building blocks -----------------------------------------------------------------------------

# Spaces inside a symbol or between words, at most one hard line break ("29-\nNQ/TW", "07- NQ/TU").
GAP = r"[ \t]*(?:\n[ \t]*)?"
# Whitespace between the words of a phrase, line breaks included ("Ban\nChấp hành").
WS = r"\s+"
# The document number: 1-5 digits, a leading zero kept ("07-NQ/TU"); the Government's numbered series
# carry a decimal part ("66.2/2025/NQ-CP").
NUMBER = r"\d{1,5}(?:\.\d{1,3})?"
# A year inside a legal normative symbol (30/2020/NĐ-CP).
YEAR = r"(?:19|20)\d\d"
# A code in a symbol (type or issuer): a letter, then letters/digits ("nq", "ctr", "ddqh15", "ubtvqh14").
CODE = r"[a-z][a-z0-9&]{0,11}"
# Issuer part of a State symbol: one or more codes joined by hyphens ("ubnd", "vpcp-nn", "tcts-ntts").
ISSUER_CODES = rf"{CODE}(?:-{CODE})*"
# Nothing glued to the left of a number (no "1/2/30-NQ"), nothing glued to the right of a symbol.
LEFT_EDGE = r"(?<![\w/.\-])"
RIGHT_EDGE = r"(?![\w&])"

# Party form (Hướng dẫn 36-HD/VPTW): number-TYPE/ISSUER.   29-NQ/TW, 34-CTr/TU, 3260-KH/ĐĐQH15
PARTY_SYMBOL = rf"(?P<p_num>{NUMBER}){GAP}-{GAP}(?P<p_type>{CODE}){GAP}/{GAP}(?P<p_issuer>{CODE})"

# State form (Nghị định 30/2020/NĐ-CP): number[/year]/TYPE-ISSUER, a law's number/year/QHnn,
# or a letter's number/ISSUER-UNIT.   87/KH-UBND, 30/2020/NĐ-CP, 60/2024/QH15, 5/VPCP-NN
STATE_SYMBOL = (
    rf"(?P<s_num>{NUMBER})(?:{GAP}/{GAP}(?P<s_year>{YEAR}))?{GAP}/{GAP}(?P<s_type>{CODE})"
    rf"(?:[ \t]*-[ \t]*(?P<s_issuer>{ISSUER_CODES}))?"
)

SYMBOL_RE = re.compile(rf"{LEFT_EDGE}(?:{PARTY_SYMBOL}|{STATE_SYMBOL}){RIGHT_EDGE}")
# A space or tab beside a separator inside a symbol ("57- NQ/TW", "71/NQ -CP"); a line break is a
# layout artefact (a PDF line wrap), not a slip.
SPACED_SEPARATOR_RE = re.compile(r"[ \t]+[-/]|[-/][ \t]+")

# A document's own symbol left without its number, as drafts leave it for the clerk ("số /NQ-CP",
# "Số: ..../KH-UBND"), with its date if any: a real one, or a blank "ngày / /2025", "ngày ... tháng ... năm 2025".
BLANK = r"(?:\.{2,}|…|_{2,})"
BLANK_DATE = (
    rf"[ \t]*,?[ \t]*ngay[ \t]*(?:\d{{1,2}}|{BLANK})?[ \t]*/[ \t]*(?:\d{{1,2}}|{BLANK})?[ \t]*/[ \t]*(?P<blank_year>{YEAR})"
    rf"|[ \t]*,?[ \t]*ngay[ \t]*(?:{BLANK}[ \t]*)?thang[ \t]*(?:\d{{1,2}}|{BLANK})?[ \t]*nam[ \t]*(?P<blank_year2>{YEAR})"
)
UNFILLED_RE = re.compile(
    rf"(?<![\w/])so{GAP}:?[ \t]*(?:{BLANK}[ \t]*)?/{GAP}(?P<u_type>{CODE})(?:[ \t]*-[ \t]*(?P<u_issuer>{ISSUER_CODES}))?{RIGHT_EDGE}"
)
BLANK_DATE_RE = re.compile(BLANK_DATE)

# --- Dates ---------------------------------------------------------------------------------------

# 15/6/2021, 15-6-2021, 15.6.2021 (spaces and one line break tolerated around the separators).
DATE_NUMERIC = rf"(?P<d1>\d{{1,2}}){GAP}[/.\-]{GAP}(?P<m1>\d{{1,2}}){GAP}[/.\-]{GAP}(?P<y1>{YEAR})"
# ngày 15 tháng 6 năm 2021
DATE_WORDS = rf"(?P<d2>\d{{1,2}}){WS}thang{WS}(?P<m2>\d{{1,2}}){WS}nam{WS}(?P<y2>{YEAR})"
DATE = rf"(?:{DATE_NUMERIC}|{DATE_WORDS})(?!\d)"
DATE_RE = re.compile(DATE)
# The date right after a symbol: optional comma, optional "ngày" / "ban hành ngày".
DATE_AFTER_RE = re.compile(rf"[ \t]*,?{GAP}(?:(?:ban{WS}hanh{WS})?ngay{GAP}:?{GAP})?{DATE}")
# The header's place-and-date line after "Số: ..." ("Hưng Yên, ngày 23 tháng 5 năm 2023").
HEADER_DATE_RE = re.compile(rf"ngay{WS}{DATE}")

# --- Words before and after a symbol ------------------------------------------------------------

# "số" with any diacritic typo ("sô", "sồ"), optionally followed by a colon.
SO = rf"so{GAP}:?{GAP}"
# The plan's own number in its header: "Số: 87/KH-UBND" at the start of a line.
HEADER_NUMBER_RE = re.compile(rf"(?:^|\n)[ \t|]*so{GAP}:{GAP}$")
# A term of the Party congress or the Assembly written after an issuer ("khóa XIX", "(khóa XIII)").
TERM = rf"\(?khoa{WS}[ivxl]+\)?"
# Before the issuer's name: "của", "của Hội nghị lần thứ năm", or (after a comma) "Hội nghị ...".
MEETING = rf"(?:hoi{WS}nghi|ky{WS}hop)(?:{WS}lan{WS}thu)?{WS}[a-z0-9]+{WS}"
ISSUER_LEAD = rf"[ \t]*,?{GAP}(?:{TERM}{WS})?(?:cua{WS}(?:{MEETING})?|{MEETING})"
# A list header whose issuer covers the items after it: "các Quyết định của UBND tỉnh: số ...".
LIST_HEADER_TAIL = rf"{WS}cua{WS}(?P<issuer>[^:;.\n]{{3,60}}?){GAP}:{GAP}(?:{SO})?$"

# --- Documents cited by name, without a number ---------------------------------------------------

# Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng; Nghị quyết Đại hội XIX Đảng bộ tỉnh
LEVEL = rf"dang{WS}bo{WS}(?:tinh|huyen|thi{WS}xa|thanh{WS}pho)"
NAMED_CONGRESS = (
    rf"nghi{WS}quyet{WS}dai{WS}hoi(?:{WS}dai{WS}bieu)?(?:{WS}(?P<national>toan{WS}quoc))?(?:{WS}{LEVEL})?"
    rf"(?:{WS}lan{WS}thu)?{WS}[ivxl]+\b(?:{WS}(?:cua{WS}dang\b(?!{WS}bo)|(?:cua{WS})?{LEVEL}))?"
)
# Nghị quyết Trung ương 6 khóa XI; Nghị quyết Hội nghị Trung ương 5 khóa XII
NAMED_PLENUM = (
    rf"nghi{WS}quyet{WS}(?:hoi{WS}nghi{WS})?(?:ban{WS}chap{WS}hanh{WS})?trung{WS}uong{WS}(?:lan{WS}thu{WS})?"
    rf"\d{{1,2}}(?:{WS}{TERM})?"
)
# Quy hoạch tỉnh Hưng Yên thời kỳ 2021-2030, tầm nhìn đến năm 2050
NAMED_PLANNING = (
    rf"quy{WS}hoach{WS}(?:tinh|tong{WS}the{WS}quoc{WS}gia|vung)(?:{WS}[a-z]+){{0,4}}?{WS}"
    rf"(?:thoi{WS}ky|giai{WS}doan){WS}{YEAR}{GAP}-{GAP}{YEAR}(?:,?{WS}tam{WS}nhin(?:{WS}den)?(?:{WS}nam)?{WS}{YEAR})?"
)
NAMED_RE = re.compile(
    rf"(?<!\w)(?:(?P<congress>{NAMED_CONGRESS})|(?P<plenum>{NAMED_PLENUM})|(?P<planning>{NAMED_PLANNING}))"
)

# A deadline: "hoàn thành trước ngày 15/5/2023", "chậm nhất ngày 30/6/2023".
DEADLINE_RE = re.compile(
    rf"(?:(?:hoan{WS}thanh|xong|gui|bao{WS}cao)[^.;\n]{{0,40}}?{WS})?(?:truoc|cham{WS}nhat(?:{WS}la)?|han{WS}chot){WS}ngay{WS}{DATE}"
)


# --- Patterns built from rule words ---------------------------------------------------------------


def alternation(words: Iterable[str]) -> str:
    """Folded words as one regex alternation, longest first, spaces matching any whitespace."""
    parts = sorted({fold(w).strip() for w in words if w.strip()}, key=len, reverse=True)
    return "|".join(WS.join(re.escape(p) for p in part.split()) for part in parts)


def type_before_re(type_words: Iterable[str]) -> re.Pattern[str]:
    """The type word right before a symbol: "Nghị quyết số ", "CTr hành động số ", "Kế hoạch ".

    Searched on a short window ending at the symbol; the match must end exactly there.
    """
    return re.compile(
        rf"(?<!\w)(?P<word>{alternation(type_words)})(?:{WS}hanh{WS}dong)?(?:{WS}(?P<so>{SO})|{GAP}(?P<so2>{SO})|{GAP})$"
    )


def so_before_re() -> re.Pattern[str]:
    """A bare "số" right before a symbol, as in the items of a list ("; số 28-CT/TU")."""
    return re.compile(rf"(?<!\w)(?P<so>{SO})$")


def issuer_after_re(issuer_names: Iterable[str]) -> re.Pattern[str]:
    """The issuer phrase right after a symbol or its date: ", của Ban Chấp hành Đảng bộ tỉnh"."""
    return re.compile(rf"{ISSUER_LEAD}(?P<issuer>{alternation(issuer_names)})(?!\w)")


def issuer_name_re(issuer_names: Iterable[str]) -> re.Pattern[str]:
    """An issuer name anywhere in a phrase (for list headers and short forms)."""
    return re.compile(rf"(?<!\w)(?P<issuer>{alternation(issuer_names)})(?!\w)")


def short_form_re(type_words: Iterable[str]) -> re.Pattern[str]:
    """A type word and a bare number: "Nghị quyết 29", "NQ số 10", "CTr 34", "Kế hoạch số 87".

    The number must not continue into a symbol, a date or a range ("Kế hoạch 5 năm" is rejected later
    because nothing resolves it and it has no "số").
    """
    return re.compile(
        rf"(?<!\w)(?P<word>{alternation(type_words)})(?:{WS}hanh{WS}dong)?{WS}(?P<so>{SO})?(?P<num>{NUMBER})"
        rf"(?![\w&]|{GAP}[/\-.,]{GAP}\w)"
    )


def self_reference_re(type_words: Iterable[str]) -> re.Pattern[str]:
    """The plan naming itself: "Kế hoạch này", "Chương trình này"."""
    return re.compile(rf"(?<!\w)(?P<word>{alternation(type_words)}){WS}nay(?!\w)")
