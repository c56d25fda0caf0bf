"""The coverage database on PostgreSQL (``--db postgresql://…``) beside SQLite.

The server is a throwaway one the session starts (``tests.pg_server``; the tests skip with the reason where it
cannot start), each test on a fresh database. The tests taking ``db_url`` run once on a SQLite file and once
on PostgreSQL with the same expected values; the others compare what PostgreSQL holds with what SQLite holds
after the same commands on the same files.
"""

from __future__ import annotations

import csv
import io
import json
import contextlib
import shutil
import socket
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from hycompliance.cli import _load_commands
from hycompliance.cli.app import app
from hycompliance.migrations import MIGRATIONS, applied
from hycompliance.database_pg import masked, to_pg
from hycompliance.migrations_pg import bodies
from hycompliance.scan import SCAN_LOCK
from hycompliance.store import open_db
from tests.conftest import DEV, SHARED
from tests.conftest_db import EXAMPLES, PARENT_TXT
from tests.test_reliability_scan import with_limits
from tests.test_scan import batch, snapshot
from tests.test_scan_dask import kill_dask_scan_midway, run

_load_commands()
runner = CliRunner()
PROVINCIAL_PDF = SHARED / "provincial" / "87-KH-UBND-2023.pdf"


def cli(*args: str):
    return runner.invoke(app, [str(a) for a in args])


def matrix_rows(db: str) -> list[dict[str, str]]:
    result = cli("matrix", "--db", db, "--format", "csv")
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.stdout)))


@pytest.mark.parametrize("sqlite, with_params, postgresql", [
    ("SELECT id FROM documents WHERE plan_id = ? AND fingerprint IS NOT ?", True,
     "SELECT id FROM documents WHERE plan_id = %s AND fingerprint IS DISTINCT FROM %s"),
    ("UPDATE reviews SET note = ? WHERE doc_hash IS ?", True,
     "UPDATE reviews SET note = %s WHERE doc_hash IS NOT DISTINCT FROM %s"),
    # literals are left alone, but for the % psycopg would read as a placeholder
    ("SELECT name FROM documents WHERE name LIKE 'xã %' AND note = 'IS ?' AND id = ?", True,
     "SELECT name FROM documents WHERE name LIKE 'xã %%' AND note = 'IS ?' AND id = %s"),
    ("SELECT 'it''s ?' AS a, x IS NULL AS b FROM t WHERE y = ?", True,
     "SELECT 'it''s ?' AS a, x IS NULL AS b FROM t WHERE y = %s"),
    ("SELECT count(*) FROM runs WHERE status = 'running'", False, "SELECT count(*) FROM runs WHERE status = 'running'"),
])
def test_sqlite_spellings_become_postgresql(sqlite: str, with_params: bool, postgresql: str) -> None:
    assert to_pg(sqlite, with_params) == postgresql


@pytest.mark.parametrize("url, shown", [
    ("postgresql://lan:Mật-khẩu@db.hanoi.gov.vn:5433/coverage", "postgresql://lan:***@db.hanoi.gov.vn:5433/coverage"),
    ("postgresql://lan@10.0.0.6/coverage", "postgresql://lan@10.0.0.6/coverage"),
    ("postgres://hy:s3cret@localhost/ubnd_hung_yen", "postgres://hy:***@localhost/ubnd_hung_yen"),
])
def test_urls_are_shown_without_their_password(url: str, shown: str) -> None:
    assert masked(url) == shown


def test_every_migration_has_a_postgresql_body() -> None:
    assert set(bodies()) == {name for name, _ in MIGRATIONS}


def test_schema_on_both(db_url: str) -> None:
    db = open_db(db_url)
    try:
        assert applied(db) == [name for name, _ in MIGRATIONS]
        assert {"plans", "requirements", "documents", "document_paths", "clauses", "citations", "findings",
                "matches", "runs", "reviews", "scope_reviews", "registry_documents", "registry_relations",
                "registry_mentions", "migrations"} <= set(db.table_names())
        assert "matrix" in db.view_names()
    finally:
        db.close()
    again = open_db(db_url)  # a second opening applies nothing twice
    try:
        assert applied(again) == [name for name, _ in MIGRATIONS]
        assert again["migrations"].count == len(MIGRATIONS)
    finally:
        again.close()


