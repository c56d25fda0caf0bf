"""What the outputs show, read from the database: the matrix, one document's report, the heatmap.

Plain dicts and lists (the JSON shapes of ``matrix --format json``), shared by every output format.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sqlite_utils import Database

from hycompliance.report.highlight import segments
from hycompliance.store import CELL_KINDS, current_plan, resolve_document

ORDER = {"missing": 0, "partial": 1, "none": 2, "covered": 3, "justified": 4, "n/a": 5}
REFERENCES_GROUP = "references"
NUMBER = re.compile(r"\d+(?:\.\d{3})*(?:,\d+)?")


def _plan_info(plan: dict[str, Any]) -> dict[str, Any]:
    keys = ("key", "number", "issuer", "date", "title", "path", "fingerprint", "requirements")
    return {k: plan[k] for k in keys}


def group_of(requirement: dict[str, Any]) -> str:
    """Heatmap column of a requirement: its task group (III.3), II.2 for targets, or references."""
    if requirement["kind"] == "reference":
        return REFERENCES_GROUP
    code = requirement.get("group_id") or requirement["code"]
    parts = code.split(".")
    return ".".join(parts[:2]) if len(parts) >= 2 else code


def effective(cell: dict[str, Any]) -> str:
    """The status a person should believe: a fresh review, else the machine's (n/a when not applicable)."""
    review = cell.get("review")
    if review and not review["stale"]:
        return review["status"]
    if cell["status"] is None:
        return "none"
    return cell["status"] if cell["applicable"] else "n/a"


