"""The coverage database: one SQLite file, written with sqlite-utils, readable in Datasette.

Open it with ``open_db(path)`` (WAL mode, foreign keys on, migrations from ``hycompliance.migrations``
applied; a new file is created without world access). Browse it with Datasette and the metadata in
``hycompliance.browse``. It holds no account, password hash or session key (``hycompliance.web.vault``).

Tables (names are stable; JSON columns hold JSON text):

- ``migrations``: name, applied_at — the schema steps this file has.
- ``plans`` (one row per parent plan; a database holds several): id, key (its number, or file name without
  an extension; ``number (year)`` when another parent already has that number), path, name, number, issuer, date, title,
  content_hash (sha256 of the parent plan file), fingerprint (of parent plan + rules + tool), rules_version,
  tool_version, requirements (count), loaded_at.
- ``requirements``: id, plan_id → plans, code (``III.3.2``, ``II.2.4``, ``10-NQ/TU``), position, kind
  (task|subtask|target|assignment|reference), text, group_id, group_title, applies_to (JSON list),
  target (JSON {indicator, unit, values: [{period, comparator, value, high, text}]}), refs (JSON list of
  keys), deadline, keywords (JSON), weight, page, active (0 once the parent plan no longer has it).
- ``documents`` (a file once per parent plan it is checked against): id, plan_id → plans, path (absolute,
  unique per parent), name (file name without extension, unique per parent; a collision becomes ``name-ext``,
  then ``name-2``...), form (txt|docx|pdf), content_hash (sha256), size,
  pages, issuer, number, date, title, kind (commune|district|agency|province|ministry|party; see
  ``hycompliance.applicability``), status (pending|ok|error),
  error_code, error_line, warnings (JSON: code, message, page), extraction_warning (the Vietnamese line shown
  beside the coverage when the text may be damaged by extraction, W109; migration i13_extraction_quality),
  fingerprint, rules_version, tool_version, run_id → runs, processed_at, withdrawn_at (set when none of its files is in the scanned folders any more: kept, left out
  of the matrix). One row per content: ``path`` is its first present path (see ``hycompliance.inventory``).
- ``document_paths``: path (unique), document_id → documents, gone_at — every path a document was found at.
- ``clauses``: id, document_id → documents, clause_id (``III.3.2``), position, label, kind, text,
  text_folded (no diacritics, đ→d), page, parent, cells (JSON). FTS5 table ``clauses_fts`` indexes text and
  text_folded with diacritics removed: "đường" and "duong" both find "đường".
- ``citations``: id, document_id, key, type, number, symbol, date, issuer, issuer_code, system, as_written,
  page, clause, span_start, span_end, flags (JSON).
- ``findings``: id, document_id, code, severity, message, as_written, page, clause, key, expected.
- ``matches``: id, document_id, requirement_id → requirements, requirement (code), status
  (covered|partial|missing), score, evidence (JSON [{clause, page, text, score}]), why, applicable (0|1),
  suspect (1 when the parent plan or rules changed since it was computed), source (matcher|references).
- ``runs``: id, started_at, ended_at, status (running|done), plan_id, inputs (JSON), workers, discovered,
  scanned, skipped, failed, ignored, errors (JSON [{file, code, message}]), seconds, tool_version,
  rules_version, fingerprint, ignored_files (JSON [{file, code, message}]: every entry the scan did not
  read, see ``hycompliance.discovery``).
- ``reviews`` (append-only; the latest per document and requirement wins): id, document_id, requirement
  (code), status (covered|partial|missing|justified), note, reviewer, at, doc_hash and plan_hash (what the
  reviewer saw: when either changed since, the decision is stale — "to re-check").
- view ``matrix``: document_id, document, requirement_id, requirement, kind, group_id, position,
  machine_status, score, applicable, suspect, why, evidence, review_status, review_note, reviewer,
  reviewed_at, review_stale, status (the fresh review's status, else the machine's).

Every document's results are replaced in one transaction, so a crash never leaves half a document.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from hycompliance import __version__, rules
from hycompliance.applicability import applies, document_level
from hycompliance.discovery import SUPPORTED
from hycompliance.errors import Code, HyError
from hycompliance.ingest import file_hash
from hycompliance.inventory import DocState, register_documents, resolve_document  # noqa: F401 (the store's API)
from hycompliance.migrations import migrate
from hycompliance.models import Citation, Finding, Match, Plan, Requirement
from hycompliance.quality import describe as describe_damage
from hycompliance.reference_coverage import REFERENCE, reference_matches

try:  # another engineer owns normalize.py
    from hycompliance.normalize import strip_diacritics as _strip
except ImportError:  # pragma: no cover - only while normalize.py is absent
    import unicodedata

    def _strip(s: str) -> str:
        bare = "".join(ch for ch in unicodedata.normalize("NFD", s) if not unicodedata.combining(ch))
        return bare.replace("đ", "d").replace("Đ", "D")


# Requirements that get a cell in the matrix. Assignments (section IV: who does what) stay in the catalogue,
# where they decide who a task binds; whether a plan covers a task is asked of the tasks themselves.
CELL_KINDS = ("task", "subtask", "target", REFERENCE)
NO_EVIDENCE = "Không có đoạn nào của văn bản đáp ứng yêu cầu này."
REVIEW_STATUSES = ("covered", "partial", "missing", "justified")
CHILD_TABLES = ("clauses", "citations", "findings", "matches")
REVIEWER_ENV = "HYCOMPLIANCE_REVIEWER"  # the reviewer name decisions carry when none is given


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def fold(text: str) -> str:
    """Search form of a text: no diacritics, đ→d, lower case."""
    return _strip(text).lower()


DB_MODE = 0o660  # owner and group (less the umask); never world-readable: it holds plan text and decisions


def _create_private(path: Path) -> None:
    """Create the database file (and its folder) without world access; SQLite gives its -wal and -shm files
    the same permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DB_MODE))
    except FileExistsError:
        pass


