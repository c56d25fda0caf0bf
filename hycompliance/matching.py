"""Plan x requirement catalogue -> one Match per task, sub-task and target row.

The steps, each a function of the one before:

1. ``prepare_units``: the plan's clauses that may restate something (headings, the preamble, purpose and
   reporting sections, and pointers such as "các nhiệm vụ tại mục 5 phần III" are left out), with their
   terms (hycompliance.text), references and heading chain; sub-rows of a table carry their parent row.
2. ``pair_features``: TF-IDF vectors over the terms (IDF from the catalogue and the plan together), then
   for candidate pairs (each requirement's best clauses and each clause's best requirements) a few
   features in [0, 1]: cosine, how much of the clause the requirement explains and the reverse, shared
   weight, fuzzy ratio, shared distinctive references, heading-to-group similarity, target indicator.
3. ``score``: a logistic model whose weights live in rules/matching.yaml (fitted by hycompliance.evaluate
   on labelled plans, leave-one-plan-out).
4. ``assign``: each clause keeps the requirements within ``margin`` of its best (a clause may merge two or
   three tasks); each requirement keeps its supporting clauses (a task may be split over several).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
from rapidfuzz import fuzz

from hycompliance import rules
from hycompliance.models import Citation, Clause, Evidence, Match, Plan, Requirement
from hycompliance.requirements import equivalent_targets, parse_value
from hycompliance.text import REF_PREFIX, Lexicon, key_of, load_lexicon, normalize, protect_references, terms, words

MATCHED_KINDS = ("task", "subtask", "target")
FEATURES = (
    "cos", "clause_share", "req_share", "shared_mass", "fuzz", "refs", "clause_best", "req_best",
    "group", "indicator", "target_row", "number", "rare_shared", "clause_mass",
    "spread", "in_assignments",
)
# A word used by at most this many requirements of the catalogue is distinctive ("rare_shared").
RARE_DF = 3
# A number with a unit or a comparator, as targets are written: "8%", "trên 50", "≥ 9,5", "12%/năm".
QUANTITY = re.compile(r"(?:[≥≤<>]|\b(?:trên|dưới|khoảng|đạt|tối thiểu|ít nhất)\b)\s*\d|\d\s*%")


@dataclass(frozen=True)
class MatchConfig:
    """Weights and thresholds (rules/matching.yaml)."""

    weights: Mapping[str, float]
    bias: float
    t_part: float
    t_cov: float
    margin: float
    candidates_per_requirement: int = 10
    candidates_per_clause: int = 6
    max_evidence: int = 3

    def with_(self, **kw: Any) -> "MatchConfig":
        from dataclasses import replace

        return replace(self, **kw)


def load_config(name: str = "matching.yaml") -> MatchConfig:
    data = rules.load(name)
    return MatchConfig(
        weights=MappingProxyType({f: float(data["weights"].get(f, 0.0)) for f in FEATURES}),
        bias=float(data["bias"]), t_part=float(data["t_part"]), t_cov=float(data["t_cov"]),
        margin=float(data["margin"]),
        candidates_per_requirement=int(data.get("candidates_per_requirement", 10)),
        candidates_per_clause=int(data.get("candidates_per_clause", 6)),
        max_evidence=int(data.get("max_evidence", 3)),
    )


@dataclass(frozen=True)
class Boilerplate:
    """Which parts of a plan address nothing (rules/boilerplate.yaml)."""

    non_addressing: tuple[str, ...]
    cross_references: tuple[re.Pattern[str], ...]
    assignment_headings: tuple[str, ...] = ()


def load_boilerplate() -> Boilerplate:
    data = rules.load("boilerplate.yaml") or {}
    derive = rules.load("catalogue/derive.yaml") or {}
    return Boilerplate(
        tuple(normalize(h).lower() for h in data.get("non_addressing_headings", [])),
        tuple(re.compile(p, re.IGNORECASE) for p in data.get("cross_references", [])),
        tuple(normalize(h).lower() for h in derive.get("assignment_section", [])),
    )


@dataclass(frozen=True)
class Unit:
    """A clause prepared for matching."""

    clause: Clause
    text: str  # the text compared (a sub-row carries its parent row's label)
    terms: tuple[str, ...]
    heading: str  # the headings above it, nearest last
    refs: frozenset[str]  # loose reference keys
    header_cells: tuple[str, ...] = ()  # the column headers of its table, for rows
    in_assignments: bool = False  # it stands in the implementation section ("Tổ chức thực hiện")


# --- 1. units ---------------------------------------------------------------------------------------


def _ancestors(plan: Plan, clause: Clause, by_id: Mapping[str, Clause]) -> list[Clause]:
    out = []
    cur = by_id.get(clause.parent) if clause.parent else None
    while cur is not None:
        out.append(cur)
        cur = by_id.get(cur.parent) if cur.parent else None
    return out[::-1]


def _is_heading(clause: Clause, has_children: bool) -> bool:
    if clause.kind in ("section", "table") or clause.id == "title":
        return True
    # a numbered or lettered line over bullets is a heading unless it is a whole paragraph itself
    return clause.kind in ("item", "letter") and has_children and len(clause.text.split()) < 60


def strip_cross_references(text: str, bp: Boilerplate) -> str:
    """Remove pointers to other parts of the plan ("các nhiệm vụ tại mục 5 phần III Kế hoạch")."""
    for pattern in bp.cross_references:
        text = pattern.sub(" ", text)
    return text


def prepare_units(
    plan: Plan, lex: Lexicon, bp: Boilerplate, citations: Sequence[Citation] | None = None
) -> list[Unit]:
    """The clauses of ``plan`` that may address a requirement, ready to compare."""
    by_id = {c.id: c for c in plan.clauses}
    parents = {c.parent for c in plan.clauses if c.parent}
    cited = _citations_by_clause(plan, citations)
    units = []
    for clause in plan.clauses:
        chain = _ancestors(plan, clause, by_id)
        if _is_heading(clause, clause.id in parents) or not chain:
            continue  # headings, the title and the preamble before the first section
        heads = [normalize(a.text).lower() for a in chain if a.kind in ("section", "item", "letter")]
        if any(h.startswith(w) for h in heads for w in bp.non_addressing):
            continue
        text = clause.text
        header: tuple[str, ...] = ()
        if clause.kind == "row":
            table = by_id.get(clause.parent or "")
            header = table.cells if table else ()
            parent_row = by_id.get(clause.id.rsplit(".", 1)[0])
            if parent_row is not None and parent_row.kind == "row" and parent_row.id != clause.id:
                text = f"{_row_label(parent_row)}: {text}"
        body = strip_cross_references(text, bp)
        t = terms(body, lex)
        if not any(not x.startswith(REF_PREFIX) and lex.weight(x) >= 0.5 for x in t):
            continue  # nothing left but pointers and administrative verbs
        refs = frozenset(key_of(k) for k in cited.get(clause.id, ())) if citations is not None else frozenset(
            x[len(REF_PREFIX) :] for x in t if x.startswith(REF_PREFIX)
        )
        heading = " ".join(a.text for a in chain if a.kind in ("section", "item", "letter"))
        assignments = any(h.startswith(w) for h in heads[:1] for w in bp.assignment_headings)
        units.append(Unit(clause, text, t, heading, refs, header, assignments))
    return units


def _row_label(row: Clause) -> str:
    cells = [c for c in row.cells if c and not re.fullmatch(r"\d{1,3}[.)]?", c)]
    return cells[0] if cells else row.text


def _citations_by_clause(plan: Plan, citations: Sequence[Citation] | None) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for cit in citations or ():
        if cit.key:
            clause = plan.clause(cit.clause) if cit.clause else plan.clause_at(cit.start)
            if clause is not None:
                out.setdefault(clause.id, []).append(cit.key)
    return out


# --- 2. features ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Vectors:
    """Term-weight matrices of the two sides over one vocabulary."""

    req: np.ndarray  # R x V tf-idf x boilerplate weight
    unit: np.ndarray  # C x V
    req_bin: np.ndarray  # R x V idf x weight where the term occurs
    unit_bin: np.ndarray  # C x V 1 where the term occurs
    unit_w: np.ndarray  # C x V idf x weight where the term occurs


def vectorize(req_bags: Sequence[Sequence[str]], unit_bags: Sequence[Sequence[str]], lex: Lexicon) -> Vectors:
    """TF-IDF over both sides (IDF from all bags), each term also scaled by its boilerplate weight."""
    vocab: dict[str, int] = {}
    for bag in list(req_bags) + list(unit_bags):
        for t in bag:
            vocab.setdefault(t, len(vocab))
    n = len(req_bags) + len(unit_bags)
    df = np.zeros(len(vocab))
    for bag in list(req_bags) + list(unit_bags):
        for t in set(bag):
            df[vocab[t]] += 1
    idf = np.log((1 + n) / (1 + df)) + 1.0
    w = np.array([lex.weight(t) for t in vocab]) * idf

    def mats(bags: Sequence[Sequence[str]]) -> tuple[np.ndarray, np.ndarray]:
        tf = np.zeros((len(bags), len(vocab)))
        for i, bag in enumerate(bags):
            for t in bag:
                tf[i, vocab[t]] += 1
        present = (tf > 0).astype(float)
        tfidf = np.where(tf > 0, 1 + np.log(np.maximum(tf, 1)), 0) * w
        norms = np.linalg.norm(tfidf, axis=1, keepdims=True)
        return tfidf / np.maximum(norms, 1e-12), present

    r, r_bin = mats(req_bags)
    u, u_bin = mats(unit_bags)
    return Vectors(r, u, r_bin * w, u_bin, u_bin * w)


def similarity_matrix(a: Sequence[str], b: Sequence[str], lex: Lexicon | None = None) -> list[list[float]]:
    """Cosine of term vectors between two lists of texts (used to bind duties to tasks)."""
    lex = lex or load_lexicon()
    v = vectorize([terms(x, lex) for x in a], [terms(x, lex) for x in b], lex)
    return (v.req @ v.unit.T).tolist()


def requirement_text(req: Requirement) -> str:
    """What a requirement is compared on: its text and keywords; a target its indicator and unit."""
    if req.kind == "target" and req.target:
        return f"{req.target.indicator} {req.target.unit or ''}".strip()
    return " ".join([req.text] + list(req.keywords))


@dataclass(frozen=True)
class PairFeatures:
    """Features of the candidate pairs of one plan against one catalogue."""

    requirements: tuple[Requirement, ...]
    units: tuple[Unit, ...]
    pairs: np.ndarray  # P x 2 (requirement index, unit index)
    x: np.ndarray  # P x len(FEATURES)
    shared: tuple[tuple[str, ...], ...] = field(default=())  # shared key words per pair, for "why"


def pair_features(
    catalogue: Sequence[Requirement], units: Sequence[Unit], lex: Lexicon, config: MatchConfig,
    basis_refs: frozenset[str] = frozenset(),
) -> PairFeatures:
    reqs = tuple(r for r in catalogue if r.kind in MATCHED_KINDS)
    units = tuple(units)
    if not reqs or not units:
        return PairFeatures(reqs, units, np.zeros((0, 2), int), np.zeros((0, len(FEATURES))))
    req_terms = [terms(requirement_text(r), lex) + tuple(REF_PREFIX + key_of(k) for k in r.references) for r in reqs]
    v = vectorize(req_terms, [u.terms for u in units], lex)
    cos = v.req @ v.unit.T  # R x C
    shared = v.req_bin @ v.unit_bin.T  # shared weight
    clause_share = shared / np.maximum(v.unit_w.sum(axis=1)[None, :], 1e-9)
    req_share = shared / np.maximum(v.req_bin.sum(axis=1)[:, None], 1e-9)
    cand = np.zeros_like(cos, dtype=bool)
    k_r = min(config.candidates_per_requirement, len(units))
    k_c = min(config.candidates_per_clause, len(reqs))
    cand[np.arange(len(reqs))[:, None], np.argsort(-cos, axis=1)[:, :k_r]] = True
    cand[np.argsort(-cos, axis=0)[:k_c, :], np.arange(len(units))[None, :]] = True
    best_c = cos.max(axis=0)
    # how evenly a clause resembles many requirements: mean of its 5 best over its best (vague -> near 1)
    top = -np.sort(-cos, axis=0)[:5, :]
    spread = top.mean(axis=0) / np.maximum(best_c, 1e-9)
    best_r = cos.max(axis=1)
    group_sim = _group_similarity(reqs, units, lex)
    ind_sim = _indicator_similarity(reqs, units, lex)
    req_words = [" ".join(words(requirement_text(r), lex)) for r in reqs]
    unit_words = [" ".join(words(u.text, lex)) for u in units]
    req_refs = [frozenset(key_of(k) for k in r.references) - basis_refs for r in reqs]
    numbers = np.array([1.0 if QUANTITY.search(u.text) else 0.0 for u in units])
    req_wordsets = [set(words(requirement_text(r), lex)) for r in reqs]
    unit_wordsets = [set(words(u.text, lex)) for u in units]
    df: dict[str, int] = {}
    for ws in req_wordsets:
        for w_ in ws:
            df[w_] = df.get(w_, 0) + 1
    rare = [{w_ for w_ in ws if df[w_] <= RARE_DF and lex.weight(w_) >= 0.5} for ws in req_wordsets]
    unit_mass = [sum(lex.weight(w_) for w_ in ws) for ws in unit_wordsets]
    pairs = np.argwhere(cand)
    x = np.zeros((len(pairs), len(FEATURES)))
    for p, (i, j) in enumerate(pairs):
        is_target = reqs[i].kind == "target"
        x[p] = (
            cos[i, j], clause_share[i, j], req_share[i, j], math.log1p(shared[i, j]) / 4.0,
            fuzz.token_sort_ratio(req_words[i], unit_words[j]) / 100.0,
            1.0 if req_refs[i] & units[j].refs else 0.0,
            cos[i, j] - best_c[j], cos[i, j] - best_r[i], group_sim[i, j],
            ind_sim[i, j] * numbers[j] if is_target else 0.0,
            1.0 if is_target and units[j].clause.kind == "row" else 0.0,
            numbers[j] if is_target else 0.0,
            min(len(rare[i] & unit_wordsets[j]), 5) / 5.0,
            math.log1p(unit_mass[j]) / 4.0,
            spread[j], 1.0 if units[j].in_assignments else 0.0,
        )
    return PairFeatures(reqs, units, pairs, x)


def _group_similarity(reqs: Sequence[Requirement], units: Sequence[Unit], lex: Lexicon) -> np.ndarray:
    titles = [r.group_title or "" for r in reqs]
    uniq_t = sorted(set(titles))
    heads = [u.heading for u in units]
    uniq_h = sorted(set(heads))
    v = vectorize([terms(t, lex) for t in uniq_t], [terms(h, lex) for h in uniq_h], lex)
    sim = v.req @ v.unit.T
    ti = {t: k for k, t in enumerate(uniq_t)}
    hi = {h: k for k, h in enumerate(uniq_h)}
    return sim[np.array([ti[t] for t in titles])][:, np.array([hi[h] for h in heads])]


def _indicator_similarity(reqs: Sequence[Requirement], units: Sequence[Unit], lex: Lexicon) -> np.ndarray:
    """Cosine between a target's indicator and the indicator part of a clause (before its first number)."""
    inds = [r.target.indicator if r.kind == "target" and r.target else "" for r in reqs]
    lead = [re.split(r"\|\s*[^|]*\d", u.text)[0] if u.clause.kind == "row" else u.text for u in units]
    v = vectorize([terms(t, lex) for t in inds], [terms(t, lex) for t in lead], lex)
    return v.req @ v.unit.T


