"""Plan x requirement catalogue -> one Match per task, sub-task and target row.

The steps, each a function of the one before:

1. ``prepare_units``: the plan's clauses that may restate something (headings, the preamble, purpose and
   reporting sections, and pointers such as "các nhiệm vụ tại mục 5 phần III" are left out), with their
   terms (hycompliance.text), references (also short ones: "NQ 07") and heading chain. A task table's row is
   compared on its "Nhiệm vụ" cell (agencies and deadlines left out) and cited whole; a roman group row
   ("II | Nông nghiệp") is a heading; sub-rows of a targets table carry their parent row.
2. ``pair_features`` (hycompliance.features): TF-IDF cosine, shares, references, heading-to-group similarity,
   target indicators, and per ``;``-segment similarity so that a merged bullet resembles each task it restates.
3. ``score``: a logistic model whose weights live in rules/matching.yaml (fitted by hycompliance.evaluate
   on labelled plans, leave-one-plan-out).
4. ``assign``: each clause keeps the requirements within ``margin`` of its best, or best for one of its
   segments (a clause may merge two to four tasks); each requirement keeps its supporting clauses (a task may
   be split over several). ``implications``: a sub-task addressed addresses the task it completes, and a
   target printed twice is addressed once for both.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np

from hycompliance import rules
from hycompliance.features import (  # noqa: F401  (re-exported: evaluate, requirements and reports use them)
    FEATURES, MATCHED_KINDS, QUANTITY, PairFeatures, Unit, pair_features, requirement_text, similarity_matrix,
    vectorize,
)
from hycompliance.models import Citation, Clause, Evidence, Match, Plan, Requirement
from hycompliance.reasons import own_places
from hycompliance.rerank import RerankConfig, SemanticHit, load_rerank, rerank, similarity_for
from hycompliance.requirements import cite, equivalent_targets  # noqa: F401  (cite is re-exported)
from hycompliance.structure_tables import GROUP_ROW
from hycompliance.text import (
    REF_PREFIX, Lexicon, key_of, load_lexicon, normalize, protect_references, short_reference_keys, terms,
)


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
    disabled: tuple[str, ...] = ()  # features measured but left out (weight 0, also when fitting)
    rerank: RerankConfig = RerankConfig()  # the second stage on uncertain pairs (hycompliance.rerank)

    def with_(self, **kw: Any) -> "MatchConfig":
        from dataclasses import replace

        return replace(self, **kw)


def load_config(name: str = "matching.yaml") -> MatchConfig:
    data = rules.load(name)
    disabled = tuple(data.get("disabled_features") or ())
    return MatchConfig(
        weights=MappingProxyType({f: 0.0 if f in disabled else float(data["weights"].get(f, 0.0)) for f in FEATURES}),
        bias=float(data["bias"]), t_part=float(data["t_part"]), t_cov=float(data["t_cov"]),
        margin=float(data["margin"]),
        candidates_per_requirement=int(data.get("candidates_per_requirement", 10)),
        candidates_per_clause=int(data.get("candidates_per_clause", 6)),
        max_evidence=int(data.get("max_evidence", 3)),
        disabled=disabled,
        rerank=load_rerank(name),
    )


@dataclass(frozen=True)
class Boilerplate:
    """Which parts of a plan address nothing (rules/boilerplate.yaml)."""

    non_addressing: tuple[str, ...]
    cross_references: tuple[re.Pattern[str], ...]
    assignment_headings: tuple[str, ...] = ()
    task_columns: tuple[str, ...] = ()  # column headers of the cell that states a task ("Nhiệm vụ")
    quantified_aims: tuple[str, ...] = ()  # non-addressing headings whose sentences with a value are evidence


def load_boilerplate() -> Boilerplate:
    data = rules.load("boilerplate.yaml") or {}
    derive = rules.load("catalogue/derive.yaml") or {}
    return Boilerplate(
        tuple(normalize(h).lower() for h in data.get("non_addressing_headings", [])),
        tuple(re.compile(p, re.IGNORECASE) for p in data.get("cross_references", [])),
        tuple(normalize(h).lower() for c in derive.get("section_classes", []) if c["class"] == "duty" for h in c["words"]),
        tuple(normalize(h).lower() for h in data.get("task_columns", [])),
        tuple(normalize(h).lower() for h in data.get("quantified_aims_headings", [])),
    )




def _ancestors(plan: Plan, clause: Clause, by_id: Mapping[str, Clause]) -> list[Clause]:
    out = []
    cur = by_id.get(clause.parent) if clause.parent else None
    while cur is not None:
        out.append(cur)
        cur = by_id.get(cur.parent) if cur.parent else None
    return out[::-1]


# A numbered or lettered line over bullets or lettered items is a heading unless it is a whole paragraph
# itself (this many words or more).
HEADING_OVER_ITEMS_WORDS = 60
# Over plain paragraphs only, it is a heading when it reads as a title ("Y tế", "Mục tiêu chung (6 mục
# tiêu)", "Sở Nông nghiệp và Môi trường"): fewer words than this. A longer one is a task stated in a
# sentence whose paragraphs explain it ("đ) Tổ chức triển khai đào tạo chuyên ngành về y tế số tại các cơ
# sở đào tạo đại học, sau đại học trong ngành y tế." + "Gắn việc đào tạo lý thuyết với ...").
HEADING_OVER_PARAGRAPHS_WORDS = 20


def _is_heading(clause: Clause, child_kinds: frozenset[str]) -> bool:
    """Whether ``clause`` only titles what is under it (``child_kinds``: the kinds of its children)."""
    if clause.kind in ("section", "table") or clause.id == "title":
        return True
    if clause.kind not in ("item", "letter") or not child_kinds:
        return False
    words = len(clause.text.split())
    if child_kinds <= {"paragraph"}:
        return words < HEADING_OVER_PARAGRAPHS_WORDS
    return words < HEADING_OVER_ITEMS_WORDS


def not_addressing(heads: Sequence[str], text: str, bp: Boilerplate) -> bool:
    """Whether a clause under ``heads`` (lower case, outermost first) restates nothing: it stands under a
    non-addressing heading ("Mục đích", "Quan điểm"), unless that heading is a general aim and the clause sets
    a value ("(1) Tỷ trọng kinh tế số đạt tối thiểu 30% GRDP;")."""
    closed = [h for h in heads if any(h.startswith(w) for w in bp.non_addressing)]
    if not closed:
        return False
    aims = all(any(h.startswith(w) for w in bp.quantified_aims) for h in closed)
    return not (aims and QUANTITY.search(text))


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
    child_kinds: dict[str, set[str]] = {}
    for c in plan.clauses:
        if c.parent:
            child_kinds.setdefault(c.parent, set()).add(c.kind)
    cited = _citations_by_clause(plan, citations)
    units = []
    for clause in plan.clauses:
        chain = _ancestors(plan, clause, by_id)
        if _is_heading(clause, frozenset(child_kinds.get(clause.id, ()))) or not chain:
            continue  # headings, the title and the preamble before the first section
        heads = [normalize(a.text).lower() for a in chain if a.kind in ("section", "item", "letter")]
        if not_addressing(heads, clause.text, bp):
            continue
        text = clause.text
        header: tuple[str, ...] = ()
        group = ""
        if clause.kind == "row":
            if is_group_row(clause):
                continue  # "II | Nông nghiệp, nông thôn": a heading printed as a row
            table = by_id.get(clause.parent or "")
            header = table.cells if table else ()
            text = task_cell(clause, header, bp) or text
            parent_row = by_id.get(clause.id.rsplit(".", 1)[0])
            if parent_row is not None and parent_row.kind == "row" and is_group_row(parent_row):
                group = _row_label(parent_row)
            elif parent_row is not None and parent_row.kind == "row" and parent_row.id != clause.id:
                text = f"{_row_label(parent_row)}: {text}"
        body = strip_cross_references(text, bp)
        t = terms(body, lex)
        if not any(not x.startswith(REF_PREFIX) and lex.weight(x) >= 0.5 for x in t):
            continue  # nothing left but pointers and administrative verbs
        refs = frozenset(key_of(k) for k in cited.get(clause.id, ())) if citations is not None else frozenset(
            x[len(REF_PREFIX) :] for x in t if x.startswith(REF_PREFIX)
        )
        heading = " ".join([a.text for a in chain if a.kind in ("section", "item", "letter")] + [group]).strip()
        assignments = any(h.startswith(w) for h in heads[:1] for w in bp.assignment_headings)
        short = frozenset(short_reference_keys(body))
        units.append(Unit(clause, text, t, heading, refs, header, assignments, short))
    return units


def is_group_row(row: Clause) -> bool:
    """A table row that only names a group: a roman number or a capital letter and one text cell
    ("II | Nông nghiệp", "A | PHÁT TRIỂN NỀN MÓNG CHO KINH TẾ SỐ VÀ XÃ HỘI SỐ")."""
    filled = [c for c in row.cells if c]
    return len(filled) == 2 and bool(GROUP_ROW.fullmatch(filled[0].rstrip(".)")))


def task_cell(row: Clause, header: Sequence[str], bp: Boilerplate) -> str | None:
    """The cell of a task table that states the task (column "Nhiệm vụ", "Nội dung"); agencies, deadlines
    and products stay out of the comparison (they remain in the row's text, which is cited as evidence)."""
    heads = [normalize(h).lower() for h in header]
    col = next((i for i, h in enumerate(heads) if any(h.startswith(w) for w in bp.task_columns)), None)
    if col is None or col >= len(row.cells) or not row.cells[col]:
        return None
    return row.cells[col]


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


def assign(
    m: np.ndarray, config: MatchConfig, equivalents: Mapping[int, Sequence[int]] = MappingProxyType({}),
    segment_best: np.ndarray | None = None,
) -> np.ndarray:
    """Boolean R x C: pairs kept (per clause: at least ``t_part``, and within ``margin`` of its best or the
    best requirement of one of its segments: a merged bullet keeps each task it restates).

    The margin is measured in log-odds, so that two near-certain scores (0.99 and 0.999) still differ.
    """
    if m.size == 0:
        return np.zeros_like(m, dtype=bool)
    z = _logit(m)
    best = z.max(axis=0, keepdims=True)
    near = z >= best - config.margin
    if segment_best is not None and segment_best.shape == m.shape:
        near |= segment_best
    keep = (m >= config.t_part) & near
    for i, others in equivalents.items():
        for j in others:
            keep[j] |= keep[i]
    return keep


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
    places: frozenset[str] = frozenset()  # syllables of the plan's own place names (never key terms)
    semantic: Mapping[tuple[int, int], SemanticHit] = field(default_factory=dict)  # pairs the re-rank decided


def score_plan(
    plan: Plan, catalogue: Sequence[Requirement], *, config: MatchConfig | None = None,
    citations: Sequence[Citation] | None = None, lexicon: Lexicon | None = None,
) -> Scored:
    config = config or load_config()
    lex = lexicon or load_lexicon()
    if citations is None:
        citations = cite(plan)
    units = prepare_units(plan, lex, load_boilerplate(), citations)
    feats = pair_features(
        catalogue, units, lex, (config.candidates_per_requirement, config.candidates_per_clause), basis_references(plan),
        skip=frozenset(config.disabled),
    )
    m = score_matrix(feats, config)
    # the seam of the second stage: uncertain pairs re-scored by a semantic similarity (hycompliance.rerank)
    reranked = rerank(m, feats, config.t_part, config.rerank, similarity_for(config.rerank.signal, lex))
    m = reranked.matrix
    eq = implications(feats.requirements, catalogue)
    keep = assign(m, config, eq, feats.segment_best)
    return Scored(feats, imply_scores(m, keep, eq), keep, own_places(plan), MappingProxyType(dict(reranked.hits)))


def implications(reqs: Sequence[Requirement], catalogue: Sequence[Requirement]) -> dict[int, list[int]]:
    """Requirement index -> the indices a clause addressing it also addresses.

    Two target rows that are one indicator printed twice imply each other; a sub-task implies the task
    whose lead-in it completes ("... dựa trên các nội dung then chốt:" + its "+" sub-bullets).
    """
    index = {r.id: k for k, r in enumerate(reqs)}
    out: dict[int, list[int]] = {
        index[a]: [index[b] for b in bs if b in index]
        for a, bs in equivalent_targets(list(catalogue)).items() if a in index
    }
    for r in reqs:
        parent = r.id.rsplit(".", 1)[0]
        if r.kind == "subtask" and parent in index:
            out.setdefault(index[r.id], []).append(index[parent])
    return out


def imply_scores(m: np.ndarray, keep: np.ndarray, implied: Mapping[int, Sequence[int]]) -> np.ndarray:
    """An implied pair scores as its source does (so a task addressed through its sub-task is covered)."""
    out = m.copy()
    for i, others in implied.items():
        for j in others:
            out[j] = np.where(keep[i], np.maximum(out[j], m[i]), out[j])
    return out


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
    """Status, score and evidence per requirement; why is for ``hycompliance.coverage`` to say."""
    feats, m, keep = scored.features, scored.matrix, scored.keep
    out = []
    for i, req in enumerate(feats.requirements):
        cols = [j for j in np.argsort(-m[i]) if keep[i, j]][: config.max_evidence] if m.size else []
        best = float(m[i, cols[0]]) if cols else 0.0
        status = "covered" if cols and best >= config.t_cov else "partial" if cols else "missing"
        evidence = tuple(_evidence(feats.units[j], float(m[i, j]), scored.semantic.get((i, j))) for j in cols)
        nearest = int(np.argmax(m[i])) if m.size and m[i].max() > 0 and not cols else None
        near = _evidence(feats.units[nearest], float(m[i, nearest])) if nearest is not None else None
        out.append(Match(req.id, status, round(best, 3), evidence, near))  # type: ignore[arg-type]
    return out


def _evidence(unit: Unit, score: float, semantic: SemanticHit | None = None) -> Evidence:
    return Evidence(unit.clause.id, unit.clause.page, unit.clause.text, round(score, 3),
                    semantic.sim if semantic else None)
