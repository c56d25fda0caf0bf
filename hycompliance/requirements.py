"""Parent Plan -> requirement catalogue: tasks, sub-tasks, target rows, assignments, referenced documents.

IDs are the parent's printed paths (``III.3.2``, ``III.7.1.2``, ``II.2.2.3``, ``IV.3-2``); a referenced
document's ID is its key (``10-NQ/TU``). Which section holds what is read from rules/catalogue/derive.yaml.

The catalogue is also a reviewable YAML file (``write_catalogue``/``load_catalogue``): reviewers may edit
text, keywords, applies_to and weight; regenerating keeps every field they changed. Each entry stores a
hash of each generated field; a field whose current value no longer has that hash was edited by a person.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from hycompliance import rules
from hycompliance.applicability import bind_applicability
from hycompliance.derive import Derivation, derive, find_deadline, named_agencies  # noqa: F401 (the catalogue API)
from hycompliance.models import Citation, Clause, Plan, Requirement, Target, TargetValue
from hycompliance.quantities import parse_number  # noqa: F401
from hycompliance.target_tables import parse_value  # noqa: F401
from hycompliance.text import Lexicon, load_lexicon, reference_keys

EDITABLE = ("text", "keywords", "applies_to", "weight")


# --- reading the rules -----------------------------------------------------------------------------


def derive_rules() -> dict[str, Any]:
    return rules.load("catalogue/derive.yaml")


# --- values and deadlines --------------------------------------------------------------------------


def equivalent_targets(catalogue: Sequence[Requirement]) -> dict[str, tuple[str, ...]]:
    """Target rows that are one indicator printed twice: the same values in every period (two or more) and a
    shared word.

    In the provincial table "Cơ cấu kinh tế: Dịch vụ" (28%, 32,3%) and "Tỷ trọng khu vực dịch vụ trong
    GRDP" (28%, 32,3%) are one indicator; a plan that sets one sets the other. One equal value says nothing:
    "100% trẻ em ... được nuôi dưỡng" and "100% cha mẹ trẻ em ... được phổ biến kiến thức" are two targets.
    """
    lex = load_lexicon()
    from hycompliance.text import words

    targets = [r for r in catalogue if r.kind == "target" and r.target and len(r.target.values) >= 2]
    out: dict[str, list[str]] = {}
    for a in targets:
        for b in targets:
            if a.id >= b.id or a.id.startswith(b.id + ".") or b.id.startswith(a.id + "."):
                continue
            va = [(v.comparator, v.value, v.high) for v in a.target.values]
            vb = [(v.comparator, v.value, v.high) for v in b.target.values]
            wa = set(words(a.target.indicator.split(":")[-1], lex))
            wb = set(words(b.target.indicator.split(":")[-1], lex))
            if va == vb and any(v.value is not None for v in a.target.values) and wa & wb:
                out.setdefault(a.id, []).append(b.id)
                out.setdefault(b.id, []).append(a.id)
    return {k: tuple(v) for k, v in out.items()}


# --- tasks, assignments, applicability -------------------------------------------------------------


def bind_duties(catalogue: list[Requirement], threshold: float = 0.2) -> list[Requirement]:
    """Add each assigned agency to the tasks its duties restate (term cosine >= ``threshold``), comparing
    all the duties of one agency item together."""
    from hycompliance.features import similarity_matrix

    tasks = [r for r in catalogue if r.kind in ("task", "subtask")]
    by_item: dict[str, list[Requirement]] = {}
    for r in catalogue:
        if r.kind == "duty" and r.applies_to and r.group:
            by_item.setdefault(r.group, []).append(r)
    if not tasks or not by_item:
        return catalogue
    items = list(by_item.values())
    texts = [" ".join([ds[0].group_title or ""] + [x.text for x in ds if x.id != ds[0].group]) for ds in items]
    sim = similarity_matrix(texts, [t.text for t in tasks])
    extra: dict[str, list[str]] = {}
    for i, ds in enumerate(items):
        for j, t in enumerate(tasks):
            if sim[i][j] >= threshold:
                extra.setdefault(t.id, []).extend(ds[0].applies_to)
    return [
        replace(r, applies_to=tuple(dict.fromkeys(r.applies_to + tuple(extra.get(r.id, ()))))) if r.id in extra else r
        for r in catalogue
    ]


def cite(plan: Plan) -> list[Citation] | None:
    """The reference extractor's citations of ``plan`` (None when that component is unavailable)."""
    try:
        from hycompliance.references import extract_plan, load_registry
    except ImportError:
        return None
    return extract_plan(plan, load_registry())


