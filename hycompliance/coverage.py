"""The coverage stage: one typed cell per (child plan, requirement), judged once and rendered everywhere.

matching -> **coverage** -> store -> faces (CLI, reports, web app). From the parent's catalogue and one
child's matches, citations and findings, ``plan_cells`` produces one ``Cell`` per task, sub-task, target,
duty and reference requirement:

- ``status`` and ``score`` (the matcher's for tasks and targets; for references: cited correctly -> covered,
  cited with an error-severity finding -> partial, not cited -> missing);
- ``applicable``: whether the requirement binds a plan of this issuer (``hycompliance.applicability``); a
  duty binds only the bodies its agency names (a Sở its own duties, a commune those of "UBND các xã,
  phường"): ``matching_passes`` gives the matcher the duties that bind the child, the others are cells
  that do not apply (``n/a``);
- ``evidence``: the clauses that address it, each with the requirement words it shares (after abbreviation
  expansion: "CCHC" shares "cải cách hành chính") and the character ``spans`` of those words in the clause's
  own text, and the references both cite;
- ``targets``: for a target row, the province's value beside the plan's for each period (by the column
  header of the plan's table) and the verdict ``higher|lower|equal|unknown``;
- ``reasons``: why, as data (``Reason``); faces put them in words with the label files.

``coverage`` is the one definition of a coverage percent (documented in ``COVERAGE_FORMULA``);
``verdict`` is the one definition of the status a person should believe (a fresh review, else the
machine's). ``requirement_hash`` is a requirement's identity beside its catalogue ID: a hash of its
normalised text, the same whether the parent was read from .txt, .docx or .pdf.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from hycompliance import rules
from hycompliance.applicability import applies, document_level
from hycompliance.features import requirement_text
from hycompliance.models import Citation, Clause, Finding, Match, Plan, Requirement
from hycompliance.reasons import key_term, own_places
from hycompliance.requirements import parse_value
from hycompliance.text import Lexicon, key_of, normalize, words

REFERENCE = "reference"
DUTY = "duty"
# Requirements that get a cell. Assignments (who does what, in catalogues written before duties had a kind)
# decide who a task binds; they have no cell.
CELL_KINDS = ("task", "subtask", "target", DUTY, REFERENCE)
# A word whose boilerplate weight is below this ("thực hiện", "triển khai") is not shown as shared wording.
MIN_WORD_WEIGHT = 0.5
# How many shared words a reason lists (every shared word is highlighted).
REASON_WORDS = 6
TOKEN = re.compile(r"\w+")
PERIOD = re.compile(r"(\d{4})\s*[-–]\s*(\d{4})")

Verdict = Literal["higher", "lower", "equal", "unknown"]
ReasonCode = Literal[
    "shared_words", "shared_references", "target", "similar", "restated", "nearest", "nothing",
    "cited", "cited_with_errors", "not_cited", "out_of_scope",
]
COVERAGE_FORMULA = "(covered + justified + 0.5 x partial) / cells that apply; references are a figure of their own"


@dataclass(frozen=True)
class EvidenceClause:
    clause: str
    page: int
    text: str  # the clause's own text; spans point into it
    score: float
    words: tuple[str, ...] = ()  # requirement words the clause shares, most telling first
    spans: tuple[tuple[int, int], ...] = ()  # where those words stand in ``text``
    references: tuple[str, ...] = ()  # documents both cite


@dataclass(frozen=True)
class TargetComparison:
    period: str
    province: str  # as the parent writes it: "Khoảng 8%"
    province_value: float | None
    plan: str | None  # the child's cell for the same period, None when it sets none
    plan_value: float | None
    verdict: Verdict


@dataclass(frozen=True)
class Reason:
    code: ReasonCode
    clause: str | None = None
    page: int | None = None
    items: tuple[str, ...] = ()  # words, document keys, finding codes or the target's indicator
    count: int = 0


@dataclass(frozen=True)
class Cell:
    requirement: str
    requirement_hash: str
    kind: str
    status: str  # covered | partial | missing
    score: float
    applicable: bool
    evidence: tuple[EvidenceClause, ...]
    references: tuple[str, ...]
    targets: tuple[TargetComparison, ...]
    reasons: tuple[Reason, ...]
    source: Literal["matcher", "references"]


# --- identity --------------------------------------------------------------------------------------


def normalised_text(text: str) -> str:
    """A requirement's text as its identity sees it: NFC, new-style tone marks, lower case, words only.

    >>> normalised_text("Đẩy mạnh  cải cách hành chính; CCHC.") == normalised_text("đẩy mạnh cải cách hành chính, CCHC")
    True
    """
    return " ".join(TOKEN.findall(normalize(text).lower()))


def requirement_hash(requirement: Requirement) -> str:
    """Identity of a requirement's content (kind and normalised text), independent of its printed position
    and of the parent file's form."""
    return hashlib.sha256(f"{requirement.kind}|{normalised_text(requirement.text)}".encode()).hexdigest()[:16]


