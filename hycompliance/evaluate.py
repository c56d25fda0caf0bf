"""Measure matching against labelled plans (../shared/corpus format) and fit its weights and thresholds.

Scoring follows the corpus README: pairs (plan, requirement) over the parent's scored IDs; a pair is
positive when some gold block or table row lists the ID in ``covers``; the tool says positive when the
status is covered or partial. Evidence is right when the first clause the tool cites for a true-positive
pair is a gold block (or row) carrying that ID; gold blocks are found among the parsed clauses by text
(whitespace folded; a row is its non-empty cells joined by " | ").

Each gold directory is labelled against one parent plan: the one its ``manifest.yaml`` names
(``parent: PATH``, relative to the directory or to the working directory), else the ``--plan`` given. What
is scored comes from the same manifest: the IDs of its hand-counted ``catalogue:`` (a
tests/fixtures/catalogues file) whose kind is in ``scored_kinds:`` (default task, subtask, target; with
``duty``, each plan on the duties its manifest's ``binds:`` lists for it); without a catalogue, the IDs of
those kinds in the parent's own catalogue (for 87/KH-UBND these are exactly the
``III.g.n``, ``III.g.n.k`` and ``II.2.*`` IDs of the corpus README). A scored ID the tool's catalogue lacks
still counts: a positive one is a miss. The report has a row per parent, plan and form, and per parent and
form an ``overall`` row (plus an ``all`` parent row per form when there are several parents).

Fitting (``fit``) learns the logistic weights on candidate pairs of the training plans, then picks
``t_part`` and ``margin`` on those plans by F1. ``evaluate(..., cv=True)`` does this leaving each plan
out in turn and scores the plan left out, so no threshold ever sees the plan it is scored on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from hycompliance.matching import (
    FEATURES, MatchConfig, PairFeatures, assign, imply_scores, implications, load_config, score_matrix, score_plan,
)
from hycompliance.coverage import matching_passes
from hycompliance.gold_sets import (  # noqa: F401  (re-exported: the CLI and tests read gold sets from here)
    ALL_PARENTS, MANIFEST, SCORED_KINDS, GoldDirs, _dirs, gold_parent, gold_paths, scored_ids,
)
from hycompliance.logistic import fit_logistic  # noqa: F401  (re-exported: tests and the fit use it)
from hycompliance.models import Plan, Requirement
from hycompliance.rerank import WEIGHT_NAMES, RerankConfig, apply, band_rows, fit_rerank, pair_similarity, similarity_for
from hycompliance.requirements import build_catalogue
from hycompliance.text import load_lexicon

# The kinds a gold set scores unless its manifest says otherwise (duties bind only some plans).
T_PART_GRID = tuple(round(x, 2) for x in np.arange(0.15, 0.91, 0.05))
# Margins the fit may choose, in log-odds. Not 0: a sentence may restate two to four tasks, and a margin of 0
# keeps only its best one (plus its segments' bests), dropping a second task scored the same (0.9972 and
# 0.9969 for a task-table row that merges III.3.b.1 and III.3.b.2 of a parent). The tie rule of
# ``pick_thresholds`` chose 0 in 4 of the 19 leave-one-plan-out folds over the labelled plans (txt), and those
# folds lost such pairs; without it 17 of 19 folds pick (0.85, 0.25) and F1 over all 19 plans pooled goes
# 0.930 -> 0.933 (556/KH-UBND 0.882 -> 0.899, 624/KH-UBND 0.935 -> 0.949, the others equal).
MARGIN_GRID = (0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)
RERANK_OFFSETS = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0)  # log-odds added to the re-rank's fitted bias


def _fold(s: str) -> str:
    return " ".join(s.split())


@dataclass(frozen=True)
class Gold:
    name: str
    positives: frozenset[str]  # requirement IDs the plan addresses (every ID in a ``covers``)
    by_text: dict[str, frozenset[str]]  # folded block/row text -> IDs it covers
    texts: dict[str, list[str]] = field(default_factory=dict)  # requirement -> gold block texts


def read_gold(path: Path) -> Gold:
    data = json.loads(path.read_text(encoding="utf-8"))
    by_text: dict[str, set[str]] = {}
    texts: dict[str, list[str]] = {}
    for block in data["blocks"]:
        if block["type"] == "table":
            for row, covers in zip(block["rows"], block.get("row_covers") or [[]] * len(block["rows"])):
                key = _fold(" | ".join(c for c in row if c))
                by_text.setdefault(key, set()).update(covers)
                for c in covers:
                    texts.setdefault(c, []).append(key)
        else:
            key = _fold(block["text"])
            by_text.setdefault(key, set()).update(block["covers"])
            for c in block["covers"]:
                texts.setdefault(c, []).append(key)
    positives = frozenset(i for ids in by_text.values() for i in ids)
    return Gold(data["doc_id"], positives, {k: frozenset(v) for k, v in by_text.items()}, texts)


def clause_labels(plan: Plan, gold: Gold) -> dict[str, frozenset[str]]:
    """Parsed clause ID -> the IDs its gold block covers (clauses found by folded text)."""
    return {c.id: gold.by_text[_fold(c.text)] for c in plan.clauses if _fold(c.text) in gold.by_text}


@dataclass(frozen=True)
class Case:
    """One labelled plan, parsed and featurised once (features do not depend on the fitted values)."""

    name: str
    form: str
    gold: Gold
    features: PairFeatures
    labels: np.ndarray  # per candidate pair: 1 if the gold says the clause covers the requirement
    unit_labels: tuple[frozenset[str], ...]
    equivalents: dict[int, list[int]]
    parent: str = ""  # the parent plan the gold is labelled against (its number, or file name)
    scored: frozenset[str] = frozenset()  # the requirement IDs scored (the gold set's, see ``scored_ids``)
    # per re-rank signal (hycompliance.rerank): similarity and margin of every candidate pair
    semantic: dict[str, tuple[np.ndarray, np.ndarray]] = field(default_factory=dict)
    gold_set: str = ""  # the labelled set (gold directory) it comes from


def make_case(name: str, form: str, plan: Plan, gold: Gold, catalogue: Sequence[Requirement], config: MatchConfig,
              parent: str = "", scored: frozenset[str] = frozenset(), signals: Sequence[str] = ()) -> Case:
    feats = score_plan(plan, catalogue, config=config.with_(rerank=RerankConfig())).features
    every = np.arange(len(feats.pairs))
    semantic = {s: pair_similarity(feats, every, sim)[:2] for s in signals
                if (sim := similarity_for(s, load_lexicon())) is not None}  # type: ignore[arg-type]
    labels_by_clause = clause_labels(plan, gold)
    unit_labels = tuple(labels_by_clause.get(u.clause.id, frozenset()) for u in feats.units)
    y = np.array([1.0 if feats.requirements[i].id in unit_labels[j] else 0.0 for i, j in feats.pairs])
    return Case(name, form, gold, feats, y, unit_labels, implications(feats.requirements, catalogue), parent, scored,
                semantic)


# --- fitting -----------------------------------------------------------------------------------------


def parent_balanced_weights(cases: Sequence[Case]) -> np.ndarray:
    """Per candidate pair (in the order of ``cases``): each parent's set weighs the same in the fit, each
    plan the same within its parent's set, and within a plan positives and negatives the same in total.

    Without it the pooled fit follows whichever set has most candidate pairs: two long real plans of one
    parent (57-NQ/TW, ~2,000 pairs each against ~700 for a district plan) pulled the weights towards their
    wording and cost the 87/KH-UBND dev plans 0.972 -> 0.946 (rules/matching.yaml)."""
    total = sum(len(c.labels) for c in cases)
    by_parent: dict[str, int] = {}
    for c in cases:
        by_parent[c.parent] = by_parent.get(c.parent, 0) + 1
    out = []
    for c in cases:
        share = total / len(by_parent) / by_parent[c.parent]  # this plan's total weight
        pos = max(float(c.labels.sum()), 1.0)
        neg = max(len(c.labels) - float(c.labels.sum()), 1.0)
        out.append(np.where(c.labels > 0, 0.5 * share / pos, 0.5 * share / neg))
    return np.concatenate(out) if out else np.zeros(0)


def fit(cases: Sequence[Case], base: MatchConfig) -> MatchConfig:
    """Weights on the cases' candidate pairs (each parent's set weighing the same), then ``t_part`` and
    ``margin`` by F1 over the same cases' pairs."""
    x = np.vstack([c.features.x for c in cases])
    x[:, [FEATURES.index(f) for f in base.disabled]] = 0.0  # disabled features get no weight
    y = np.concatenate([c.labels for c in cases])
    w, b = fit_logistic(x, y, sample_weight=parent_balanced_weights(cases))
    cfg = base.with_(weights=MappingProxyType(dict(zip(FEATURES, (round(float(v), 4) for v in w)))), bias=round(b, 4))
    cfg = cfg.with_(rerank=base.rerank.with_(signal="none"))  # thresholds on the lexical scores
    f1 = np.zeros((len(T_PART_GRID), len(MARGIN_GRID)))
    for a, t in enumerate(T_PART_GRID):
        for c, m in enumerate(MARGIN_GRID):
            f1[a, c] = score_cases(cases, cfg.with_(t_part=float(t), margin=m))["f1"]
    a, c = pick_thresholds(f1)
    cfg = cfg.with_(t_part=float(T_PART_GRID[a]), margin=float(MARGIN_GRID[c]))
    return cfg.with_(rerank=fit_band(cases, cfg, base.rerank))


