"""The coverage database: schema and migrations, per-document writes, names, search, references, reviews.

The tests taking ``db`` run on both stores: a SQLite file and a PostgreSQL database (``conftest.db_url``)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from hycompliance.errors import Code, HyError
from hycompliance.migrations import MIGRATIONS, applied, migrate
from hycompliance.models import Citation, Finding, Requirement
from hycompliance.applicability import applies
from hycompliance.coverage import reference_cell
from hycompliance.store import (
    Stamp,
    add_review,
    file_hash,
    mark_suspect,
    open_db,
    register_documents,
    result_rows,
    save_plan,
    search_clauses,
    write_document,
)
from tests.conftest_db import PARENT_TXT, SOKHCN_TXT, analyze_test, load_test_context

TABLES = ["migrations", "plans", "requirements", "runs", "documents", "clauses", "citations", "findings",
          "matches", "reviews"]


@pytest.fixture(scope="module")
def context():
    return load_test_context(str(PARENT_TXT))


@pytest.fixture
def db(db_url):
    database = open_db(db_url)
    yield database
    database.close()


@pytest.fixture
def sqlite_db(tmp_path):
    database = open_db(tmp_path / "coverage.db")
    yield database
    database.close()


def catalogue_of(context):
    return list(context.catalogue) + list(context.references)


def store_document(db, context, path: Path, stamp_run: int | None = None):
    plan = save_plan(db, context.path, context.plan, catalogue_of(context), context.fingerprint)
    state = register_documents(db, [path], plan.id)[str(path.resolve())]
    result = analyze_test(str(path), context)
    stamp = Stamp(plan.id, context.fingerprint, "rules", "0.1.0", stamp_run)
    rows = result_rows(state.id, result.plan, result.citations, result.findings, result.cells,
                       plan.requirement_ids, stamp, file_hash(path), path.stat().st_size)
    write_document(db, state.id, rows)
    return plan, state, rows


def test_schema_tables_view_and_pragmas(sqlite_db):
    db = sqlite_db
    assert set(TABLES) <= set(db.table_names())
    assert db.view_names() == ["matrix"]
    assert "clauses_fts" in db.table_names()
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert [fk.other_table for fk in db["matches"].foreign_keys] == ["requirements", "documents"]


def test_migrations_recorded_and_idempotent(db):
    names = [name for name, _ in MIGRATIONS]
    assert applied(db) == names == ["0001_core_tables", "0002_clause_search", "0003_matrix_view",
                                    "i9b_documents_per_parent", "i12_runs_ignored_files",
                                    "i12_clause_search_both_ways", "i12_document_paths", "i11_reviews_rules_version",
                                    "i10_cells_and_identity", "i16_document_scope", "i14_registry_tables",
                                    "i13_extraction_quality", "i11_validity_registry", "i11_data_version"]
    assert migrate(db) == []
    assert applied(db) == names
    assert db["migrations"].count == len(names)


def test_reopen_keeps_data(tmp_path, context):
    database = open_db(tmp_path / "c.db")
    store_document(database, context, SOKHCN_TXT)
    database.close()
    again = open_db(tmp_path / "c.db")
    assert again["documents"].count == 1
    assert applied(again) == [name for name, _ in MIGRATIONS]


def test_document_written_whole(db, context):
    plan, state, rows = store_document(db, context, SOKHCN_TXT)
    doc = db["documents"].get(state.id)
    assert (doc["name"], doc["status"], doc["number"], doc["kind"], doc["issuer"]) == (
        "sokhcn-kh-2023", "ok", "456/KH-SKHCN", "agency", "Sở Khoa học và Công nghệ")
    assert doc["content_hash"] == file_hash(SOKHCN_TXT)
    n_clauses = db["clauses"].count
    assert n_clauses == len(rows["clauses"]) > 30
    # One match row per catalogue requirement, the references included.
    assert db["matches"].count == len(catalogue_of(context))
    # Writing again replaces, never duplicates.
    store_document(db, context, SOKHCN_TXT)
    assert (db["clauses"].count, db["matches"].count) == (n_clauses, len(catalogue_of(context)))
    if not getattr(db, "is_postgres", False):  # SQLite's FTS5 table follows the clauses through triggers
        assert db["clauses_fts"].count == n_clauses


def test_failed_write_rolls_back_whole_document(db, context):
    plan, state, rows = store_document(db, context, SOKHCN_TXT)
    before = {t: db[t].count for t in ("clauses", "citations", "matches")}
    broken = dict(rows, matches=rows["matches"] + [dict(rows["matches"][0], status="bogus")])
    with pytest.raises(HyError) as failed:  # E301 with the cause, nothing of the document written
        write_document(db, state.id, broken)
    assert failed.value.code.value == "E301" and "check constraint" in str(failed.value).lower()
    assert {t: db[t].count for t in ("clauses", "citations", "matches")} == before


@pytest.mark.parametrize(
    "paths, names",
    [
        (["a/x.txt"], ["x"]),
        (["a/x.txt", "b/x.txt"], ["x", "x-txt"]),
        (["a/x.docx", "a/x.pdf", "a/x.txt", "b/x.txt"], ["x", "x-pdf", "x-txt", "x-2"]),
    ],
)
def test_document_names_unique(db, tmp_path, paths, names):
    files = [tmp_path / p for p in paths]
    plan_id = db["plans"].insert({"key": "87/KH-UBND", "path": "/p/87.txt", "name": "87", "content_hash": "h",
                                  "fingerprint": "f", "rules_version": "r", "tool_version": "t",
                                  "loaded_at": "2025-01-01"}).last_pk
    states = register_documents(db, files, plan_id)
    assert [states[str(f.resolve())].name for f in files] == names
    # Registering again keeps the names.
    again = register_documents(db, reversed(files), plan_id)
    assert [again[str(f.resolve())].name for f in files] == names


@pytest.mark.parametrize(
    "query, hits",
    [
        ("chuyen doi so", [("87-KH-UBND-2023", "III.4.5"), ("87-KH-UBND-2023", "III.5.7"), ("sokhcn-kh-2023", "III.4.3")]),
        ("chuyển đổi số", [("87-KH-UBND-2023", "III.4.5"), ("87-KH-UBND-2023", "III.5.7"), ("sokhcn-kh-2023", "III.4.3")]),
        ("duong vanh dai", [("87-KH-UBND-2023", "III.6.1")]),
        ("ĐƯỜNG VÀNH ĐAI", [("87-KH-UBND-2023", "III.6.1")]),
        ("", []),
    ],
)
def test_search_ignores_diacritics_and_folds_d(db, context, query, hits):
    store_document(db, context, SOKHCN_TXT)
    store_document(db, context, PARENT_TXT)
    found = search_clauses(db, query)
    assert [(h["document"], h["clause_id"]) for h in found] == hits
    for h in found:
        assert query.lower() in h["text"].lower() or "chuyển đổi số" in h["text"] or "đường vành đai" in h["text"]


REF = Requirement("10-NQ/TU", "reference", "Nghị quyết 10-NQ/TU")


def cite(key: str, written: str) -> Citation:
    return Citation(key, "Nghị quyết", key.split("-")[0], "NQ/TU", None, None, "TU", "party", written, 0, len(written),
                    2, "III.2.2")


@pytest.mark.parametrize(
    "citations, findings, status, evidence",
    [
        ([cite("10-NQ/TU", "NQ số 10-NQ/TU ngày 28/6/2021")], [], "covered", ["NQ số 10-NQ/TU ngày 28/6/2021"]),
        ([cite("10-NQ/TU", "NQ số 10-NQ/TU ngày 28/7/2021")],
         [Finding("wrong_date", "error", "Ngày ban hành sai", "NQ số 10-NQ/TU ngày 28/7/2021", 2, "III.2.2",
                  "10-NQ/TU", "2021-06-28")],
         "partial", ["NQ số 10-NQ/TU ngày 28/7/2021 — Ngày ban hành sai"]),
        ([cite("10/NQ-TU", "Nghị quyết số 10/NQ-TU")],
         [Finding("wrong_symbol_format", "error", "Viết sai thể thức", "Nghị quyết số 10/NQ-TU", 2, "III.2.2",
                  "10/NQ-TU", "10-NQ/TU")],
         "partial", ["Nghị quyết số 10/NQ-TU — Viết sai thể thức"]),
        ([cite("07-NQ/TU", "NQ số 07-NQ/TU")], [], "missing", []),
        ([], [Finding("missing_required_reference", "error", "Không viện dẫn 10-NQ/TU", expected="10-NQ/TU")],
         "missing", ["Không viện dẫn 10-NQ/TU"]),
    ],
)
def test_reference_cells(citations, findings, status, evidence):
    m = reference_cell(REF, citations, findings, True)
    assert (m.requirement, m.status) == ("10-NQ/TU", status)
    assert [e.text for e in m.evidence] == evidence


def test_reference_cells_in_matrix(db, context):
    store_document(db, context, SOKHCN_TXT)
    cells = {r["requirement"]: r["status"] for r in db.query("SELECT * FROM matrix WHERE kind = 'reference'")}
    # The plan cites 29-NQ/TW and 34-CTr/TU with their right dates, and never 10-NQ/TU.
    assert cells == {"29-NQ/TW": "covered", "34-CTr/TU": "covered", "10-NQ/TU": "missing"}


def test_reviews_latest_wins_and_turn_stale(db, context, tmp_path):
    copy = tmp_path / "sokhcn.txt"
    copy.write_bytes(SOKHCN_TXT.read_bytes())
    store_document(db, context, copy)
    req = context.catalogue[0].id
    add_review(db, "sokhcn", req, "missing", "không có nội dung", "Nguyễn Văn A")
    add_review(db, "sokhcn", req, "justified", "đã giải trình tại công văn 12", "Trần Thị B")
    cell = next(db.query("SELECT * FROM matrix WHERE requirement = ?", [req]))
    assert (cell["status"], cell["review_status"], cell["reviewer"], cell["review_stale"]) == (
        "justified", "justified", "Trần Thị B", 0)
    assert db["reviews"].count == 2
    copy.write_text(SOKHCN_TXT.read_text(encoding="utf-8") + "\n- Bổ sung nhiệm vụ mới.\n", encoding="utf-8")
    store_document(db, context, copy)
    cell = next(db.query("SELECT * FROM matrix WHERE requirement = ?", [req]))
    assert (cell["review_status"], cell["review_stale"], cell["status"]) == ("justified", 1, cell["machine_status"])


@pytest.mark.parametrize(
    "document, requirement, status, code",
    [
        ("sokhcn-kh-2023", "III.1.1", "approved", Code.E901_USAGE),
        ("sokhcn-kh-2023", "IX.9.9", "covered", Code.E305_NO_REQUIREMENT),
        ("nobody", "III.1.1", "covered", Code.E304_NO_DOCUMENT),
    ],
)
def test_review_rejects(db, context, document, requirement, status, code):
    store_document(db, context, SOKHCN_TXT)
    with pytest.raises(HyError) as err:
        add_review(db, document, requirement, status, "", "A")
    assert err.value.code == code
    assert db["reviews"].count == 0


def test_mark_suspect(db, context):
    from dataclasses import replace

    from hycompliance import __version__, rules

    plan, state, _ = store_document(db, context, SOKHCN_TXT)
    db.execute("UPDATE documents SET rules_version = ?, tool_version = ?", [rules.rules_version(), __version__])
    assert mark_suspect(db, plan) == 0
    # Same rules and tool, one requirement's text changed: only its cells become suspect.
    assert mark_suspect(db, replace(plan, fingerprint="another", changed=frozenset({"III.1.1"}))) == 1
    suspects = {r["requirement"]: r["suspect"] for r in db.query("SELECT requirement, suspect FROM matches")}
    assert {k for k, v in suspects.items() if v} == {"III.1.1"}
    # Other rules: every cell.
    db.execute("UPDATE documents SET rules_version = 'other rules'")
    assert mark_suspect(db, replace(plan, fingerprint="another")) == 1
    assert {r["suspect"] for r in db.query("SELECT suspect FROM matches")} == {1}


def test_evidence_json(db, context):
    store_document(db, context, SOKHCN_TXT)
    row = next(db.query("SELECT evidence FROM matches WHERE status = 'covered' AND source = 'matcher' LIMIT 1"))
    evidence = json.loads(row["evidence"])
    assert set(evidence[0]) == {"clause", "page", "text", "score", "words", "spans", "references"}
    for start, end in evidence[0]["spans"]:  # every span points into the stored clause text
        assert 0 <= start < end <= len(evidence[0]["text"])


@pytest.mark.parametrize(
    "applies_to, kind, issuer, expected",
    [
        (("Các sở, ban, ngành", "UBND cấp huyện"), "district", "UBND huyện Văn Lâm", True),
        (("Các sở, ban, ngành", "UBND cấp huyện"), "agency", "Sở Công Thương", True),
        (("UBND cấp huyện",), "agency", "Sở Công Thương", False),
        # since 7/2025 a commune or ward answers for what the parent asked of the district level
        (("UBND các huyện, thị xã, thành phố",), "commune", "UBND xã Nghĩa Trụ", True),
        (("Sở Công Thương",), "agency", "Sở Công Thương", True),
        (("Sở Công Thương",), "agency", "Sở Khoa học và Công nghệ", False),
        ((), "district", "UBND huyện Phù Cừ", True),
    ],
)
def test_applies(applies_to, kind, issuer, expected):
    from hycompliance.models import Requirement
    req = Requirement(id="III.1.1", kind="task", text="", applies_to=applies_to)
    assert applies(req, kind, issuer) is expected
