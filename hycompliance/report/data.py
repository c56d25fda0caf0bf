"""What the outputs show, read from the database: the matrix, one document's report, the heatmap.

Plain dicts and lists (the JSON shapes of ``matrix --format json``), shared by every output format and the
web app. Nothing is judged here: a cell's status, score, evidence words and spans, target comparisons and
reasons are read as the coverage stage stored them; the verdict a person should believe and the coverage
percent come from ``hycompliance.coverage`` (one definition each).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from sqlite_utils import Database

from hycompliance import rules
from hycompliance.coverage import CELL_KINDS, DUTY, REFERENCE, coverage, verdict
from hycompliance.report import labels
from hycompliance.report.highlight import marked
from hycompliance.store import current_plan, resolve_document

ORDER = {"missing": 0, "partial": 1, "none": 2, "covered": 3, "justified": 4, "n/a": 5}
REFERENCES_GROUP = "references"
DUTIES_GROUP = "duties"


def _plan_info(plan: dict[str, Any]) -> dict[str, Any]:
    keys = ("key", "number", "issuer", "date", "title", "path", "fingerprint", "requirements")
    return {k: plan[k] for k in keys}


def group_of(requirement: dict[str, Any]) -> str:
    """Heatmap column of a requirement: its task group (III.3), II.2 for targets, one column for the duties
    (whatever agency item they stand under), or references."""
    if requirement["kind"] == REFERENCE:
        return REFERENCES_GROUP
    if requirement["kind"] == DUTY:
        return DUTIES_GROUP
    code = requirement.get("group_id") or requirement["code"]
    parts = code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else code


def coverage_of(cells: list[dict[str, Any]]) -> dict[str, Any]:
    """``hycompliance.coverage.coverage`` of these cells' verdicts, as a dict (counts, applicable, percent)."""
    return asdict(coverage(c["final"] for c in cells))