def existing_db(path: str | Path) -> Path:
    """``path`` when it is a database file that exists; E120 for a directory, E308 when missing."""
    path = Path(path)
    if path.is_dir():
        raise HyError(Code.E120_IS_DIRECTORY, str(path))
    if not path.is_file():
        raise HyError(Code.E308_NO_DATABASE, str(path))
    return path


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) a coverage database with WAL, foreign keys and the current schema."""
    try:
        if str(path) != ":memory:":
            _create_private(Path(path))
        db = Database(path)
        if str(path) != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("PRAGMA busy_timeout = 10000")
        migrate(db)
    except Exception as exc:  # sqlite3 errors, permissions
        if isinstance(exc, HyError):
            raise
        raise HyError(Code.E301_DB, str(path), detail=str(exc)) from exc
    return db


# --- parent plans and their catalogues ------------------------------------------------------------


@dataclass(frozen=True)
class PlanRecord:
    id: int
    key: str
    content_hash: str
    fingerprint: str
    requirement_ids: dict[str, int]


def _requirement_row(plan_id: int, position: int, r: Requirement) -> dict[str, Any]:
    return {
        "plan_id": plan_id,
        "code": r.id,
        "position": position,
        "kind": r.kind,
        "text": r.text,
        "group_id": r.group,
        "group_title": r.group_title,
        "applies_to": json.dumps(list(r.applies_to), ensure_ascii=False),
        "target": json.dumps(asdict(r.target), ensure_ascii=False) if r.target else None,
        "refs": json.dumps(list(r.references), ensure_ascii=False),
        "deadline": r.deadline,
        "keywords": json.dumps(list(r.keywords), ensure_ascii=False),
        "weight": r.weight,
        "page": r.page,
        "active": 1,
    }


def save_plan(
    db: Database, parent_path: str | Path, parent: Plan, catalogue: Sequence[Requirement], fingerprint: str
) -> PlanRecord:
    """Upsert a parent plan and its catalogue (requirements it no longer has become inactive)."""
    parent_path = Path(parent_path).resolve()
    key = plan_key(db, parent_path, parent)
    row = {
        "key": key,
        "path": str(parent_path),
        "name": parent_path.stem,
        "number": parent.header.number,
        "issuer": parent.header.issuer,
        "date": parent.header.date,
        "title": parent.header.title,
        "content_hash": file_hash(parent_path),
        "fingerprint": fingerprint,
        "rules_version": rules.rules_version(),
        "tool_version": __version__,
        "requirements": len(catalogue),
        "loaded_at": now(),
    }
    codes = [r.id for r in catalogue]
    if len(set(codes)) != len(codes):
        dupes = sorted({c for c in codes if codes.count(c) > 1})
        raise HyError(Code.E303_CATALOGUE, str(parent_path), detail=f"duplicate IDs {', '.join(dupes[:5])}")
    with db.atomic():
        existing = list(db.query("SELECT id, fingerprint, content_hash FROM plans WHERE key = ?", [key]))
        if existing and existing[0]["fingerprint"] == fingerprint and existing[0]["content_hash"] == row["content_hash"]:
            plan_id = existing[0]["id"]
        else:
            if existing:
                plan_id = existing[0]["id"]
                db["plans"].update(plan_id, row)
            else:
                plan_id = db["plans"].insert(row).last_pk
            db.execute("UPDATE requirements SET active = 0 WHERE plan_id = ?", [plan_id])
            _upsert_requirements(db, plan_id, catalogue)
        ids = {r["code"]: r["id"] for r in db.query(
            "SELECT id, code FROM requirements WHERE plan_id = ? AND active = 1", [plan_id])}
        content_hash = db["plans"].get(plan_id)["content_hash"]
    return PlanRecord(plan_id, key, content_hash, fingerprint, ids)


def _upsert_requirements(db: Database, plan_id: int, catalogue: Sequence[Requirement]) -> None:
    known = {r["code"]: r["id"] for r in db.query("SELECT id, code FROM requirements WHERE plan_id = ?", [plan_id])}
    for i, r in enumerate(catalogue):
        row = _requirement_row(plan_id, i, r)
        if r.id in known:
            db["requirements"].update(known[r.id], row)
        else:
            db["requirements"].insert(row)


def plan_key(db: Database, parent_path: Path, parent: Plan) -> str:
    """The key of a parent plan: the key of the row it updates (same file, or same number, issuer and date),
    else its number (``number (year)``, then the file name, when another parent already has that number)."""
    h = parent.header
    for row in db.query("SELECT key, path, number, issuer, date FROM plans ORDER BY id"):
        same_document = h.number and (row["number"], row["issuer"], row["date"]) == (h.number, h.issuer, h.date)
        if row["path"] == str(parent_path) or same_document:
            return str(row["key"])
    taken = {r["key"] for r in db.query("SELECT key FROM plans")}
    candidates = [h.number, f"{h.number} ({h.date[:4]})" if h.number and h.date else None, parent_path.stem]
    candidates += [f"{parent_path.stem}-{n}" for n in range(2, 1000)]
    return next(c for c in candidates if c and c not in taken)


def plan_keys(db: Database) -> list[str]:
    return [r["key"] for r in db.query("SELECT key FROM plans ORDER BY id")]


def current_plan(db: Database, key: str | None = None) -> dict[str, Any]:
    """The parent plan ``key`` (its key, file name or id); without a key, the only one in the database.

    Raises E302 when there is none, E321 (listing them) when there are several and none was chosen, E322
    when ``key`` names none of them.
    """
    rows = list(db.query("SELECT * FROM plans ORDER BY id"))
    if not rows:
        raise HyError(Code.E302_NO_PLAN)
    listed = ", ".join(r["key"] for r in rows)
    if key is None:
        if len(rows) > 1:
            raise HyError(Code.E321_SEVERAL_PLANS, detail=listed)
        return rows[0]
    for field in ("key", "name", "id"):
        found = [r for r in rows if str(r[field]) == key]
        if found:
            return found[0]
    raise HyError(Code.E322_NO_SUCH_PLAN, wanted=key, detail=listed)


def mark_suspect(db: Database, plan_id: int, fingerprint: str) -> int:
    """Flag results computed under another parent plan, rules or tool version; return how many documents."""
    with db.atomic():
        stale = [r["id"] for r in db.query(
            "SELECT id FROM documents WHERE plan_id = ? AND status = 'ok' AND fingerprint IS NOT ?",
            [plan_id, fingerprint])]
        for doc_id in stale:
            db.execute("UPDATE matches SET suspect = 1 WHERE document_id = ?", [doc_id])
    return len(stale)


# --- documents ------------------------------------------------------------------------------------


# --- one document's results (built in a worker, written by the main process) ----------------------


@dataclass(frozen=True)
class Stamp:
    """What a result was computed under."""

    plan_id: int
    fingerprint: str
    rules_version: str
    tool_version: str
    run_id: int


def _match_row(doc_id: int, req_id: int, m: Match, applicable: bool, source: str) -> dict[str, Any]:
    evidence = [{"clause": e.clause, "page": e.page, "text": e.text, "score": round(e.score, 4)} for e in m.evidence]
    return {"document_id": doc_id, "requirement_id": req_id, "requirement": m.requirement, "status": m.status,
            "score": round(m.score, 4), "evidence": json.dumps(evidence, ensure_ascii=False), "why": m.why,
            "applicable": int(applicable), "suspect": 0, "source": source}


def result_rows(
    doc_id: int,
    plan: Plan,
    citations: Sequence[Citation],
    findings: Sequence[Finding],
    matches: Sequence[Match],
    catalogue: Sequence[Requirement],
    requirement_ids: dict[str, int],
    stamp: Stamp,
    content_hash: str,
    size: int,
) -> dict[str, Any]:
    """Rows for one successfully analysed document: ``{"document": {...}, "clauses": [...], ...}``."""
    h = plan.header
    kind = document_level(h.issuer, h.parent_issuer)
    document = {
        "plan_id": stamp.plan_id, "form": plan.form, "content_hash": content_hash, "size": size, "pages": plan.pages,
        "issuer": h.issuer, "number": h.number, "date": h.date, "title": h.title, "kind": kind, "status": "ok",
        "error_code": None, "error_line": None,
        "warnings": json.dumps(
            [{"code": w.code, "message": w.message, **({"page": w.page} if w.page else {})} for w in plan.warnings],
            ensure_ascii=False,
        ),
        "extraction_warning": describe_damage(plan.warnings) or None,
        "fingerprint": stamp.fingerprint, "rules_version": stamp.rules_version, "tool_version": stamp.tool_version,
        "run_id": stamp.run_id, "processed_at": now(),
    }
    clauses = [
        {"document_id": doc_id, "clause_id": c.id, "position": i, "label": c.label, "kind": c.kind, "text": c.text,
         "text_folded": fold(c.text), "page": c.page, "parent": c.parent,
         "cells": json.dumps(list(c.cells), ensure_ascii=False)}
        for i, c in enumerate(plan.clauses)
    ]
    cites = [
        {"document_id": doc_id, "key": c.key, "type": c.type, "number": c.number, "symbol": c.symbol, "date": c.date,
         "issuer": c.issuer, "issuer_code": c.issuer_code, "system": c.system, "as_written": c.as_written,
         "page": c.page, "clause": c.clause, "span_start": c.start, "span_end": c.end,
         "flags": json.dumps(list(c.flags), ensure_ascii=False)}
        for c in citations
    ]
    finds = [
        {"document_id": doc_id, "code": f.code, "severity": f.severity, "message": f.message,
         "as_written": f.as_written, "page": f.page, "clause": f.clause, "key": f.key, "expected": f.expected}
        for f in findings
    ]
    by_id = {r.id: r for r in catalogue}
    rows: dict[str, dict[str, Any]] = {}
    for m in matches:
        r = by_id.get(m.requirement)
        if r is not None and r.kind in CELL_KINDS and r.kind != REFERENCE and m.requirement in requirement_ids:
            rows[m.requirement] = _match_row(doc_id, requirement_ids[m.requirement], m, applies(r, kind, h.issuer), "matcher")
    for m in reference_matches(catalogue, citations, findings):
        if m.requirement in requirement_ids:
            rows[m.requirement] = _match_row(doc_id, requirement_ids[m.requirement], m, True, "references")
    for r in catalogue:  # the matcher found nothing for it: the plan does not address it
        if r.id not in rows and r.id in requirement_ids and r.kind in CELL_KINDS:
            unmatched = Match(r.id, "missing", 0.0, (), NO_EVIDENCE)
            rows[r.id] = _match_row(doc_id, requirement_ids[r.id], unmatched, applies(r, kind, h.issuer), "matcher")
    ordered = [rows[r.id] for r in catalogue if r.id in rows]
    return {"document": document, "clauses": clauses, "citations": cites, "findings": finds, "matches": ordered}


def error_rows(stamp: Stamp, error: HyError, content_hash: str | None, size: int | None) -> dict[str, Any]:
    """Rows for a document that could not be analysed: no results, the error recorded."""
    document = {
        "plan_id": stamp.plan_id, "content_hash": content_hash, "size": size, "pages": None, "issuer": None,
        "number": None, "date": None, "title": None, "kind": None, "status": "error",
        "error_code": error.code.value, "error_line": error.line(), "warnings": "[]", "extraction_warning": None,
        "fingerprint": stamp.fingerprint, "rules_version": stamp.rules_version, "tool_version": stamp.tool_version,
        "run_id": stamp.run_id, "processed_at": now(),
    }
    return {"document": document, "clauses": [], "citations": [], "findings": [], "matches": []}


def write_document(db: Database, doc_id: int, rows: dict[str, Any]) -> None:
    """Replace one document's results in a single transaction."""
    with db.atomic():
        for table in CHILD_TABLES:
            db.execute(f"DELETE FROM {table} WHERE document_id = ?", [doc_id])
        db["documents"].update(doc_id, rows["document"])
        for table in CHILD_TABLES:
            if rows[table]:
                db[table].insert_all(rows[table])


