"""The schema's first shipped steps (issues 1 to 12: core tables, clause search, the matrix view, several
parents, document paths, decision staleness, cells and identity), in the order ``hycompliance.migrations``
applies them. Never edit one: append a new step to ``migrations.MIGRATIONS``.
"""

from __future__ import annotations

from sqlite_utils import Database

# The first tables, in SQL PostgreSQL also runs (``migrations_pg.pg_ddl`` changes only the key and float types).
CORE_TABLES = """
    CREATE TABLE plans (
        id INTEGER PRIMARY KEY,
        key TEXT NOT NULL UNIQUE,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        number TEXT,
        issuer TEXT,
        date TEXT,
        title TEXT,
        content_hash TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        rules_version TEXT NOT NULL,
        tool_version TEXT NOT NULL,
        requirements INTEGER NOT NULL DEFAULT 0,
        loaded_at TEXT NOT NULL
    );
    CREATE TABLE requirements (
        id INTEGER PRIMARY KEY,
        plan_id INTEGER NOT NULL REFERENCES plans(id),
        code TEXT NOT NULL,
        position INTEGER NOT NULL,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        group_id TEXT,
        group_title TEXT,
        applies_to TEXT NOT NULL DEFAULT '[]',
        target TEXT,
        refs TEXT NOT NULL DEFAULT '[]',
        deadline TEXT,
        keywords TEXT NOT NULL DEFAULT '[]',
        weight REAL NOT NULL DEFAULT 1.0,
        page INTEGER,
        active INTEGER NOT NULL DEFAULT 1,
        UNIQUE (plan_id, code)
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        started_at TEXT NOT NULL,
        ended_at TEXT,
        status TEXT NOT NULL,
        plan_id INTEGER REFERENCES plans(id),
        inputs TEXT NOT NULL DEFAULT '[]',
        workers INTEGER,
        discovered INTEGER NOT NULL DEFAULT 0,
        scanned INTEGER NOT NULL DEFAULT 0,
        skipped INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        ignored INTEGER NOT NULL DEFAULT 0,
        errors TEXT NOT NULL DEFAULT '[]',
        seconds REAL,
        tool_version TEXT NOT NULL,
        rules_version TEXT NOT NULL,
        fingerprint TEXT NOT NULL
    );
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        plan_id INTEGER REFERENCES plans(id),
        path TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL UNIQUE,
        form TEXT NOT NULL,
        content_hash TEXT,
        size INTEGER,
        pages INTEGER,
        issuer TEXT,
        number TEXT,
        date TEXT,
        title TEXT,
        kind TEXT,
        status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'ok', 'error')),
        error_code TEXT,
        error_line TEXT,
        warnings TEXT NOT NULL DEFAULT '[]',
        fingerprint TEXT,
        rules_version TEXT,
        tool_version TEXT,
        run_id INTEGER REFERENCES runs(id),
        processed_at TEXT
    );
    CREATE TABLE clauses (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        clause_id TEXT NOT NULL,
        position INTEGER NOT NULL,
        label TEXT,
        kind TEXT NOT NULL,
        text TEXT NOT NULL,
        text_folded TEXT NOT NULL,
        page INTEGER,
        parent TEXT,
        cells TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE citations (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        key TEXT,
        type TEXT,
        number TEXT,
        symbol TEXT,
        date TEXT,
        issuer TEXT,
        issuer_code TEXT,
        system TEXT,
        as_written TEXT NOT NULL,
        page INTEGER,
        clause TEXT,
        span_start INTEGER,
        span_end INTEGER,
        flags TEXT NOT NULL DEFAULT '[]'
    );
    CREATE TABLE findings (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        code TEXT NOT NULL,
        severity TEXT NOT NULL,
        message TEXT NOT NULL,
        as_written TEXT,
        page INTEGER,
        clause TEXT,
        key TEXT,
        expected TEXT
    );
    CREATE TABLE matches (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        requirement_id INTEGER NOT NULL REFERENCES requirements(id),
        requirement TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('covered', 'partial', 'missing')),
        score REAL NOT NULL,
        evidence TEXT NOT NULL DEFAULT '[]',
        why TEXT,
        applicable INTEGER NOT NULL DEFAULT 1,
        suspect INTEGER NOT NULL DEFAULT 0,
        source TEXT NOT NULL DEFAULT 'matcher',
        UNIQUE (document_id, requirement_id)
    );
    CREATE TABLE reviews (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id),
        requirement TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('covered', 'partial', 'missing', 'justified')),
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        at TEXT NOT NULL,
        doc_hash TEXT,
        plan_hash TEXT
    );
    CREATE INDEX idx_requirements_plan ON requirements(plan_id);
    CREATE INDEX idx_documents_plan ON documents(plan_id);
    CREATE INDEX idx_clauses_document ON clauses(document_id);
    CREATE INDEX idx_citations_document ON citations(document_id);
    CREATE INDEX idx_citations_key ON citations(key);
    CREATE INDEX idx_findings_document ON findings(document_id);
    CREATE INDEX idx_matches_requirement ON matches(requirement_id);
    CREATE INDEX idx_reviews_cell ON reviews(document_id, requirement);
    """


