"""Legal references: find every document a plan cites, resolve it, flag what a legal reviewer would flag.

Public verbs::

    extract(text, *, registry=None) -> list[Citation]          # plain string, spans into text
    extract_plan(plan, registry) -> list[Citation]             # with page and clause IDs
    lint(plan, citations, registry, *, parent=None) -> list[Finding]
    check(plan, citations, registry, *, parent=None) -> (citations with flags, findings)
    load_registry(path=None) -> Registry                       # one file; default rules/registry/national.yaml
    seed_registry(plan_text) -> Registry                       # from a parent plan's own references
    parent_registry(parent) -> Registry                        # parent's seed + national + the parent's file

Rules (type words, issuers, messages, known documents) are YAML in ``rules/``, found relative to the
source checkout or through ``$HYCOMPLIANCE_RULES``. The spaCy component "hy_references" lives in
``hycompliance.references.spacy`` (import it to register the factory).
"""

from hycompliance.references.extract import canonical_key, extract, extract_plan, parse_key
from hycompliance.references.lint import check, lint
from hycompliance.references.resolve import (
    KnownDocument,
    Registry,
    load_registry,
    parent_registry,
    registry_yaml,
    seed_registry,
)
from hycompliance.references.rules import Rules, load_rules, rules_dir

__all__ = [
    "KnownDocument",
    "Registry",
    "Rules",
    "canonical_key",
    "check",
    "extract",
    "extract_plan",
    "lint",
    "load_registry",
    "load_rules",
    "parse_key",
    "registry_yaml",
    "rules_dir",
    "parent_registry",
    "seed_registry",
]
