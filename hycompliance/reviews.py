"""Reviewers' decisions on coverage cells: append-only, the latest wins, stale when what was decided on changed.

``add_review`` records one decision; ``decisions`` lists a document's, by the requirement each belongs to now
(the rule of the ``matrix`` view, ``hycompliance.migrations``).
"""

from __future__ import annotations

import os
from typing import Any

from sqlite_utils import Database

from hycompliance.dates import now
from hycompliance.database import writing
from hycompliance.errors import Code, HyError
from hycompliance.inventory import resolve_document

REVIEW_STATUSES = ("covered", "partial", "missing", "justified")
REVIEWER_ENV = "HYCOMPLIANCE_REVIEWER"  # the reviewer name decisions carry when none is given

def add_review(
    db: Database, document: str, requirement: str, status: str, note: str = "", reviewer: str | None = None,
    plan_id: int | None = None,
) -> dict[str, Any]:
    """Record a reviewer's decision on one cell (append-only; the latest wins). Returns the stored row.

    The decision carries ``reviewer``, else ``$HYCOMPLIANCE_REVIEWER``; with neither it is refused (never the
    login of whoever runs the command)."""
    if status not in REVIEW_STATUSES:
        raise HyError(Code.E901_USAGE, detail=f"status must be one of {', '.join(REVIEW_STATUSES)}, not {status!r}")
    with writing(db):  # read what the decision is about under the write lock: a scan cannot change it between
        doc = resolve_document(db, document, plan_id)
        if doc["status"] != "ok" or doc["plan_id"] is None:
            raise HyError(Code.E901_USAGE, detail=f"document {doc['name']!r} has no results to review (status {doc['status']})")
        req = list(db.query("SELECT code, text_hash FROM requirements WHERE plan_id = ? AND code = ? AND active = 1",
                            [doc["plan_id"], requirement]))
        if not req:
            raise HyError(Code.E305_NO_REQUIREMENT, detail=requirement)
        reviewer = (reviewer or os.environ.get(REVIEWER_ENV) or "").strip()
        if not reviewer:
            raise HyError(Code.E901_USAGE, detail=f"who decides? give --reviewer NAME or set {REVIEWER_ENV}")
        plan = db["plans"].get(doc["plan_id"])
        row = {"document_id": doc["id"], "requirement": requirement, "status": status, "note": note,
               "reviewer": reviewer, "at": now(),
               "doc_hash": doc["content_hash"], "plan_hash": plan["content_hash"], "rules_version": doc["rules_version"],
               "requirement_hash": req[0]["text_hash"]}
        row["id"] = db["reviews"].insert(row).last_pk
    return row


def decisions(db: Database, doc: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """Every decision on a document, newest first, by the code of the requirement it belongs to now (the
    rule of the ``matrix`` view: the active requirement with its text hash, else the one with its code),
    each marked ``stale`` when the document, that requirement's text or the rules changed since."""
    if doc["plan_id"] is None:
        return {}
    plan_hash = db["plans"].get(doc["plan_id"])["content_hash"]
    active = list(db.query("SELECT code, text_hash FROM requirements WHERE plan_id = ? AND active = 1", [doc["plan_id"]]))
    by_hash = {r["text_hash"]: r["code"] for r in active if r["text_hash"]}
    hash_of = {r["code"]: r["text_hash"] for r in active}
    out: dict[str, list[dict[str, Any]]] = {}
    for r in db.query("SELECT * FROM reviews WHERE document_id = ? ORDER BY id DESC", [doc["id"]]):
        code = by_hash.get(r["requirement_hash"], r["requirement"])
        if r["requirement_hash"] is None:
            text_changed = r["plan_hash"] != plan_hash
        else:
            text_changed = hash_of.get(code) != r["requirement_hash"]
        rules_changed = r["rules_version"] != doc["rules_version"]
        out.setdefault(code, []).append(dict(r, stale=r["doc_hash"] != doc["content_hash"] or text_changed
                                             or rules_changed))
    return out
