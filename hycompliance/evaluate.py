"""Measure matching against labelled plans (../shared/corpus format) and fit its weights and thresholds.

Scoring follows the corpus README: pairs (plan, requirement) over the ``III.g.n``, ``III.g.n.k`` and
``II.2.*`` IDs; a pair is positive when some gold block or table row lists the ID in ``covers``; the tool
says positive when the status is covered or partial. Evidence is right when the first clause the tool
cites for a true-positive pair is a gold block (or row) carrying that ID; gold blocks are found among the
parsed clauses by text (whitespace folded; a row is its non-empty cells joined by " | ").

Each gold directory is labelled against one parent plan: the one its ``manifest.yaml`` names
(``parent: PATH``, relative to the directory or to the working directory), else the ``--plan`` given. The
report has a row per parent, plan and form, and per parent and form an ``overall`` row (plus an ``all``
parent row per form when there are several parents).

Fitting (``fit``) learns the logistic weights on candidate pairs of the training plans, then picks
``t_part`` and ``margin`` on those plans by F1. ``evaluate(..., cv=True)`` does this leaving each plan
out in turn and scores the plan left out, so no threshold ever sees the plan it is scored on.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

import numpy as np

from hycompliance.matching import (
    FEATURES, MatchConfig, PairFeatures, assign, imply_scores, implications, load_config, score_matrix, score_plan,
)
from hycompliance.models import Plan, Requirement
from hycompliance.requirements import build_catalogue


SCORED_ID = re.compile(r"^(?:III\.\d+\.\d+(?:\.\d+)?|II\.2\.\d+(?:\.\d+)?)$")
T_PART_GRID = tuple(round(x, 2) for x in np.arange(0.15, 0.91, 0.05))
MARGIN_GRID = (0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0)  # log-odds


def _fold(s: str) -> str:
    return " ".join(s.split())


@dataclass(frozen=True)
class Gold:
    name: str
    positives: frozenset[str]  # scored requirement IDs the plan addresses
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
    positives = frozenset(i for ids in by_text.values() for i in ids if SCORED_ID.match(i))
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


def make_case(name: str, form: str, plan: Plan, gold: Gold, catalogue: Sequence[Requirement], config: MatchConfig,
              parent: str = "") -> Case:
    scored = score_plan(plan, catalogue, config=config)
    feats = scored.features
    labels_by_clause = clause_labels(plan, gold)
    unit_labels = tuple(labels_by_clause.get(u.clause.id, frozenset()) for u in feats.units)
    y = np.array([1.0 if feats.requirements[i].id in unit_labels[j] else 0.0 for i, j in feats.pairs])
    return Case(name, form, gold, feats, y, unit_labels, implications(feats.requirements, catalogue), parent)


# --- fitting -----------------------------------------------------------------------------------------


def fit_logistic(x: np.ndarray, y: np.ndarray, l2: float = 1.0, iters: int = 50) -> tuple[np.ndarray, float]:
    """Weighted L2 logistic regression by Newton steps; positives and negatives weigh the same in total."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    pos = max(y.sum(), 1.0)
    neg = max(len(y) - y.sum(), 1.0)
    sw = np.where(y > 0, 0.5 * len(y) / pos, 0.5 * len(y) / neg)
    w = np.zeros(xb.shape[1])
    reg = l2 * np.eye(xb.shape[1])
    reg[-1, -1] = 0.0
    for _ in range(iters):
        p = 1 / (1 + np.exp(-(xb @ w)))
        grad = xb.T @ (sw * (p - y)) + reg @ w
        hess = (xb * (sw * p * (1 - p))[:, None]).T @ xb + reg
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w[:-1], float(w[-1])


def fit(cases: Sequence[Case], base: MatchConfig) -> MatchConfig:
    """Weights on the cases' candidate pairs, then ``t_part`` and ``margin`` by F1 on the same cases."""
    x = np.vstack([c.features.x for c in cases])
    x[:, [FEATURES.index(f) for f in base.disabled]] = 0.0  # disabled features get no weight
    y = np.concatenate([c.labels for c in cases])
    w, b = fit_logistic(x, y)
    cfg = base.with_(weights=MappingProxyType(dict(zip(FEATURES, (round(float(v), 4) for v in w)))), bias=round(b, 4))
    best: tuple[float, float, float, float] | None = None
    for t in T_PART_GRID:
        for m in MARGIN_GRID:
            trial = cfg.with_(t_part=float(t), margin=m)
            s = score_cases(cases, trial)
            key = (s["f1"], s["evidence"], -abs(t - 0.5), -m)
            if best is None or key > best[0]:
                best = (key, t, m)  # type: ignore[assignment]
    assert best is not None
    return cfg.with_(t_part=float(best[1]), margin=float(best[2]))


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
    keep = assign(m, config, case.equivalents, feats.segment_best)
    m = imply_scores(m, keep, case.equivalents)
    tp = fp = fn = ev = 0
    misses, false_hits = [], []
    for i, req in enumerate(feats.requirements):
        if not SCORED_ID.match(req.id):
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


GoldDirs = str | Path | Sequence[str | Path]
MANIFEST = "manifest.yaml"
ALL_PARENTS = "all"


def _dirs(gold_dirs: GoldDirs) -> list[Path]:
    return [Path(gold_dirs)] if isinstance(gold_dirs, (str, Path)) else [Path(d) for d in gold_dirs]


def gold_paths(gold_dirs: GoldDirs) -> list[Path]:
    """The gold files of one directory or of several (a style suite evaluated with the dev plans)."""
    return [p for d in _dirs(gold_dirs) for p in sorted(d.glob("*.json"))]


def gold_parent(gold_dir: Path, default: str | Path) -> Path:
    """The parent plan a gold directory is labelled against: ``parent:`` of its manifest.yaml (relative to
    the directory, else to the working directory), else ``default``."""
    import yaml

    from hycompliance.errors import Code, HyError

    manifest = gold_dir / MANIFEST
    if not manifest.is_file():
        return Path(default)
    data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    named = data.get("parent") if isinstance(data, dict) else None
    if not named:
        raise HyError(Code.E901_USAGE, detail=f"{manifest}: no 'parent:' naming the parent plan file")
    for candidate in (gold_dir / str(named), Path(str(named))):
        if candidate.is_file():
            return candidate
    raise HyError(Code.E101_NOT_FOUND, f"{named} (parent named in {manifest})")


def load_cases(
    parent_path: str | Path, gold_dir: GoldDirs, forms: Sequence[str] = ("txt",),
    reader: Callable[[Path], Plan] = default_reader, config: MatchConfig | None = None,
) -> tuple[list[Requirement], list[Case]]:
    """Every labelled plan of ``gold_dir`` in each form, matched against its directory's parent plan.

    Returns the catalogue of ``parent_path`` (the default parent) and the cases of every parent."""
    config = config or load_config()
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
        for gold_path in sorted(directory.glob("*.json")):
            gold = read_gold(gold_path)
            for form in forms:
                doc = gold_path.with_suffix("." + form)
                if doc.exists():
                    cases.append(make_case(gold.name, form, reader(doc), gold, catalogue, config, label))
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
            for r in per:
                rows.append({"parent": parent, "plan": r.name, "form": form, **summarize([r])})
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
    values: dict[str, float] = {**dict(config.weights), "bias": config.bias, "t_part": config.t_part, "margin": config.margin}
    for name, value in values.items():
        text = re.sub(rf"(?m)^(\s*{re.escape(name)}:)\s*[-0-9.eE]+\s*$", rf"\g<1> {round(float(value), 4)}", text)
    path.write_text(text, encoding="utf-8")
