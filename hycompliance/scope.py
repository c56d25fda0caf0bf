"""Does a submitted document implement the parent plan at all? Decided before its tasks are scored.

A document is in scope when it cites the parent, or its title cites a document the parent itself implements
(and it is not issued in another province), or its subject overlaps the parent's enough (rules/scope.yaml).
An out-of-scope document keeps its parse, references and findings, but none of its cells is scored as
addressed (``out_of_scope_matches``). A reviewer's decision overrides the machine's.

>>> province_of("UBND tỉnh Hưng Yên", ("tỉnh", "thành phố")), province_of("UBND huyện Văn Lâm", ("tỉnh",))
('hưng yên', None)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from hycompliance import rules
from hycompliance.models import Citation, Match, Plan, Requirement
from hycompliance.semantic import Space, load_space
from hycompliance.text import Lexicon, key_of, load_lexicon, normalize, protect_references, reference_keys, words

Basis = Literal["cites_parent", "cites_ancestor", "subject", "none", "reviewer_in", "reviewer_out"]


@dataclass(frozen=True)
class Scope:
    """The verdict: in scope or not, on what basis, how close the subjects are, and why in Vietnamese."""

    in_scope: bool
    basis: Basis
    overlap: float | None  # whole texts (None: a citation decided, the subject was not compared)
    reason: str
    title_overlap: float | None = None


@dataclass(frozen=True)
class ScopeRules:
    subject_overlap: float
    title_overlap: float
    province_prefixes: tuple[str, ...]
    labels: dict[str, str]


def load_scope_rules() -> ScopeRules:
    data = rules.load("scope.yaml")
    return ScopeRules(float(data["subject_overlap"]), float(data["title_overlap"]), tuple(data["province_prefixes"]), dict(data["labels"]))


@dataclass(frozen=True)
class ParentProfile:
    """What the scope check needs of the parent, computed once per parent."""

    name: str  # "kế hoạch 87/KH-UBND"
    key: str | None  # loose key of the parent's own number ("87khubnd")
    date: str | None  # ISO
    ancestors: tuple[tuple[str, str], ...]  # (loose key, as printed) of the documents its title cites
    province: str | None
    vector: np.ndarray  # background-IDF word vector of its whole text
    title_vector: np.ndarray  # the same of its title (what it is about, in its own words)


def province_of(issuer: str | None, prefixes: Sequence[str]) -> str | None:
    """The province or city named in an issuer ("UBND tỉnh Đồng Nai" -> "đồng nai"), else None."""
    if not issuer:
        return None
    pattern = r"\b(?:" + "|".join(re.escape(p) for p in prefixes) + r")\s+(.+)$"
    m = re.search(pattern, normalize(issuer).lower())
    return m.group(1).strip() if m else None


def text_vector(texts: Sequence[str], space: Space, lex: Lexicon) -> np.ndarray:
    """Texts (a plan's clauses) as one unit vector of word counts x background IDF (sublinear counts).

    Clause texts are segmented once per process (hycompliance.text caches them): matching reuses them."""
    v = np.zeros(len(space.vocab), dtype=np.float32)
    for text in texts:
        for w in words(text, lex):
            k = space.vocab.get(w)
            if k is not None and lex.weight(w) >= 0.5:
                v[k] += 1.0
    v = np.where(v > 0, 1.0 + np.log(np.maximum(v, 1.0)), 0.0) * space.idf
    n = float(np.linalg.norm(v))
    return v / n if n > 0 else v


def clause_texts(plan: Plan) -> list[str]:
    """What a plan says: its clauses' texts (the whole text when it has no structure)."""
    return [c.text for c in plan.clauses] or plan.text.splitlines()


def title_vector(title: str, space: Space, lex: Lexicon) -> np.ndarray:
    """A title as a text vector, without the documents it cites (titles are often in capitals)."""
    body, _ = protect_references(normalize(title))
    return text_vector([body.lower()], space, lex)


def _printed_keys(text: str) -> list[tuple[str, str]]:
    """(loose key, as printed) of the documents cited in ``text``."""
    return [(key_of(k), k) for k in reference_keys(text)]


def parent_profile(parent: Plan, *, space: Space | None = None, lex: Lexicon | None = None,
                   scope_rules: ScopeRules | None = None) -> ParentProfile:
    space = space or load_space()
    lex = lex or load_lexicon()
    sr = scope_rules or load_scope_rules()
    h = parent.header
    own = key_of(h.number) if h.number else None
    ancestors = tuple((k, p) for k, p in _printed_keys(h.title or "") if k != own)
    kind = (h.type or "kế hoạch").lower()
    name = f"{kind} {h.number}" if h.number else kind
    return ParentProfile(name, own, h.date, ancestors, province_of(h.issuer, sr.province_prefixes),
                         text_vector(clause_texts(parent), space, lex), title_vector(h.title or parent.text[:400], space, lex))


def _cites_parent(citations: Sequence[Citation], child: Plan, profile: ParentProfile) -> bool:
    if profile.key is None:
        return False
    for c in citations:
        if c.key and key_of(c.key) == profile.key and not (c.date and profile.date and c.date != profile.date):
            return True
    if citations:
        return False
    _, keys = protect_references(child.text)  # no extractor output: the document numbers written in the text
    return profile.key in keys


def decide(child: Plan, citations: Sequence[Citation], profile: ParentProfile, *, space: Space | None = None,
           lex: Lexicon | None = None, scope_rules: ScopeRules | None = None) -> Scope:
    """The machine's verdict on whether ``child`` implements the parent of ``profile``."""
    sr = scope_rules or load_scope_rules()
    if _cites_parent(citations, child, profile):  # decided by references alone: nothing to segment
        return Scope(True, "cites_parent", None, sr.labels["cites_parent"].format(parent=profile.name))
    title_keys = {k for k, _ in _printed_keys(child.header.title or "")}
    child_province = province_of(child.header.issuer, sr.province_prefixes) or province_of(
        child.header.parent_issuer, sr.province_prefixes)
    foreign = bool(child_province and profile.province and child_province != profile.province)
    for key, printed in profile.ancestors:
        if key in title_keys and not foreign:
            label = sr.labels["cites_ancestor"].format(doc=printed, parent=profile.name)
            return Scope(True, "cites_ancestor", None, label)
    space = space or load_space()
    lex = lex or load_lexicon()
    overlap = round(float(text_vector(clause_texts(child), space, lex) @ profile.vector), 3)
    title = round(float(title_vector(child.header.title or "", space, lex) @ profile.title_vector), 3)
    fmt = {"parent": profile.name, "overlap": _num(overlap), "threshold": _num(sr.subject_overlap),
           "title": _num(title), "title_threshold": _num(sr.title_overlap)}
    if overlap >= sr.subject_overlap and title >= sr.title_overlap and not foreign:
        return Scope(True, "subject", overlap, sr.labels["subject"].format(**fmt), title)
    return Scope(False, "none", overlap, sr.labels["none"].format(**fmt), title)


def reviewed(machine: Scope, in_scope: bool, profile_name: str, scope_rules: ScopeRules | None = None) -> Scope:
    """A reviewer's decision in place of the machine's (the overlap stays for the record)."""
    sr = scope_rules or load_scope_rules()
    basis: Basis = "reviewer_in" if in_scope else "reviewer_out"
    return Scope(in_scope, basis, machine.overlap, sr.labels[basis].format(parent=profile_name), machine.title_overlap)


def out_of_scope_matches(catalogue: Sequence[Requirement], scope: Scope,
                         scope_rules: ScopeRules | None = None) -> tuple[Match, ...]:
    """What an out-of-scope document addresses: nothing. Every requirement (references included) is
    "missing", its reason the scope's; it is not scored at all."""
    sr = scope_rules or load_scope_rules()
    why = sr.labels["out_of_scope_cell"].format(reason=scope.reason)
    return tuple(Match(r.id, "missing", 0.0, (), why) for r in catalogue)


def _num(x: float) -> str:
    return f"{x:.2f}".replace(".", ",")
