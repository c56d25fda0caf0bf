"""Pair features of (requirement, clause): the numbers the logistic model of hycompliance.matching weighs.

A clause (``Unit``) and a requirement become TF-IDF vectors over their terms (IDF from the catalogue and
the plan together; each term also scaled by its rules/boilerplate.yaml weight). Candidate pairs are each
requirement's best clauses, each clause's best requirements and each clause *segment*'s best requirements
(a merged bullet restates several tasks, one per ``;``-segment or sentence). For each candidate pair
``pair_features`` computes the features listed in ``FEATURES`` and documented in rules/matching.yaml.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from hycompliance.models import Clause, Requirement
from hycompliance.semantic import Space, load_space
from hycompliance.text import REF_PREFIX, Lexicon, key_of, load_lexicon, short_key, terms, words

MATCHED_KINDS = ("task", "subtask", "target")
FEATURES = (
    "cos", "clause_share", "req_share", "shared_mass", "fuzz", "refs", "clause_best", "req_best",
    "group", "indicator", "target_row", "number", "rare_shared", "clause_mass",
    "spread", "in_assignments", "seg_cos", "seg_best", "specificity", "specific_share",
    "sem", "sem_margin", "indicator_extra",
)
# The semantic features (hycompliance.semantic); the ablation (hycompliance.ablation) drops them as a group.
SEMANTIC = ("sem", "sem_margin")
# A word used by at most this many requirements of the catalogue is distinctive ("rare_shared").
RARE_DF = 3
# A number with a unit or a comparator, as targets are written: "8%", "trên 50", "≥ 9,5", "12%/năm".
QUANTITY = re.compile(r"(?:[≥≤<>]|\b(?:trên|dưới|khoảng|đạt|tối thiểu|ít nhất)\b)\s*\d|\d\s*%")
# A table cell that holds a value: "68", "9,0 - 9,5", "Trên 50", "12 - 55 - 33", "100%".
VALUE_CELL = re.compile(
    r"(?:(?:trên|dưới|khoảng|tối thiểu|ít nhất|[≥≤<>])\s*)?\d+(?:[.,]\d+)*(?:\s*[-–]\s*\d+(?:[.,]\d+)*)*\s*%?",
    re.IGNORECASE,
)
# A year: a cell "2026 - 2030" of a task table is a period, not a value.
YEAR = re.compile(r"\b(?:19|20)\d\d\b")


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
    short_refs: frozenset[str] = frozenset()  # documents cited by type and number only ("NQ 07" -> "nq7")



@dataclass(frozen=True)
class SparseRows:
    """Rows of term weights kept sparse (CSR: ``indptr``, ``indices``, ``data`` over ``width`` columns).

    The clause side of a plan is held this way: a plan's vocabulary can be huge (a 5,000-row table of
    distinct words), and a dense clauses x vocabulary matrix would cost memory by the table's shape.
    Products with a dense requirements matrix cost requirements x clauses (the pairs), built in chunks.
    """

    indptr: np.ndarray
    indices: np.ndarray
    data: np.ndarray
    width: int

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def dot_from(self, left: np.ndarray, chunk: int = 256) -> np.ndarray:
        """``left @ rows.T`` (left: R x width) as an R x len(self) array."""
        out = np.zeros((left.shape[0], len(self)))
        for start in range(0, len(self), chunk):
            stop = min(start + chunk, len(self))
            block = np.zeros((stop - start, self.width))
            lo, hi = self.indptr[start], self.indptr[stop]
            rows = np.repeat(np.arange(stop - start), np.diff(self.indptr[start:stop + 1]))
            block[rows, self.indices[lo:hi]] = self.data[lo:hi]
            out[:, start:stop] = left @ block.T
        return out


@dataclass(frozen=True)
class Vectors:
    """Term-weight matrices of the two sides. Columns are the requirement side's vocabulary (no other term
    can add to a product); norms and masses are over every term."""

    req: np.ndarray  # R x V tf-idf x boilerplate weight
    unit: SparseRows  # C x V, each row of unit length over all its terms
    req_bin: np.ndarray  # R x V idf x weight where the term occurs
    unit_bin: SparseRows  # C x V 1 where the term occurs
    unit_mass: np.ndarray  # C: sum of idf x weight over all the clause's terms
    vocab: dict[str, int] = field(default_factory=dict)
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0))  # idf x boilerplate weight per column term
    term_weight: dict[str, float] = field(default_factory=dict)  # idf x boilerplate weight of every term seen


def _tfidf(bags: Sequence[Sequence[str]], vocab: dict[str, int], w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit-length tf-idf rows and presence rows of ``bags`` (terms outside ``vocab`` are dropped)."""
    tf = np.zeros((len(bags), len(vocab)))
    for i, bag in enumerate(bags):
        for t in bag:
            if t in vocab:
                tf[i, vocab[t]] += 1
    present = (tf > 0).astype(float)
    tfidf = np.where(tf > 0, 1 + np.log(np.maximum(tf, 1)), 0) * w
    norms = np.linalg.norm(tfidf, axis=1, keepdims=True)
    return tfidf / np.maximum(norms, 1e-12), present