# Two threshold pairs whose pooled F1 differ by less than this are a tie (about one pair in 500 scored).
F1_TIE = 0.002


def pick_thresholds(f1: np.ndarray) -> tuple[int, int]:
    """The (t_part, margin) grid cell to use: among the cells within ``F1_TIE`` of the best pooled F1, the one
    with the smallest margin, then the highest F1, then the t_part nearest 0.5.

    Over all the labelled plans the F1 grid has two near-equal ridges, a small margin (0.25) and a margin so
    large that it keeps everything above t_part (3-4 log-odds), 0.0004 apart; taking the strict maximum let
    leaving one plan out flip the margin from one to the other (and t_part 0.85 -> 0.9). A tie goes to the
    tighter margin: leave-one-plan-out over the 19 labelled plans (txt), the dev plans 0.953 -> 0.965 and
    57-NQ/TW 0.876 -> 0.894, the other sets equal."""
    best = f1.max()
    near = [(a, c) for a, c in np.ndindex(f1.shape) if f1[a, c] >= best - F1_TIE]
    return min(near, key=lambda ac: (MARGIN_GRID[ac[1]], -f1[ac], abs(T_PART_GRID[ac[0]] - 0.5)))


def fit_band(cases: Sequence[Case], config: MatchConfig, rerank: RerankConfig) -> RerankConfig:
    """The re-rank's weights (hycompliance.rerank) on the band pairs of ``cases`` under the lexical
    ``config``, each parent's set weighing the same; then its offset ``d`` by F1 over the same cases (the
    regression balances positives and negatives, F1 does not), the lexical score alone (identity weights)
    winning ties. Unchanged when its signal was not measured."""
    if rerank.signal == "none" or not cases or any(rerank.signal not in c.semantic for c in cases):
        return rerank
    parts, band_cases = [], []
    for c in cases:
        scores = score_matrix(c.features, config)
        rows = band_rows(scores, c.features, config.t_part, rerank)
        sim, margin = c.semantic[rerank.signal]
        i, j = c.features.pairs[rows, 0], c.features.pairs[rows, 1]
        parts.append((scores[i, j], sim[rows], margin[rows]))
        band_cases.append(replace(c, labels=c.labels[rows]))
    p, sim, margin = (np.concatenate([q[k] for q in parts]) for k in range(3))
    y = np.concatenate([c.labels for c in band_cases])
    a, b, c, d = fit_rerank(p, sim, margin, y, parent_balanced_weights(band_cases), config.t_part)
    trials = [(1.0, 0.0, 0.0, 0.0)] + [(a, b, c, round(d + off, 4)) for off in RERANK_OFFSETS]
    scored = [(score_cases(cases, config.with_(rerank=rerank.with_(weights=w))), -k) for k, w in enumerate(trials)]
    best = max(range(len(trials)), key=lambda k: (scored[k][0]["f1"], scored[k][0]["evidence"], scored[k][1]))
    return rerank.with_(weights=trials[best])


