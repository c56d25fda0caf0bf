"""The whole data path for one submitted document, as one pure function.

``load_context`` reads the parent plan once (its catalogue, the registry of known documents, and a
fingerprint of everything a result depends on); ``analyze`` takes one submitted file through
ingest -> structure -> references -> matching. The batch (``scan``) and the web app call these two.
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


@dataclass(frozen=True)
class DocumentResult:
    path: str
    plan: Plan
    citations: tuple[Citation, ...]
    findings: tuple[Finding, ...]
    matches: tuple[Match, ...]


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
    return ParentContext(str(parent_path), plan, catalogue, references, registry, fingerprint)


def analyze(path: str | Path, context: ParentContext) -> DocumentResult:
    """Read, structure, cite-check and match one submitted plan. Raises ``HyError`` on bad input (E201 for
    text with no section, item, bullet or table: a letter or a list of names is no plan to check)."""
    plan = require_structure(parse_file(path), path)
    citations = tuple(extract_plan(plan, context.registry))
    findings = tuple(lint(plan, list(citations), context.registry, parent=context.plan))
    matches = tuple(match_plan(plan, list(context.catalogue), citations=citations))
    return DocumentResult(str(path), plan, citations, findings, matches)
