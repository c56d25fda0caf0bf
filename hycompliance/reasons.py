"""Why, in Vietnamese: the reason a reviewer reads beside each match.

Shared key terms are content words of the requirement (no section labels, no roman numerals, no words of
rules/boilerplate.yaml's ``not_key_terms``, not the submitting body's own place names); shared references;
for a target, the plan's value beside the province's; and, when the semantic features decided a match,
which clause restates the task in other words and how close it is (rules/matching.yaml ``labels``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

import numpy as np

from hycompliance import rules
from hycompliance.features import FEATURES, SEMANTIC, PairFeatures, Unit, requirement_text
from hycompliance.models import Plan, Requirement
from hycompliance.requirements import parse_value
from hycompliance.text import Lexicon, key_of, normalize, words


def _pair_row(feats: PairFeatures, i: int, j: int) -> int | None:
    hit = np.nonzero((feats.pairs[:, 0] == i) & (feats.pairs[:, 1] == j))[0] if len(feats.pairs) else []
    return int(hit[0]) if len(hit) else None


def semantic_decided(feats: PairFeatures, weights: Mapping[str, float], bias: float, t_part: float, i: int, j: int) -> bool:
    """Whether the pair (requirement i, clause j) is kept only thanks to the semantic features: without their
    contribution its score would fall below ``t_part``."""
    if all(weights[f] == 0 for f in SEMANTIC):
        return False  # disabled (rules/matching.yaml)
    p = _pair_row(feats, i, j)
    if p is None:
        return False
    x = feats.x[p]
    contribution = sum(weights[f] * x[FEATURES.index(f)] for f in SEMANTIC)
    z = float(x @ np.array([weights[f] for f in FEATURES]) + bias)
    return contribution > 0 and 1.0 / (1.0 + math.exp(-(z - contribution))) < t_part <= 1.0 / (1.0 + math.exp(-z))


def semantic_reason(feats: PairFeatures, i: int, j: int) -> str:
    """ "Khoản III.2.1 diễn đạt lại nhiệm vụ này bằng từ ngữ khác (độ gần nghĩa 0,81, ...)." """
    p = _pair_row(feats, i, j)
    x = feats.x[p] if p is not None else np.zeros(len(FEATURES))
    label = rules.load("matching.yaml")["labels"]["semantic"]
    return label.format(clause=feats.units[j].clause.id, page=feats.units[j].clause.page,
                        sem=f"{x[FEATURES.index('sem')]:.2f}".replace(".", ","),
                        margin=f"{x[FEATURES.index('sem_margin')]:+.2f}".replace(".", ","))


# An administrative unit before a place name: "UBND huyện Văn Lâm", "xã Như Quỳnh", "tỉnh Hưng Yên".
PLACE_UNIT = re.compile(r"\b(?:tỉnh|thành phố|huyện|quận|thị xã|xã|phường|thị trấn)\s+(.+)$", re.IGNORECASE)
ROMAN = re.compile(r"[ivxlc]+")


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
    numeral), not a word of rules/boilerplate.yaml's ``not_key_terms``, not the submitting body's place name.

    >>> from hycompliance.text import make_lexicon
    >>> lex = make_lexicon({}, [], {"thực hiện": 0.15})
    >>> [w for w in ["iii", "cả", "văn lâm", "thực hiện", "công nghiệp hỗ trợ"] if key_term(w, lex, frozenset({"văn", "lâm"}))]
    ['công nghiệp hỗ trợ']
    """
    if ROMAN.fullmatch(word) or lex.weight(word) < 0.5 or word in (stop if stop is not None else _not_key_terms()):
        return False
    return not set(word.split()) <= places


def _not_key_terms() -> frozenset[str]:
    path = rules.rules_dir() / "boilerplate.yaml"
    return _not_key_terms_of(str(path), path.stat().st_mtime)


@lru_cache(maxsize=4)
def _not_key_terms_of(path: str, mtime: float) -> frozenset[str]:
    """rules/boilerplate.yaml's ``not_key_terms``, normalised once per state of the file."""
    return frozenset(normalize(w).lower() for w in (rules.load("boilerplate.yaml") or {}).get("not_key_terms", []))


def shared_key_words(req: Requirement, unit: Unit, lex: Lexicon, k: int = 6,
                     places: frozenset[str] = frozenset()) -> list[str]:
    """The requirement's most distinctive content words that the clause also uses."""
    mine = set(words(unit.text, lex))
    stop = _not_key_terms()
    keys = [w for w in req.keywords if w in mine and key_term(w, lex, places, stop)]
    rest = [w for w in dict.fromkeys(words(requirement_text(req), lex))
            if w in mine and w not in keys and key_term(w, lex, places, stop)]
    rest.sort(key=lambda w: -lex.weight(w) * len(w))
    return (keys + rest)[:k]


def explain(req: Requirement, units: Sequence[Unit], cols: Sequence[int], nearest: int | None, lex: Lexicon,
            places: frozenset[str] = frozenset()) -> str:
    if not cols:
        if nearest is None:
            return "Không có đoạn nào của kế hoạch nêu nội dung này."
        u = units[nearest]
        return f"Không có đoạn nào nêu đủ nội dung này; gần nhất là {u.clause.id} (trang {u.clause.page})."
    parts = []
    for j in cols:
        u = units[j]
        bits = []
        kw = shared_key_words(req, u, lex, places=places)
        if kw:
            bits.append("từ khóa chung: " + ", ".join(kw))
        refs = sorted(k for k in req.references if key_of(k) in u.refs)
        if refs:
            bits.append("cùng dẫn chiếu " + ", ".join(refs))
        if req.kind == "target" and req.target:
            bits.append(compare_target(req, u))
        parts.append(f"{u.clause.id}: " + ("; ".join(bits) if bits else "nội dung tương tự"))
    return ". ".join(parts) + "."


def _fmt(v: float | None) -> str:
    if v is None:
        return "?"
    return (f"{v:,.2f}".rstrip("0").rstrip(".")).replace(",", " ").replace(".", ",").replace(" ", ".")


def plan_values(unit: Unit) -> dict[str, str]:
    """The values a table row sets per period column (column headers like "GĐ 2021-2025")."""
    out = {}
    for i, head in enumerate(unit.header_cells):
        m = re.search(r"(\d{4})\s*[-–]\s*(\d{4})", head)
        if m and i < len(unit.clause.cells) and unit.clause.cells[i]:
            out[f"{m.group(1)}-{m.group(2)}"] = unit.clause.cells[i]
    return out


def compare_target(req: Requirement, unit: Unit) -> str:
    """ "chỉ tiêu <indicator>: 2021-2025 kế hoạch 9,0 - 9,5, tỉnh khoảng 8 (cao hơn); ..." """
    assert req.target is not None
    found = plan_values(unit)
    comparators = rules.load("catalogue/derive.yaml")["comparators"]
    items = []
    for v in req.target.values:
        mine = found.get(v.period)
        if mine is None:
            continue
        pv = parse_value(v.period, mine, comparators)
        verdict = ""
        if pv.value is not None and v.value is not None:
            a = (pv.value + (pv.high or pv.value)) / 2
            b = (v.value + (v.high or v.value)) / 2
            verdict = " (cao hơn)" if a > b else " (thấp hơn)" if a < b else " (bằng)"
        items.append(f"{v.period} kế hoạch {mine}, tỉnh {v.text}{verdict}")
    head = f"chỉ tiêu {req.target.indicator}"
    if items:
        return head + ": " + "; ".join(items)
    return head + " (kế hoạch nêu giá trị trong câu, không theo cột giai đoạn)"