DOCUMENT_PATHS = """
    CREATE TABLE document_paths (
        plan_id INTEGER REFERENCES plans(id),
        path TEXT NOT NULL,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        gone_at TEXT,
        PRIMARY KEY (plan_id, path)
    );
    CREATE INDEX idx_document_paths_document ON document_paths(document_id);
    CREATE INDEX idx_document_paths_path ON document_paths(path);
    INSERT INTO document_paths (plan_id, path, document_id) SELECT plan_id, path, id FROM documents;
    ALTER TABLE documents ADD COLUMN withdrawn_at TEXT;
"""


# Issue 16 (``i16_document_scope``) and issue 14 (``i14_registry_tables``), run by ``hycompliance.migrations``.
SCOPE_TABLES = """
    ALTER TABLE documents ADD COLUMN in_scope INTEGER;
    ALTER TABLE documents ADD COLUMN scope_basis TEXT;
    ALTER TABLE documents ADD COLUMN scope_reason TEXT;
    ALTER TABLE documents ADD COLUMN scope_overlap REAL;
    CREATE TABLE scope_reviews (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id),
        in_scope INTEGER NOT NULL,
        note TEXT NOT NULL DEFAULT '',
        reviewer TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX scope_reviews_document ON scope_reviews(document_id);
"""
REGISTRY_TABLES = """
    CREATE TABLE registry_documents (
        key TEXT NOT NULL,
        date TEXT NOT NULL DEFAULT '',
        type TEXT,
        issuer TEXT,
        title TEXT,
        source TEXT NOT NULL,
        learnt_at TEXT NOT NULL,
        PRIMARY KEY (key, date)
    );
    CREATE TABLE registry_relations (
        source_key TEXT NOT NULL,
        source_date TEXT NOT NULL DEFAULT '',
        kind TEXT NOT NULL,
        target_key TEXT NOT NULL,
        target_date TEXT NOT NULL DEFAULT '',
        scope TEXT NOT NULL,
        effective TEXT,
        evidence TEXT NOT NULL,
        origin TEXT NOT NULL,
        learnt_at TEXT NOT NULL,
        PRIMARY KEY (source_key, kind, target_key, scope)
    );
    CREATE INDEX idx_registry_relations_target ON registry_relations(target_key);
    ALTER TABLE findings ADD COLUMN mentions INTEGER NOT NULL DEFAULT 1;
    ALTER TABLE findings ADD COLUMN clauses TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE findings ADD COLUMN corrected TEXT;
    ALTER TABLE citations ADD COLUMN intended TEXT;
    CREATE TABLE registry_mentions (
        key TEXT NOT NULL,
        date TEXT NOT NULL,
        origin TEXT NOT NULL,
        PRIMARY KEY (key, date, origin)
    );
"""


def create_core(db: Database) -> None:
    db.executescript(CORE_TABLES)


def clause_search(db: Database) -> None:
    """FTS5 over the diacritics-folded clause text: "chuyen doi so" finds "chuyển đổi số"."""
    db["clauses"].enable_fts(["text_folded"], fts_version="FTS5", create_triggers=True)


def matrix_view(db: Database) -> None:
    """Document x requirement with the machine's verdict and the latest reviewer decision.

    A cell is a match row: the store writes one for every task, sub-task, target and reference of the
    catalogue (assignments decide who a task binds and have no cell of their own)."""
    db.executescript(
        """
        CREATE VIEW matrix AS
        SELECT
            d.id AS document_id,
            d.name AS document,
            r.id AS requirement_id,
            r.code AS requirement,
            r.kind AS kind,
            r.group_id AS group_id,
            r.position AS position,
            m.status AS machine_status,
            m.score AS score,
            m.applicable AS applicable,
            m.suspect AS suspect,
            m.why AS why,
            m.evidence AS evidence,
            rv.status AS review_status,
            rv.note AS review_note,
            rv.reviewer AS reviewer,
            rv.at AS reviewed_at,
            CASE WHEN rv.id IS NULL THEN NULL
                 WHEN rv.doc_hash IS NOT d.content_hash OR rv.plan_hash IS NOT p.content_hash THEN 1
                 ELSE 0 END AS review_stale,
            CASE WHEN rv.id IS NOT NULL AND rv.doc_hash IS d.content_hash AND rv.plan_hash IS p.content_hash
                 THEN rv.status ELSE m.status END AS status
        FROM documents d
        JOIN plans p ON p.id = d.plan_id
        JOIN requirements r ON r.plan_id = d.plan_id AND r.active = 1
        JOIN matches m ON m.document_id = d.id AND m.requirement_id = r.id
        LEFT JOIN reviews rv ON rv.id = (
            SELECT max(x.id) FROM reviews x WHERE x.document_id = d.id AND x.requirement = r.code
        )
        WHERE d.status = 'ok';
        """
    )


