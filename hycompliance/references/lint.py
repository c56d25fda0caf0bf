"""What a legal reviewer flags in a plan's citations.

Each check compares a mention with the registry of known documents, with the other mentions of the same
document in the plan, or with the parent plan. Codes and Vietnamese messages come from
``rules/lint_messages.yaml``; the rule of each check is stated in its function's docstring.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from hycompliance.dates import day
from hycompliance.models import Citation, Finding, Plan
from hycompliance.references import patterns as P
from hycompliance.references.extract import (
    SHORT_FLAG,
    SPACING_FLAG,
    SYMBOL_FLAG,
    UNFILLED_FLAG,
    canonical_key,
    extract_plan,
    find_own,
    iso_date,
)
from hycompliance.references.symbols import issuing_code, normal_key, parse_key
from hycompliance.references.resolve import KnownDocument, Registry
from hycompliance.references.rules import Rules, load_rules


@dataclass(frozen=True)
class _Hit:
    index: int | None  # the citation the finding is about, when there is one
    finding: Finding


def _vn_date(iso: str | None) -> str:
    return day(iso, missing="")


def _base(code: str | None) -> str:
    return (code or "").split("-")[0].rstrip("0123456789")


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return ""


def _finding(rules: Rules, code: str, c: Citation | None, *, as_written: str = "", page: int | None = None,
             clause: str | None = None, key: str | None = None, expected: str | None = None,
             corrected: str | None = None, undated: bool = False, **values: str) -> Finding:
    """``undated``: the date the message names is not known; its ``undated`` wording, when it has one."""
    written = " ".join((c.as_written if c else as_written).split())
    fields = _SafeDict(as_written=written, key=key or (c.key if c else "") or "", expected=expected or "", **values)
    if c and "date" not in fields:
        fields["date"] = _vn_date(c.date)
    msg = rules.message(code)
    template = msg.undated if undated and msg.undated else msg.template
    return Finding(
        code=code,
        severity=msg.severity,
        message=template.format_map(fields),
        as_written=written,
        page=c.page if c else page,
        clause=c.clause if c else clause,
        key=key or (c.key if c else None),
        expected=expected,
        corrected=corrected or _corrected(code, key or (c.key if c else None), expected),
    )


def _corrected(code: str, key: str | None, expected: str | None) -> str | None:
    """The mention as it should be written, for the findings that have one form."""
    if not expected:
        return None
    if code == "wrong_date" and key:
        return f"{key} ngày {expected}"
    if code in ("wrong_issuer", "wrong_number", SYMBOL_FLAG, SPACING_FLAG):
        return expected
    return None


def own_identity(plan: Plan, citations: list[Citation], rules: Rules) -> tuple[str | None, str | None]:
    """The plan's own key and ISO date: from its header when parsed, else from its "Số: ..." line."""
    key = canonical_key(plan.header.number, rules) if plan.header.number else None
    own = find_own(citations, plan.text)
    return key or (own.key if own else None), plan.header.date or (own.date if own else None)


def _symbol_year(key: str | None) -> str | None:
    m = re.match(r"^\d+/(\d{4})/", key or "")
    return m.group(1) if m else None


def _key_in_form(number: str, type_code: str | None, issuer_code: str, system: str) -> str:
    if system == "party" and type_code:
        return f"{number}-{type_code}/{issuer_code}"
    return f"{number}/{type_code}-{issuer_code}" if type_code else f"{number}/{issuer_code}"