def test_scan_matrix_review_report_registry_on_both(db_url: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)  # where a PostgreSQL database's file copies go
    first = cli("scan", "--plan", PARENT_TXT, "--db", db_url, "--workers", "2", EXAMPLES)
    assert first.exit_code == 0, first.output
    summary = json.loads(first.stdout)
    assert (summary["plan"], summary["scanned"], summary["skipped"], summary["failed"]) == ("87/KH-UBND", 4, 0, 0)
    again = json.loads(cli("scan", "--plan", PARENT_TXT, "--db", db_url, "--workers", "2", EXAMPLES).stdout)
    assert (again["run"], again["scanned"], again["skipped"]) == (2, 0, 4)

    rows = matrix_rows(db_url)
    assert sorted({r["Văn bản"] for r in rows}) == ["phucu-kh-2023", "soct-kh-2023", "sokhcn-kh-2023", "vanlam-kh-2023"]
    review = cli("review", "vanlam-kh-2023", "III.3.2", "--status", "justified", "--note",
                 "đã giải trình tại công văn số 12/UBND", "--reviewer", "Trần Thị Lan", "--db", db_url)
    assert review.exit_code == 0, review.output
    assert json.loads(review.stdout)["reviewer"] == "Trần Thị Lan"
    cell = next(r for r in matrix_rows(db_url) if (r["Văn bản"], r["Yêu cầu"]) == ("vanlam-kh-2023", "III.3.2"))
    assert (cell["Kết quả"], cell["Kết luận rà soát"], cell["Người rà soát"]) == (
        "Có giải trình", "Có giải trình", "Trần Thị Lan")
    report = cli("report", "vanlam-kh-2023", "--db", db_url, "--format", "md")
    assert report.exit_code == 0, report.output
    assert "đã giải trình tại công văn số 12/UBND" in report.stdout and "Trần Thị Lan" in report.stdout

    law = tmp_path / "nq.txt"
    law.write_text("NGHỊ QUYẾT\nSố: 57-NQ/TW\nHà Nội, ngày 22 tháng 12 năm 2024\n\nCăn cứ Nghị quyết số "
                   "29-NQ/TW ngày 17/11/2022 của Ban Chấp hành Trung ương.\n", encoding="utf-8")
    learnt = cli("registry", "learn", "--db", db_url, law)
    assert learnt.exit_code == 0, learnt.output
    db = open_db(db_url)
    try:
        known = {(r["key"], r["date"]) for r in db.query("SELECT key, date FROM registry_mentions WHERE origin = ?",
                                                         [str(law)])}
    finally:
        db.close()
    assert ("29-NQ/TW", "2022-11-17") in known


def test_postgresql_holds_what_sqlite_holds(pg_url: str, tmp_path: Path, monkeypatch) -> None:
    """The same scan, review and outputs: the matrix (CSV) and a report (Markdown) are the same text."""
    monkeypatch.chdir(tmp_path)
    sqlite = str(tmp_path / "c.db")
    for db in (sqlite, pg_url):
        assert cli("scan", "--plan", PARENT_TXT, "--db", db, "--workers", "2", EXAMPLES).exit_code == 0
        assert cli("review", "sokhcn-kh-2023", "III.1.1", "--status", "missing", "--note", "không có nội dung",
                   "--reviewer", "Nguyễn Văn An", "--db", db).exit_code == 0
    outputs = {db: (cli("matrix", "--db", db, "--format", "csv").stdout,
                    cli("report", "sokhcn-kh-2023", "--db", db, "--format", "md").stdout) for db in (sqlite, pg_url)}
    assert outputs[pg_url] == outputs[sqlite]
    assert outputs[sqlite][0].count("\n") > 400 and "Nguyễn Văn An" in outputs[sqlite][1]