def split_coverage(cells: list[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The two figures every face shows: tasks and targets; references apart."""
    return (coverage_of([c for c in cells if c["kind"] != REFERENCE]),
            coverage_of([c for c in cells if c["kind"] == REFERENCE]))


def _json_list(text: str | None) -> list[Any]:
    """A stored JSON list; most cells store none ("[]"), read without the decoder."""
    return json.loads(text) if text and text != "[]" else []


def verdict_cell(row: dict[str, Any]) -> dict[str, Any]:
    """The judged part of one stored cell: whose, the machine's status, the decision and the final verdict
    (what coverage, the heatmap and the filters read); ``cell`` adds what a reader is shown of it."""
    review = None
    if row["review_status"] is not None:
        review = {"status": row["review_status"], "note": row["review_note"], "reviewer": row["reviewer"],
                  "at": row["reviewed_at"], "stale": bool(row["review_stale"])}
    applicable = bool(row["applicable"]) if row["applicable"] is not None else True
    return {"document": row["document"], "requirement": row["requirement"], "kind": row["kind"],
            "status": row["machine_status"], "score": row["score"], "applicable": applicable,
            "suspect": bool(row["suspect"]), "review": review,
            "final": verdict(row["machine_status"], applicable, review["status"] if review else None,
                             bool(review and review["stale"]))}


def cell(row: dict[str, Any], book: Any = None) -> dict[str, Any]:
    """One stored cell as every face shows it (``book``: the label file, read once per page)."""
    judged = verdict_cell(row)
    evidence = []
    for e in _json_list(row["evidence"]):
        spans = e.get("spans") or []
        evidence.append({"clause": e["clause"], "page": e["page"], "text": e["text"], "score": e.get("score"),
                         "words": e.get("words") or [], "spans": spans, "references": e.get("references") or [],
                         "segments": marked(e["text"], spans)})
    reasons = _json_list(row["reasons"])
    targets = _json_list(row["targets"])
    return {**{k: judged[k] for k in ("document", "requirement", "kind", "status", "score", "applicable", "suspect",
                                      "review")},
            "evidence": evidence, "reasons": reasons, "targets": targets,
            "references": _json_list(row["shared_refs"]),
            "words": list(dict.fromkeys(w for e in evidence for w in e["words"])),
            "why": labels.why(reasons, targets, book=book), "final": judged["final"]}


def matrix_rows(db: Database, *, parent: str | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The matrix of one parent plan (``parent``: its key; default the only one) before its cells are made:
    everything ``matrix_data`` holds but ``cells``, and the stored cell rows in order (``cell`` makes one)."""
    plan = current_plan(db, parent)
    requirements = list(db.query(
        "SELECT code, kind, text, group_id, group_title FROM requirements WHERE plan_id = ? AND active = 1 "
        f"AND kind IN ({', '.join('?' for _ in CELL_KINDS)}) ORDER BY position", [plan["id"], *CELL_KINDS]))
    documents = list(db.query(
        "SELECT name, path, issuer, number, date, kind FROM documents WHERE plan_id = ? AND status = 'ok' "
        "AND withdrawn_at IS NULL ORDER BY name", [plan["id"]]))
    failed = list(db.query(
        "SELECT name, path, error_code AS code, COALESCE(error_text, error_line) AS line FROM documents "
        "WHERE status = 'error' AND withdrawn_at IS NULL AND (plan_id = ? OR plan_id IS NULL) ORDER BY name",
        [plan["id"]]))
    # files gone from the scanned folders: kept with their results, shown apart, counted nowhere
    withdrawn = list(db.query(
        "SELECT name, path, withdrawn_at FROM documents WHERE withdrawn_at IS NOT NULL "
        "AND (plan_id = ? OR plan_id IS NULL) ORDER BY name", [plan["id"]]))
    rows = list(db.query("SELECT m.* FROM matrix m JOIN documents d ON d.id = m.document_id WHERE d.plan_id = ? "
                         "ORDER BY m.document, m.position", [plan["id"]]))
    frame = {
        "plan": _plan_info(plan),
        "requirements": [{"id": r["code"], "kind": r["kind"], "text": r["text"], "group": group_of(r)}
                         for r in requirements],
        "documents": documents,
        "failed": failed,
        "withdrawn": withdrawn,
    }
    return frame, rows


def matrix_data(db: Database, *, parent: str | None = None) -> dict[str, Any]:
    """The whole matrix for one parent plan (``parent``: its key; default the only one), the shape of
    ``matrix --format json``."""
    frame, rows = matrix_rows(db, parent=parent)
    book = rules.load("labels.yaml")
    return {**{k: frame[k] for k in ("plan", "requirements", "documents")}, "cells": [cell(r, book) for r in rows],
            "failed": frame["failed"], "withdrawn": frame["withdrawn"]}


def heatmap(matrix: dict[str, Any]) -> dict[str, Any]:
    """Documents x requirement groups: the coverage percent of each group (None: nothing applicable)."""
    group_of_req = {r["id"]: r["group"] for r in matrix["requirements"]}
    groups: list[str] = []
    for r in matrix["requirements"]:
        if r["group"] not in groups:
            groups.append(r["group"])
    if REFERENCES_GROUP in groups:  # references last
        groups.remove(REFERENCES_GROUP)
        groups.append(REFERENCES_GROUP)
    by_doc: dict[str, dict[str, list]] = {d["name"]: {g: [] for g in groups} for d in matrix["documents"]}
    for c in matrix["cells"]:
        by_doc[c["document"]][group_of_req[c["requirement"]]].append(c)
    rows = []
    for name, per_group in by_doc.items():
        tasks, references = split_coverage([c for cells in per_group.values() for c in cells])
        rows.append({"document": name, "values": [coverage_of(cells)["percent"] for cells in per_group.values()],
                     "overall": tasks["percent"], "references": references["percent"]})
    return {"groups": groups, "rows": rows}


def document_report(db: Database, ref: str, *, parent: str | None = None) -> dict[str, Any]:
    """Everything the reviewer's and the legal staff's report on one document shows (checked against
    ``parent``, a plan key, when the document is checked against several)."""
    doc = resolve_document(db, ref, current_plan(db, parent)["id"] if parent else None)
    if doc["status"] != "ok":
        return {"document": doc, "plan": None, "items": [], "coverage": None, "reference_coverage": None,
                "targets": [], "findings": [], "references": []}
    plan = db["plans"].get(doc["plan_id"])
    reqs = {r["code"]: r for r in db.query("SELECT code, kind, text, target, group_id, position, group_title "
                                            "FROM requirements WHERE plan_id = ? AND active = 1", [plan["id"]])}
    items, targets = [], []
    book = rules.load("labels.yaml")
    for row in db.query("SELECT * FROM matrix WHERE document_id = ? ORDER BY position", [doc["id"]]):
        shown = cell(row, book)
        req = reqs[row["requirement"]]
        item = dict(shown, id=req["code"], text=req["text"], group=group_of(req), position=req["position"],
                    group_title=req["group_title"])
        items.append(item)
        target = json.loads(req["target"]) if req["target"] else None
        for t in shown["targets"]:
            targets.append(dict(t, requirement=req["code"], indicator=target["indicator"] if target else None,
                                unit=target["unit"] if target else None))
    items.sort(key=lambda i: ORDER[i["final"]])  # stable: catalogue order within a status
    findings = list(db.query(
        "SELECT code, severity, message, as_written, page, clause, key, expected, mentions, corrected FROM findings "
        "WHERE document_id = ? ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, page, id",
        [doc["id"]]))
    tasks, references = split_coverage(items)
    return {
        "document": doc,
        "plan": _plan_info(plan),
        "items": [i for i in items if i["kind"] != REFERENCE],
        "coverage": tasks,
        "reference_coverage": references,
        "targets": targets,
        "findings": findings,
        "references": [i for i in items if i["kind"] == REFERENCE],
    }