def _check_one(c: Citation, i: int, registry: Registry, rules: Rules) -> tuple[list[_Hit], str | None]:
    """Symbol form, issuer, date and number of one numbered mention; returns the key it is taken to mean.

    - wrong_symbol_format: a Party code in a State-form symbol or the reverse (flagged at extraction).
    - wrong_issuer: the issuer printed next to the mention signs with another code than the symbol's; or
      the symbol is unknown while the registry knows the same number and type from another issuer (and
      the date, if printed, is that document's).
    - wrong_date: the printed date differs from the registry's date of the document meant.
    - wrong_number: unknown symbol, but exactly one known document has its type, issuer and date.
    - unknown_document: none of the above identifies it (information only).
    """
    hits: list[_Hit] = []
    parts = parse_key(c.key or "")
    if parts is None:
        return hits, None
    if SYMBOL_FLAG in c.flags:
        issuer, _ = rules.issuer_by_code(_base(parts.issuer_code))
        hits.append(_Hit(i, _finding(rules, SYMBOL_FLAG, c, expected=c.key, stated=issuer.name if issuer else parts.issuer_code)))
    year = re.match(r"^\d+/(\d{4})/", c.key or "")
    if year and c.date and year.group(1) != c.date[:4] and SYMBOL_FLAG not in c.flags:
        fixed = f"{parts.number}/{c.date[:4]}/{(c.key or '').split('/', 2)[2]}"
        # the symbol or the date is wrong, and nothing here says which: no single corrected form
        hits.append(_Hit(i, _finding(rules, "symbol_year_mismatch", c, expected=fixed, year=year.group(1), when=c.date[:4])))
    doc = registry.get(c.key, c.date)
    target: KnownDocument | None = doc
    stated = rules.issuer_by_name(c.issuer)
    if stated is not None and not stated.signs(issuing_code(parts, rules)):
        known = [d for d in registry.by_number_type(parts.number, parts.type_code) if stated.signs(d.issuer_code)]
        target = known[0] if known else None
        expected = target.key if target else _key_in_form(parts.number, parts.type_code, stated.signs_as, stated.system)
        hits.append(_Hit(i, _finding(rules, "wrong_issuer", c, expected=expected, stated=c.issuer or stated.name)))
        if target is None:
            return hits, expected
    elif doc is None and len(registry):
        alts = [d for d in registry.by_number_type(parts.number, parts.type_code)
                if (not c.date or d.date == c.date) and _symbol_year(d.key) == _symbol_year(c.key)
                and _base(issuing_code(parse_key(d.key), rules)) != _base(issuing_code(parts, rules))]
        if len(alts) == 1:
            target = alts[0]
            hits.append(_Hit(i, _finding(rules, "wrong_issuer", c, expected=target.key, stated=target.issuer or "")))
    if target is not None:
        if c.date and target.date and c.date != target.date:
            hits.append(_Hit(i, _finding(rules, "wrong_date", c, key=target.key, expected=_vn_date(target.date))))
        return hits, target.key
    if c.date and len(registry):
        same = [d for d in registry.by_type_issuer_date(parts.type_code, parts.issuer_code, c.date)
                if normal_key(d.key) != normal_key(c.key or "")]
        if len(same) == 1:
            hits.append(_Hit(i, _finding(rules, "wrong_number", c, expected=same[0].key)))
            return hits, same[0].key
    if len(registry):
        hits.append(_Hit(i, _finding(rules, "unknown_document", c)))
    return hits, c.key


def _plan_dates(citations: list[Citation], meant: list[str | None], registry: Registry, rules: Rules) -> list[_Hit]:
    """wrong_date among mentions of a document the registry does not date (or dates several ways in one
    year, as plans disagreeing about it): the minority date of the plan's own mentions is flagged."""
    by_key: dict[str, list[int]] = {}
    for i, (c, k) in enumerate(zip(citations, meant)):
        known = registry.get(k, c.date) if k else None
        settled = known is not None and known.date is not None and len(registry.dates_of(k or "", c.date)) == 1
        if k and c.date and not settled:
            by_key.setdefault(normal_key(k), []).append(i)
    hits = []
    for idx in by_key.values():
        counts = Counter(citations[i].date for i in idx)
        if len(counts) < 2:
            continue
        best = max(counts.values())
        usual = next(citations[i].date for i in idx if counts[citations[i].date] == best)
        for i in idx:
            if citations[i].date != usual:
                hits.append(_Hit(i, _finding(rules, "wrong_date", citations[i], expected=_vn_date(usual))))
    return hits


def _conflicts(citations: list[Citation], meant: list[str | None], flagged: set[int], rules: Rules) -> list[_Hit]:
    """conflicting_issuer: one number and type cited under several issuer codes in the plan; a mention
    of a less-cited one with no date cannot be told apart and is likely a slip for the usual one."""
    groups: dict[tuple[str, str | None], Counter[str]] = {}
    for i, k in enumerate(meant):
        parts = parse_key(k or "")
        if parts and i not in flagged:
            groups.setdefault((parts.number.lstrip("0"), parts.type_code), Counter())[normal_key(k or "")] += 1
    hits = []
    for i, (c, k) in enumerate(zip(citations, meant)):
        parts = parse_key(k or "")
        if not parts or i in flagged or c.date:
            continue
        counts = groups[(parts.number.lstrip("0"), parts.type_code)]
        if len(counts) > 1 and counts[normal_key(k or "")] < max(counts.values()):
            others = ", ".join(sorted(o for o in counts if o != normal_key(k or "")))
            hits.append(_Hit(i, _finding(rules, "conflicting_issuer", c, other=others)))
    return hits


