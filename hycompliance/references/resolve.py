"""The registry of known documents: what a citation is checked against.

``hycompliance/rules/known_documents.yaml`` has two lists: ``seeded`` (generated from the provincial plan's own
references by ``hycompliance refs --seed``; regenerate, do not edit) and ``manual`` (entries a reviewer adds
or corrects by hand). A manual entry wins over a seeded one with the same key.

``seed_registry(plan_text)`` builds the seed: every numbered, dated reference of the parent plan that is
well formed (not a mixed Party/State symbol, not contradicted by the issuer printed next to it), with the
date most of its mentions give (the first one on a tie), plus the plan's own number and date from its
header.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

import yaml

from hycompliance.models import Citation, Plan
from hycompliance.references import patterns as P
from hycompliance.references.extract import SYMBOL_FLAG, extract, find_own, normal_key, parse_key
from hycompliance.references.rules import Rules, load_rules, rules_dir

REGISTRY_FILE = "known_documents.yaml"
TITLE_MAX = 220


@dataclass(frozen=True)
class KnownDocument:
    key: str  # "29-NQ/TW"
    type: str  # "Nghị quyết"
    date: str | None  # ISO
    issuer: str | None  # "Ban Chấp hành Trung ương Đảng"
    title: str | None = None
    validity: str = "unknown"  # "in_force", "expired", "replaced by ...", or "unknown"
    source: str = "manual"  # "manual" or where the seed came from ("87/KH-UBND")

    @property
    def number(self) -> str:
        parts = parse_key(self.key)
        return parts.number if parts else ""

    @property
    def type_code(self) -> str | None:
        parts = parse_key(self.key)
        return parts.type_code if parts else None

    @property
    def issuer_code(self) -> str | None:
        parts = parse_key(self.key)
        return parts.issuer_code if parts else None


@dataclass(frozen=True)
class Registry:
    documents: tuple[KnownDocument, ...] = ()
    _by_key: Mapping[str, KnownDocument] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", MappingProxyType({normal_key(d.key): d for d in self.documents}))

    def __len__(self) -> int:
        return len(self.documents)

    def get(self, key: str | None) -> KnownDocument | None:
        return self._by_key.get(normal_key(key)) if key else None

    def by_number_type(self, number: str, type_code: str | None) -> tuple[KnownDocument, ...]:
        n = number.lstrip("0")
        return tuple(d for d in self.documents if d.type_code == type_code and d.number.lstrip("0") == n)

    def by_type_issuer_date(self, type_code: str | None, issuer_code: str | None, date: str) -> tuple[KnownDocument, ...]:
        return tuple(
            d for d in self.documents if d.type_code == type_code and d.issuer_code == issuer_code and d.date == date
        )

    def merged(self, other: Registry) -> Registry:
        """``self`` with ``other``'s entries added; ``other`` wins on the same key."""
        keys = {normal_key(d.key) for d in other.documents}
        return Registry(tuple(d for d in self.documents if normal_key(d.key) not in keys) + other.documents)


def _document(entry: Mapping[str, object], source: str) -> KnownDocument:
    return KnownDocument(
        key=str(entry["key"]),
        type=str(entry.get("type") or ""),
        date=str(entry["date"]) if entry.get("date") else None,
        issuer=str(entry["issuer"]) if entry.get("issuer") else None,
        title=str(entry["title"]) if entry.get("title") else None,
        validity=str(entry.get("validity") or "unknown"),
        source=str(entry.get("source") or source),
    )


def load_registry(path: str | Path | None = None) -> Registry:
    """Read the registry (default ``<rules>/known_documents.yaml``); manual entries win over seeded ones."""
    file = Path(path) if path else rules_dir() / REGISTRY_FILE
    if not file.is_file():
        return Registry()
    data = yaml.safe_load(file.read_text(encoding="utf-8")) or {}
    seeded = Registry(tuple(_document(e, "seed") for e in data.get("seeded") or ()))
    manual = Registry(tuple(_document(e, "manual") for e in data.get("manual") or ()))
    return seeded.merged(manual)


def _title(text: str, end: int) -> str | None:
    """The "về ..." phrase after a mention, up to the end of its clause, as a readable title."""
    m = re.match(rf"[^;.\n]{{0,120}}?(?<!\w)ve{P.WS}", P.fold(text[end : end + 160]))
    if not m:
        return None
    stop = re.search(r";|\.\s|\.$|:", text[end + m.start() : end + m.start() + TITLE_MAX])
    raw = text[end + m.start() : end + m.start() + (stop.start() if stop else TITLE_MAX)]
    words = " ".join(raw.split())
    words = re.split(r"[,;]\s+(?:\w+\s+){0,3}s[ốôo]\s+\d", words)[0]
    head = re.match(r"^[^,]*?\b(về\s.*)$", words)
    return head.group(1) if head else words


