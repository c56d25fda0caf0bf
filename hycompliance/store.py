"""The coverage database: one SQLite file, written with sqlite-utils, readable in Datasette.

Open it with ``open_db(path)`` (WAL mode, foreign keys on, migrations from ``hycompliance.migrations``
applied; a new file is created without world access). ``open_db("postgresql://…")`` opens a PostgreSQL
database instead, with the same schema and the same functions below (``hycompliance.database_pg``). Browse it with Datasette and the metadata in
``hycompliance.browse``. It holds no account, password hash or session key (``hycompliance.web.vault``).

Tables (names are stable; JSON columns hold JSON text):

- ``migrations``: name, applied_at — the schema steps this file has.
- ``plans`` (one row per parent plan; a database holds several): id, key (its number, or file name without
  an extension; ``number (year)`` when another parent already has that number), path, name, number, issuer, date, title,
  content_hash (sha256 of the parent plan file), fingerprint (of parent plan + rules + tool), rules_version,
  tool_version, requirements (count), loaded_at.
- ``requirements``: id, plan_id → plans, code (``III.3.2``, ``II.2.4``, ``10-NQ/TU``), position, kind
  (task|subtask|target|duty|reference; assignment in older DBs), text, group_id, group_title, applies_to (JSON list),
  target (JSON {indicator, unit, values: [{period, comparator, value, high, text}]}), refs (JSON list of
  keys), deadline, keywords (JSON), weight, page, active (0 once the parent plan no longer has it),
  text_hash (identity of the normalised text: the same from .txt, .docx or .pdf, whatever its position).
- ``documents`` (a file once per parent plan it is checked against): id, plan_id → plans, path (absolute,
  unique per parent), name (file name without extension, unique per parent; a collision becomes ``name-ext``,
  then ``name-2``...), form (txt|docx|pdf), content_hash (sha256), size,
  pages, issuer, number, date, title, kind (commune|district|agency|province|ministry|party; see
  ``hycompliance.applicability``), status (pending|ok|error),
  error_code, error_line (English, for logs), error_text (the same in Vietnamese, for people), warnings
  (JSON [{code, message, details}]), extraction_warning (the Vietnamese line shown beside the coverage
  when the text may be damaged by extraction, W109; migration i13_extraction_quality), fingerprint,
  rules_version, tool_version, run_id → runs,
  processed_at, withdrawn_at (set when none of its files is in the scanned folders any more: kept, left out
  of the matrix), in_scope (1|0, NULL when not checked), scope_basis (cites_parent|cites_ancestor|subject|none|
  reviewer_in|reviewer_out), scope_reason (Vietnamese), scope_overlap (hycompliance.scope), validity_registry
  (the registry stamp its validity findings were judged against, NULL once its results are written again;
  ``hycompliance.references.in_force``, migration i11_validity_registry). One row per
  content: ``path`` is its first present path (see ``hycompliance.inventory``).
- ``document_paths``: path (unique), document_id → documents, gone_at — every path a document was found at.
- ``scope_reviews`` (append-only; the latest per document wins, applied at the next scan): id, document_id,
  in_scope, note, reviewer, at (hycompliance.scope_store).
- ``clauses``: id, document_id → documents, clause_id (``III.3.2``), position, label, kind, text,
  text_folded (no diacritics, đ→d), page, parent, cells (JSON). FTS5 table ``clauses_fts`` indexes text and
  text_folded with diacritics removed: "đường" and "duong" both find "đường".
- ``citations``: id, document_id, key, type, number, symbol, date, issuer, issuer_code, system, as_written,
  page, clause, span_start, span_end, flags (JSON), intended (the corrected form when a finding says it is wrong).
- ``findings``: id, document_id, code, severity, message, as_written, page, clause, key, expected, mentions
  (one finding per document and problem: how many mentions), clauses (JSON, theirs), corrected.
- ``registry_documents``, ``registry_relations``, ``registry_mentions``: the registry learnt from documents
  (``hycompliance.references.learnt``).
- ``data_version``: one row, a number that triggers on every table above move with each write (migration
  i11_data_version, ``hycompliance.data_version``): the web app's cached pages are kept while it stays.
- ``matches``: one coverage cell (``hycompliance.coverage.Cell``) as it was judged: id, document_id,
  requirement_id → requirements, requirement (code), requirement_hash, status (covered|partial|missing),
  score, evidence (JSON [{clause, page, text (the clause's text), score, words, spans [[start, end]] into
  text, references}]), targets (JSON [{period, province, province_value, plan, plan_value, verdict}]),
  reasons (JSON [{code, clause, page, items, count}]), shared_refs (JSON), applicable (0|1), suspect (1
  when the requirement's text, the rules or the tool changed since), source (matcher|references);
  ``why`` is no longer written (faces put ``reasons`` in words).
- ``runs``: id, started_at, ended_at, status (running|done|interrupted: killed, closed by the next scan), plan_id, inputs (JSON), workers, discovered,
  scanned, skipped, failed, ignored, errors (JSON [{file, code, message}]), seconds, tool_version,
  rules_version, fingerprint, ignored_files (JSON [{file, code, message}]: every entry the scan did not
  read, see ``hycompliance.discovery``).
- ``reviews`` (append-only; the latest per document and requirement wins): id, document_id, requirement
  (code), requirement_hash, status (covered|partial|missing|justified), note, reviewer, at, doc_hash and
  plan_hash (what the reviewer saw). A decision belongs to the active requirement with its
  requirement_hash (so it follows its task when a bullet is inserted before it, and survives reading the
  parent from another file form), else to the one with its code; it is stale ("Cần xem lại") when the
  document, the requirement's text or the rules (``rules_version``) changed since.
- view ``matrix``: document_id, document, requirement_id, requirement, requirement_hash, kind, group_id,
  position, machine_status, score, applicable, suspect, evidence, targets, reasons, shared_refs,
  review_status, review_note, reviewer, reviewed_at, review_stale, status (the fresh review's status, else
  the machine's).

Every document's results are replaced in one transaction, so a crash never leaves half a document. The
rows are built by ``hycompliance.results`` (in the workers), reviewers' decisions recorded by
``hycompliance.reviews``; both are re-exported here.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from hycompliance import __version__, rules
from hycompliance.discovery import SUPPORTED
from hycompliance.errors import Code, HyError
from hycompliance.ingest import file_hash
from hycompliance.inventory import DocState, register_documents, resolve_document  # noqa: F401 (the store's API)
from hycompliance.coverage import CELL_KINDS, requirement_hash
from hycompliance.dates import now
from hycompliance.database import cause, db_errors, open_readonly, set_busy_timeout, writable, writing
from hycompliance.database_pg import connect, is_url
from hycompliance.migrations import MIGRATIONS, applied, migrate
from hycompliance.models import Plan, Requirement
from hycompliance.normalize import fold
from hycompliance.results import Stamp, error_rows, result_rows
from hycompliance.reviews import REVIEW_STATUSES, REVIEWER_ENV, add_review, decisions

CHILD_TABLES = ("clauses", "citations", "findings", "matches")
# Re-exported: the faces, the web app and the CLI import them from here.
__all__ = ["CELL_KINDS", "REVIEWER_ENV", "REVIEW_STATUSES", "SUPPORTED", "Stamp", "add_review", "decisions",
           "error_rows", "fold", "now", "result_rows"]


DB_MODE = 0o660  # owner and group (less the umask); never world-readable: it holds plan text and decisions


def _create_private(path: Path) -> None:
    """Create the database file (and its folder) without world access; SQLite gives its -wal and -shm files
    the same permissions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, DB_MODE))
    except FileExistsError:
        pass


