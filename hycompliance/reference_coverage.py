"""Matrix cells for the documents the parent plan refers to (requirements of kind ``reference``).

A plan covers a reference requirement (ID = the document's key, ``10-NQ/TU``) when it cites that document
correctly. Cited, but a reference finding of severity ``error`` concerns that document (wrong date, wrong
symbol format, wrong issuer or number) -> ``partial``, with the finding as evidence. Not cited -> ``missing``.

These cells are computed here from the plan's citations and findings, not by the text matcher.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from hycompliance.models import Citation, Evidence, Finding, Match, Requirement

REFERENCE = "reference"


def _concerns(finding: Finding, key: str) -> bool:
    return finding.key == key or (finding.expected is not None and key in finding.expected.split(", "))


def reference_match(requirement: Requirement, citations: Sequence[Citation], findings: Sequence[Finding]) -> Match:
    """The cell of one reference requirement for one plan."""
    key = requirement.id
    errors = [f for f in findings if f.severity == "error" and _concerns(f, key)]
    cited = [c for c in citations if c.key == key]
    # A citation written with a wrong number or symbol carries another key; the finding names ours.
    miswritten = [f for f in errors if f.key != key and f.code != "missing_required_reference"]
    if not cited and not miswritten:
        evidence = tuple(Evidence(f.clause or "", f.page or 0, f.message, 0.0) for f in errors)
        return Match(key, "missing", 0.0, evidence, f"{key} is not cited")
    wrong = [f for f in errors if f.code != "missing_required_reference"]
    if wrong:
        evidence = tuple(Evidence(f.clause or "", f.page or 0, f"{f.as_written} — {f.message}", 0.5) for f in wrong)
        codes = ", ".join(sorted({f.code for f in wrong}))
        return Match(key, "partial", 0.5, evidence, f"{key} is cited with errors: {codes}")
    evidence = tuple(Evidence(c.clause or "", c.page, c.as_written, 1.0) for c in cited)
    return Match(key, "covered", 1.0, evidence, f"{key} is cited {len(cited)} time(s), correctly")


def reference_matches(
    catalogue: Iterable[Requirement], citations: Sequence[Citation], findings: Sequence[Finding]
) -> list[Match]:
    """One cell per reference requirement of the catalogue."""
    return [reference_match(r, citations, findings) for r in catalogue if r.kind == REFERENCE]


def with_reference_requirements(context: object) -> list[Requirement]:
    """The context's catalogue followed by its reference requirements (``ParentContext.references``)."""
    catalogue = list(context.catalogue)  # type: ignore[attr-defined]
    known = {r.id for r in catalogue}
    return catalogue + [r for r in context.references if r.id not in known]  # type: ignore[attr-defined]
