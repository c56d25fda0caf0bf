"""Targets written in sentences: "R&D đạt 2% GDP", "trên 55%", "100% các khu công nghiệp", "tối thiểu 1 trạm".

A *quantity* is a number with a comparator before it or a unit after it (``%`` or a unit word of
rules/catalogue/derive.yaml). Document numbers ("57-NQ/TW"), dates and years ("năm 2030", "2021-2025") are
not quantities: years give the period of the quantities of their clause. The indicator is what the clause
says before the quantity (or after it, when the quantity leads: "100% các khu công nghiệp ...").
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from hycompliance.models import Target, TargetValue
from hycompliance.text import REFERENCE, normalize

NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:,\d+)?"
DATE = re.compile(r"ngày\s+\d{1,2}\s+tháng\s+\d{1,2}\s+năm\s+\d{4}|\d{1,2}/\d{1,2}/\d{4}|tháng\s+\d{1,2}(?:/\d{4})?|\d{1,2}/\d{4}")
YEAR_RANGE = re.compile(r"\b((?:19|20)\d{2})\s*[-–]\s*((?:19|20)\d{2})\b")
YEAR = re.compile(r"\b((?:19|20)\d{2})\b")
# Clauses of a sentence: split at ";" and at sentence ends.
CLAUSE_SPLIT = re.compile(r";\s+|(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")


@dataclass(frozen=True)
class Quantity:
    comparator: str
    value: float
    high: float | None
    unit: str | None
    start: int
    end: int


def parse_number(text: str) -> float:
    """A Vietnamese number: dot for thousands, comma for decimals ("5.100", "3,6", "1.234,5")."""
    if "," in text:
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return float(text.replace(".", ""))
    return float(text)


def _mask(text: str) -> str:
    """Blank out what holds digits but is no quantity: document numbers, dates, year ranges, "số 3"."""
    out = text
    for pattern in (REFERENCE, DATE, YEAR_RANGE):
        out = pattern.sub(lambda m: " " * len(m.group(0)), out)
    return out


def _pattern(words: Mapping) -> re.Pattern[str]:
    def alternatives(items: Sequence[str]) -> str:
        return "|".join(re.escape(w) for w in sorted(items, key=len, reverse=True)) or "(?!)"

    cmp, unit = alternatives(list(words["comparators"])), alternatives(words["units"])
    filler, of = alternatives(words["comparator_fillers"]), alternatives(words["percent_of"])
    return re.compile(
        rf"(?:(?P<cmp>{cmp})\s*(?:(?:{filler})\s+)?)?(?<![\d.,])(?P<a>{NUMBER})(?:\s*[-–]\s*(?P<b>{NUMBER}))?"
        rf"(?:\s*(?P<unit>%(?:\s*(?:{of}))?|(?:{unit})\b))?",
        re.IGNORECASE,
    )


def quantities(text: str, words: Mapping) -> list[Quantity]:
    """The quantities of a text, in order. ``words``: comparators (as written -> canonical), units,
    comparator_fillers ("tối thiểu có 5"), percent_of ("2% GDP") of rules/catalogue/derive.yaml.

    >>> words = {"comparators": {"đạt": "đạt", "trên": "trên", "tối thiểu": "trên", "hơn": "trên"},
    ...          "units": ["trạm"], "comparator_fillers": ["có"], "percent_of": ["GDP"]}
    >>> [(q.comparator, q.value, q.unit) for q in quantities("R&D đạt 2% GDP, xã hội chiếm hơn 60%", words)]
    [('đạt', 2.0, '% GDP'), ('trên', 60.0, '%')]
    >>> [(q.comparator, q.value, q.unit) for q in quantities("tối thiểu 1 trạm quan trắc đến năm 2030", words)]
    [('trên', 1.0, 'trạm')]
    >>> quantities("Nghị quyết số 57-NQ/TW ngày 22/12/2024, giai đoạn 2021-2025", words)
    []
    """
    comparators = words["comparators"]
    masked = _mask(normalize(text))
    out = []
    for m in _pattern(words).finditer(masked):
        word, unit = (m.group("cmp") or "").lower(), m.group("unit")
        if not word and not unit:
            continue  # a bare number: "nhóm 3", "Dự án 1"
        if not unit and YEAR.fullmatch(m.group("a")):
            continue  # "đến 2030"
        comparator = comparators.get(word) if word else None
        high = parse_number(m.group("b")) if m.group("b") else None
        comparator = comparator or ("từ" if high is not None else "đạt")
        out.append(Quantity(comparator, parse_number(m.group("a")), high, unit, m.start(), m.end()))
    return out


def period_of(text: str) -> str | None:
    """The period a clause speaks of: "2021-2025" for a range, else the last year it names ("đến năm 2030")."""
    if m := YEAR_RANGE.search(text):
        return f"{m.group(1)}-{m.group(2)}"
    years = YEAR.findall(_mask_references(text))
    return years[-1] if years else None


def _mask_references(text: str) -> str:
    return DATE.sub(" ", REFERENCE.sub(" ", text))


# When the quantity leads ("100% các khu công nghệ cao, khu công nghiệp, cụm công nghiệp có ..."), the indicator
# is what follows it: comma-separated pieces are taken while fewer than this many words are taken.
INDICATOR_AFTER_WORDS = 12


def _strip_lead(before: str, lead_words: Sequence[str], fillers: Sequence[str]) -> str:
    """``before`` without the verb that leads to the quantity ("đạt", "ở mức") and the fillers that open it
    ("Phấn đấu", "Hằng năm,")."""
    for w in sorted(lead_words, key=len, reverse=True):
        before = re.sub(rf"\s*\b{re.escape(w)}$", "", before, flags=re.IGNORECASE).strip(" ,:;-–")
    for w in sorted(fillers, key=len, reverse=True):
        before = re.sub(rf"^{re.escape(w)}\b\s*(?:\d{{4}})?", "", before, flags=re.IGNORECASE).strip(" ,:;-–")
    return before


def _after(clause: str, q: Quantity) -> str:
    """The words after a leading quantity: its comma-separated pieces while fewer than
    ``INDICATOR_AFTER_WORDS`` words are taken (a list of places or people is kept whole, a long tail is not)."""
    taken: list[str] = []
    for piece in clause[q.end :].strip(" ,:;-–.").split(","):
        if taken and sum(len(t.split()) for t in taken) >= INDICATOR_AFTER_WORDS:
            break
        if piece.strip():
            taken.append(piece.strip(" .;"))
    return ", ".join(taken)


def _indicator(clause: str, q: Quantity, cfg: Mapping) -> str:
    """What the clause measures: the words before the quantity without the verb that leads to it ("đạt",
    "ở mức") and without fillers ("Phấn đấu", "Hằng năm,"); the words after it when nothing is left.

    A lead-in that says where or for whom, not what is measured — a label before a colon ("Tại địa bàn đô
    thị: 100% trẻ em ... được nuôi dưỡng") or a phrase opening with a scope word of
    ``indicator_scope_words`` ("ở các khu đô thị ven biển, đảm bảo 100% chất thải nguy hại ...") — is kept
    as a prefix of what follows the quantity ("Tại địa bàn đô thị: trẻ em ... được nuôi dưỡng"), so that two
    targets of one value for two places stay apart.
    """
    lead_words, fillers = cfg["indicator_lead_words"], cfg["indicator_fillers"]
    scopes = [re.compile(rf"{re.escape(w)}\b", re.IGNORECASE) for w in cfg.get("indicator_scope_words", ())]
    before = clause[: q.start].strip(" ,;-–")
    label = ""
    if ":" in before:
        label, before = (part.strip(" ,:;-–") for part in before.rsplit(":", 1))
        label = _strip_lead(label, lead_words, fillers)  # "Đến hết năm 2025:" is a period, not a label
    before = _strip_lead(before, lead_words, fillers)
    if not label and any(w.match(before) for w in scopes):
        label, before = before, ""
    if len(before.split()) < 2:
        before = _after(clause, q) or before
    return f"{label}: {before}" if label and before else before or label


def sentence_target(text: str, context_period: str | None, cfg: Mapping) -> Target | None:
    """The target a bullet or sentence sets, or None when it holds no quantity.

    One value per quantity, each with the period of its clause (or of its heading when the clause names
    none); the unit is that of the first quantity. The indicator is what the first quantity of each clause
    measures, joined by "; " when the clauses measure different things: a Party resolution's paragraph
    "Đóng góp của năng suất nhân tố tổng hợp (TFP) ... trên 55%; tỉ trọng xuất khẩu sản phẩm công nghệ cao
    ... tối thiểu 50%. Quy mô kinh tế số đạt tối thiểu 30% GDP." sets three indicators, and a plan restating
    any of them restates that target.
    """
    clean = normalize(text)
    values: list[TargetValue] = []
    indicators: list[str] = []
    unit = None
    for clause in CLAUSE_SPLIT.split(clean):
        found = quantities(clause, cfg)
        period = period_of(clause) or context_period or ""
        for k, q in enumerate(found):
            phrase = clause[q.start : q.end].strip()
            values.append(TargetValue(period, q.comparator, q.value, q.high, phrase, q.unit))
            if k == 0:
                if not indicators:
                    unit = q.unit
                indicator = _indicator(clause, q, cfg)
                if indicator and indicator not in indicators:
                    indicators.append(indicator)
    if not values:
        return None
    return Target("; ".join(indicators) or clean, unit, tuple(values))
