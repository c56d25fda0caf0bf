"""The store's schema on both databases: one list of named migrations, each with a body for each store."""

from __future__ import annotations

import pytest

from hycompliance.migrations import MIGRATIONS, applied
from hycompliance.migrations_pg import bodies
from hycompliance.store import open_db


def test_every_migration_has_a_postgresql_body() -> None:
    assert set(bodies()) == {name for name, _ in MIGRATIONS}


def test_schema_on_both(db_url: str) -> None:
    db = open_db(db_url)
    try:
        assert applied(db) == [name for name, _ in MIGRATIONS]
        tables = set(db.table_names())
        assert {"plans", "requirements", "documents", "document_paths", "clauses", "citations", "findings",
                "matches", "runs", "reviews", "scope_reviews", "registry_documents", "registry_relations",
                "registry_mentions", "migrations"} <= tables
        assert "matrix" in db.view_names()
    finally:
        db.close()
    again = open_db(db_url)  # a second opening applies nothing twice
    try:
        assert applied(again) == [name for name, _ in MIGRATIONS]
    finally:
        again.close()