def sparse_tfidf(bags: Sequence[Sequence[str]], vocab: dict[str, int],
                 term_weight: dict[str, float]) -> tuple[SparseRows, SparseRows, np.ndarray]:
    """As ``_tfidf`` for many rows: unit-length tf-idf rows over every term of ``term_weight`` (terms it does
    not know are dropped), kept sparse on the ``vocab`` columns; presence rows; each row's weight mass."""
    indptr, indices, values, ones = [0], [], [], []
    mass = np.zeros(len(bags))
    for i, bag in enumerate(bags):
        counts: dict[str, int] = {}
        for t in bag:
            if t in term_weight:
                counts[t] = counts.get(t, 0) + 1
        row = {t: (1 + math.log(c)) * term_weight[t] for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in row.values()))
        mass[i] = sum(term_weight[t] for t in counts)
        for t, v in row.items():
            if t in vocab:
                indices.append(vocab[t])
                values.append(v / max(norm, 1e-12))
                ones.append(1.0)
        indptr.append(len(indices))
    ptr, idx = np.array(indptr), np.array(indices, dtype=np.int64)
    width = len(vocab)
    return (SparseRows(ptr, idx, np.array(values), width), SparseRows(ptr, idx, np.array(ones), width), mass)


def vectorize(req_bags: Sequence[Sequence[str]], unit_bags: Sequence[Sequence[str]], lex: Lexicon) -> Vectors:
    """TF-IDF over both sides (IDF from all bags), each term also scaled by its boilerplate weight."""
    df: dict[str, int] = {}
    for bag in list(req_bags) + list(unit_bags):
        for t in set(bag):
            df[t] = df.get(t, 0) + 1
    n = len(req_bags) + len(unit_bags)
    term_weight = {t: lex.weight(t) * (math.log((1 + n) / (1 + d)) + 1.0) for t, d in df.items()}
    vocab: dict[str, int] = {}
    for bag in req_bags:
        for t in bag:
            vocab.setdefault(t, len(vocab))
    w = np.array([term_weight[t] for t in vocab])
    r, r_bin = _tfidf(req_bags, vocab, w)
    u, u_bin, mass = sparse_tfidf(unit_bags, vocab, term_weight)
    return Vectors(r, u, r_bin * w, u_bin, mass, vocab, w, term_weight)


def similarity_matrix(a: Sequence[str], b: Sequence[str], lex: Lexicon | None = None) -> list[list[float]]:
    """Cosine of term vectors between two lists of texts (used to bind duties to tasks)."""
    lex = lex or load_lexicon()
    v = vectorize([terms(x, lex) for x in a], [terms(x, lex) for x in b], lex)
    return v.unit.dot_from(v.req).tolist()


def requirement_text(req: Requirement) -> str:
    """What a requirement is compared on: its text and keywords; a target its indicator and unit."""
    if req.kind == "target" and req.target:
        return f"{req.target.indicator} {req.target.unit or ''}".strip()
    return " ".join([req.text] + list(req.keywords))


def states_figure(unit: Unit) -> bool:
    """Whether a clause states a figure, as a target is set: a quantity ("đạt 100%", "tối thiểu 30% GRDP",
    "trên 50"), or a table row with a value cell ("68", "9,0 - 9,5"; a period "2026 - 2030" is not one).
    A clause with no figure restates a task, never a target ("Triển khai Đề án phát triển thanh toán không
    dùng tiền mặt" sets no share of cashless payments)."""
    if QUANTITY.search(unit.text):
        return True
    if unit.clause.kind != "row":
        return False
    return any(VALUE_CELL.fullmatch(c.strip()) and not YEAR.search(c) for c in unit.clause.cells[1:])