def catalogue_hash(catalogue: Iterable[Requirement]) -> str:
    """Identity of a whole catalogue: IDs, kinds and normalised texts in order."""
    digest = hashlib.sha256()
    for r in catalogue:
        digest.update(f"{r.id}|{requirement_hash(r)}|{','.join(r.applies_to)}\n".encode())
    return digest.hexdigest()[:16]


# --- shared words and where they stand --------------------------------------------------------------


def shared_words(requirement: Requirement, text: str, lex: Lexicon,
                 places: frozenset[str] = frozenset()) -> tuple[str, ...]:
    """The requirement's content words that ``text`` also uses (both after abbreviation expansion), its
    keywords first, then the rarest and longest; administrative verbs, labels (roman numerals), the words of
    rules/boilerplate.yaml's ``not_key_terms`` and the submitting body's own place names (``places``) left out."""
    mine = set(words(text, lex))

    def shown(w: str) -> bool:
        return w in mine and lex.weight(w) >= MIN_WORD_WEIGHT and key_term(w, lex, places)

    keys = [w for w in requirement.keywords if shown(w)]
    rest = [w for w in dict.fromkeys(words(requirement_text(requirement), lex)) if w not in keys and shown(w)]
    rest.sort(key=lambda w: -lex.weight(w) * len(w))
    return tuple(keys + rest)


def _syllables(text: str, lex: Lexicon) -> list[tuple[str, int, int]]:
    """(syllable, start, end) of ``text``; an abbreviation stands for the syllables of its expansion, each
    spanning the abbreviation as printed."""
    found = list(lex.abbreviation_pattern.finditer(text)) if lex.abbreviation_pattern else []
    out: list[tuple[str, int, int]] = []
    pos = 0
    for m in found + [None]:
        end = m.start(1) if m is not None else len(text)
        out += [(normalize(t.group(0)).lower(), t.start(), t.end()) for t in TOKEN.finditer(text, pos, end)]
        if m is not None:
            out += [(normalize(s).lower(), m.start(1), m.end(1)) for s in TOKEN.findall(lex.abbreviations[m.group(1)])]
            pos = m.end(1)
    return out


def word_spans(text: str, wanted: Iterable[str], lex: Lexicon) -> tuple[tuple[int, int], ...]:
    """Character spans of ``text`` where a wanted word (one or more syllables) is written, merged."""
    tokens = _syllables(text, lex)
    spans: list[tuple[int, int]] = []
    for word in wanted:
        parts = [normalize(p).lower() for p in word.split()]
        n = len(parts)
        for i in range(len(tokens) - n + 1):
            if all(tokens[i + k][0] == parts[k] for k in range(n)):
                spans.append((tokens[i][1], tokens[i + n - 1][2]))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return tuple(merged)


# --- targets --------------------------------------------------------------------------------------


def _table_header(plan: Plan, clause: Clause) -> tuple[str, ...]:
    cur = plan.clause(clause.parent) if clause.parent else None
    while cur is not None and cur.kind != "table":
        cur = plan.clause(cur.parent) if cur.parent else None
    return cur.cells if cur is not None else ()


def period_values(plan: Plan, clause: Clause) -> dict[str, str]:
    """The values a table row sets per period, by its table's column headers ("Giai đoạn 2021-2025")."""
    out = {}
    for i, head in enumerate(_table_header(plan, clause)):
        m = PERIOD.search(head)
        if m and i < len(clause.cells) and clause.cells[i].strip():
            out[f"{m.group(1)}-{m.group(2)}"] = clause.cells[i].strip()
    return out


def _middle(value: float | None, high: float | None) -> float | None:
    return None if value is None else (value + (high if high is not None else value)) / 2


