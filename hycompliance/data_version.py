"""The version of the data pages are made from: a number that moves with every write to a table people see
through a page, and with nothing else (a checkpoint, a VACUUM, a reader coming or going leave it alone).

``data_version`` is one row holding one number. Triggers on each table listed here add one to it in the
same transaction as the write, so a reader sees the new number exactly when it sees the new rows (a page
computed at one version is right for as long as the version stays; ``web.cache`` keys its pages by it).

- SQLite: ``AFTER INSERT/UPDATE/DELETE`` row triggers (SQLite has no statement triggers; writers take the
  one write lock anyway, so the row adds no waiting).
- PostgreSQL: one ``BEFORE`` statement trigger per table, which moves the number once per transaction
  (the row remembers the transaction that last moved it). ``BEFORE`` makes the version row the first lock a
  writing transaction takes, before any row of a data table, so two writers never hold each other's rows.

A table added later that pages read must get the triggers too (``sqlite_triggers``/``pg_triggers`` in its
migration); ``tests/test_data_version.py`` fails for a table that has neither triggers nor a place in
``UNTRACKED``.
"""

from __future__ import annotations

import sqlite3
from typing import Any

import psycopg

# The store's tables pages are made from (``store`` documents them); ``uploads`` is the web app's (``web.schema``).
STORE_TABLES = ("plans", "requirements", "runs", "documents", "clauses", "citations", "findings", "matches",
                "reviews", "document_paths", "scope_reviews", "registry_documents", "registry_relations",
                "registry_mentions")
WEB_TABLES = ("uploads",)
# Tables no page shows: the schema's own bookkeeping, this version, and FTS5's shadow tables of ``clauses``
# (written only by the triggers that follow ``clauses``, which is tracked).
UNTRACKED = ("migrations", "data_version", "clauses_fts", "clauses_fts_data", "clauses_fts_idx",
             "clauses_fts_docsize", "clauses_fts_config")

VERSION_TABLE = "CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version INTEGER NOT NULL);" \
                " INSERT INTO data_version (id, version) VALUES (1, 0);"

PG_VERSION_TABLE = """
    CREATE TABLE data_version (id INTEGER PRIMARY KEY CHECK (id = 1), version BIGINT NOT NULL, tx BIGINT);
    INSERT INTO data_version (id, version) VALUES (1, 0);
    CREATE FUNCTION data_version_moves() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE data_version SET version = version + 1, tx = txid_current()
        WHERE id = 1 AND tx IS DISTINCT FROM txid_current();
        RETURN NULL;
    END $$;
"""


def sqlite_triggers(tables: tuple[str, ...]) -> str:
    """The SQLite triggers that move the version on every row written to ``tables``."""
    return "\n".join(
        f"CREATE TRIGGER data_version_{table}_{op.lower()} AFTER {op} ON {table} "
        f"BEGIN UPDATE data_version SET version = version + 1 WHERE id = 1; END;"
        for table in tables for op in ("INSERT", "UPDATE", "DELETE"))


def pg_triggers(tables: tuple[str, ...]) -> str:
    """The PostgreSQL triggers that move the version once per transaction writing to ``tables``."""
    return "\n".join(
        f"CREATE TRIGGER data_version_{table} BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION data_version_moves();"
        for table in tables)


def create_sqlite(db: Any) -> None:
    """The store's step (``i11_data_version``) on SQLite: the version row and the store tables' triggers."""
    db.executescript(VERSION_TABLE + "\n" + sqlite_triggers(STORE_TABLES))


def create_web_sqlite(db: Any) -> None:
    """The web app's step (``i11_web_data_version``) on SQLite: triggers on its tables pages read."""
    db.executescript(sqlite_triggers(WEB_TABLES))


PG_STORE_BODY = PG_VERSION_TABLE + pg_triggers(STORE_TABLES)
PG_WEB_BODY = pg_triggers(WEB_TABLES)


def read_version(conn: Any) -> int | None:
    """The version a connection (sqlite3 or psycopg, in autocommit) sees now; None when the database
    predates it (a read-only file no migration could reach). Reads every row so no statement stays open."""
    try:
        rows = conn.execute("SELECT version FROM data_version WHERE id = 1").fetchall()
    except (sqlite3.OperationalError, psycopg.errors.UndefinedTable):  # no such table
        return None
    return int(rows[0][0]) if rows else None
