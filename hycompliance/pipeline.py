"""The whole data path for one submitted document, as one pure function.

``load_context`` reads the parent plan once (its catalogue, the registry of known documents, and a
fingerprint of everything a result depends on); ``analyze`` takes one submitted file through
ingest -> structure -> references -> scope -> matching. A document that does not implement the parent
(hycompliance.scope) keeps its parse, references and findings, but addresses none of its tasks. The batch (``scan``) and the web app call these two.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from hycompliance import __version__, rules
from hycompliance.ingest import file_hash
from hycompliance.models import Citation, Finding, Match, Plan, Requirement
from hycompliance.references import extract_plan, lint, parent_registry
from hycompliance.references.resolve import Registry
from hycompliance.requirements import build_catalogue, load_catalogue, reference_requirements
from hycompliance.matching import match_plan
from hycompliance.scope import ParentProfile, Scope, decide, out_of_scope_matches, parent_profile, reviewed
from hycompliance.structure import parse_file, require_structure


@dataclass(frozen=True)
class ParentContext:
    """Everything a child plan is checked against."""

    path: str
    plan: Plan
    catalogue: tuple[Requirement, ...]
    references: tuple[Requirement, ...]  # requirements of kind "reference" (documents to carry out)
    registry: Registry
    fingerprint: str  # changes when the parent file, its catalogue, the rules or the tool change
    scope_profile: ParentProfile | None = None  # what the scope check compares children with (None: no check)


@dataclass(frozen=True)
class DocumentResult:
    path: str
    plan: Plan
    citations: tuple[Citation, ...]
    findings: tuple[Finding, ...]
    matches: tuple[Match, ...]
    scope: Scope | None = None  # None: not checked (a context without a scope profile)


def load_context(parent_path: str | Path, catalogue_path: str | Path | None = None) -> ParentContext:
    """Parse the parent plan and build what children are checked against.

    A reviewer-edited catalogue (``requirements --write``) replaces the generated one when given.
    """
    plan = require_structure(parse_file(parent_path), parent_path)
    registry = parent_registry(plan)
    catalogue = tuple(load_catalogue(catalogue_path) if catalogue_path else build_catalogue(plan))
    parent_citations = extract_plan(plan, registry)
    references = tuple(reference_requirements(plan, parent_citations))
    parts = [file_hash(parent_path), rules.rules_version(), __version__]
    if catalogue_path:
        parts.append(file_hash(catalogue_path))
    fingerprint = hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]
    return ParentContext(str(parent_path), plan, catalogue, references, registry, fingerprint, parent_profile(plan))


def analyze(path: str | Path, context: ParentContext, *, scope_override: bool | None = None) -> DocumentResult:
    """Read, structure, cite-check, scope-check and match one submitted plan. Raises ``HyError`` on bad input
    (E201 for text with no section, item, bullet or table: a letter or a list of names is no plan to check).

    ``scope_override`` is a reviewer's decision on whether the document implements the parent (None: the
    machine decides).
    """
    plan = require_structure(parse_file(path), path)
    citations = tuple(extract_plan(plan, context.registry))
    findings = tuple(lint(plan, list(citations), context.registry, parent=context.plan))
    scope = None
    if context.scope_profile is not None:
        scope = decide(plan, citations, context.scope_profile)
        if scope_override is not None:
            scope = reviewed(scope, scope_override, context.scope_profile.name)
    if scope is not None and not scope.in_scope:
        matches = out_of_scope_matches(context.catalogue + context.references, scope)
    else:
        matches = tuple(match_plan(plan, list(context.catalogue), citations=citations))
    return DocumentResult(str(path), plan, citations, findings, matches, scope)


def scope_of(path: str | Path, context: ParentContext) -> Scope:
    """Only the scope check of one file (read, structure, references): does it implement the parent?"""
    plan = parse_file(path)
    profile = context.scope_profile or parent_profile(context.plan)
    return decide(plan, tuple(extract_plan(plan, context.registry)), profile)