def build_catalogue(parent: Plan, *, citations: Sequence[Citation] | None = None) -> list[Requirement]:
    """Every task, sub-task, target and duty of the parent plan, in document order (hycompliance.derive).

    ``citations`` (from the reference extractor) give each task's reference keys; without them they are
    extracted with hycompliance.references, or read with ``text.reference_keys`` without that component.
    """
    if citations is None:
        citations = cite(parent)
    cfg = derive_rules()
    catalogue = derive(Derivation(parent, cfg, _keys_by_clause(parent, citations)))
    catalogue = bind_duties(catalogue, float(cfg.get("duty_similarity", 0.2)))
    lex = load_lexicon()
    catalogue = [replace(r, keywords=key_terms(r, catalogue, lex)) if r.kind != "duty" else r for r in catalogue]
    return bind_applicability(parent, catalogue)


def _keys_by_clause(plan: Plan, citations: Sequence[Citation] | None) -> Callable[[Clause], tuple[str, ...]]:
    if citations is None:
        return lambda clause: reference_keys(clause.text)
    spans: dict[str, list[str]] = {}
    for cit in citations:
        if not cit.key:
            continue
        clause = plan.clause(cit.clause) if cit.clause else plan.clause_at(cit.start)
        if clause is not None and cit.key not in spans.setdefault(clause.id, []):
            spans[clause.id].append(cit.key)
    return lambda clause: tuple(spans.get(clause.id, ()))


def key_terms(req: Requirement, catalogue: Sequence[Requirement], lex: Lexicon, k: int = 8) -> tuple[str, ...]:
    """The words that tell this requirement apart: highest weight x inverse frequency in the catalogue."""
    import math

    from hycompliance.text import words

    bags = [set(words(r.text, lex)) for r in catalogue if r.kind != "duty"]
    n = len(bags)
    mine = list(dict.fromkeys(words(req.text, lex)))
    scored = [(lex.weight(w) * math.log((1 + n) / (1 + sum(w in b for b in bags))), i, w) for i, w in enumerate(mine)]
    best = sorted(scored, key=lambda s: (-s[0], s[1]))[:k]
    return tuple(w for _, _, w in sorted(best, key=lambda s: s[1]))


def reference_requirements(parent: Plan, citations: Sequence[Citation] | None = None) -> list[Requirement]:
    """Documents the parent tells implementers to carry out: each numbered document cited in a task
    (first citing task's text as context), plus the parent plan itself."""
    if citations is None:
        citations = cite(parent)
    cfg = derive_rules()
    keys = _keys_by_clause(parent, citations)
    out: dict[str, Requirement] = {}
    if parent.header.number:
        out[parent.header.number] = Requirement(
            id=parent.header.number, kind="reference", text=parent.header.title or parent.header.number,
            references=(parent.header.number,), applies_to=tuple(cfg["general_implementers"]),
        )
    tasks = [r for r in derive(Derivation(parent, cfg, keys)) if r.kind in ("task", "subtask")]
    for task in tasks:
        for key in task.references:
            if key not in out:
                out[key] = Requirement(
                    id=key, kind="reference", text=_citing_sentence(task.text, key), group=task.id,
                    group_title=task.group_title, references=(key,), applies_to=task.applies_to, page=task.page,
                )
    return bind_applicability(parent, list(out.values()))


def _citing_sentence(text: str, key: str) -> str:
    for sentence in re.split(r"(?<=[.;])\s+", text):
        if key.replace("-", "").replace("/", "") in re.sub(r"[\s/-]", "", sentence):
            return sentence.strip()
    return text


# --- the reviewable YAML file ----------------------------------------------------------------------


