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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from hycompliance import rules
from hycompliance.applicability import bind_applicability
from hycompliance.models import Citation, Clause, Plan, Requirement, Target, TargetValue
from hycompliance.text import Lexicon, load_lexicon, normalize, reference_keys

# A period column or a period in a sentence: "2021-2025", "Giai đoạn 2026 - 2030".
PERIOD = re.compile(r"(\d{4})\s*[-–]\s*(\d{4})")
# A Vietnamese number: "5.100" (thousands dot), "3,6" (decimal comma), "1.234,5", "8".
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
# A value cell: optional comparator, a number, optionally "- number" (range), optional unit.
VALUE = re.compile(rf"^(?P<cmp>[^\d]*?)\s*(?P<a>{NUMBER})\s*(?:[-–]\s*(?P<b>{NUMBER}))?\s*(?P<unit>%|[^\d\s].*)?$")
# A row label printed in the first cell: "1. ", "10) ", "- ".
ROW_LABEL = re.compile(r"^(?:\d{1,3}[.)]\s*|[-–+]\s*)")
# A unit in parentheses at the end of an indicator: "(%/năm)", "(USD)", "(% GRDP)".
UNIT_IN_PARENS = re.compile(r"\s*\(([^()]*)\)\s*\**\s*$")
# A date: "15/5/2023".
DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
# An agency heading followed by its duties: "Sở Tài chính: Phối hợp ...".
AGENCY_COLON = re.compile(r"^([^:]{3,80}?):\s*(.*)$")

EDITABLE = ("text", "keywords", "applies_to", "weight")


# --- reading the rules -----------------------------------------------------------------------------


def derive_rules() -> dict[str, Any]:
    return rules.load("catalogue/derive.yaml")


def _starts(heading: str, words: Iterable[str]) -> bool:
    h = normalize(heading).lower()
    return any(h.startswith(normalize(w).lower()) for w in words)


def _children(plan: Plan, parent: str, kinds: Sequence[str] | None = None) -> list[Clause]:
    return [c for c in plan.clauses if c.parent == parent and (kinds is None or c.kind in kinds)]


def _section(plan: Plan, words: Iterable[str]) -> Clause | None:
    return next((c for c in plan.clauses if c.kind == "section" and _starts(c.text, words)), None)


def _full_text(plan: Plan, clause: Clause) -> str:
    """A clause's text with the paragraphs that continue it (a heading wrapped into a paragraph)."""
    parts = [clause.text] + [c.text for c in _children(plan, clause.id, ("paragraph",))]
    return " ".join(p for p in parts if p)


# --- values and deadlines --------------------------------------------------------------------------


def parse_number(text: str) -> float:
    """A Vietnamese number: dot for thousands, comma for decimals.

    >>> parse_number("5.100"), parse_number("3,6"), parse_number("1.234,5"), parse_number("8.5")
    (5100.0, 3.6, 1234.5, 8.5)
    """
    if "," in text:
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"\d{1,3}(?:\.\d{3})+", text):
        return float(text.replace(".", ""))
    return float(text)


def parse_value(period: str, text: str, comparators: dict[str, str]) -> TargetValue:
    """One target cell: "Khoảng 8%", "Trên 48%", "5.100", "10-11%", "≥ 9,5".

    >>> cmp = {"khoảng": "khoảng", "trên": "trên", "≥": "trên"}
    >>> parse_value("2021-2025", "Khoảng 8%", cmp)[:3]
    ('2021-2025', 'khoảng', 8.0)
    >>> v = parse_value("2021-2030", "10-11%", cmp); (v.comparator, v.value, v.high)
    ('từ', 10.0, 11.0)
    """
    clean = normalize(text)
    m = VALUE.match(clean)
    if not m:
        return TargetValue(period, "đạt", None, None, clean)
    word = m.group("cmp").strip().lower()
    comparator = next((comparators[k] for k in sorted(comparators, key=len, reverse=True) if word.startswith(k)), None)
    high = parse_number(m.group("b")) if m.group("b") else None
    if comparator is None:
        comparator = "từ" if high is not None else "đạt"
    return TargetValue(period, comparator, parse_number(m.group("a")), high, clean)


def find_deadline(text: str, words: Sequence[str]) -> str | None:
    """The ISO date that follows a deadline word.

    >>> find_deadline("Cụ thể hóa ... (hoàn thành trước ngày 15/5/2023).", ["trước ngày"])
    '2023-05-15'
    """
    folded = normalize(text)
    for w in sorted(words, key=len, reverse=True):
        for m in re.finditer(re.escape(w) + r"\s*(\d{1,2}/\d{1,2}/\d{4})", folded, re.IGNORECASE):
            d = DATE.match(m.group(1))
            if d:
                return f"{d.group(3)}-{int(d.group(2)):02d}-{int(d.group(1)):02d}"
    return None


# --- targets ---------------------------------------------------------------------------------------