def _required(plan: Plan, meant: list[str | None], parent: Plan, registry: Registry, rules: Rules,
              parent_citations: Sequence[Citation] | None = None) -> list[_Hit]:
    """missing_required_reference: the parent plan itself and every document its preamble (title and
    "Căn cứ" lines, before its first section) names as its basis must be cited by the child.
    ``parent_citations``: the parent's citations when the caller has them (extracted here otherwise)."""
    cited = parent_cites = list(parent_citations) if parent_citations is not None else extract_plan(
        parent, registry, rules=rules)
    parent_key, _ = own_identity(parent, parent_cites, rules)
    first = next((c.start for c in parent.clauses if c.kind == "section"), None)
    if first is None:
        m = re.search(r"(?m)^\s*I\.\s", parent.text)
        first = m.start() if m else 0
    required = [parent_key] if parent_key else []
    required += [c.key for c in cited if c.key and c.start < first and SYMBOL_FLAG not in c.flags]
    have = {normal_key(k) for k in meant if k}
    hits, seen = [], set()
    for key in required:
        if key is None or normal_key(key) in have or normal_key(key) in seen:
            continue
        seen.add(normal_key(key))
        doc = registry.get(key)
        label = f"{key} ngày {_vn_date(doc.date)}" if doc and doc.date else key
        hits.append(_Hit(None, _finding(rules, "missing_required_reference", None, key=key, expected=label, page=1)))
    return hits


def _deadlines(plan: Plan, own_date: str | None, rules: Rules) -> list[_Hit]:
    """deadline_before_plan_date: "hoàn thành trước ngày ..." earlier than the plan's own date."""
    if not own_date:
        return []
    hits = []
    for m in P.DEADLINE_RE.finditer(P.fold(plan.text)):
        when = iso_date(m)
        if when and when < own_date:
            clause = plan.clause_at(m.start())
            hits.append(_Hit(None, _finding(
                rules, "deadline_before_plan_date", None, as_written=plan.text[m.start() : m.end()],
                page=clause.page if clause else 1, clause=clause.id if clause else None, expected=_vn_date(own_date),
            )))
    return hits


def check(plan: Plan, citations: list[Citation], registry: Registry, *, parent: Plan | None = None,
          rules: Rules | None = None, parent_citations: Sequence[Citation] | None = None,
          ) -> tuple[list[Citation], list[Finding]]:
    """Findings for ``citations`` of ``plan``, and the citations with the codes found on each in ``flags``."""
    rules = rules or load_rules()
    own_key, own_date = own_identity(plan, citations, rules)
    hits: list[_Hit] = []
    meant: list[str | None] = []
    for i, c in enumerate(citations):
        if SHORT_FLAG in c.flags:
            hits.append(_Hit(i, _finding(rules, SHORT_FLAG, c, other="")))
        if UNFILLED_FLAG in c.flags:
            whole = f"{c.type} số {own_key} ngày {_vn_date(own_date)}" if c.key and own_key and own_date else (c.key or "")
            hits.append(_Hit(i, _finding(rules, UNFILLED_FLAG, c, expected=whole, corrected=whole or None)))
            meant.append(None)
            continue
        if SPACING_FLAG in c.flags and SYMBOL_FLAG not in c.flags and c.key:
            hits.append(_Hit(i, _finding(rules, SPACING_FLAG, c, expected=c.key, corrected=c.key)))
        if c.key and own_key and normal_key(c.key) == normal_key(own_key):
            if c.date and own_date and c.date != own_date and c.date[:4] == own_date[:4]:
                hits.append(_Hit(i, _finding(rules, "wrong_date", c, expected=_vn_date(own_date))))
            meant.append(c.key)
            continue
        if not c.key:
            meant.append(c.key)
            continue
        found, key = _check_one(c, i, registry, rules)
        hits += found
        meant.append(key)
    wrong_issuer = {h.index for h in hits if h.finding.code == "wrong_issuer" and h.index is not None}
    own = {i for i, k in enumerate(meant) if k and own_key and normal_key(k) == normal_key(own_key)}
    hits += _plan_dates(citations, [None if i in own else k for i, k in enumerate(meant)], registry, rules)
    hits += _conflicts(citations, meant, wrong_issuer | own, rules)
    if parent is not None:
        hits += _required(plan, meant, parent, registry, rules, parent_citations)
    hits += _deadlines(plan, own_date, rules)
    hits += _validity(citations, meant, registry, own_key, own_date, rules)
    flags: dict[int, list[str]] = {}
    for h in hits:
        if h.index is not None:
            flags.setdefault(h.index, []).append(h.finding.code)
    dated = {h.index for h in hits if h.finding.code == "wrong_date"}
    hits = [h for h in hits if not (h.finding.code == "symbol_year_mismatch" and h.index in dated)]
    intended: dict[int, str] = {}
    for h in sorted(hits, key=lambda h: h.finding.code != "wrong_date"):  # a corrected date carries the key too
        if h.index is not None and h.finding.corrected and h.index not in intended:
            intended[h.index] = h.finding.corrected
    annotated = [
        replace(c, flags=tuple(dict.fromkeys((*c.flags, *flags.get(i, ())))), intended=intended.get(i, c.intended))
        for i, c in enumerate(citations)
    ]
    return annotated, _grouped(hits)