def test_dask_scan_into_postgresql_equals_default_scan_into_sqlite(pg_url: str, tmp_path: Path, monkeypatch) -> None:
    """Issue 15's acceptance: ``scan --engine dask --workers 2`` into PostgreSQL and the default scan into
    SQLite, on the same dev plans (one of each form) against the provincial plan (PDF): the same matrix."""
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    plans = tmp_path / "plans"
    plans.mkdir()
    for name in ("myhao-kh-2023.docx", "phucu-kh-2023.pdf", "soct-kh-2023.txt"):
        shutil.copy(DEV / name, plans / name)
    sqlite = str(tmp_path / "c.db")
    default = cli("scan", "--plan", PROVINCIAL_PDF, "--db", sqlite, plans)
    dask = cli("scan", "--plan", PROVINCIAL_PDF, "--db", pg_url, "--engine", "dask", "--workers", "2", plans)
    for result in (default, dask):
        assert result.exit_code == 0, result.output
        assert (json.loads(result.stdout)["scanned"], json.loads(result.stdout)["failed"]) == (3, 0)
    from_sqlite, from_pg = (cli("matrix", "--db", db, "--format", "csv").stdout for db in (sqlite, pg_url))
    assert from_pg == from_sqlite
    documents = {row["Văn bản"] for row in csv.DictReader(io.StringIO(from_pg))}
    assert documents == {"myhao-kh-2023", "phucu-kh-2023", "soct-kh-2023"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("command", [
    ["scan", "--plan", str(PARENT_TXT), str(EXAMPLES)],
    ["matrix"],
    ["report", "vanlam-kh-2023"],
    ["review", "vanlam-kh-2023", "III.3.2", "--status", "covered"],
    ["registry", "learn", str(PARENT_TXT)],
])
def test_unreachable_server_is_one_line_without_the_password(command: list[str]) -> None:
    port = _closed_port()
    url = f"postgresql://lan:Mật-khẩu-9@127.0.0.1:{port}/coverage"
    result = runner.invoke(app, [*command, "--db", url])
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(f"postgresql://lan:***@127.0.0.1:{port}/coverage: E312 cannot use the PostgreSQL "
                                "database (connection failed")
    assert "Mật-khẩu-9" not in result.output and "Traceback" not in result.output


def test_a_second_scan_waits_then_says_another_holds_the_database(pg_url: str, tmp_path: Path, monkeypatch) -> None:
    with_limits(tmp_path, monkeypatch, database__scan_wait_seconds=1)
    monkeypatch.chdir(tmp_path)
    with psycopg.connect(pg_url, autocommit=True) as other:  # another scan's session holds the lock
        other.execute("SELECT pg_advisory_lock(%s)", [SCAN_LOCK])
        result = cli("scan", "--plan", PARENT_TXT, "--db", pg_url, EXAMPLES)
    assert result.exit_code == 1
    assert "E301 database error (another scan (server process " in result.stderr
    assert "holds the database; waited 1 s)" in result.stderr
    after = cli("scan", "--plan", PARENT_TXT, "--db", pg_url, "--workers", "2", EXAMPLES)  # released: it runs
    assert after.exit_code == 0 and json.loads(after.stdout)["scanned"] == 4


def _stored(url: str) -> int:
    with contextlib.suppress(psycopg.Error), psycopg.connect(url, connect_timeout=5) as conn:
        return int(conn.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0])
    return 0


def test_kill_9_of_a_dask_scan_into_postgresql_then_rescan_equals_a_clean_scan_into_sqlite(pg_url, tmp_path,
                                                                                          monkeypatch):
    pytest.importorskip("distributed")
    monkeypatch.chdir(tmp_path)
    batch(tmp_path / "a" / "plans", 24)
    batch(tmp_path / "b" / "plans", 24)
    done = kill_dask_scan_midway(pg_url, tmp_path / "a" / "plans", tmp_path, lambda: _stored(pg_url))
    assert 3 <= done < 24, f"the scan was not killed mid-run ({done} documents done)"
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT status FROM runs").fetchall() == [("running",)]
    resumed = run(pg_url, [tmp_path / "a" / "plans"], workers=2, engine="dask")  # the lock went with the session
    assert resumed["interrupted"] == 1 and resumed["skipped"] >= 3
    assert resumed["scanned"] + resumed["skipped"] == 24
    run(tmp_path / "b" / "c.db", [tmp_path / "b" / "plans"], workers=2)
    assert snapshot(pg_url) == snapshot(tmp_path / "b" / "c.db")