def coverage(cells: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts per effective status and the share of applicable requirements met (partial counts half)."""
    counts = {k: 0 for k in ORDER}
    for c in cells:
        counts[c["final"]] += 1
    applicable = sum(v for k, v in counts.items() if k != "n/a")
    met = counts["covered"] + counts["justified"] + 0.5 * counts["partial"]
    percent = round(100 * met / applicable, 1) if applicable else None
    return {"counts": counts, "applicable": applicable, "percent": percent}


def _cell(row: dict[str, Any]) -> dict[str, Any]:
    review = None
    if row["review_status"] is not None:
        review = {"status": row["review_status"], "note": row["review_note"], "reviewer": row["reviewer"],
                  "at": row["reviewed_at"], "stale": bool(row["review_stale"])}
    evidence = [{"clause": e["clause"], "page": e["page"], "text": e["text"]} for e in json.loads(row["evidence"] or "[]")]
    cell = {"document": row["document"], "requirement": row["requirement"], "status": row["machine_status"],
            "score": row["score"], "applicable": bool(row["applicable"]) if row["applicable"] is not None else True,
            "suspect": bool(row["suspect"]), "why": row["why"], "review": review, "evidence": evidence}
    cell["final"] = effective(cell)
    return cell


def matrix_data(db: Database, *, parent: str | None = None) -> dict[str, Any]:
    """The whole matrix for one parent plan (``parent``: its key; default the only one), the shape of
    ``matrix --format json``."""
    plan = current_plan(db, parent)
    requirements = list(db.query(
        "SELECT code, kind, text, group_id, group_title FROM requirements WHERE plan_id = ? AND active = 1 "
        f"AND kind IN ({', '.join('?' for _ in CELL_KINDS)}) ORDER BY position", [plan["id"], *CELL_KINDS]))
    documents = list(db.query(
        "SELECT name, path, issuer, number, date, kind FROM documents WHERE plan_id = ? AND status = 'ok' "
        "AND withdrawn_at IS NULL ORDER BY name", [plan["id"]]))
    failed = list(db.query(
        "SELECT name, path, error_code AS code, error_line AS line FROM documents "
        "WHERE status = 'error' AND withdrawn_at IS NULL AND (plan_id = ? OR plan_id IS NULL) ORDER BY name",
        [plan["id"]]))
    # files gone from the scanned folders: kept with their results, shown apart, counted nowhere
    withdrawn = list(db.query(
        "SELECT name, path, withdrawn_at FROM documents WHERE withdrawn_at IS NOT NULL "
        "AND (plan_id = ? OR plan_id IS NULL) ORDER BY name", [plan["id"]]))
    rows = db.query("SELECT m.* FROM matrix m JOIN documents d ON d.id = m.document_id WHERE d.plan_id = ? "
                    "ORDER BY m.document, m.position", [plan["id"]])
    return {
        "plan": _plan_info(plan),
        "requirements": [{"id": r["code"], "kind": r["kind"], "text": r["text"], "group": group_of(r)}
                         for r in requirements],
        "documents": documents,
        "cells": [_cell(r) for r in rows],
        "failed": failed,
        "withdrawn": withdrawn,
    }


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
    rows = [{"document": name, "values": [coverage(cells)["percent"] for cells in per_group.values()],
             "overall": coverage([c for cells in per_group.values() for c in cells])["percent"]}
            for name, per_group in by_doc.items()]
    return {"groups": groups, "rows": rows}


def _numbers(text: str) -> list[float]:
    return [float(n.replace(".", "").replace(",", ".")) for n in NUMBER.findall(text)]


def compare_targets(target: dict[str, Any] | None, cells: list[str]) -> list[dict[str, Any]]:
    """Province target per period beside the plan's figure in the same column order."""
    if not target:
        return []
    values = target.get("values") or []
    # The plan's table row: number, indicator[, unit], then one figure per period.
    figures = [c for c in cells[1:] if _numbers(c) and not re.fullmatch(r"\s*\d+\.?\s*", c)]
    figures = figures[-len(values):] if len(figures) >= len(values) else figures
    out = []
    for i, v in enumerate(values):
        plan_text = figures[i] if i < len(figures) else None
        plan_value = _numbers(plan_text)[0] if plan_text else None
        province = v.get("value")
        if plan_value is None or province is None:
            verdict = "unknown"
        else:
            verdict = "equal" if abs(plan_value - province) < 1e-9 else "higher" if plan_value > province else "lower"
        out.append({"indicator": target.get("indicator"), "unit": target.get("unit"), "period": v.get("period"),
                    "province": v.get("text") or str(province), "plan": plan_text, "comparison": verdict})
    return out


def document_report(db: Database, ref: str, *, parent: str | None = None) -> dict[str, Any]:
    """Everything the reviewer's and the legal staff's report on one document shows (checked against
    ``parent``, a plan key, when the document is checked against several)."""
    doc = resolve_document(db, ref, current_plan(db, parent)["id"] if parent else None)
    if doc["status"] != "ok":
        return {"document": doc, "plan": None, "items": [], "coverage": None, "targets": [], "findings": [],
                "references": []}
    plan = db["plans"].get(doc["plan_id"])
    reqs = {r["code"]: r for r in db.query("SELECT * FROM requirements WHERE plan_id = ? AND active = 1", [plan["id"]])}
    clause_cells = {r["clause_id"]: json.loads(r["cells"]) for r in db.query(
        "SELECT clause_id, cells FROM clauses WHERE document_id = ? AND cells != '[]'", [doc["id"]])}
    items, targets = [], []
    for row in db.query("SELECT * FROM matrix WHERE document_id = ? ORDER BY position", [doc["id"]]):
        cell = _cell(row)
        req = reqs[row["requirement"]]
        for e in cell["evidence"]:
            e["segments"] = segments(e["text"], req["text"])
        item = dict(cell, id=req["code"], kind=req["kind"], text=req["text"], group=group_of(req))
        items.append(item)
        if req["kind"] == "target":
            cells = clause_cells.get(cell["evidence"][0]["clause"], []) if cell["evidence"] else []
            for t in compare_targets(json.loads(req["target"]) if req["target"] else None, cells):
                targets.append(dict(t, requirement=req["code"]))
    items.sort(key=lambda i: ORDER[i["final"]])  # stable: catalogue order within a status
    findings = list(db.query(
        "SELECT code, severity, message, as_written, page, clause, key, expected FROM findings "
        "WHERE document_id = ? ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, page, id",
        [doc["id"]]))
    return {
        "document": doc,
        "plan": _plan_info(plan),
        "items": [i for i in items if i["kind"] != "reference"],
        "coverage": coverage([i for i in items if i["kind"] != "reference"]),
        "targets": targets,
        "findings": findings,
        "references": [i for i in items if i["kind"] == "reference"],
    }