def compare_target(requirement: Requirement, found: dict[str, str]) -> tuple[TargetComparison, ...]:
    """Each period of the province's target beside the plan's value for it (a range compares by its middle)."""
    if requirement.target is None:
        return ()
    comparators = rules.load("catalogue/derive.yaml")["comparators"]
    out = []
    for v in requirement.target.values:
        mine = found.get(v.period)
        parsed = parse_value(v.period, mine, comparators) if mine else None
        plan_value = _middle(parsed.value, parsed.high) if parsed else None
        province = _middle(v.value, v.high)
        verdict: Verdict = "unknown"
        if plan_value is not None and province is not None:
            verdict = "higher" if plan_value > province else "lower" if plan_value < province else "equal"
        out.append(TargetComparison(v.period, v.text, province, mine, plan_value, verdict))
    return tuple(out)


# --- cells ----------------------------------------------------------------------------------------


def _cited_in(plan: Plan, citations: Sequence[Citation]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for c in citations:
        if c.key:
            clause = plan.clause(c.clause) if c.clause else plan.clause_at(c.start)
            if clause is not None:
                out.setdefault(clause.id, set()).add(key_of(c.key))
    return out


def matcher_cell(requirement: Requirement, match: Match | None, plan: Plan, cited: dict[str, set[str]],
                 lex: Lexicon, applicable: bool) -> Cell:
    """The cell of a task, sub-task or target from the matcher's verdict."""
    evidence: list[EvidenceClause] = []
    reasons: list[Reason] = []
    targets: tuple[TargetComparison, ...] = ()
    places = own_places(plan)
    for e in match.evidence if match else ():
        clause = plan.clause(e.clause)
        text = clause.text if clause is not None else e.text
        shared = shared_words(requirement, text, lex, places)
        refs = tuple(sorted(k for k in requirement.references if key_of(k) in cited.get(e.clause, set())))
        evidence.append(EvidenceClause(e.clause, e.page, text, round(e.score, 4), shared, word_spans(text, shared, lex),
                                       refs))
        if shared:
            reasons.append(Reason("shared_words", e.clause, e.page, shared[:REASON_WORDS]))
        if refs:
            reasons.append(Reason("shared_references", e.clause, e.page, refs))
        if requirement.kind == "target" and requirement.target and clause is not None and not targets:
            found = period_values(plan, clause)
            if found:
                targets = compare_target(requirement, found)
                reasons.append(Reason("target", e.clause, e.page, (requirement.target.indicator,)))
        if e.semantic is not None:  # the semantic re-rank kept this clause: it restates the task in other words
            reasons.append(Reason("restated", e.clause, e.page, (f"{e.semantic:.2f}",)))
        elif not shared and not refs:
            reasons.append(Reason("similar", e.clause, e.page))
    if requirement.kind == "target" and requirement.target and not targets:
        targets = compare_target(requirement, {})
    if not evidence:
        nearest = match.nearest if match else None
        reasons.append(Reason("nearest", nearest.clause, nearest.page) if nearest else Reason("nothing"))
    status = match.status if match else "missing"
    score = round(match.score, 4) if match else 0.0
    refs_all = tuple(dict.fromkeys(k for e in evidence for k in e.references))
    return Cell(requirement.id, requirement_hash(requirement), requirement.kind, status, score, applicable,
                tuple(evidence), refs_all, targets, tuple(reasons), "matcher")


def _concerns(finding: Finding, key: str) -> bool:
    return finding.key == key or (finding.expected is not None and key in finding.expected.split(", "))


def reference_cell(requirement: Requirement, citations: Sequence[Citation], findings: Sequence[Finding],
                   applicable: bool) -> Cell:
    """A document the parent refers to: cited correctly, cited with errors, or not cited."""
    key = requirement.id
    errors = [f for f in findings if f.severity == "error" and _concerns(f, key)]
    cited = [c for c in citations if c.key == key]
    # A citation written with a wrong number or symbol carries another key; the finding names ours.
    wrong = [f for f in errors if f.code != "missing_required_reference"]
    miswritten = [f for f in wrong if f.key != key]
    if not cited and not miswritten:
        evidence = tuple(EvidenceClause(f.clause or "", f.page or 0, f.message, 0.0) for f in errors)
        status, score, reason = "missing", 0.0, Reason("not_cited", items=(key,))
    elif wrong:
        evidence = tuple(EvidenceClause(f.clause or "", f.page or 0, f"{f.as_written} — {f.message}", 0.5,
                                        spans=((0, len(f.as_written)),) if f.as_written else ()) for f in wrong)
        status, score = "partial", 0.5
        reason = Reason("cited_with_errors", items=(key, *sorted({f.code for f in wrong})))
    else:
        evidence = tuple(EvidenceClause(c.clause or "", c.page, c.as_written, 1.0, spans=((0, len(c.as_written)),),
                                        references=(key,)) for c in cited)
        status, score, reason = "covered", 1.0, Reason("cited", items=(key,), count=len(cited))
    return Cell(requirement.id, requirement_hash(requirement), requirement.kind, status, score, applicable,
                evidence, (key,) if cited else (), (), (reason,), "references")


def matching_passes(requirements: Sequence[Requirement], plan: Plan) -> tuple[list[Requirement], list[Requirement]]:
    """What the matcher compares ``plan`` with, in two passes: the tasks, sub-tasks and targets; then the
    duties that bind ``plan`` (each read as a task of its agency: the matcher scores tasks, sub-tasks and
    targets, ``features.MATCHED_KINDS``; its cell keeps the kind ``duty``). Apart, so that a duty restating a
    task never takes that task's clause (a clause is kept for the requirements near its best one). Duties that
    do not bind ``plan`` are in neither: their cells do not apply."""
    kind, issuer = document_level(plan.header.issuer, plan.header.parent_issuer), plan.header.issuer
    duties = [replace(r, kind="task") for r in requirements if r.kind == DUTY and applies(r, kind, issuer)]
    return [r for r in requirements if r.kind != DUTY], duties


def plan_cells(requirements: Sequence[Requirement], plan: Plan, matches: Sequence[Match],
               citations: Sequence[Citation], findings: Sequence[Finding], lex: Lexicon) -> tuple[Cell, ...]:
    """One cell per task, sub-task, target, duty and reference of ``requirements``, in catalogue order
    (``matches`` of the requirements ``matching_passes`` gave the matcher)."""
    kind, issuer = document_level(plan.header.issuer, plan.header.parent_issuer), plan.header.issuer
    by_req = {m.requirement: m for m in matches}
    cited = _cited_in(plan, citations)
    cells = []
    for r in requirements:
        if r.kind not in CELL_KINDS:
            continue
        applicable = applies(r, kind, issuer)
        if r.kind == REFERENCE:
            cells.append(reference_cell(r, citations, findings, applicable))
        else:
            cells.append(matcher_cell(r, by_req.get(r.id), plan, cited, lex, applicable))
    return tuple(cells)


def out_of_scope_cells(requirements: Sequence[Requirement], plan: Plan, reason: str) -> tuple[Cell, ...]:
    """What a document that does not implement the parent addresses: nothing. Every cell (references
    included) is "missing", its one reason the scope's (``hycompliance.scope``)."""
    kind, issuer = document_level(plan.header.issuer, plan.header.parent_issuer), plan.header.issuer
    return tuple(
        Cell(r.id, requirement_hash(r), r.kind, "missing", 0.0, applies(r, kind, issuer), (), (), (),
             (Reason("out_of_scope", items=(reason,)),), "references" if r.kind == REFERENCE else "matcher")
        for r in requirements if r.kind in CELL_KINDS)


# --- verdicts and coverage ------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    counts: dict[str, int]  # per verdict
    applicable: int
    percent: float | None  # None when nothing applies


VERDICTS = ("missing", "partial", "none", "covered", "justified", "n/a")


def verdict(status: str | None, applicable: bool, review_status: str | None, review_stale: bool) -> str:
    """The status a person should believe: a fresh reviewer decision, else the machine's (``n/a`` when the
    requirement does not bind this plan, ``none`` when there is no verdict yet)."""
    if review_status is not None and not review_stale:
        return review_status
    if status is None:
        return "none"
    return status if applicable else "n/a"


def coverage(verdicts: Iterable[str]) -> Coverage:
    """The share of applicable cells met: (covered + justified + ½ partial) / (all but n/a), in percent,
    rounded to 0.1. The one definition every face uses; faces pass task cells and reference cells apart."""
    counts = dict.fromkeys(VERDICTS, 0)
    for v in verdicts:
        counts[v] += 1
    applicable = sum(n for k, n in counts.items() if k != "n/a")
    met = counts["covered"] + counts["justified"] + 0.5 * counts["partial"]
    return Coverage(counts, applicable, round(100 * met / applicable, 1) if applicable else None)