# --- runs -----------------------------------------------------------------------------------------


def start_run(db: Database, plan: PlanRecord, inputs: Sequence[str], workers: int) -> int:
    with db.atomic():
        return int(db["runs"].insert({
            "started_at": now(), "status": "running", "plan_id": plan.id,
            "inputs": json.dumps(list(inputs), ensure_ascii=False), "workers": workers,
            "tool_version": __version__, "rules_version": rules.rules_version(), "fingerprint": plan.fingerprint,
        }).last_pk)


def finish_run(db: Database, run_id: int, summary: dict[str, Any]) -> None:
    with db.atomic():
        db["runs"].update(run_id, {
            "ended_at": now(), "status": "done", "discovered": summary["discovered"], "scanned": summary["scanned"],
            "skipped": summary["skipped"], "failed": summary["failed"], "ignored": summary["ignored"],
            "errors": json.dumps(summary["errors"], ensure_ascii=False), "seconds": summary["seconds"],
            "ignored_files": json.dumps(summary["ignored_files"], ensure_ascii=False),
        })


# --- reviewer decisions ---------------------------------------------------------------------------


def add_review(
    db: Database, document: str, requirement: str, status: str, note: str = "", reviewer: str | None = None,
    plan_id: int | None = None,
) -> dict[str, Any]:
    """Record a reviewer's decision on one cell (append-only; the latest wins). Returns the stored row.

    The decision carries ``reviewer``, else ``$HYCOMPLIANCE_REVIEWER``; with neither it is refused (never the
    login of whoever runs the command)."""
    if status not in REVIEW_STATUSES:
        raise HyError(Code.E901_USAGE, detail=f"status must be one of {', '.join(REVIEW_STATUSES)}, not {status!r}")
    doc = resolve_document(db, document, plan_id)
    if doc["status"] != "ok" or doc["plan_id"] is None:
        raise HyError(Code.E901_USAGE, detail=f"document {doc['name']!r} has no results to review (status {doc['status']})")
    req = list(db.query("SELECT code FROM requirements WHERE plan_id = ? AND code = ? AND active = 1",
                        [doc["plan_id"], requirement]))
    if not req:
        raise HyError(Code.E305_NO_REQUIREMENT, detail=requirement)
    reviewer = (reviewer or os.environ.get(REVIEWER_ENV) or "").strip()
    if not reviewer:
        raise HyError(Code.E901_USAGE, detail=f"who decides? give --reviewer NAME or set {REVIEWER_ENV}")
    plan = db["plans"].get(doc["plan_id"])
    row = {"document_id": doc["id"], "requirement": requirement, "status": status, "note": note,
           "reviewer": reviewer, "at": now(),
           "doc_hash": doc["content_hash"], "plan_hash": plan["content_hash"]}
    with db.atomic():
        row["id"] = db["reviews"].insert(row).last_pk
    return row


def search_clauses(db: Database, query: str, limit: int = 50) -> list[dict[str, Any]]:
    """Clauses whose text contains the words of ``query`` as a phrase (diacritics and đ ignored)."""
    words = re.findall(r"\w+", fold(query))
    if not words:
        return []
    match = '"' + " ".join(words) + '"'
    return list(db.query(
        "SELECT d.id, d.name AS document, c.clause_id, c.page, c.text FROM clauses_fts f "
        "JOIN clauses c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id "
        "WHERE clauses_fts MATCH ? ORDER BY d.name, c.position LIMIT ?", [match, limit]))
