"""The registry of known documents: what a citation is checked against.

A child plan is checked against the registry of its parent plan, in layers (a later layer wins over an
earlier one for the same document):

1. the parent plan's own references, with the dates it gives them (``seed_registry``, at run time);
2. the shared registry of national documents (laws, decrees, Government and Party central resolutions):
   ``rules/registry/national.yaml``;
3. the reviewer's file for this parent: ``rules/registry/parents/<parent_slug>.yaml``
   (``hycompliance refs PARENT --seed-parent`` writes it; its ``manual`` list is kept when it is rewritten).

Nothing learnt from one parent plan applies to another's children. Each registry file has two lists:
``seeded`` (generated; regenerate, do not edit) and ``manual`` (added or corrected by hand; a manual entry
wins over a seeded one for the same document).

A document is its key *and* its date: State documents are numbered anew each year and Party documents
each term, so ``50/NQ-CP`` of 2025 is not ``50/NQ-CP`` of 2020 (``rules/registry/identity.yaml`` says how
many years apart one key can still be one document). A legacy ``rules/known_documents.yaml`` (from before
the registry was split) is still read: its manual entries as shared ones, its seeded entries only for
children of the parent they were seeded from.

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

from hycompliance.models import Citation, Header, Plan
from hycompliance.references import patterns as P
from hycompliance.references.extract import SYMBOL_FLAG, extract, find_own
from hycompliance.references.symbols import issuing_code, normal_key, parse_key
from hycompliance.references.relations import Relation
from hycompliance.references.rules import Rules, load_rules, rules_dir

REGISTRY_DIR = "registry"
SHARED_FILE = "national.yaml"
PARENTS_DIR = "parents"
IDENTITY_FILE = "identity.yaml"
LEGACY_FILE = "known_documents.yaml"
TITLE_MAX = 220


def _year_spans() -> tuple[tuple[str, int], ...]:
    """Years apart one key may still be one document, by system (state, party), from the rules."""
    path = rules_dir() / REGISTRY_DIR / IDENTITY_FILE
    data = (yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None) or {}
    return tuple((str(k), int(v)) for k, v in (data.get("same_document_within_years") or {}).items())


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

    @property
    def system(self) -> str:
        parts = parse_key(self.key)
        return parts.form if parts else "unknown"

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date else None


@dataclass(frozen=True)
class Registry:
    """Known documents; a later entry wins over an earlier one for the same document."""

    documents: tuple[KnownDocument, ...] = ()
    spans: tuple[tuple[str, int], ...] = field(default_factory=_year_spans)
    relations: tuple[Relation, ...] = ()  # what documents say about others (``registry learn``)
    _by_key: Mapping[str, tuple[KnownDocument, ...]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_key: dict[str, list[KnownDocument]] = {}
        for d in self.documents:
            by_key.setdefault(normal_key(d.key), []).append(d)
        object.__setattr__(self, "_by_key", MappingProxyType({k: tuple(v) for k, v in by_key.items()}))

    def __len__(self) -> int:
        return len(self.documents)

    def same_document(self, doc: KnownDocument, year: int | None) -> bool:
        """Whether ``doc`` can be the document of its key issued in ``year`` (unknown years always can)."""
        if year is None or doc.year is None:
            return True
        span = dict(self.spans).get(doc.system, 0)
        return abs(doc.year - year) <= span

    def get(self, key: str | None, date: str | None = None) -> KnownDocument | None:
        """The document ``key`` means, given the date it is cited with (if any): among entries of that key,
        one of a compatible year, the one with exactly that date first, else the latest entry."""
        if not key:
            return None
        in_symbol = re.match(r"^\d+/(\d{4})/", key)  # 163/2024/QH15: the symbol's year names the document
        year = int(in_symbol.group(1)) if in_symbol else (int(date[:4]) if date else None)
        found = [d for d in self._by_key.get(normal_key(key), ()) if self.same_document(d, year)]
        exact = [d for d in found if date and d.date == date]
        return (exact or found or [None])[-1]

    def dates_of(self, key: str, date: str | None = None) -> set[str]:
        """The dates the registry gives ``key`` among entries that can be the document cited with ``date``."""
        year = int(date[:4]) if date else None
        in_symbol = re.match(r"^\d+/(\d{4})/", key)
        year = int(in_symbol.group(1)) if in_symbol else year
        return {d.date for d in self._by_key.get(normal_key(key), ()) if d.date and self.same_document(d, year)}

    def relations_on(self, key: str, date: str | None = None) -> tuple[Relation, ...]:
        """What other documents did to the document ``key`` (cited with ``date``): repeals, amendments."""
        nk = normal_key(key)
        out = []
        for r in self.relations:
            if normal_key(r.target_key) != nk:
                continue
            if date and r.target_date and date[:4] != r.target_date[:4] and parse_key(key) and parse_key(key).form == "state":
                continue  # another year's document of the same number
            out.append(r)
        return tuple(out)

    def by_number_type(self, number: str, type_code: str | None) -> tuple[KnownDocument, ...]:
        n = number.lstrip("0")
        return tuple(d for d in self.documents if d.type_code == type_code and d.number.lstrip("0") == n)

    def by_type_issuer_date(self, type_code: str | None, issuer_code: str | None, date: str) -> tuple[KnownDocument, ...]:
        return tuple(
            d for d in self.documents if d.type_code == type_code and d.issuer_code == issuer_code and d.date == date
        )

    def merged(self, other: Registry) -> Registry:
        """``self`` with ``other``'s entries added; ``other`` wins for the same document (same key, a
        compatible year): a same-number document of another year stays beside it."""

        def replaced(d: KnownDocument) -> bool:
            return any(self.same_document(o, d.year) for o in other._by_key.get(normal_key(d.key), ()))

        return Registry(tuple(d for d in self.documents if not replaced(d)) + other.documents, self.spans,
                        self.relations + other.relations)


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


def _lists(file: Path) -> tuple[tuple[KnownDocument, ...], tuple[KnownDocument, ...]]:
    data = (yaml.safe_load(file.read_text(encoding="utf-8")) if file.is_file() else None) or {}
    seeded = tuple(_document(e, "seed") for e in data.get("seeded") or ())
    manual = tuple(_document(e, "manual") for e in data.get("manual") or ())
    return seeded, manual


def load_registry(path: str | Path | None = None) -> Registry:
    """Read one registry file (default: the shared ``rules/registry/national.yaml``); manual entries win
    over seeded ones."""
    seeded, manual = _lists(Path(path) if path else rules_dir() / REGISTRY_DIR / SHARED_FILE)
    return Registry(seeded).merged(Registry(manual))


def parent_slug(header: Header) -> str:
    """The file name (without ``.yaml``) of a parent plan's registry: its symbol, year and issuer, folded
    ("87/KH-UBND", 2023, "UBND tỉnh Hưng Yên" -> ``87-kh-ubnd-2023-ubnd-tinh-hung-yen``)."""
    parts = [header.number or "", (header.date or "")[:4], header.issuer or ""]
    return re.sub(r"[^a-z0-9]+", "-", P.fold(" ".join(p for p in parts if p))).strip("-") or "unnamed"


def parent_registry_path(header: Header) -> Path:
    """Where the reviewer's registry file for the parent plan with this header lives."""
    return rules_dir() / REGISTRY_DIR / PARENTS_DIR / f"{parent_slug(header)}.yaml"


