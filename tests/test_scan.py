"""The batch: incremental skips, suspect marking, crash safety, reviews across rescans, bad files, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hycompliance.cli import _load_commands
from hycompliance.cli.app import app
from hycompliance.discovery import discover
from hycompliance.scan import scan
from hycompliance.store import add_review, open_db
from tests.conftest_db import EXAMPLES, PARENT_TXT, ROOT, SOKHCN_TXT, analyze_test, load_test_context

_load_commands()
runner = CliRunner()
DEV = Path(os.environ.get("HYCOMPLIANCE_SHARED", ROOT.parent / "shared")) / "corpus" / "dev"


def batch(folder: Path, n: int) -> list[Path]:
    """``n`` distinct plans: the example plan with a numbered closing line (different content hashes)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SOKHCN_TXT.read_text(encoding="utf-8")
    files = []
    for i in range(n):
        f = folder / f"plan-{i:02d}.txt"
        f.write_text(text + f"\nNơi nhận: đơn vị số {i}.\n", encoding="utf-8")
        files.append(f)
    return files


def run(db: Path, paths, parent: Path = PARENT_TXT, **kw):
    kw.setdefault("workers", 1)
    return scan(db, parent, paths, loader=load_test_context, analyze=analyze_test, progress=False,
                log=open(os.devnull, "w"), **kw)


def test_discover_recursive_and_counts_others(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    for name in ("a/x.txt", "a/b/y.PDF", "a/b/z.docx", "a/notes.md", "a/b/.hidden.txt", "a/~$lock.docx"):
        (tmp_path / name).write_text("x")
    found = discover([tmp_path / "a"])
    assert [f.relative_to(tmp_path).as_posix() for f in found.files] == ["a/b/y.PDF", "a/b/z.docx", "a/x.txt"]
    assert [(Path(s.file).relative_to(tmp_path).as_posix(), s.code) for s in found.skipped] == [
        ("a/b/.hidden.txt", "E124"), ("a/notes.md", "E104"), ("a/~$lock.docx", "E124")]


def test_incremental_skips_unchanged(tmp_path):
    files = batch(tmp_path / "plans", 3)
    db = tmp_path / "c.db"
    first = run(db, [tmp_path / "plans"])
    assert (first["scanned"], first["skipped"], first["failed"], first["errors"]) == (3, 0, 0, [])
    second = run(db, [tmp_path / "plans"])
    assert (second["scanned"], second["skipped"], second["failed"]) == (0, 3, 0)
    files[1].write_text(files[1].read_text(encoding="utf-8") + "- Bổ sung một nhiệm vụ.\n", encoding="utf-8")
    third = run(db, [tmp_path / "plans"])
    assert (third["scanned"], third["skipped"]) == (1, 2)
    database = open_db(db)
    runs = list(database.query("SELECT id, status, scanned, skipped FROM runs ORDER BY id"))
    assert [(r["status"], r["scanned"], r["skipped"]) for r in runs] == [("done", 3, 0), ("done", 0, 3), ("done", 1, 2)]
    assert database["documents"].count == 3


def suspects(db: Path) -> dict[str, set[int]]:
    database = open_db(db)
    rows = database.query("SELECT d.name, m.suspect FROM matches m JOIN documents d ON d.id = m.document_id")
    out: dict[str, set[int]] = {}
    for r in rows:
        out.setdefault(r["name"], set()).add(r["suspect"])
    return out


def test_rules_change_marks_suspect_then_rescans(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "hycompliance" / "rules", rules, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    monkeypatch.setenv("HYCOMPLIANCE_RULES", str(rules))
    files = batch(tmp_path / "plans", 2)
    db = tmp_path / "c.db"
    assert run(db, [tmp_path / "plans"])["scanned"] == 2
    with open(rules / "lint_messages.yaml", "a", encoding="utf-8") as fh:
        fh.write("\n# reviewed again\n")
    only_first = run(db, [files[0]])
    assert (only_first["suspect"], only_first["scanned"], only_first["skipped"]) == (2, 1, 0)
    assert suspects(db) == {"plan-00": {0}, "plan-01": {1}}
    rest = run(db, [tmp_path / "plans"])
    assert (rest["suspect"], rest["scanned"], rest["skipped"]) == (1, 1, 1)
    assert suspects(db) == {"plan-00": {0}, "plan-01": {0}}


def cell_suspects(db: Path, document: str) -> set[str]:
    con = sqlite3.connect(db)
    rows = con.execute("SELECT m.requirement FROM matches m JOIN documents d ON d.id = m.document_id "
                       "WHERE d.name = ? AND m.suspect = 1", [document]).fetchall()
    con.close()
    return {r[0] for r in rows}


def test_parent_plan_change_marks_suspect(tmp_path):
    parent = tmp_path / "parent.txt"
    text = PARENT_TXT.read_text(encoding="utf-8")
    parent.write_text(text, encoding="utf-8")
    files = batch(tmp_path / "plans", 2)
    db = tmp_path / "c.db"
    run(db, [tmp_path / "plans"], parent=parent)
    # A change outside every requirement (the recipients) leaves every cell as it was.
    parent.write_text(text + "\nNơi nhận: bổ sung.\n", encoding="utf-8")
    summary = run(db, [files[1]], parent=parent)
    assert (summary["suspect"], summary["scanned"]) == (2, 1)
    assert suspects(db) == {"plan-00": {0}, "plan-01": {0}}
    # A real change to one task's text: only that requirement's cells in the plan not rescanned.
    task = "đội ngũ cán bộ, đảng viên, công chức, viên chức, người lao động"
    assert text.count(task) == 1
    parent.write_text(text.replace(task, "đội ngũ cán bộ, đảng viên, công chức, viên chức"), encoding="utf-8")
    summary = run(db, [files[1]], parent=parent)
    assert (summary["suspect"], summary["scanned"]) == (2, 1)
    assert cell_suspects(db, "plan-00") == {"III.1.1"}
    assert cell_suspects(db, "plan-01") == set()


def snapshot(db_path: Path) -> dict[str, list]:
    """Every table's rows without ids, timestamps, run ids and absolute paths; documents by name."""
    db = open_db(db_path)
    names = {r["id"]: r["name"] for r in db.query("SELECT id, name FROM documents")}
    drop = {"id", "processed_at", "run_id", "path", "loaded_at", "at", "requirement_id"}
    out = {}
    for table in ("plans", "requirements", "documents", "clauses", "citations", "findings", "matches", "reviews"):
        rows = []
        for r in db[table].rows:
            r = {k: v for k, v in r.items() if k not in drop}
            if "document_id" in r:
                r["document_id"] = names[r["document_id"]]
            rows.append(json.dumps(r, sort_keys=True, ensure_ascii=False))
        out[table] = sorted(rows)
    db.close()
    return out


SCAN_SCRIPT = """
import os, sys
from hycompliance.scan import scan
from tests.conftest_db import PARENT_TXT, analyze_slow, load_test_context
scan(sys.argv[1], PARENT_TXT, [sys.argv[2]], workers=2, loader=load_test_context, analyze=analyze_slow,
     progress=False, log=open(os.devnull, "w"))
"""


def test_sigkill_mid_run_then_rescan_equals_uninterrupted(tmp_path):
    batch(tmp_path / "a" / "plans", 12)
    batch(tmp_path / "b" / "plans", 12)
    killed_db, clean_db = tmp_path / "a" / "c.db", tmp_path / "b" / "c.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", SCAN_SCRIPT, str(killed_db), str(tmp_path / "a" / "plans")],
                            cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if killed_db.exists():
            try:  # read-only: the watcher must not touch the database it watches
                with sqlite3.connect(f"file:{killed_db}?mode=ro", uri=True) as conn:
                    done = conn.execute("SELECT count(*) FROM documents WHERE status = 'ok'").fetchone()[0]
            except sqlite3.Error:  # the schema may not be there yet
                continue
            if done >= 3:
                break
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)  # the scan and its workers, like kill -9
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert 3 <= done < 12, f"the scan was not killed mid-run ({done} documents done)"
    partial = open_db(killed_db)
    assert partial.execute("SELECT status FROM runs").fetchall() == [("running",)]
    partial.close()
    resumed = run(killed_db, [tmp_path / "a" / "plans"], workers=2)
    assert resumed["skipped"] >= 3 and resumed["scanned"] + resumed["skipped"] == 12
    run(clean_db, [tmp_path / "b" / "plans"], workers=2)
    assert snapshot(killed_db) == snapshot(clean_db)