def existing_db(path: str | Path) -> Path | str:
    """``path`` when it is a database file that exists (a PostgreSQL URL as it is: ``open_db`` says when
    the server cannot be reached); E120 for a directory, E308 when missing."""
    if is_url(path):
        return str(path)
    path = Path(path)
    if path.is_dir():
        raise HyError(Code.E120_IS_DIRECTORY, str(path))
    if not path.is_file():
        raise HyError(Code.E308_NO_DATABASE, str(path))
    return path


def open_db(path: str | Path) -> Database:
    """Open (creating if needed) a coverage database with WAL, foreign keys and the current schema.

    A ``postgresql://`` URL opens that (existing) PostgreSQL database instead and brings its schema up to
    date (``hycompliance.database_pg``)."""
    if is_url(path):
        return _open_pg(str(path))
    try:
        if str(path) != ":memory:":
            _create_private(Path(path))
        db = Database(path)
        if str(path) != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA foreign_keys = ON")
        set_busy_timeout(db)
        migrate(db)
    except HyError:
        raise
    except sqlite3.Error as exc:
        raise HyError(Code.E301_DB, str(path), detail=cause(exc)) from None
    except OSError as exc:  # the folder cannot be made
        raise HyError(Code.E301_DB, str(path), detail=exc.strerror or str(exc)) from None
    return db


def _open_pg(url: str) -> Any:
    db = connect(url)
    try:
        with db_errors(url):
            migrate(db)
    except HyError:
        db.close()
        raise
    return db


def open_for_reading(path: str | Path) -> Database:
    """A database to read (``matrix``, ``report``, ``serve``): the usual connection when the file and its
    folder are writable, else a read-only one. A read-only database must already have the current schema."""
    if is_url(path):
        return _open_pg(str(path))
    if not Path(path).is_file():
        raise HyError(Code.E101_NOT_FOUND, str(path))
    if writable(path):
        return open_db(path)
    db = open_readonly(path)
    missing = [name for name, _ in MIGRATIONS if name not in applied(db)]
    if missing:
        db.close()
        raise HyError(Code.E301_DB, str(path), detail=f"database is read-only and lacks schema steps {', '.join(missing)}")
    return db


# --- parent plans and their catalogues ------------------------------------------------------------