# --- scoring -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanResult:
    name: str
    form: str
    tp: int
    fp: int
    fn: int
    evidence_ok: int
    misses: tuple[tuple[str, str], ...]  # (requirement, gold text)
    false_hits: tuple[tuple[str, str, float], ...]  # (requirement, clause text, score)
    parent: str = ""


def run_case(case: Case, config: MatchConfig) -> PlanResult:
    feats = case.features
    m = score_matrix(feats, config)
    if config.rerank.signal in case.semantic:  # the second stage, on the similarities measured beforehand
        rows = band_rows(m, feats, config.t_part, config.rerank)
        sim, margin = case.semantic[config.rerank.signal]
        m = apply(m, feats, config.t_part, config.rerank, rows, sim[rows], margin[rows]).matrix
    keep = assign(m, config, case.equivalents, feats.segment_best)
    m = imply_scores(m, keep, case.equivalents)
    tp = fp = fn = ev = 0
    misses, false_hits = [], []
    for i, req in enumerate(feats.requirements):
        if req.id not in case.scored:
            continue
        cols = [j for j in np.argsort(-m[i]) if keep[i, j]] if m.size else []
        said = bool(cols)
        truth = req.id in case.gold.positives
        if said and truth:
            tp += 1
            ev += req.id in case.unit_labels[cols[0]]
        elif said:
            fp += 1
            false_hits.append((req.id, feats.units[cols[0]].clause.text, float(m[i, cols[0]])))
        elif truth:
            fn += 1
            misses.append((req.id, (case.gold.texts.get(req.id) or [""])[0]))
    matched = {r.id for r in feats.requirements}
    for rid in sorted(case.scored & case.gold.positives - matched):  # scored, addressed, not in the catalogue
        fn += 1
        misses.append((rid, (case.gold.texts.get(rid) or [""])[0]))
    return PlanResult(case.name, case.form, tp, fp, fn, ev, tuple(misses), tuple(false_hits), case.parent)