def test_reviews_survive_rescans_and_turn_stale(tmp_path):
    files = batch(tmp_path / "plans", 2)
    db = tmp_path / "c.db"
    run(db, [tmp_path / "plans"])
    req = load_test_context(str(PARENT_TXT)).catalogue[0].id
    result = runner.invoke(app, ["review", "plan-00", req, "--status", "justified", "--note", "đã giải trình",
                                 "--reviewer", "Lê Văn C", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reviewer"] == "Lê Văn C"
    run(db, [tmp_path / "plans"])  # nothing changed
    cell = next(open_db(db).query("SELECT * FROM matrix WHERE document = 'plan-00' AND requirement = ?", [req]))
    assert (cell["review_status"], cell["review_stale"], cell["status"]) == ("justified", 0, "justified")
    files[0].write_text(files[0].read_text(encoding="utf-8") + "- Nhiệm vụ mới.\n", encoding="utf-8")
    assert run(db, [tmp_path / "plans"])["scanned"] == 1
    cell = next(open_db(db).query("SELECT * FROM matrix WHERE document = 'plan-00' AND requirement = ?", [req]))
    assert (cell["review_status"], cell["review_stale"], cell["status"]) == ("justified", 1, cell["machine_status"])


@pytest.mark.parametrize(
    "args, code, message",
    [
        (["review", "plan-00", "III.1.1", "--status", "approved"], 2, "E901 status must be one of"),
        (["review", "nobody", "III.1.1", "--status", "covered"], 2, "E304"),
        (["review", "plan-00", "IX.1", "--status", "covered"], 2, "E305"),
        (["matrix", "--format", "pdf"], 2, "E901 --format must be one of"),
        (["matrix", "--format", "xlsx"], 2, "give -o FILE"),
        (["report", "plan-00", "--format", "docx"], 2, "E901"),
    ],
)
def test_cli_usage_errors(tmp_path, args, code, message):
    batch(tmp_path / "plans", 1)
    db = tmp_path / "c.db"
    run(db, [tmp_path / "plans"])
    result = runner.invoke(app, args + ["--db", str(db)])
    assert result.exit_code == code
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_cli_missing_database_is_not_found(tmp_path):
    result = runner.invoke(app, ["matrix", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 3
    assert result.stderr.strip() == (f"{tmp_path / 'none.db'}: E308 no coverage database here; "
                                     "create it with 'hycompliance scan --plan PLAN --db FILE ...'")
    assert not (tmp_path / "none.db").exists()


def test_bad_files_recorded_batch_goes_on(tmp_path):
    """Real pipeline through the CLI: an empty PDF, a junk DOCX and a good plan in one folder."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "junk.docx").write_bytes(bytes(range(256)) * 8)
    shutil.copy(SOKHCN_TXT, folder / "good.txt")
    (folder / "readme.md").write_text("not a plan")
    db = tmp_path / "c.db"
    result = runner.invoke(app, ["scan", "--plan", str(PARENT_TXT), "--db", str(db), "--workers", "2", str(folder)])
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout)
    assert (summary["scanned"], summary["skipped"], summary["failed"], summary["ignored"]) == (1, 0, 2, 1)
    assert [(Path(e["file"]).name, e["code"]) for e in summary["errors"]] == [("empty.pdf", "E102"), ("junk.docx", "E109")]
    rows = {r["name"]: r for r in open_db(db).query("SELECT * FROM documents")}
    assert {n: (r["status"], r["error_code"]) for n, r in rows.items()} == {
        "empty": ("error", "E102"), "junk": ("error", "E109"), "good": ("ok", None)}
    assert rows["junk"]["error_line"] == f"{folder / 'junk.docx'}: E109 DOCX is damaged or not a Word document (not a zip archive)"
    assert open_db(db).execute("SELECT count(*) FROM matches WHERE document_id = ?", [rows["good"]["id"]]).fetchone()[0] > 50
    # Failed files are retried, good ones skipped.
    again = json.loads(runner.invoke(app, ["scan", "--plan", str(PARENT_TXT), "--db", str(db), str(folder)]).stdout)
    assert (again["scanned"], again["skipped"], again["failed"]) == (0, 1, 2)


def test_scan_of_nothing_exits_3(tmp_path):
    result = runner.invoke(app, ["scan", "--plan", str(PARENT_TXT), "--db", str(tmp_path / "c.db"), str(tmp_path / "nope")])
    assert result.exit_code == 3
    assert result.stderr.strip() == f"{tmp_path / 'nope'}: E101 file not found"
    (tmp_path / "empty").mkdir()
    result = runner.invoke(app, ["scan", "--plan", str(PARENT_TXT), "--db", str(tmp_path / "c.db"), str(tmp_path / "empty")])
    assert result.exit_code == 3
    assert "E307" in result.stderr


def test_demo_writes_outputs(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    for name in ("coverage.db", "report.html", "matrix.xlsx"):
        assert (tmp_path / name).stat().st_size > 1000
        assert str(tmp_path / name) in result.stdout
    db = open_db(tmp_path / "coverage.db")
    names = [r["name"] for r in db.query("SELECT name FROM documents WHERE status = 'ok' ORDER BY name")]
    assert names == sorted(p.stem for p in EXAMPLES.iterdir() if p.suffix in (".txt", ".docx", ".pdf"))


def test_scan_learns_the_registry_from_every_document(tmp_path):
    files = batch(tmp_path / "plans", 2)
    db = tmp_path / "c.db"
    run(db, [tmp_path / "plans"])
    database = open_db(db)
    origins = {r["origin"] for r in database.query("SELECT DISTINCT origin FROM registry_mentions")}
    assert {str(f) for f in files} <= origins
    # the parent plan and the documents it cites with their dates ("Số: 87/KH-UBND", 23/5/2023)
    assert ("87/KH-UBND", "2023-05-23") in {(r["key"], r["date"]) for r in database.query("SELECT key, date FROM registry_documents")}
    # a rescan of an unchanged file does not count its mentions twice
    run(db, [tmp_path / "plans"])
    counts = [r["n"] for r in database.query("SELECT COUNT(*) AS n FROM registry_mentions GROUP BY key, date, origin")]
    assert set(counts) == {1}


def test_scan_takes_its_database_from_the_environment(tmp_path):
    """``HYCOMPLIANCE_DB`` stands for ``--db`` (how the web app passes a URL that may hold a password)."""
    db = tmp_path / "from-env.db"
    result = runner.invoke(app, ["scan", "--plan", str(PARENT_TXT), "--workers", "1", str(SOKHCN_TXT)],
                           env={"HYCOMPLIANCE_DB": str(db)})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["scanned"] == 1
    assert [r["name"] for r in open_db(db).query("SELECT name FROM documents WHERE status = 'ok'")] == [SOKHCN_TXT.stem]
