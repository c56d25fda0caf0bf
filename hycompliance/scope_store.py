"""Scope verdicts in the coverage database: reviewers' overrides and the list of documents out of scope.

A reviewer who decides that a document does (or does not) implement the parent plan records it here
(``scope_reviews``, append-only, the latest wins). The document is marked for rescanning: the next scan
analyses it again with the reviewer's decision in place of the machine's, so its cells are scored (or
cleared) by the same stages as any other document.
"""

from __future__ import annotations

import os
from typing import Any

from sqlite_utils import Database

from hycompliance.errors import Code, HyError
from hycompliance.store import REVIEWER_ENV, now, resolve_document


def add_scope_review(db: Database, document: str, in_scope: bool, note: str = "", reviewer: str | None = None,
                     plan_id: int | None = None) -> dict[str, Any]:
    """Record a reviewer's scope decision on one document (under parent ``plan_id`` when given); it takes
    effect at the next scan. The decision carries ``reviewer``, else ``$HYCOMPLIANCE_REVIEWER``."""
    doc = resolve_document(db, document, plan_id)
    reviewer = (reviewer or os.environ.get(REVIEWER_ENV) or "").strip()
    if not reviewer:
        raise HyError(Code.E901_USAGE, detail=f"who decides? give --reviewer NAME or set {REVIEWER_ENV}")
    row = {"document_id": doc["id"], "in_scope": int(in_scope), "note": note, "reviewer": reviewer, "at": now()}
    with db.atomic():
        row["id"] = db["scope_reviews"].insert(row).last_pk
        db.execute("UPDATE documents SET fingerprint = NULL WHERE id = ?", [doc["id"]])  # rescan it
    return {"document": doc["name"], **row}


def scope_overrides(db: Database) -> dict[int, bool]:
    """Document id -> the latest reviewer decision on its scope."""
    rows = db.query(
        "SELECT document_id, in_scope FROM scope_reviews s WHERE id = "
        "(SELECT MAX(id) FROM scope_reviews t WHERE t.document_id = s.document_id)")
    return {r["document_id"]: bool(r["in_scope"]) for r in rows}


def scope_list(db: Database, *, out_only: bool = False, plan_id: int | None = None) -> list[dict[str, Any]]:
    """Documents with their scope verdict (out of scope first), for listing; of one parent when given."""
    where = "WHERE status = 'ok'" + (" AND in_scope = 0" if out_only else "") + (
        " AND plan_id = ?" if plan_id is not None else "")
    return list(db.query(
        f"SELECT name, in_scope, scope_basis, scope_reason, scope_overlap FROM documents {where} "
        "ORDER BY in_scope IS NULL, in_scope, name", [plan_id] if plan_id is not None else []))