def summarize(results: Sequence[PlanResult]) -> dict[str, float]:
    tp = sum(r.tp for r in results)
    fp = sum(r.fp for r in results)
    fn = sum(r.fn for r in results)
    ev = sum(r.evidence_ok for r in results)
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "evidence": ev / tp if tp else 0.0, "tp": tp, "fp": fp, "fn": fn}


def score_cases(cases: Sequence[Case], config: MatchConfig) -> dict[str, float]:
    return summarize([run_case(c, config) for c in cases])


# --- the report --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Report:
    rows: tuple[dict[str, Any], ...]  # per parent, plan and form; "overall" per parent and form (and "all")
    worst_misses: tuple[dict[str, Any], ...]
    worst_false_hits: tuple[dict[str, Any], ...]
    cv: bool
    configs: tuple[dict[str, Any], ...] = ()

    def overall(self, form: str, parent: str | None = None) -> dict[str, Any]:
        """The summary row of one form: of one parent, else of all parents together."""
        rows = [r for r in self.rows if r["plan"] == "overall" and r["form"] == form]
        if parent is not None:
            return next(r for r in rows if r["parent"] == parent)
        return next((r for r in rows if r["parent"] == ALL_PARENTS), rows[0])

    def to_json(self) -> dict[str, Any]:
        return {"cv": self.cv, "rows": list(self.rows), "worst_misses": list(self.worst_misses),
                "worst_false_hits": list(self.worst_false_hits), "configs": list(self.configs)}


def text_reader(path: Path) -> Plan:
    from hycompliance.ingest.text import read_text
    from hycompliance.structure import build_plan

    return build_plan(read_text(str(path), path.read_text(encoding="utf-8")))


def default_reader(path: Path) -> Plan:
    """``hycompliance.ingest.read`` when the readers exist, else the text reader for ``.txt``."""
    try:
        from hycompliance.structure import parse_file

        return parse_file(path)
    except ImportError:
        if path.suffix == ".txt":
            return text_reader(path)
        raise


def load_cases(
    parent_path: str | Path, gold_dir: GoldDirs, forms: Sequence[str] = ("txt",),
    reader: Callable[[Path], Plan] = default_reader, config: MatchConfig | None = None,
    signals: Sequence[str] | None = None,
) -> tuple[list[Requirement], list[Case]]:
    """Every labelled plan of ``gold_dir`` in each form, matched against its directory's parent plan, with
    the similarities of the re-rank ``signals`` measured on every candidate pair (default: the configured one).

    Returns the catalogue of ``parent_path`` (the default parent) and the cases of every parent."""
    config = config or load_config()
    if signals is None:
        signals = () if config.rerank.signal == "none" else (config.rerank.signal,)
    parents: dict[Path, tuple[str, list[Requirement]]] = {}

    def parent_of(path: Path) -> tuple[str, list[Requirement]]:
        key = path.resolve()
        if key not in parents:
            plan = reader(path)
            parents[key] = (plan.header.number or path.stem, build_catalogue(plan))
        return parents[key]

    default_label, default_catalogue = parent_of(Path(parent_path))
    cases = []
    for directory in _dirs(gold_dir):
        label, catalogue = parent_of(gold_parent(directory, parent_path))
        duty_ids = frozenset(r.id for r in catalogue if r.kind == "duty")
        for gold_path in sorted(directory.glob("*.json")):
            gold = read_gold(gold_path)
            scored = scored_ids(directory, catalogue, gold_path.stem)
            for form in forms:
                doc = gold_path.with_suffix("." + form)
                if not doc.exists():
                    continue
                plan = reader(doc)
                tasks, duties = matching_passes(catalogue, plan)  # matched as the scan matches them
                cases.append(replace(make_case(gold.name, form, plan, gold, tasks, config, label, scored - duty_ids,
                                               signals), gold_set=directory.name))
                if scored & duty_ids:  # the duties the manifest binds the plan to, in their own pass
                    cases.append(replace(make_case(gold.name, form, plan, gold, duties, config, label,
                                                   scored & duty_ids, signals), gold_set=directory.name))
    return default_catalogue, cases