def _legacy(parent_key: str | None) -> tuple[Registry, Registry]:
    """(shared, parent) layers from a legacy ``known_documents.yaml``: its manual entries are shared, its
    seeded entries belong to the parent they were seeded from."""
    seeded, manual = _lists(rules_dir() / LEGACY_FILE)
    own = normal_key(parent_key) if parent_key else None
    return Registry(manual), Registry(tuple(d for d in seeded if own and normal_key(d.source) == own))


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
    parts = parse_key(c.key)
    return stated is None or parts is None or stated.signs(issuing_code(parts, rules))


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
    """The text of a registry file for a seed and the hand-kept entries to carry over."""

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
        "# seeded: generated from a parent plan's own references by `hycompliance refs PLAN --seed-parent`\n"
        "#         (read only for that parent's children); do not edit, regenerate.\n"
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


def parent_registry(parent: Plan | None, shared: Registry | None = None) -> Registry:
    """The registry a child plan of ``parent`` is checked against: the parent's own references, then the
    shared registry of national documents (``shared``, default the rules file), then the reviewer's file
    for this parent. Without a parent: the shared registry alone."""
    legacy_shared, legacy_own = _legacy(parent.header.number if parent else None)
    base = (shared if shared is not None else load_registry()).merged(legacy_shared)
    if parent is None:
        return base
    seed = seed_registry(parent.text, own_key=parent.header.number, own_date=parent.header.date)
    own = load_registry(parent_registry_path(parent.header))
    return legacy_own.merged(seed).merged(base).merged(own)