@dataclass(frozen=True)
class PairFeatures:
    """Features of the candidate pairs of one plan against one catalogue."""

    requirements: tuple[Requirement, ...]
    units: tuple[Unit, ...]
    pairs: np.ndarray  # P x 2 (requirement index, unit index)
    x: np.ndarray  # P x len(FEATURES)
    shared: tuple[tuple[str, ...], ...] = field(default=())  # shared key words per pair, for "why"
    segment_best: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=bool))  # R x C: best for a segment


def pair_features(
    catalogue: Sequence[Requirement], units: Sequence[Unit], lex: Lexicon, candidates: tuple[int, int] = (10, 6),
    basis_refs: frozenset[str] = frozenset(), *, skip: frozenset[str] = frozenset(),
) -> PairFeatures:
    """Candidate pairs and their features; ``candidates`` = (clauses per requirement, requirements per clause).

    ``skip``: features not computed, their column left 0 (the matcher passes its disabled features: they
    weigh 0 in the score and in the fit, so the scores are the same; only the semantic pair costs anything).
    """
    reqs = tuple(r for r in catalogue if r.kind in MATCHED_KINDS)
    units = tuple(units)
    if not reqs or not units:
        return PairFeatures(reqs, units, np.zeros((0, 2), int), np.zeros((0, len(FEATURES))))
    req_terms = [terms(requirement_text(r), lex) + tuple(REF_PREFIX + key_of(k) for k in r.references) for r in reqs]
    v = vectorize(req_terms, [u.terms for u in units], lex)
    cos = v.unit.dot_from(v.req)  # R x C
    shared = v.unit_bin.dot_from(v.req_bin)  # shared weight
    clause_share = shared / np.maximum(v.unit_mass[None, :], 1e-9)
    req_share = shared / np.maximum(v.req_bin.sum(axis=1)[:, None], 1e-9)
    seg_cos, seg_gap, seg_top = segment_similarity(v, units, lex, np.array([r.kind == "target" for r in reqs]))
    cand = np.zeros_like(cos, dtype=bool)
    k_r = min(candidates[0], len(units))
    k_c = min(candidates[1], len(reqs))
    cand[np.arange(len(reqs))[:, None], np.argsort(-cos, axis=1)[:, :k_r]] = True
    cand[np.argsort(-cos, axis=0)[:k_c, :], np.arange(len(units))[None, :]] = True
    cand |= seg_top
    # a target is set by a clause that states a figure (the corpus convention: a target line may cover a
    # task whose clause states that figure, and the reverse); other clauses are never its candidates
    figures = np.array([states_figure(u) for u in units])
    targets = np.array([r.kind == "target" for r in reqs])
    cand &= ~(targets[:, None] & ~figures[None, :])
    # candidates stay lexical: retrieving more by the word space added false hits (rules/matching.yaml)
    if set(SEMANTIC) <= skip:
        sem = sem_margin = np.zeros_like(cos)  # ~10 of ~100 µs per pair (bench_signals)
    else:
        sem, sem_margin = semantic_similarity(reqs, units, lex, load_space())
    best_c = cos.max(axis=0)
    # how evenly a clause resembles many requirements: mean of its 5 best over its best (vague -> near 1)
    top = -np.sort(-cos, axis=0)[:5, :]
    spread = top.mean(axis=0) / np.maximum(best_c, 1e-9)
    best_r = cos.max(axis=1)
    group_sim = _group_similarity(reqs, units, lex)
    ind_sim = _indicator_similarity(reqs, units, lex)
    extra = indicator_extra(reqs, units, lex, v.term_weight)
    req_words = [" ".join(words(requirement_text(r), lex)) for r in reqs]
    unit_words = [" ".join(words(u.text, lex)) for u in units]
    req_refs = [frozenset(key_of(k) for k in r.references) - basis_refs for r in reqs]
    basis_short = frozenset(short_key(k) for k in basis_refs)
    req_short = [frozenset(short_key(key_of(k)) for k in r.references) - basis_short for r in reqs]
    numbers = np.array([1.0 if QUANTITY.search(u.text) else 0.0 for u in units])
    req_wordsets = [set(words(requirement_text(r), lex)) for r in reqs]
    unit_wordsets = [set(words(u.text, lex)) for u in units]
    df: dict[str, int] = {}
    for ws in req_wordsets:
        for w_ in ws:
            df[w_] = df.get(w_, 0) + 1
    rare = [{w_ for w_ in ws if df[w_] <= RARE_DF and lex.weight(w_) >= 0.5} for ws in req_wordsets]
    unit_mass = [sum(lex.weight(w_) for w_ in ws) for ws in unit_wordsets]
    specificity = [min(distinctive_words(ws, df, lex), 5) / 5.0 for ws in unit_wordsets]
    pairs = np.argwhere(cand)
    x = np.zeros((len(pairs), len(FEATURES)))
    for p, (i, j) in enumerate(pairs):
        is_target = reqs[i].kind == "target"
        same_doc = bool(req_refs[i] & units[j].refs or req_short[i] & units[j].short_refs)
        x[p] = (
            cos[i, j], clause_share[i, j], req_share[i, j], math.log1p(shared[i, j]) / 4.0,
            fuzz.token_sort_ratio(req_words[i], unit_words[j]) / 100.0,
            1.0 if same_doc else 0.0,
            cos[i, j] - best_c[j], cos[i, j] - best_r[i], group_sim[i, j],
            ind_sim[i, j] * numbers[j] if is_target else 0.0,
            1.0 if is_target and units[j].clause.kind == "row" else 0.0,
            numbers[j] if is_target else 0.0,
            min(len(rare[i] & unit_wordsets[j]), 5) / 5.0,
            math.log1p(unit_mass[j]) / 4.0,
            spread[j], 1.0 if units[j].in_assignments else 0.0,
            seg_cos[i, j], seg_gap[i, j],
            specificity[j], clause_share[i, j] * specificity[j],
            sem[i, j], sem_margin[i, j],
            extra[i, j],
        )
    x[:, [FEATURES.index(f) for f in FEATURES if f in skip]] = 0.0
    return PairFeatures(reqs, units, pairs, x, segment_best=seg_gap >= -1e-9)