def _grouped(hits: list[_Hit]) -> list[Finding]:
    """One finding per document and problem: mentions with the same code, document and expected form are
    counted on the first one, with the clauses they sit in."""
    groups: dict[tuple[str, str, str], list[Finding]] = {}
    for h in hits:
        f = h.finding
        doc = normal_key(f.key) if f.key else " ".join(f.as_written.split())
        groups.setdefault((f.code, doc, f.expected or ""), []).append(f)
    out = []
    for found in groups.values():
        clauses = tuple(dict.fromkeys(f.clause for f in found if f.clause))
        out.append(replace(found[0], count=len(found), clauses=clauses))
    return out


VALIDITY_CODES = ("repealed_document", "partly_repealed_document", "amended_document")


def validity_basis(registry: Registry) -> tuple[tuple[str | None, ...], ...]:
    """What ``validity_findings`` reads of a registry, in the order it reads it: the relations (who did
    what to which document, from when), without the evidence and the file they were learnt from. Two
    registries with the same basis give the same validity findings; keep this in step with ``_validity_of``."""
    return tuple((r.source_key, r.source_date, r.kind, r.target_key, r.target_date, r.scope, r.effective)
                 for r in registry.relations)


def validity_findings(citations: Sequence[Citation], registry: Registry, *, own_key: str | None,
                      own_date: str | None, rules: Rules | None = None) -> list[Finding]:
    """The validity findings (``VALIDITY_CODES``) of citations already checked (a stored document's): each
    mention is taken to mean the document of its corrected form (``intended``), else its own key; a blank
    self-reference means the plan itself. The same judgement as ``check``'s, for a registry that has
    learnt more since the citations were checked."""
    rules = rules or load_rules()
    meant = [None if UNFILLED_FLAG in c.flags else (canonical_key(c.intended, rules) if c.intended else None) or c.key
             for c in citations]
    return _grouped(_validity(list(citations), meant, registry, own_key, own_date, rules))


def _validity(citations: list[Citation], meant: list[str | None], registry: Registry, own_key: str | None,
              own_date: str | None, rules: Rules) -> list[_Hit]:
    """repealed_document / partly_repealed_document / amended_document: what the registry learnt from the
    documents themselves (``registry learn``) about a cited document, in force at the plan's date."""
    hits = []
    for i, (c, k) in enumerate(zip(citations, meant)):
        if not k or (own_key and normal_key(k) == normal_key(own_key)):
            continue
        found = _validity_of(i, c, k, registry, own_key, own_date, rules)
        repealed = [h for h in found if h.finding.code == "repealed_document"]
        hits += repealed[:1] or found  # repealed in whole: its amendments no longer matter
    return hits


def _validity_of(i: int, c: Citation, k: str, registry: Registry, own_key: str | None, own_date: str | None,
                 rules: Rules) -> list[_Hit]:
    """The validity findings of one mention: what the registry says other documents did to it."""
    hits = []
    for r in registry.relations_on(k, c.date):
        when = r.effective or r.source_date
        if own_date and when and when > own_date:
            continue
        if own_key and normal_key(r.source_key) == normal_key(own_key):
            continue  # the plan itself repeals or amends it
        if r.kind in ("repeals", "replaces"):
            code = "repealed_document" if r.scope == "whole" else "partly_repealed_document"
        elif r.kind == "amends":
            code = "amended_document"
        else:
            continue
        by = f"{r.source_key} ngày {_vn_date(r.source_date)}" if r.source_date else r.source_key
        since = _vn_date(when)
        hits.append(_Hit(i, _finding(rules, code, c, key=k, other=by, when=since, undated=not since)))
    return hits


def lint(plan: Plan, citations: list[Citation], registry: Registry, *, parent: Plan | None = None,
         rules: Rules | None = None, parent_citations: Sequence[Citation] | None = None) -> list[Finding]:
    """Findings (error / warning / info) about the citations of ``plan``."""
    return check(plan, citations, registry, parent=parent, rules=rules, parent_citations=parent_citations)[1]