def _split_indicator(cell: str) -> tuple[str, str | None]:
    """ "1. Tốc độ tăng trưởng bình quân GRDP (%/năm)" -> ("Tốc độ tăng trưởng bình quân GRDP", "%/năm")."""
    text = ROW_LABEL.sub("", normalize(cell)).strip()
    unit = None
    if m := UNIT_IN_PARENS.search(text):
        unit = m.group(1).strip()
        text = text[: m.start()]
    return text.rstrip("* ").strip(), unit


def _period_columns(header: Sequence[str]) -> dict[int, str]:
    out = {}
    for i, cell in enumerate(header):
        if m := PERIOD.search(cell):
            out[i] = f"{m.group(1)}-{m.group(2)}"
    return out


def _unit_column(header: Sequence[str]) -> int | None:
    return next((i for i, c in enumerate(header) if re.search(r"đơn vị|đvt", normalize(c).lower())), None)


def target_requirements(plan: Plan, cfg: dict[str, Any]) -> list[Requirement]:
    """One ``target`` requirement per row of the objectives' table(s); sub-rows name their parent row."""
    section = _section(plan, cfg["target_section"])
    if section is None:
        return []
    prefix = section.id + "."
    out: list[Requirement] = []
    tables = [c for c in plan.clauses if c.kind == "table" and c.id.startswith(prefix)]
    for table in tables:
        periods = _period_columns(table.cells)
        unit_col = _unit_column(table.cells)
        rows = _children(plan, table.id, ("row",))
        by_id = {r.id: r for r in rows}
        for row in rows:
            cells = tuple(row.cells)
            label_cell = 1 if re.fullmatch(r"\d{1,3}[.)]?", cells[0] or "") or not cells[0] else 0
            indicator, unit = _split_indicator(cells[label_cell])
            if unit_col is not None and unit_col < len(cells) and cells[unit_col]:
                unit = cells[unit_col]
            parent_row = by_id.get(row.id.rsplit(".", 1)[0])
            if parent_row is not None and parent_row is not row:
                p_ind, p_unit = _split_indicator(parent_row.cells[label_cell])
                indicator, unit = f"{p_ind}: {indicator}", unit or p_unit
            values = tuple(
                parse_value(period, cells[i], cfg["comparators"]) for i, period in periods.items() if i < len(cells)
            )
            if unit is None and any("%" in v.text for v in values):
                unit = "%"
            target = Target(indicator, unit, values)
            out.append(
                Requirement(
                    id=row.id, kind="target", text=indicator, group=section.id + "." + row.id.split(".")[1],
                    group_title=_group_title(plan, row), target=target, page=row.page,
                    applies_to=tuple(cfg["general_implementers"]),
                )
            )
    return out


def _group_title(plan: Plan, clause: Clause) -> str | None:
    table = plan.clause(clause.parent) if clause.parent else None
    item = plan.clause(table.parent) if table and table.parent else None
    return item.text if item else None


def equivalent_targets(catalogue: Sequence[Requirement]) -> dict[str, tuple[str, ...]]:
    """Target rows that are one indicator printed twice: the same values in every period and a shared word.

    In the provincial table "Cơ cấu kinh tế: Dịch vụ" (28%, 32,3%) and "Tỷ trọng khu vực dịch vụ trong
    GRDP" (28%, 32,3%) are one indicator; a plan that sets one sets the other.
    """
    lex = load_lexicon()
    from hycompliance.text import words

    targets = [r for r in catalogue if r.kind == "target" and r.target and r.target.values]
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


def named_agencies(text: str, cfg: dict[str, Any]) -> tuple[str, ...]:
    """Agencies a sentence names, by the aliases of rules/catalogue/derive.yaml."""
    t = normalize(text).lower()
    out = []
    for agency in cfg["agencies"]:
        if any(normalize(a).lower() in t for a in agency["aliases"]):
            out.append(agency["name"])
    return tuple(out)


def task_requirements(plan: Plan, cfg: dict[str, Any], keys: Callable[[Clause], tuple[str, ...]]) -> list[Requirement]:
    """``task`` per bullet of a task group, ``subtask`` per ``+`` under it."""
    section = _section(plan, cfg["task_section"])
    if section is None:
        return []
    out: list[Requirement] = []
    for group in _children(plan, section.id, ("item",)):
        for task in _children(plan, group.id, ("bullet", "letter")):
            out.append(_task(task, "task", group, cfg, keys))
            for sub in _children(plan, task.id, ("subbullet",)):
                out.append(_task(sub, "subtask", group, cfg, keys))
    return out


def _task(clause: Clause, kind: str, group: Clause, cfg: dict[str, Any], keys: Callable[[Clause], tuple[str, ...]]) -> Requirement:
    applies = tuple(dict.fromkeys(tuple(cfg["general_implementers"]) + named_agencies(clause.text, cfg)))
    return Requirement(
        id=clause.id, kind=kind, text=clause.text, group=group.id, group_title=group.text,  # type: ignore[arg-type]
        references=keys(clause), applies_to=applies,
        deadline=find_deadline(clause.text, cfg["deadline_words"]), page=clause.page,
    )