def requirement_dict(req: Requirement) -> dict[str, Any]:
    """The JSON/YAML form of a requirement (targets with their parsed values)."""
    d: dict[str, Any] = {
        "id": req.id, "kind": req.kind, "text": req.text, "group": req.group, "group_title": req.group_title,
        "references": list(req.references), "applies_to": list(req.applies_to), "deadline": req.deadline,
        "keywords": list(req.keywords), "weight": req.weight, "page": req.page, "agency": req.agency,
        "rule": req.rule, "target": None,
    }
    if req.target:
        d["target"] = {
            "indicator": req.target.indicator, "unit": req.target.unit,
            "values": [
                {"period": v.period, "comparator": v.comparator, "value": v.value, "high": v.high, "text": v.text,
                 **({"unit": v.unit} if v.unit else {})}
                for v in req.target.values
            ],
        }
    return d


def requirement_from_dict(d: dict[str, Any]) -> Requirement:
    target = None
    if d.get("target"):
        t = d["target"]
        target = Target(
            t["indicator"], t.get("unit"),
            tuple(TargetValue(v["period"], v["comparator"], v.get("value"), v.get("high"), v.get("text", ""), v.get("unit"))
                  for v in t.get("values", [])),
        )
    return Requirement(
        id=str(d["id"]), kind=d["kind"], text=d.get("text", ""), group=d.get("group"), group_title=d.get("group_title"),
        references=tuple(d.get("references") or ()), applies_to=tuple(d.get("applies_to") or ()),
        deadline=d.get("deadline"), target=target, keywords=tuple(d.get("keywords") or ()),
        weight=float(d.get("weight", 1.0)), page=int(d.get("page", 1)), agency=d.get("agency"), rule=d.get("rule") or "",
    )


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, ensure_ascii=False, sort_keys=True).encode()).hexdigest()[:12]


def merge_entries(generated: list[dict[str, Any]], existing: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Generated entries, except that an editable field a reviewer changed keeps the reviewer's value.

    An entry's ``generated`` map holds the hash of each editable field as last generated; a field whose
    value no longer hashes to it was edited. Entries reviewers added (no ``generated`` map) are kept.
    """
    old = {str(e["id"]): e for e in existing}
    out = []
    for entry in generated:
        entry = dict(entry)
        hashes = {f: _hash(entry.get(f)) for f in EDITABLE}
        prev = old.pop(str(entry["id"]), None)
        if prev is not None:
            stored = prev.get("generated") or {}
            for f in EDITABLE:
                if f in prev and stored.get(f) != _hash(prev.get(f)):
                    entry[f] = prev[f]
        entry["generated"] = hashes
        out.append(entry)
    out.extend(e for e in old.values() if not e.get("generated"))
    return out


HEADER = """\
# Requirement catalogue derived from {source}.
# Reviewable data: one entry per requirement. You may edit text, keywords (extra words that signal the
# requirement), applies_to and weight; regenerating keeps what you changed. Do not edit "generated".
"""


def write_catalogue(reqs: Sequence[Requirement], path: str | Path, *, source: str = "the parent plan") -> None:
    """Write (or regenerate, keeping reviewers' edits) the YAML catalogue at ``path``."""
    path = Path(path)
    generated = [requirement_dict(r) for r in reqs]
    existing = load_entries(path) if path.exists() else []
    merged = merge_entries(generated, existing)
    path.parent.mkdir(parents=True, exist_ok=True)
    body = yaml.safe_dump(merged, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(HEADER.format(source=source) + body, encoding="utf-8")


def load_entries(path: str | Path) -> list[dict[str, Any]]:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    return list(data)


def load_catalogue(path: str | Path) -> list[Requirement]:
    """Read a YAML catalogue written by ``write_catalogue`` (possibly edited by reviewers)."""
    return [requirement_from_dict(e) for e in load_entries(path)]


def requirement_json(req: Requirement) -> dict[str, Any]:
    """The CLI's JSON record of a requirement."""
    d = requirement_dict(req)
    return {k: d[k] for k in ("id", "kind", "text", "group", "references", "applies_to", "deadline", "agency", "rule", "target")}


def catalogue_json(reqs: Sequence[Requirement]) -> list[dict[str, Any]]:
    return [requirement_json(r) for r in reqs]
