"""Data for the pages about one thing: a document, a requirement, a search, a decision's history."""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

from hycompliance.errors import Code, HyError
from hycompliance.report.data import coverage_of, document_report, group_of, matrix_data
from hycompliance.report.highlight import query_segments
from hycompliance.store import current_plan, decisions, search_clauses

SEARCH_LIMIT = 100


def document_row(db: Database, doc_id: int) -> dict[str, Any]:
    rows = list(db.query("SELECT * FROM documents WHERE id = ?", [doc_id]))
    if not rows:
        raise HyError(Code.E304_NO_DOCUMENT, str(doc_id))
    return rows[0]


def document_page(db: Database, doc_id: int) -> dict[str, Any]:
    """``report.data.document_report`` plus what the page adds: the id, warnings and decision history."""
    doc = document_row(db, doc_id)
    report = document_report(db, str(doc["id"]))
    reqs = {r["code"]: r for r in db.query(
        "SELECT code, position, group_title FROM requirements WHERE plan_id = ? AND active = 1", [doc["plan_id"]])}
    groups: list[dict[str, Any]] = []
    for item in sorted(report["items"], key=lambda i: reqs[i["id"]]["position"] if i["id"] in reqs else 0):
        if not groups or groups[-1]["group"] != item["group"]:
            title = reqs[item["id"]]["group_title"] if item["id"] in reqs else None
            groups.append({"group": item["group"], "title": title or "", "items": []})
        groups[-1]["items"].append(item)
    return {
        **report,
        "document": doc,
        "warnings": json.loads(doc["warnings"] or "[]"),
        "history": decisions(db, doc),
        "groups": groups,
    }


def requirement_page(db: Database, code: str, parent: str | None = None) -> dict[str, Any]:
    """One requirement of a parent plan (``parent``: its key; default the only one) and every document's
    answer to it."""
    plan = current_plan(db, parent)
    rows = list(db.query("SELECT * FROM requirements WHERE plan_id = ? AND code = ? AND active = 1", [plan["id"], code]))
    if not rows:
        raise HyError(Code.E305_NO_REQUIREMENT, detail=code)
    req = dict(rows[0])
    req["group"] = group_of(req)
    req["target"] = json.loads(req["target"]) if req["target"] else None
    req["applies_to"] = json.loads(req["applies_to"] or "[]")
    m = matrix_data(db, parent=plan["key"])
    docs = {d["name"]: d for d in m["documents"]}
    ids = {r["name"]: r["id"] for r in db.query("SELECT id, name FROM documents WHERE plan_id = ?", [plan["id"]])}
    answers = []
    for cell in m["cells"]:
        if cell["requirement"] != code:
            continue
        answers.append(dict(cell, id=ids[cell["document"]], doc=docs.get(cell["document"], {})))
    return {"plan": m["plan"], "requirement": req, "answers": answers}


def requirement_list(db: Database, parent: str | None = None) -> list[dict[str, Any]]:
    """The catalogue of a parent plan in order, each with the share of documents meeting it."""
    m = matrix_data(db, parent=parent)
    by_req: dict[str, list[dict[str, Any]]] = {}
    for c in m["cells"]:
        by_req.setdefault(c["requirement"], []).append(c)
    texts = {r["code"]: r for r in db.query(
        "SELECT code, text, kind FROM requirements WHERE plan_id = (SELECT id FROM plans WHERE key = ?) AND active = 1",
        [m["plan"]["key"]])}
    return [dict(r, text=texts[r["id"]]["text"], coverage=coverage_of(by_req.get(r["id"], []))) for r in m["requirements"]]


def search(db: Database, query: str) -> list[dict[str, Any]]:
    """Clauses containing the words of ``query`` (diacritics ignored), with those words marked."""
    hits = search_clauses(db, query, limit=SEARCH_LIMIT)
    return [dict(h, segments=query_segments(h["text"], query)) for h in hits]