@dataclass(frozen=True)
class PlanRecord:
    id: int
    key: str
    content_hash: str
    fingerprint: str
    requirement_ids: dict[str, int]
    changed: frozenset[str] = frozenset()  # codes whose normalised text is new since the last load


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
        "text_hash": requirement_hash(r),
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
    changed: frozenset[str] = frozenset()
    with writing(db):
        existing = list(db.query("SELECT id, fingerprint, content_hash FROM plans WHERE key = ?", [key]))
        if existing and existing[0]["fingerprint"] == fingerprint and existing[0]["content_hash"] == row["content_hash"]:
            plan_id = existing[0]["id"]
        else:
            if existing:
                before = {r["code"]: r["text_hash"] for r in db.query(
                    "SELECT code, text_hash FROM requirements WHERE plan_id = ? AND active = 1", [existing[0]["id"]])}
                changed = frozenset(r.id for r in catalogue if before.get(r.id) != requirement_hash(r))
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
    return PlanRecord(plan_id, key, content_hash, fingerprint, ids, changed)


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


def mark_suspect(db: Database, plan: PlanRecord) -> int:
    """Flag results computed under another catalogue, rules or tool version; return how many documents.

    When only the catalogue changed (same rules and tool), only the cells of requirements whose text changed
    (``plan.changed``) are flagged; a parent read from another file form changes nothing."""
    with writing(db):
        stale = list(db.query(
            "SELECT id, rules_version, tool_version FROM documents WHERE plan_id = ? AND status = 'ok' "
            "AND fingerprint IS NOT ?", [plan.id, plan.fingerprint]))
        changed_ids = [plan.requirement_ids[c] for c in plan.changed if c in plan.requirement_ids]
        for doc in stale:
            if (doc["rules_version"], doc["tool_version"]) != (rules.rules_version(), __version__):
                db.execute("UPDATE matches SET suspect = 1 WHERE document_id = ?", [doc["id"]])
            elif changed_ids:
                db.execute(f"UPDATE matches SET suspect = 1 WHERE document_id = ? AND requirement_id IN "
                           f"({', '.join('?' for _ in changed_ids)})", [doc["id"], *changed_ids])
    return len(stale)


def write_document(db: Database, doc_id: int, rows: dict[str, Any]) -> None:
    """Replace one document's results in a single transaction; its validity findings are judged again
    against the learnt registry after the batch (``validity_registry`` cleared)."""
    with writing(db):
        for table in CHILD_TABLES:
            db.execute(f"DELETE FROM {table} WHERE document_id = ?", [doc_id])
        db["documents"].update(doc_id, {**rows["document"], "validity_registry": None})
        for table in CHILD_TABLES:
            if rows[table]:
                db[table].insert_all(rows[table])


# --- runs -----------------------------------------------------------------------------------------


def start_run(db: Database, plan: PlanRecord, inputs: Sequence[str], workers: int) -> int:
    with writing(db):
        return int(db["runs"].insert({
            "started_at": now(), "status": "running", "plan_id": plan.id,
            "inputs": json.dumps(list(inputs), ensure_ascii=False), "workers": workers,
            "tool_version": __version__, "rules_version": rules.rules_version(), "fingerprint": plan.fingerprint,
        }).last_pk)


def close_interrupted_runs(db: Database) -> int:
    """Close runs a killed scan left "running" as "interrupted"; return how many. Call it holding the scan
    lock (``hycompliance.scan.scan_lock``): then no run is really still going."""
    with writing(db):
        cursor = db.execute("UPDATE runs SET status = 'interrupted', ended_at = ? WHERE status = 'running'", [now()])
        return int(cursor.rowcount)


def finish_run(db: Database, run_id: int, summary: dict[str, Any]) -> None:
    with writing(db):
        db["runs"].update(run_id, {
            "ended_at": now(), "status": "done", "discovered": summary["discovered"], "scanned": summary["scanned"],
            "skipped": summary["skipped"], "failed": summary["failed"], "ignored": summary["ignored"],
            "errors": json.dumps(summary["errors"], ensure_ascii=False), "seconds": summary["seconds"],
            "ignored_files": json.dumps(summary["ignored_files"], ensure_ascii=False),
        })


def search_clauses(db: Database, query: str, limit: int = 50) -> list[dict[str, Any]]:
    """Clauses whose text contains the words of ``query`` as a phrase (diacritics and đ ignored)."""
    words = re.findall(r"\w+", fold(query))
    if not words:
        return []
    if getattr(db, "is_postgres", False):  # the same folded words, as a phrase, in the folded text
        return list(db.query(
            "SELECT d.id, d.name AS document, c.clause_id, c.page, c.text FROM clauses c "
            "JOIN documents d ON d.id = c.document_id WHERE to_tsvector('simple', c.text_folded) "
            "@@ phraseto_tsquery('simple', ?) ORDER BY d.name, c.position LIMIT ?", [" ".join(words), limit]))
    match = '"' + " ".join(words) + '"'
    return list(db.query(
        "SELECT d.id, d.name AS document, c.clause_id, c.page, c.text FROM clauses_fts f "
        "JOIN clauses c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id "
        "WHERE clauses_fts MATCH ? ORDER BY d.name, c.position LIMIT ?", [match, limit]))