def semantic_similarity(reqs: Sequence[Requirement], units: Sequence[Unit], lex: Lexicon, space: Space
                        ) -> tuple[np.ndarray, np.ndarray]:
    """R x C cosine of the requirement and the clause in the word space (paraphrase: other words, same
    meaning), and the margin of each requirement over the best *other* requirement for that clause
    (positive only for the clause's best requirement: how clearly it is the one restated)."""
    def bag(text: str) -> list[str]:
        return [w for w in words(text, lex) if lex.weight(w) >= 0.5]

    r_bags = [bag(requirement_text(r)) for r in reqs]
    u_bags = [bag(u.text) for u in units]
    sem = space.embed(r_bags) @ space.embed(u_bags).T  # R x C
    if len(reqs) < 2:
        return sem, np.zeros_like(sem)
    top2 = -np.sort(-sem, axis=0)[:2, :]  # best and second-best requirement per clause
    other_best = np.where(sem >= top2[0][None, :], top2[1][None, :], top2[0][None, :])
    return sem, sem - other_best


def distinctive_words(clause_words: set[str], df: dict[str, int], lex: Lexicon) -> int:
    """How many of a clause's words are distinctive of the catalogue: used by 1 to ``RARE_DF`` requirements
    and not administrative boilerplate. A generic sentence ("Tạo mọi điều kiện thuận lợi để thu hút đầu tư")
    has none: all its words are used by many tasks, so that resembling one of them says little."""
    return sum(1 for w in clause_words if 1 <= df.get(w, 0) <= RARE_DF and lex.weight(w) >= 0.5)


# A segment of a merged clause ends at ";" or at a sentence end followed by a capital.
SEGMENT_END = re.compile(r"(?<=;)\s+|(?<=[.!?])\s+(?=[A-ZĐÀ-Ỹ])")
# A piece with fewer content words than this joins the segment before it.
MIN_SEGMENT_WORDS = 4


def segments(text: str, lex: Lexicon) -> list[str]:
    """The ``;``-pieces and sentences of a clause, short pieces joined to the one before.

    >>> from hycompliance.text import make_lexicon
    >>> segments("Đẩy mạnh cải cách hành chính, đơn giản hóa thủ tục; cung cấp dịch vụ công trực tuyến toàn trình.", make_lexicon({}, [], {}))
    ['Đẩy mạnh cải cách hành chính, đơn giản hóa thủ tục;', 'cung cấp dịch vụ công trực tuyến toàn trình.']
    """
    out: list[str] = []
    for piece in SEGMENT_END.split(text):
        if out and len(words(piece, lex)) < MIN_SEGMENT_WORDS:
            out[-1] = f"{out[-1]} {piece}"
        elif piece.strip():
            out.append(piece)
    if len(out) > 1 and len(words(out[0], lex)) < MIN_SEGMENT_WORDS:
        out[:2] = [f"{out[0]} {out[1]}"]
    return out