def evaluate(
    parent_path: str | Path, gold_dir: GoldDirs, forms: Sequence[str] = ("txt",), *, cv: bool = False,
    reader: Callable[[Path], Plan] = default_reader, config: MatchConfig | None = None,
) -> Report:
    """Score matching on every labelled plan in ``gold_dir`` (each form), optionally leave-one-plan-out."""
    config = config or load_config()
    _, cases = load_cases(parent_path, gold_dir, forms, reader, config)
    results, configs = cross_validate(cases, forms, config, cv=cv)
    return _report(cases, results, configs, forms, cv)


def cross_validate(
    cases: Sequence[Case], forms: Sequence[str], config: MatchConfig, *, cv: bool = True
) -> tuple[list[PlanResult], list[dict[str, Any]]]:
    """Each plan scored with ``config`` or, with ``cv``, with values fitted on the other plans of its form."""
    results: list[PlanResult] = []
    configs: list[dict[str, Any]] = []
    plans = list(dict.fromkeys((c.parent, c.name) for c in cases))
    for form in forms:
        form_cases = [c for c in cases if c.form == form]
        for plan in plans:
            held = [c for c in form_cases if (c.parent, c.name) == plan]
            if not held:
                continue
            cfg = config
            if cv:  # one matching configuration serves every parent: fit on every other plan
                cfg = fit([c for c in form_cases if (c.parent, c.name) != plan], config)
                configs.append({"form": form, "parent": plan[0], "held_out": plan[1], "t_part": cfg.t_part,
                                "margin": cfg.margin})
            results.extend(run_case(c, cfg) for c in held)
    return results, configs


def _report(cases: Sequence[Case], results: Sequence[PlanResult], configs: Sequence[dict[str, Any]],
            forms: Sequence[str], cv: bool) -> Report:
    rows = []
    parents = list(dict.fromkeys(c.parent for c in cases))
    for form in forms:
        for parent in parents:
            per = [r for r in results if r.form == form and r.parent == parent]
            for name in dict.fromkeys(r.name for r in per):  # a plan's task pass and duty pass are one row
                rows.append({"parent": parent, "plan": name, "form": form,
                             **summarize([r for r in per if r.name == name])})
            if per:
                rows.append({"parent": parent, "plan": "overall", "form": form, **summarize(per)})
        every = [r for r in results if r.form == form]
        if len(parents) > 1 and every:
            rows.append({"parent": ALL_PARENTS, "plan": "overall", "form": form, **summarize(every)})
    misses = [{"parent": r.parent, "plan": r.name, "form": r.form, "requirement": q, "text": t}
              for r in results for q, t in r.misses]
    hits = sorted(
        ({"parent": r.parent, "plan": r.name, "form": r.form, "requirement": q, "text": t, "score": s}
         for r in results for q, t, s in r.false_hits),
        key=lambda h: -h["score"],
    )
    return Report(tuple(rows), tuple(misses[:5]), tuple(hits[:5]), cv, tuple(configs))


def fit_all(parent_path: str | Path, gold_dir: GoldDirs, forms: Sequence[str] = ("txt",), reader: Callable[[Path], Plan] = default_reader) -> MatchConfig:
    """Weights and thresholds fitted on every labelled plan (what rules/matching.yaml should hold)."""
    config = load_config()
    _, cases = load_cases(parent_path, gold_dir, forms, reader, config)
    return fit(cases, config)


def write_config(config: MatchConfig, path: str | Path) -> None:
    """Put fitted values into a rules/matching.yaml, keeping its comments and layout."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    values: dict[str, float] = {**dict(config.weights), "bias": config.bias, "t_part": config.t_part, "margin": config.margin,
                                **dict(zip(WEIGHT_NAMES, config.rerank.weights))}
    for name, value in values.items():
        text, found = re.subn(rf"(?m)^(\s*{re.escape(name)}:)\s*[-0-9.eE]+\s*$", rf"\g<1> {round(float(value), 4)}",
                              text)
        if not found and name in config.weights:  # a new feature: its line goes at the end of ``weights:``
            text = re.sub(r"(?m)^(weights:\n(?:[ \t]+.*\n)*)", rf"\g<1>  {name}: {round(float(value), 4)}\n", text,
                          count=1)
    path.write_text(text, encoding="utf-8")
