"""One document's rows, built where it is analysed (a worker) and written by the scan's one writer.

``result_rows`` turns a successful analysis into ``{"document": {...}, "clauses": [...], "citations": [...],
"findings": [...], "matches": [...]}`` (the tables of ``hycompliance.store``); ``error_rows`` records a file
that could not be analysed. Nothing here touches a database: the rows travel from the worker (a forked
process or a Dask worker) to ``store.write_document``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from hycompliance.applicability import document_level
from hycompliance.coverage import Cell
from hycompliance.dates import now
from hycompliance.errors import HyError
from hycompliance.models import Citation, Finding, Plan
from hycompliance.normalize import fold
from hycompliance.quality import describe as describe_damage
from hycompliance.scope import Scope

@dataclass(frozen=True)
class Stamp:
    """What a result was computed under."""

    plan_id: int
    fingerprint: str
    rules_version: str
    tool_version: str
    run_id: int


def cell_row(doc_id: int, req_id: int, cell: Cell) -> dict[str, Any]:
    """A coverage cell as a ``matches`` row, as it is: evidence with its clause text, words and spans;
    target comparisons and reasons as JSON."""
    evidence = [{"clause": e.clause, "page": e.page, "text": e.text, "score": e.score, "words": list(e.words),
                 "spans": [list(s) for s in e.spans], "references": list(e.references)} for e in cell.evidence]
    return {"document_id": doc_id, "requirement_id": req_id, "requirement": cell.requirement,
            "requirement_hash": cell.requirement_hash, "status": cell.status, "score": cell.score,
            "evidence": json.dumps(evidence, ensure_ascii=False),
            "targets": json.dumps([asdict(t) for t in cell.targets], ensure_ascii=False),
            "reasons": json.dumps([asdict(r) for r in cell.reasons], ensure_ascii=False),
            "shared_refs": json.dumps(list(cell.references), ensure_ascii=False),
            "applicable": int(cell.applicable), "suspect": 0, "source": cell.source}


def finding_row(doc_id: int, f: Finding) -> dict[str, Any]:
    """The ``findings`` row of one finding of document ``doc_id``."""
    return {"document_id": doc_id, "code": f.code, "severity": f.severity, "message": f.message,
            "as_written": f.as_written, "page": f.page, "clause": f.clause, "key": f.key, "expected": f.expected,
            "mentions": f.count, "clauses": json.dumps(list(f.clauses), ensure_ascii=False), "corrected": f.corrected}


def result_rows(
    doc_id: int,
    plan: Plan,
    citations: Sequence[Citation],
    findings: Sequence[Finding],
    cells: Sequence[Cell],
    requirement_ids: dict[str, int],
    stamp: Stamp,
    content_hash: str,
    size: int,
    scope: Scope | None = None,
) -> dict[str, Any]:
    """Rows for one successfully analysed document: ``{"document": {...}, "clauses": [...], ...}``.

    ``scope`` (``hycompliance.scope``) is recorded on the document; an out-of-scope document's cells are all
    "missing" with the scope's reason (``coverage.out_of_scope_cells``)."""
    h = plan.header
    document = {
        "plan_id": stamp.plan_id, "form": plan.form, "content_hash": content_hash, "size": size, "pages": plan.pages,
        "issuer": h.issuer, "number": h.number, "date": h.date, "title": h.title,
        "kind": document_level(h.issuer, h.parent_issuer),
        "status": "ok", "error_code": None, "error_line": None, "error_text": None,
        "warnings": json.dumps([{"code": w.code, "message": w.message, "details": dict(w.details)}
                                for w in plan.warnings], ensure_ascii=False),
        "extraction_warning": describe_damage(plan.warnings) or None,
        "fingerprint": stamp.fingerprint, "rules_version": stamp.rules_version, "tool_version": stamp.tool_version,
        "run_id": stamp.run_id, "processed_at": now(),
        "in_scope": None if scope is None else int(scope.in_scope), "scope_basis": scope and scope.basis,
        "scope_reason": scope and scope.reason, "scope_overlap": scope and scope.overlap,
    }
    clauses = [
        {"document_id": doc_id, "clause_id": c.id, "position": i, "label": c.label, "kind": c.kind, "text": c.text,
         "text_folded": fold(c.text), "page": c.page, "parent": c.parent,
         "cells": json.dumps(list(c.cells), ensure_ascii=False)}
        for i, c in enumerate(plan.clauses + plan.notes)  # the notes after the signature last (GC1, GC2...)
    ]
    cites = [
        {"document_id": doc_id, "key": c.key, "type": c.type, "number": c.number, "symbol": c.symbol, "date": c.date,
         "issuer": c.issuer, "issuer_code": c.issuer_code, "system": c.system, "as_written": c.as_written,
         "page": c.page, "clause": c.clause, "span_start": c.start, "span_end": c.end,
         "flags": json.dumps(list(c.flags), ensure_ascii=False), "intended": c.intended}
        for c in citations
    ]
    finds = [finding_row(doc_id, f) for f in findings]
    matches = [cell_row(doc_id, requirement_ids[c.requirement], c) for c in cells if c.requirement in requirement_ids]
    return {"document": document, "clauses": clauses, "citations": cites, "findings": finds, "matches": matches}


def error_rows(stamp: Stamp, error: HyError, content_hash: str | None, size: int | None) -> dict[str, Any]:
    """Rows for a document that could not be analysed: no results, the error recorded."""
    document = {
        "plan_id": stamp.plan_id, "content_hash": content_hash, "size": size, "pages": None, "issuer": None,
        "number": None, "date": None, "title": None, "kind": None, "status": "error",
        "error_code": error.code.value, "error_line": error.line(), "error_text": error.line_vi(), "warnings": "[]",
        "extraction_warning": None,
        "fingerprint": stamp.fingerprint, "rules_version": stamp.rules_version, "tool_version": stamp.tool_version,
        "run_id": stamp.run_id, "processed_at": now(),
        "in_scope": None, "scope_basis": None, "scope_reason": None, "scope_overlap": None,
    }
    return {"document": document, "clauses": [], "citations": [], "findings": [], "matches": []}