# A segment that writes no digit states no figure: it restates a task, not a target's value.
DIGIT = re.compile(r"\d")


def segment_similarity(v: Vectors, units: Sequence[Unit], lex: Lexicon, is_target: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per pair: the best cosine of the requirement with one segment of the clause; how far the requirement
    is behind that segment's best requirement (0 = it is the best for some segment); and whether it is one
    of the two best requirements of some segment (a candidate).

    Every clause is cut into segments, a task table's row too (its "Nhiệm vụ" cell may merge two tasks:
    "Tuyên truyền sự cần thiết ... của Chương trình; phổ biến kiến thức nuôi dưỡng ..."). In a segment
    that writes no digit, a task is measured against the best *task* (``is_target``: R booleans): a target
    is restated with its figure, so a target sharing the words of a figureless segment ("Hằng năm tổ chức
    tập huấn, bồi dưỡng chuyên môn cho cán bộ quản lý, giáo viên" against "100% cán bộ quản lý, giáo viên
    ... được bồi dưỡng ... hàng năm") does not take the segment from the task it restates."""
    owner: list[int] = []
    bags: list[tuple[str, ...]] = []
    figures: list[bool] = []
    for j, u in enumerate(units):
        # a structure row's parts ("Cơ cấu giá trị tăng thêm: nông nghiệp"), each with its value in the row
        parts = composite_parts(u.clause) if u.clause.kind == "row" else []
        pieces = parts or segments(u.text, lex)
        for piece in pieces if len(pieces) > 1 else [u.text]:
            owner.append(j)
            bags.append(terms(piece, lex))
            figures.append(bool(parts) or bool(DIGIT.search(piece)))
    seg, _, _ = sparse_tfidf(bags, v.vocab, v.term_weight)
    c = seg.dot_from(v.req)  # R x S
    gap = c - c.max(axis=0, keepdims=True)
    if is_target is not None and is_target.any() and not is_target.all():
        plain = ~np.array(figures, dtype=bool)
        tasks = ~is_target
        task_best = c[tasks].max(axis=0, keepdims=True)
        gap[np.ix_(tasks, plain)] = (c[tasks] - task_best)[:, plain]
    top2 = np.zeros_like(c, dtype=bool)
    top2[np.argsort(-c, axis=0)[:2, :], np.arange(c.shape[1])[None, :]] = True
    r, n = v.req.shape[0], len(units)
    seg_cos, seg_gap, seg_top = np.zeros((r, n)), np.full((r, n), -1.0), np.zeros((r, n), dtype=bool)
    for s, j in enumerate(owner):
        seg_cos[:, j] = np.maximum(seg_cos[:, j], c[:, s])
        seg_gap[:, j] = np.maximum(seg_gap[:, j], gap[:, s])
        seg_top[:, j] |= top2[:, s]
    return seg_cos, seg_gap, seg_top


def group_titles(reqs: Sequence[Requirement]) -> list[str]:
    """What a requirement's group is: its group's title, and for a sub-task also the lead-in task it completes
    ("Ưu tiên bố trí không gian biển cho các hoạt động sau:"), as a child heads its "+" items with the same."""
    by_id = {r.id: r for r in reqs}
    out = []
    for r in reqs:
        lead = by_id.get(r.id.rsplit(".", 1)[0]) if r.kind == "subtask" else None
        out.append(f"{r.group_title or ''} {lead.text}".strip() if lead is not None else r.group_title or "")
    return out


def _group_similarity(reqs: Sequence[Requirement], units: Sequence[Unit], lex: Lexicon) -> np.ndarray:
    titles = group_titles(reqs)
    uniq_t = sorted(set(titles))
    heads = [u.heading for u in units]
    uniq_h = sorted(set(heads))
    v = vectorize([terms(t, lex) for t in uniq_t], [terms(h, lex) for h in uniq_h], lex)
    sim = v.unit.dot_from(v.req)
    ti = {t: k for k, t in enumerate(uniq_t)}
    hi = {h: k for k, h in enumerate(uniq_h)}
    return sim[np.array([ti[t] for t in titles])][:, np.array([hi[h] for h in heads])]


# A structure written in one row: parts joined by " - " in the indicator and as many values joined by " - "
# ("Cơ cấu giá trị tăng thêm: nông nghiệp - công nghiệp, xây dựng - dịch vụ | % | 12 - 55 - 33"). Two values
# so joined are a range ("9,0 - 9,5"), so a structure has at least three parts.
COMPOSITE_PARTS = 3
PART_SEP = re.compile(r"\s+[-–]\s+")
NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def composite_parts(row: Clause) -> list[str]:
    """The parts of a structure row when its indicator lists ``COMPOSITE_PARTS`` or more parts and a value cell
    as many numbers, in order; otherwise none: the lead-in (the structure as a whole, "Cơ cấu giá trị tăng
    thêm") and each part as "lead-in: part" ("Cơ cấu giá trị tăng thêm: nông nghiệp"). Each is compared with
    the parent's targets as a segment of the row, so that the row keeps the structure target and each of its
    sub-targets, as a merged bullet keeps each task it restates."""
    cells = [c.strip() for c in row.cells if c and c.strip()]
    indicator = next((c for c in cells if not FIRST_NUMBER.search(c)), "")
    lead, _, tail = indicator.rpartition(":")
    parts = [x.strip() for x in PART_SEP.split(tail) if x.strip()]
    if len(parts) < COMPOSITE_PARTS:
        return []
    values = [PART_SEP.split(c) for c in cells if FIRST_NUMBER.search(c)]
    if not any(len(v) == len(parts) and all(NUMBER.fullmatch(x.strip()) for x in v) for v in values):
        return []
    lead = lead.strip()
    return ([lead] if lead else []) + [f"{lead}: {x}" if lead else x for x in parts]


# A number starts a value: the indicator of a clause is what comes before it ("Thu ngân sách tăng bình quân | 10%").
FIRST_NUMBER = re.compile(r"\d")


def indicator_leads(unit: Unit, lex: Lexicon) -> list[str]:
    """The indicator parts of a clause: a table row's text up to its first cell with a number (a structure
    row: its lead-in and each part); in a sentence, the text before the first number of each segment that has
    one ("Tổng mức bán lẻ ... tăng bình quân" of "Tổng mức bán lẻ ... tăng bình quân 11 - 12%/năm; kim ngạch
    xuất khẩu tăng bình quân 8 - 10%/năm")."""
    if unit.clause.kind == "row":
        return composite_parts(unit.clause) or [re.split(r"\|\s*[^|]*\d", unit.text)[0]]
    return [FIRST_NUMBER.split(piece, 1)[0] for piece in segments(unit.text, lex) if FIRST_NUMBER.search(piece)]


def indicator_extra(reqs: Sequence[Requirement], units: Sequence[Unit], lex: Lexicon,
                    term_weight: dict[str, float]) -> np.ndarray:
    """R x C, for a target: the share of the clause's indicator (its words before the value, weighted by rarity)
    that the target's indicator does not name; the smallest over the clause's valued segments; 0 for tasks and
    for clauses with no value or whose value comes first.

    A sectoral growth rate ("Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng tăng bình quân 11 -
    12%/năm") shares "tăng", "bình quân" and a %/năm with the province's GRDP growth target but names another
    indicator: most of its lead-in is words the target lacks. A restatement in other words of the same
    indicator ("Tăng trưởng giá trị tăng thêm bình quân hằng năm") leaves little out."""
    out = np.zeros((len(reqs), len(units)))
    targets = [(i, set(words(requirement_text(r), lex))) for i, r in enumerate(reqs) if r.kind == "target"]
    if not targets:
        return out
    for j, u in enumerate(units):
        leads = [[w for w in words(lead, lex) if lex.weight(w) >= 0.5] for lead in indicator_leads(u, lex)]
        leads = [lead for lead in leads if lead]
        if not leads:
            continue
        for i, named in targets:
            out[i, j] = min(
                sum(term_weight.get(w, 1.0) for w in lead if w not in named) / sum(term_weight.get(w, 1.0) for w in lead)
                for lead in leads
            )
    return out


def _indicator_similarity(reqs: Sequence[Requirement], units: Sequence[Unit], lex: Lexicon) -> np.ndarray:
    """Cosine between a target's indicator and the indicator part of a clause (before its first number)."""
    inds = [r.target.indicator if r.kind == "target" and r.target else "" for r in reqs]
    lead = [re.split(r"\|\s*[^|]*\d", u.text)[0] if u.clause.kind == "row" else u.text for u in units]
    v = vectorize([terms(t, lex) for t in inds], [terms(t, lex) for t in lead], lex)
    return v.unit.dot_from(v.req)
