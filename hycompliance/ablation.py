"""Which signals pay: matching scored leave-one-plan-out with groups of features left out.

Each variant zeroes the columns of the features it leaves out (the L2-regularised fit then gives them no
weight) and is scored exactly as ``hycompliance.evaluate`` scores the shipped configuration: for every plan,
weights and thresholds fitted on the other plans of its form. Besides precision, recall, F1 and evidence,
each row gives the recall on the *paraphrase-heavy* pairs: gold (plan, requirement) pairs whose gold text
shares little wording with the requirement (TF-IDF cosine below ``PARAPHRASE_COS``), where a lexical matcher
is weakest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from hycompliance.evaluate import SCORED_ID, Case, GoldDirs, PlanResult, cross_validate, default_reader, load_cases, summarize
from hycompliance.features import FEATURES, SEMANTIC, requirement_text, similarity_matrix
from hycompliance.matching import load_config
from hycompliance.models import Plan

# A gold pair is paraphrase-heavy when its best gold text has at most this TF-IDF cosine with the requirement.
PARAPHRASE_COS = 0.3
# Variant name -> the features it leaves out.
VARIANTS: Mapping[str, tuple[str, ...]] = {
    "lexical": SEMANTIC,
    "lexical + sem": ("sem_margin",),
    "lexical + sem + sem_margin": (),
    "semantic only": tuple(f for f in FEATURES if f not in SEMANTIC),
}


def without(cases: Sequence[Case], dropped: Sequence[str]) -> list[Case]:
    """The cases with the columns of ``dropped`` features zeroed."""
    cols = [FEATURES.index(f) for f in dropped]
    out = []
    for c in cases:
        x = c.features.x.copy()
        x[:, cols] = 0.0
        out.append(replace(c, features=replace(c.features, x=x)))
    return out


def paraphrase_pairs(case: Case) -> frozenset[str]:
    """Requirement IDs the plan addresses only in other words (best gold text cosine <= PARAPHRASE_COS)."""
    by_id = {r.id: r for r in case.features.requirements}
    out = set()
    for rid in case.gold.positives:
        texts = case.gold.texts.get(rid) or []
        if rid in by_id and texts and SCORED_ID.match(rid):
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
    form: str
    scores: dict[str, float]
    paraphrase_recall: float
    paraphrase_pairs: int

    def to_json(self) -> dict[str, Any]:
        return {"variant": self.variant, "form": self.form, **self.scores,
                "paraphrase_recall": self.paraphrase_recall, "paraphrase_pairs": self.paraphrase_pairs}


def ablation(
    parent_path: str | Path, gold_dir: GoldDirs, forms: Sequence[str] = ("txt",), *,
    reader: Callable[[Path], Plan] = default_reader, variants: Mapping[str, tuple[str, ...]] = VARIANTS,
) -> list[AblationRow]:
    """One row per variant and form, leave-one-plan-out."""
    config = load_config().with_(disabled=())  # each variant says itself what it leaves out
    _, cases = load_cases(parent_path, gold_dir, forms, reader, config)
    hard = {(c.parent, c.name, c.form): paraphrase_pairs(c) for c in cases}
    rows = []
    for name, dropped in variants.items():
        results, _ = cross_validate(without(cases, dropped), forms, config, cv=True)
        for form in forms:
            per = [r for r in results if r.form == form]
            if per:
                rec, n = paraphrase_recall(per, hard)
                rows.append(AblationRow(name, form, summarize(per), rec, n))
    return rows