# --- 3. score ---------------------------------------------------------------------------------------


def score(features: PairFeatures, config: MatchConfig) -> np.ndarray:
    """Probability that each candidate pair is a restatement (logistic model of rules/matching.yaml)."""
    w = np.array([config.weights[f] for f in FEATURES])
    z = features.x @ w + config.bias
    return 1.0 / (1.0 + np.exp(-z))


def score_matrix(features: PairFeatures, config: MatchConfig) -> np.ndarray:
    """R x C matrix of pair probabilities (0 for pairs never retrieved as candidates)."""
    m = np.zeros((len(features.requirements), len(features.units)))
    if len(features.pairs):
        m[features.pairs[:, 0], features.pairs[:, 1]] = score(features, config)
    return m


# --- 4. assign --------------------------------------------------------------------------------------


def _logit(p: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(q / (1 - q))


def assign(m: np.ndarray, config: MatchConfig, equivalents: Mapping[int, Sequence[int]] = MappingProxyType({})) -> np.ndarray:
    """Boolean R x C: pairs kept (per clause: at least ``t_part`` and within ``margin`` of its best).

    The margin is measured in log-odds, so that two near-certain scores (0.99 and 0.999) still differ.
    """
    if m.size == 0:
        return np.zeros_like(m, dtype=bool)
    z = _logit(m)
    best = z.max(axis=0, keepdims=True)
    keep = (m >= config.t_part) & (z >= best - config.margin)
    for i, others in equivalents.items():
        for j in others:
            keep[j] |= keep[i]
    return keep


def cite(plan: Plan) -> list[Citation] | None:
    """The reference extractor's citations of ``plan`` (None when that component is unavailable)."""
    try:
        from hycompliance.references import extract_plan, load_registry
    except ImportError:
        return None
    return extract_plan(plan, load_registry())


def basis_references(plan: Plan) -> frozenset[str]:
    """Documents cited before the first section (title and căn cứ): every clause may cite them."""
    first = next((c.start for c in plan.clauses if c.kind == "section"), len(plan.text))
    _, keys = protect_references(plan.text[:first])
    return frozenset(keys)


@dataclass(frozen=True)
class Scored:
    """Everything ``match_plan`` computed, for reports and evaluation."""

    features: PairFeatures
    matrix: np.ndarray  # R x C probabilities
    keep: np.ndarray  # R x C kept pairs


def score_plan(
    plan: Plan, catalogue: Sequence[Requirement], *, config: MatchConfig | None = None,
    citations: Sequence[Citation] | None = None, lexicon: Lexicon | None = None,
) -> Scored:
    config = config or load_config()
    lex = lexicon or load_lexicon()
    if citations is None:
        citations = cite(plan)
    units = prepare_units(plan, lex, load_boilerplate(), citations)
    feats = pair_features(catalogue, units, lex, config, basis_references(plan))
    m = score_matrix(feats, config)
    index = {r.id: k for k, r in enumerate(feats.requirements)}
    eq = {
        index[a]: [index[b] for b in bs if b in index]
        for a, bs in equivalent_targets(list(catalogue)).items() if a in index
    }
    return Scored(feats, m, assign(m, config, eq))


def match_plan(
    plan: Plan, catalogue: Sequence[Requirement], *, config: MatchConfig | None = None,
    citations: Sequence[Citation] | None = None,
) -> list[Match]:
    """One Match per task, sub-task and target of ``catalogue``: status, score, evidence, why (Vietnamese).

    ``citations`` (the reference extractor's output for ``plan``) are optional; without them they are
    extracted here with hycompliance.references (or, without that component, read from clause texts).
    """
    config = config or load_config()
    lex = load_lexicon()
    scored = score_plan(plan, catalogue, config=config, citations=citations, lexicon=lex)
    return matches_from(scored, config, lex)


def matches_from(scored: Scored, config: MatchConfig, lex: Lexicon) -> list[Match]:
    feats, m, keep = scored.features, scored.matrix, scored.keep
    out = []
    for i, req in enumerate(feats.requirements):
        cols = [j for j in np.argsort(-m[i]) if keep[i, j]][: config.max_evidence] if m.size else []
        best = float(m[i, cols[0]]) if cols else 0.0
        status = "covered" if cols and best >= config.t_cov else "partial" if cols else "missing"
        evidence = tuple(
            Evidence(feats.units[j].clause.id, feats.units[j].clause.page, feats.units[j].clause.text, round(float(m[i, j]), 3))
            for j in cols
        )
        nearest = int(np.argmax(m[i])) if m.size and m[i].max() > 0 else None
        out.append(Match(req.id, status, round(best, 3), evidence, explain(req, feats.units, cols, nearest, lex)))  # type: ignore[arg-type]
    return out


# --- why, in Vietnamese -------------------------------------------------------------------------------


def shared_key_words(req: Requirement, unit: Unit, lex: Lexicon, k: int = 6) -> list[str]:
    """The requirement's most distinctive words that the clause also uses."""
    mine = set(words(unit.text, lex))
    keys = [w for w in req.keywords if w in mine]
    rest = [w for w in dict.fromkeys(words(requirement_text(req), lex)) if w in mine and w not in keys]
    rest.sort(key=lambda w: -lex.weight(w) * len(w))
    return (keys + rest)[:k]


def explain(req: Requirement, units: Sequence[Unit], cols: Sequence[int], nearest: int | None, lex: Lexicon) -> str:
    if not cols:
        if nearest is None:
            return "Không có đoạn nào của kế hoạch nêu nội dung này."
        u = units[nearest]
        return f"Không có đoạn nào nêu đủ nội dung này; gần nhất là {u.clause.id} (trang {u.clause.page})."
    parts = []
    for j in cols:
        u = units[j]
        bits = []
        kw = shared_key_words(req, u, lex)
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
