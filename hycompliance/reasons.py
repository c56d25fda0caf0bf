"""Which words may be shown to a reviewer as shared key terms.

Whether the semantic re-rank decided a match is the re-rank's to say (hycompliance.rerank: ``SemanticHit``,
carried on ``Evidence.semantic``); the coverage stage then gives the reason ``restated``.

Shared key terms are content words of the requirement (no section labels, no roman numerals, no words of
rules/boilerplate.yaml's ``not_key_terms``, not the submitting body's own place names); the coverage stage
(``hycompliance.coverage``) applies this when it judges a cell.
"""

from __future__ import annotations

import re
from functools import lru_cache

from hycompliance import rules
from hycompliance.models import Plan
from hycompliance.text import Lexicon, normalize


# An administrative unit before a place name: "UBND huyện Văn Lâm", "xã Như Quỳnh", "tỉnh Hưng Yên".
PLACE_UNIT = re.compile(r"\b(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)\s+(.+)$", re.IGNORECASE)
# A label rather than a word: a roman numeral ("iii"), one letter ("a", "đ") or a number ("2", "3.1", "2025").
LABEL = re.compile(r"[ivxlc]+|\w|\d+(?:[.,]\d+)*")


def own_places(plan: Plan) -> frozenset[str]:
    """The syllables of the names of the place a plan comes from (its issuer, its parent body, its place line)."""
    h = plan.header
    names = [h.place or ""]
    for issuer in (h.issuer, h.parent_issuer):
        m = PLACE_UNIT.search(normalize(issuer or ""))
        if m:
            names.append(m.group(1))
    return frozenset(s for n in names for s in normalize(n).lower().split())


def key_term(word: str, lex: Lexicon, places: frozenset[str] = frozenset(), stop: frozenset[str] | None = None) -> bool:
    """Whether a shared word may be shown as a key term: a content word of weight, not a label (roman
    numeral, one letter, a number), not a word of rules/boilerplate.yaml's ``not_key_terms``, not the submitting body's place name.

    >>> from hycompliance.text import make_lexicon
    >>> lex = make_lexicon({}, [], {"thực hiện": 0.15})
    >>> [w for w in ["iii", "cả", "văn lâm", "thực hiện", "công nghiệp hỗ trợ"] if key_term(w, lex, frozenset({"văn", "lâm"}))]
    ['công nghiệp hỗ trợ']
    """
    if LABEL.fullmatch(word) or lex.weight(word) < 0.5 or word in (stop if stop is not None else _not_key_terms()):
        return False
    return not set(word.split()) <= places


def _not_key_terms() -> frozenset[str]:
    path = rules.rules_dir() / "boilerplate.yaml"
    return _not_key_terms_of(str(path), path.stat().st_mtime)


@lru_cache(maxsize=4)
def _not_key_terms_of(path: str, mtime: float) -> frozenset[str]:
    """rules/boilerplate.yaml's ``not_key_terms``, normalised once per state of the file."""
    return frozenset(normalize(w).lower() for w in (rules.load("boilerplate.yaml") or {}).get("not_key_terms", []))