def documents_per_parent(db: Database) -> None:
    """Several parent plans in one database: a file is a document once per parent it is checked against,
    so ``path`` and ``name`` are unique per parent (``plan_id``), no longer across the database.

    SQLite cannot drop a UNIQUE constraint: the table is rebuilt. ``legacy_alter_table`` keeps the foreign
    keys of clauses, citations, findings, matches, reviews and uploads (and the ``matrix`` view) pointing
    at ``documents`` while the old table is renamed away, so dropping it deletes nothing else.
    """
    columns = [row[1] for row in db.execute("PRAGMA table_info(documents)").fetchall()]
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'documents'").fetchone()[0]
    new_sql = (sql.replace("path TEXT NOT NULL UNIQUE", "path TEXT NOT NULL")
                  .replace("name TEXT NOT NULL UNIQUE", "name TEXT NOT NULL")
                  .rstrip().rstrip(")").rstrip()
               + ",\n    UNIQUE (plan_id, path),\n    UNIQUE (plan_id, name)\n)")
    names = ", ".join(columns)
    db.execute("PRAGMA legacy_alter_table = ON")
    try:
        db.execute("ALTER TABLE documents RENAME TO documents_before_i9b")
        db.execute(new_sql)
        db.execute(f"INSERT INTO documents ({names}) SELECT {names} FROM documents_before_i9b")
        db.execute("DROP TABLE documents_before_i9b")
    finally:
        db.execute("PRAGMA legacy_alter_table = OFF")
    db.execute("CREATE INDEX IF NOT EXISTS idx_documents_plan ON documents(plan_id)")
    db.execute("CREATE INDEX IF NOT EXISTS idx_documents_path ON documents(path)")


def runs_ignored_files(db: Database) -> None:
    """Every file a run did not read, with its code (not only how many)."""
    db.execute("ALTER TABLE runs ADD COLUMN ignored_files TEXT NOT NULL DEFAULT '[]'")


def clause_search_both_ways(db: Database) -> None:
    """FTS5 over the clause text as written *and* folded, tokenised with diacritics removed: "đường" finds
    "đường" (the text column; ``đ`` is a letter, not a diacritic, so the folded column alone missed it),
    "duong" finds it through ``text_folded`` — also in Datasette, whose search box passes the words as typed."""
    db["clauses"].disable_fts()
    db["clauses"].enable_fts(["text", "text_folded"], fts_version="FTS5", create_triggers=True,
                             tokenize="unicode61 remove_diacritics 2")


def document_paths(db: Database) -> None:
    """Every path a document was found at (one content, several names; a moved file keeps its document),
    and the withdrawal of a document whose files are all gone; the matrix leaves withdrawn documents out.
    A file checked against two parent plans is a document under each: paths are unique per parent."""
    db.executescript(DOCUMENT_PATHS)
    sql = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view' AND name = 'matrix'").fetchone()[0]
    filtered = sql.replace("WHERE d.status = 'ok'", "WHERE d.status = 'ok' AND d.withdrawn_at IS NULL")
    if filtered == sql:
        raise RuntimeError("the matrix view has no \"WHERE d.status = 'ok'\" to extend")
    db.execute("DROP VIEW matrix")
    db.execute(filtered)
