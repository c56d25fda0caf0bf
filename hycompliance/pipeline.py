"""The whole data path for one submitted document, as one pure function.

``load_context`` reads the parent plan once: its citations (extracted once), the registry of known
documents, the catalogue and the reference requirements, in one ``ParentContext`` shared by every child.
``analyze`` takes one submitted file through ingest -> structure -> references -> scope -> matching -> coverage. A document that does not implement
the parent (hycompliance.scope) keeps its parse, references and findings, but addresses none of its tasks.
The batch (``scan``) and the web app call these two.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from hycompliance import __version__, rules
from hycompliance.budgets import Budgets, budgets
from hycompliance.coverage import Cell, catalogue_hash, out_of_scope_cells, plan_cells
from hycompliance.errors import Code, HyError
from hycompliance.ingest import file_hash, read
from hycompliance.models import Citation, Document, Finding, Match, Plan, Requirement
from hycompliance.references import extract_plan, lint, parent_registry
from hycompliance.references.resolve import Registry
from hycompliance.catalogue_check import check_catalogue
from hycompliance.requirements import build_catalogue, derive_rules, load_catalogue, reference_requirements
from hycompliance.matching import match_plan
from hycompliance.scope import ParentProfile, Scope, decide, parent_profile, reviewed
from hycompliance.structure import build_plan, parse_file, require_structure
from hycompliance.text import load_lexicon


@dataclass(frozen=True)
class ParentContext:
    """Everything a child plan is checked against, built once per scan."""

    path: str
    plan: Plan
    citations: tuple[Citation, ...]  # the parent's own citations
    catalogue: tuple[Requirement, ...]
    references: tuple[Requirement, ...]  # requirements of kind "reference" (documents to carry out)
    registry: Registry
    # Changes when the catalogue (IDs and normalised texts), the rules or the tool change; the same plan
    # read from .txt, .docx or .pdf has the same fingerprint.
    fingerprint: str

    @property
    def requirements(self) -> tuple[Requirement, ...]:
        """The catalogue followed by the reference requirements it does not already hold."""
        known = {r.id for r in self.catalogue}
        return self.catalogue + tuple(r for r in self.references if r.id not in known)
    scope_profile: ParentProfile | None = None  # what the scope check compares children with (None: no check)


@dataclass(frozen=True)
class DocumentResult:
    path: str
    plan: Plan
    citations: tuple[Citation, ...]
    findings: tuple[Finding, ...]
    matches: tuple[Match, ...]
    cells: tuple[Cell, ...]
    scope: Scope | None = None  # None: not checked (a context without a scope profile)


def load_context(parent_path: str | Path, catalogue_path: str | Path | None = None) -> ParentContext:
    """Parse the parent plan and build what children are checked against.

    A reviewer-edited catalogue (``requirements --write``) replaces the generated one when given.
    """
    plan = require_structure(parse_file(parent_path), parent_path)
    registry = parent_registry(plan)
    citations = tuple(extract_plan(plan, registry))
    catalogue = tuple(load_catalogue(catalogue_path) if catalogue_path else build_catalogue(plan, citations=citations))
    check_catalogue(plan, catalogue, derive_rules())  # an empty matrix must not look like a result
    references = tuple(reference_requirements(plan, citations))
    parts = [catalogue_hash(catalogue + references), plan.header.number or "", rules.rules_version(), __version__]
    if catalogue_path:
        parts.append(file_hash(catalogue_path))
    fingerprint = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return ParentContext(str(parent_path), plan, citations, catalogue, references, registry, fingerprint,
                         parent_profile(plan))


def analyze(path: str | Path, context: ParentContext, *, scope_override: bool | None = None) -> DocumentResult:
    """Read, structure, cite-check, match and judge one submitted plan. Raises ``HyError`` on bad input (E201
    for text with no section, item, bullet or table: a letter or a list of names is no plan to check), and on
    a document over the clause, table or pair budgets of ``rules/limits.yaml`` (checked before the work).

    ``scope_override`` is a reviewer's decision on whether the document implements the parent (None: the
    machine decides); a document out of scope is not matched: every cell is "missing" with the scope's reason.
    """
    budget = budgets()
    document = read(path)
    check_document_budget(str(path), document, budget)
    plan = require_structure(build_plan(document), path)
    check_plan_budget(str(path), plan, len(context.catalogue), budget)
    citations = tuple(extract_plan(plan, context.registry))
    findings = tuple(lint(plan, list(citations), context.registry, parent=context.plan,
                          parent_citations=context.citations))
    scope = None
    if context.scope_profile is not None:
        scope = decide(plan, citations, context.scope_profile)
        if scope_override is not None:
            scope = reviewed(scope, scope_override, context.scope_profile.name)
    if scope is not None and not scope.in_scope:
        cells = out_of_scope_cells(context.requirements, plan, scope.reason)
        return DocumentResult(str(path), plan, citations, findings, (), cells, scope)
    matches = tuple(match_plan(plan, list(context.catalogue), citations=citations))
    cells = plan_cells(context.requirements, plan, matches, citations, findings, load_lexicon())
    return DocumentResult(str(path), plan, citations, findings, matches, cells, scope)


def check_document_budget(path: str, document: Document, budget: Budgets) -> None:
    """E203 for a table with more cells than the budget; E202 when the blocks alone pass the clause budget."""
    for block in document.blocks:
        cells = sum(len(row) for row in block.rows)
        if cells > budget.table_cells:
            raise HyError(Code.E203_TABLE_TOO_LARGE, path, count=f"{cells:,}", limit=f"{budget.table_cells:,}")
    blocks = sum(max(1, len(b.rows)) for b in document.blocks)
    if blocks > budget.clauses:
        raise HyError(Code.E202_TOO_MANY_CLAUSES, path, count=f"{blocks:,}", limit=f"{budget.clauses:,}")


def check_plan_budget(path: str, plan: Plan, requirements: int, budget: Budgets) -> None:
    """E202 for more clauses than the budget; E204 when matching would compare more pairs than its budget."""
    if len(plan.clauses) > budget.clauses:
        raise HyError(Code.E202_TOO_MANY_CLAUSES, path, count=f"{len(plan.clauses):,}", limit=f"{budget.clauses:,}")
    pairs = len(plan.clauses) * requirements
    if pairs > budget.pairs:
        raise HyError(Code.E204_TOO_MANY_PAIRS, path, count=f"{pairs:,}", limit=f"{budget.pairs:,}")


def scope_of(path: str | Path, context: ParentContext) -> Scope:
    """Only the scope check of one file (read, structure, references): does it implement the parent?"""
    plan = parse_file(path)
    profile = context.scope_profile or parent_profile(context.plan)
    return decide(plan, tuple(extract_plan(plan, context.registry)), profile)