def _consistent(c: Citation, rules: Rules) -> bool:
    """No mixed symbol, and the printed issuer (if any) signs with the symbol's issuer code."""
    if SYMBOL_FLAG in c.flags or not c.key or not c.date:
        return False
    stated = rules.issuer_by_name(c.issuer)
    return stated is None or _base(stated.signs_as) == _base(c.issuer_code)


def _base(code: str | None) -> str:
    return (code or "").split("-")[0].rstrip("0123456789")


def seed_registry(
    plan_text: str, *, own_key: str | None = None, own_date: str | None = None, rules: Rules | None = None
) -> Registry:
    """A registry of every numbered, dated, well-formed reference in a parent plan, and the plan itself.

    The plan's own number and date come from its "Số: ..." header line, or from ``own_key``/``own_date``
    when the text has no header (a parsed ``Plan.text``).
    """
    rules = rules or load_rules()
    citations = extract(plan_text, rules=rules)
    own = find_own(citations, plan_text)
    if own_key:
        parts = parse_key(own_key)
        doc_type = rules.type_by_code(parts.type_code) if parts and parts.type_code else None
        issuer, _ = rules.issuer_by_code(_base(parts.issuer_code)) if parts else (None, "")
        own = Citation(own_key, doc_type.name if doc_type else None, parts.number if parts else None, None,
                       own_date, issuer.name if issuer else None, parts.issuer_code if parts else None,
                       parts.form if parts else "unknown", own_key, 0, 0)
    source = own.key if own and own.key else "seed"
    groups: dict[str, list[Citation]] = {}
    for c in citations:
        if c.key and _consistent(c, rules):
            groups.setdefault(normal_key(c.key), []).append(c)
    docs = []
    if own and own.key and own.date:
        docs.append(KnownDocument(own.key, own.type or "", own.date, own.issuer, None, "unknown", source))
    for group in groups.values():
        if own and own.key and normal_key(own.key) == normal_key(group[0].key or ""):
            continue
        counts = Counter(c.date for c in group)
        best = max(counts.values())
        date = next(c.date for c in group if counts[c.date] == best)
        first = next(c for c in group if c.date == date)
        named = [c.issuer for c in group if c.issuer]
        stated = next((n for n in named if not n.isupper()), named[0] if named else None)
        title = next((t for t in (_title(plan_text, c.end) for c in group) if t), None)
        docs.append(KnownDocument(first.key or "", first.type or "", date, stated, title, "unknown", source))
    return Registry(tuple(docs))


def registry_yaml(seeded: Registry, manual: Iterable[KnownDocument] = ()) -> str:
    """The text of ``known_documents.yaml`` for a seed and the hand-kept entries to carry over."""

    def row(d: KnownDocument) -> dict[str, object]:
        out: dict[str, object] = {"key": d.key, "type": d.type, "date": d.date, "issuer": d.issuer}
        if d.title:
            out["title"] = d.title
        out["validity"] = d.validity
        out["source"] = d.source
        return out

    head = (
        "# Known documents: what cited documents are checked against.\n"
        "#\n"
        "# seeded: generated from the provincial plan's own references by\n"
        "#         `hycompliance refs PLAN --seed hycompliance/rules/known_documents.yaml`; do not edit, regenerate.\n"
        "# manual: entries added or corrected by hand (same fields); a manual entry wins over a seeded\n"
        "#         one with the same key. validity: in_force | expired | replaced by <key> | unknown.\n"
    )
    body = yaml.safe_dump(
        {"seeded": [row(d) for d in seeded.documents], "manual": [row(d) for d in manual]},
        allow_unicode=True,
        sort_keys=False,
        width=110,
    )
    return head + body


def parent_registry(parent: Plan | None, registry: Registry | None = None) -> Registry:
    """The registry a child plan is checked against: the parent plan's own references (seeded), overridden
    by the registry file, where reviewers add and correct entries."""
    base = registry if registry is not None else load_registry()
    if parent is None:
        return base
    return seed_registry(parent.text, own_key=parent.header.number, own_date=parent.header.date).merged(base)