def reviews_rules_version(db: Database) -> None:
    """A decision also goes stale when the rules change: reviews record the rules version of the results
    the reviewer saw (existing decisions get their document's current one), and the matrix view compares it.
    The view keeps leaving withdrawn documents out (``i12_document_paths``)."""
    # One statement at a time (executescript would commit the migration's transaction half way).
    db.execute("ALTER TABLE reviews ADD COLUMN rules_version TEXT")
    db.execute("UPDATE reviews SET rules_version = (SELECT d.rules_version FROM documents d WHERE d.id = reviews.document_id)")
    db.execute("DROP VIEW matrix")
    db.execute(
        """
        CREATE VIEW matrix AS
        SELECT
            d.id AS document_id,
            d.name AS document,
            r.id AS requirement_id,
            r.code AS requirement,
            r.kind AS kind,
            r.group_id AS group_id,
            r.position AS position,
            m.status AS machine_status,
            m.score AS score,
            m.applicable AS applicable,
            m.suspect AS suspect,
            m.why AS why,
            m.evidence AS evidence,
            rv.status AS review_status,
            rv.note AS review_note,
            rv.reviewer AS reviewer,
            rv.at AS reviewed_at,
            CASE WHEN rv.id IS NULL THEN NULL
                 WHEN rv.doc_hash IS NOT d.content_hash OR rv.plan_hash IS NOT p.content_hash
                      OR rv.rules_version IS NOT d.rules_version THEN 1
                 ELSE 0 END AS review_stale,
            CASE WHEN rv.id IS NOT NULL AND rv.doc_hash IS d.content_hash AND rv.plan_hash IS p.content_hash
                      AND rv.rules_version IS d.rules_version
                 THEN rv.status ELSE m.status END AS status
        FROM documents d
        JOIN plans p ON p.id = d.plan_id
        JOIN requirements r ON r.plan_id = d.plan_id AND r.active = 1
        JOIN matches m ON m.document_id = d.id AND m.requirement_id = r.id
        LEFT JOIN reviews rv ON rv.id = (
            SELECT max(x.id) FROM reviews x WHERE x.document_id = d.id AND x.requirement = r.code
        )
        WHERE d.status = 'ok' AND d.withdrawn_at IS NULL;
        """
    )


def i10_cells_and_identity(db: Database) -> None:
    """Cells as the coverage stage judges them (target comparisons, reasons, shared references beside the
    evidence), and requirement identity by content: ``requirements.text_hash`` (hash of the normalised text),
    the same on every cell and decision. A decision follows its requirement's text: it belongs to the
    active requirement with its hash; failing that (the text changed) to the requirement with its code, and
    it is then stale ("Cần xem lại"). Decisions recorded before this step (no hash) keep the old rule.
    ``documents.error_text``: the error line in Vietnamese, for pages and reports. A decision is also stale
    when the rules changed (``i11_reviews_rules_version``); withdrawn documents stay out (``i12_document_paths``)."""
    # One statement at a time (executescript would commit the migration's transaction half way).
    script = I10_COLUMNS + "DROP VIEW matrix;" + I10_VIEW
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


I10_COLUMNS = """
        ALTER TABLE requirements ADD COLUMN text_hash TEXT;
        ALTER TABLE matches ADD COLUMN requirement_hash TEXT;
        ALTER TABLE matches ADD COLUMN targets TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE matches ADD COLUMN reasons TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE matches ADD COLUMN shared_refs TEXT NOT NULL DEFAULT '[]';
        ALTER TABLE reviews ADD COLUMN requirement_hash TEXT;
        ALTER TABLE documents ADD COLUMN error_text TEXT;
        CREATE INDEX idx_requirements_hash ON requirements(plan_id, text_hash);
        """
I10_VIEW = """
        CREATE VIEW matrix AS
        SELECT cell.*,
               CASE WHEN cell.review_stale = 0 THEN cell.review_status ELSE cell.machine_status END AS status
        FROM (
            SELECT
                d.id AS document_id,
                d.name AS document,
                r.id AS requirement_id,
                r.code AS requirement,
                r.text_hash AS requirement_hash,
                r.kind AS kind,
                r.group_id AS group_id,
                r.position AS position,
                m.status AS machine_status,
                m.score AS score,
                m.applicable AS applicable,
                m.suspect AS suspect,
                m.evidence AS evidence,
                m.targets AS targets,
                m.reasons AS reasons,
                m.shared_refs AS shared_refs,
                rv.status AS review_status,
                rv.note AS review_note,
                rv.reviewer AS reviewer,
                rv.at AS reviewed_at,
                CASE WHEN rv.id IS NULL THEN NULL
                     WHEN rv.doc_hash IS NOT d.content_hash THEN 1
                     WHEN rv.rules_version IS NOT d.rules_version THEN 1
                     WHEN rv.requirement_hash IS NULL THEN (rv.plan_hash IS NOT p.content_hash)
                     WHEN rv.requirement_hash IS NOT r.text_hash THEN 1
                     ELSE 0 END AS review_stale
            FROM documents d
            JOIN plans p ON p.id = d.plan_id
            JOIN requirements r ON r.plan_id = d.plan_id AND r.active = 1
            JOIN matches m ON m.document_id = d.id AND m.requirement_id = r.id
            LEFT JOIN reviews rv ON rv.id = (
                SELECT max(x.id) FROM reviews x
                WHERE x.document_id = d.id AND (
                    x.requirement_hash = r.text_hash
                    OR (x.requirement = r.code AND (x.requirement_hash IS NULL OR NOT EXISTS (
                        SELECT 1 FROM requirements r2
                        WHERE r2.plan_id = r.plan_id AND r2.active = 1 AND r2.text_hash = x.requirement_hash))))
            )
            WHERE d.status = 'ok' AND d.withdrawn_at IS NULL
        ) AS cell
        """
