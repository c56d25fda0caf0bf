"""The coverage database's schema, as named migrations applied in order.

Each migration is a function ``(db) -> None`` registered under a stable name; the ``migrations`` table
records the names already applied, so ``migrate(db)`` is idempotent and an old database catches up by
running only what it lacks. Never edit or reorder a migration that has shipped: append a new one.

The tables and their columns are documented in ``hycompliance.store``; the first shipped steps live in
``hycompliance.schema_history``, later ones here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

from sqlite_utils import Database

from hycompliance.schema_history import (
    clause_search,
    clause_search_both_ways,
    create_core,
    document_paths,
    documents_per_parent,
    i10_cells_and_identity,
    matrix_view,
    reviews_rules_version,
    REGISTRY_TABLES,
    SCOPE_TABLES,
    runs_ignored_files,
)
from hycompliance.data_version import create_sqlite as _i11_data_version
from hycompliance.migrations_pg import bodies as pg_bodies

Migration = Callable[[Database], None]


def _document_scope(db: Database) -> None:
    """Whether each document implements the parent plan (hycompliance.scope), and reviewers' overrides."""
    db.executescript(SCOPE_TABLES)


def _registry_tables(db: Database) -> None:
    """The registry learnt from documents (``registry learn``, ``scan``): documents met, by key and date,
    and what each says about another (repeals, replaces, amends, implements); which file cites which key
    with which date (the date most files give is the document's). A finding counts the mentions it stands
    for (one finding per document and problem) and carries the corrected form; a citation what was meant."""
    db.executescript(REGISTRY_TABLES)


def _i13_extraction_quality(db: Database) -> None:
    """documents.extraction_warning: the Vietnamese line a reviewer reads beside the coverage when the text
    of the file may be damaged by extraction (W109), NULL when it reads whole."""
    if "extraction_warning" not in db["documents"].columns_dict:
        db.execute("ALTER TABLE documents ADD COLUMN extraction_warning TEXT")


def _i11_validity_registry(db: Database) -> None:
    """documents.validity_registry: the stamp of the registry (what the validity judgement reads of it, the
    rules and tool versions) the document's repealed/amended findings were judged against; NULL: judge them
    again (a new database's documents, a document written again). The nightly scan re-judges only documents
    whose stamp is not the current one (``hycompliance.references.in_force``)."""
    if "validity_registry" not in db["documents"].columns_dict:
        db.execute("ALTER TABLE documents ADD COLUMN validity_registry TEXT")


# In order. Names are stable: they are what the ``migrations`` table records.
MIGRATIONS: tuple[tuple[str, Migration], ...] = (
    ("0001_core_tables", create_core),
    ("0002_clause_search", clause_search),
    ("0003_matrix_view", matrix_view),
    ("i9b_documents_per_parent", documents_per_parent),
    ("i12_runs_ignored_files", runs_ignored_files),
    ("i12_clause_search_both_ways", clause_search_both_ways),
    ("i12_document_paths", document_paths),
    ("i11_reviews_rules_version", reviews_rules_version),
    ("i10_cells_and_identity", i10_cells_and_identity),
    ("i16_document_scope", _document_scope),
    ("i14_registry_tables", _registry_tables),
    ("i13_extraction_quality", _i13_extraction_quality),
    ("i11_validity_registry", _i11_validity_registry),
    ("i11_data_version", _i11_data_version),  # the version pages are cached by (``hycompliance.data_version``)
)


def applied(db: Any) -> list[str]:
    """Names of the migrations this database has, in the order they were applied."""
    if "migrations" not in db.table_names():
        return []
    order = "seq" if getattr(db, "is_postgres", False) else "rowid"
    return [row["name"] for row in db.query(f"SELECT name FROM migrations ORDER BY {order}")]


def migrate(db: Any, steps: Sequence[tuple[str, Migration]] = MIGRATIONS,
            pg: Mapping[str, str] | None = None) -> list[str]:
    """Apply the migrations this database lacks, each in its own transaction; return their names.

    ``steps`` defaults to the store's; a component with tables of its own (the web app) passes its list,
    recorded in the same ``migrations`` table. On PostgreSQL (``database_pg``) each step runs its body from
    ``pg`` (default: ``migrations_pg.bodies()``, the store's), under a transaction-wide advisory lock.

    Each step takes the write lock first (``BEGIN IMMEDIATE``) and re-reads what is applied, so two
    processes opening a new database at once (a scan and the web app) never apply a step twice.
    """
    if getattr(db, "is_postgres", False):
        return _migrate_pg(db, steps, pg_bodies() if pg is None else pg)
    db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    ran: list[str] = []
    if all(name in applied(db) for name, _ in steps):
        return ran
    # Foreign keys are off while the schema changes (a rebuilt table must not cascade into its children;
    # SQLite only allows the switch outside a transaction); each step is checked before it commits.
    enforced = db.execute("PRAGMA foreign_keys").fetchone()[0]
    db.execute("PRAGMA foreign_keys = OFF")
    try:
        for name, step in steps:
            if name in applied(db):
                continue
            db.conn.execute("BEGIN IMMEDIATE")
            try:
                if name not in applied(db):
                    step(db)
                    broken = db.execute("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration {name} left {len(broken)} broken foreign key(s)")
                    db["migrations"].insert({"name": name, "applied_at": datetime.now(timezone.utc).isoformat()})
                    ran.append(name)
            except BaseException:
                db.rollback()
                raise
            db.commit()
    finally:
        db.execute(f"PRAGMA foreign_keys = {'ON' if enforced else 'OFF'}")
    return ran


PG_LOCK = 0x6879636F  # "hyco": the advisory lock that serialises migrations on one PostgreSQL database


def _migrate_pg(db: Any, steps: Sequence[tuple[str, Migration]], bodies: Mapping[str, str]) -> list[str]:
    ran: list[str] = []
    with db.conn:
        db.execute("SELECT pg_advisory_xact_lock(?)", [PG_LOCK])
        db.execute("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL, "
                   "seq BIGINT GENERATED ALWAYS AS IDENTITY)")
    for name, _ in steps:
        if name in applied(db):
            continue
        with db.conn:
            db.execute("SELECT pg_advisory_xact_lock(?)", [PG_LOCK])
            if name in applied(db):
                continue
            if bodies[name].strip():
                db.executescript(bodies[name])
            db.execute("INSERT INTO migrations (name, applied_at) VALUES (?, ?)",
                       [name, datetime.now(timezone.utc).isoformat()])
            ran.append(name)
    db.forget_columns()
    return ran