def assignment_requirements(plan: Plan, cfg: dict[str, Any]) -> list[Requirement]:
    """``assignment`` per item of the implementation section: the agency (when named) and its duties."""
    section = _section(plan, cfg["assignment_section"])
    if section is None:
        return []
    out = []
    for item in _children(plan, section.id, ("item",)):
        head = _full_text(plan, item)
        duties = [c.text for c in _children(plan, item.id, ("bullet", "letter"))]
        agency = head
        if m := AGENCY_COLON.match(head):
            agency = m.group(1)
        named = named_agencies(agency, cfg)[:1] if len(agency.split()) <= 15 else ()
        out.append(
            Requirement(
                id=item.id, kind="assignment", text=" ".join([head] + duties), group=section.id,
                group_title=section.text, applies_to=named, page=item.page,
            )
        )
    return out


def bind_duties(catalogue: list[Requirement], threshold: float = 0.2) -> list[Requirement]:
    """Add each assigned agency to the tasks its duties restate (term cosine >= ``threshold``)."""
    from hycompliance.matching import similarity_matrix

    tasks = [r for r in catalogue if r.kind in ("task", "subtask")]
    duties = [r for r in catalogue if r.kind == "assignment" and r.applies_to]
    if not tasks or not duties:
        return catalogue
    sim = similarity_matrix([d.text for d in duties], [t.text for t in tasks])
    extra: dict[str, list[str]] = {}
    for i, d in enumerate(duties):
        for j, t in enumerate(tasks):
            if sim[i][j] >= threshold:
                extra.setdefault(t.id, []).extend(d.applies_to)
    return [
        replace(r, applies_to=tuple(dict.fromkeys(r.applies_to + tuple(extra.get(r.id, ()))))) if r.id in extra else r
        for r in catalogue
    ]


def build_catalogue(parent: Plan, *, citations: Sequence[Citation] | None = None) -> list[Requirement]:
    """Every task, sub-task, target row and assignment of the parent plan, in document order.

    ``citations`` (from the reference extractor) give each task's reference keys; without them they are
    extracted with hycompliance.references, or read with ``text.reference_keys`` without that component.
    """
    if citations is None:
        from hycompliance.matching import cite

        citations = cite(parent)
    cfg = derive_rules()
    keys = _keys_by_clause(parent, citations)
    catalogue = target_requirements(parent, cfg) + task_requirements(parent, cfg, keys)
    catalogue += assignment_requirements(parent, cfg)
    catalogue = bind_duties(catalogue, float(cfg.get("duty_similarity", 0.2)))
    lex = load_lexicon()
    catalogue = [replace(r, keywords=key_terms(r, catalogue, lex)) if r.kind != "assignment" else r for r in catalogue]
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

    bags = [set(words(r.text, lex)) for r in catalogue if r.kind != "assignment"]
    n = len(bags)
    mine = list(dict.fromkeys(words(req.text, lex)))
    scored = [(lex.weight(w) * math.log((1 + n) / (1 + sum(w in b for b in bags))), i, w) for i, w in enumerate(mine)]
    best = sorted(scored, key=lambda s: (-s[0], s[1]))[:k]
    return tuple(w for _, _, w in sorted(best, key=lambda s: s[1]))


def reference_requirements(parent: Plan, citations: Sequence[Citation] | None = None) -> list[Requirement]:
    """Documents the parent tells implementers to carry out: each numbered document cited in a task
    (first citing task's text as context), plus the parent plan itself."""
    if citations is None:
        from hycompliance.matching import cite

        citations = cite(parent)
    cfg = derive_rules()
    keys = _keys_by_clause(parent, citations)
    out: dict[str, Requirement] = {}
    if parent.header.number:
        out[parent.header.number] = Requirement(
            id=parent.header.number, kind="reference", text=parent.header.title or parent.header.number,
            references=(parent.header.number,), applies_to=tuple(cfg["general_implementers"]),
        )
    for task in task_requirements(parent, cfg, keys):
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
        "keywords": list(req.keywords), "weight": req.weight, "page": req.page,
        "target": None,
    }
    if req.target:
        d["target"] = {
            "indicator": req.target.indicator, "unit": req.target.unit,
            "values": [
                {"period": v.period, "comparator": v.comparator, "value": v.value, "high": v.high, "text": v.text}
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
            tuple(TargetValue(v["period"], v["comparator"], v.get("value"), v.get("high"), v.get("text", "")) for v in t.get("values", [])),
        )
    return Requirement(
        id=str(d["id"]), kind=d["kind"], text=d.get("text", ""), group=d.get("group"), group_title=d.get("group_title"),
        references=tuple(d.get("references") or ()), applies_to=tuple(d.get("applies_to") or ()),
        deadline=d.get("deadline"), target=target, keywords=tuple(d.get("keywords") or ()),
        weight=float(d.get("weight", 1.0)), page=int(d.get("page", 1)),
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
    return {k: d[k] for k in ("id", "kind", "text", "group", "references", "applies_to", "deadline", "target")}


def catalogue_json(reqs: Sequence[Requirement]) -> list[dict[str, Any]]:
    return [requirement_json(r) for r in reqs]
