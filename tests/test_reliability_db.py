"""The database: decisions go stale when the rules change, and a read-only database is still read."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from hycompliance.store import add_review, decisions, open_db
from hycompliance.web.detail import document_row
from tests.conftest_db import PARENT_TXT, ROOT, SOKHCN_TXT
from tests.test_reliability_scan import plans, run, with_limits


def _cell(db_path: Path, requirement: str) -> tuple:
    db = open_db(db_path)
    try:
        return db.execute("SELECT review_status, review_stale, status, machine_status FROM matrix "
                          "WHERE document = 'sokhcn' AND requirement = ?", [requirement]).fetchone()
    finally:
        db.close()


def test_a_rules_change_marks_decisions_stale_as_a_plan_change_does(tmp_path, monkeypatch):
    folder = tmp_path / "plans"
    folder.mkdir()
    shutil.copy(SOKHCN_TXT, folder / "sokhcn.txt")
    db_path = tmp_path / "c.db"
    run(db_path, [folder], workers=1)
    db = open_db(db_path)
    requirement, machine = db.execute("SELECT requirement, machine_status FROM matrix WHERE document = 'sokhcn' "
                                      "AND machine_status != 'covered' ORDER BY position LIMIT 1").fetchone()
    add_review(db, "sokhcn", requirement, "justified", "Huyện đã giải trình: không thuộc thẩm quyền", "lan")
    db.close()
    assert _cell(db_path, requirement) == ("justified", 0, "justified", machine)
    again = run(db_path, [folder], workers=1)  # same rules: nothing rescanned, the decision holds
    assert again["skipped"] == 1 and _cell(db_path, requirement) == ("justified", 0, "justified", machine)
    copy = with_limits(tmp_path, monkeypatch)  # an edited rules folder: one wording changed
    labels = copy / "lint_messages.yaml"
    labels.write_text(labels.read_text(encoding="utf-8") + "\n# sửa câu chữ\n", encoding="utf-8")
    rescanned = run(db_path, [folder], workers=1)
    assert rescanned["scanned"] == 1
    assert _cell(db_path, requirement) == ("justified", 1, machine, machine)  # to re-check; the machine's verdict shows
    db = open_db(db_path)
    history = decisions(db, document_row(db, db.execute("SELECT id FROM documents").fetchone()[0]))
    db.close()
    assert [item["stale"] for item in history[requirement]] == [True]


def _without_root_powers() -> list[str]:
    if os.geteuid() != 0:
        return []
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: root writes read-only files")
    return ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner", "--"]


READ_SCRIPT = """
import json, sys
from hycompliance.web.app import create_app
from tests.browser.harness import client, csrf_of
from hycompliance.cli import main
db = sys.argv[1]
app = create_app(db, reviewer="Lan")
with client(app) as c:
    pages = [c.get("/").status_code, c.get("/documents/1").status_code, c.get("/requirements").status_code]
    token = csrf_of(c.get("/documents/1").text)
    decided = c.post("/documents/1/decisions", data={"csrf": token, "requirement": sys.argv[2], "status": "covered",
                                                     "note": "đã đối chiếu"})
print(json.dumps({"pages": pages, "decision": decided.status_code, "says": "E301" in decided.text}))
"""


@pytest.mark.parametrize("media", ["read-only file", "read-only folder"])
def test_a_read_only_database_is_read_by_matrix_report_and_serve(tmp_path, media):
    folder = tmp_path / "plans"
    plans(folder, ["sokhcn.txt"])
    store = tmp_path / "store"
    store.mkdir()
    db_path = store / "c.db"
    run(db_path, [folder], workers=1)
    db = open_db(db_path)
    requirement = db.execute("SELECT requirement FROM matrix ORDER BY position LIMIT 1").fetchone()[0]
    db.close()
    before = hashlib.sha256(db_path.read_bytes()).hexdigest()
    files = sorted(p.name for p in store.iterdir())
    db_path.chmod(0o444)
    if media == "read-only folder":
        store.chmod(0o555)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cli = _without_root_powers() + [sys.executable, "-m", "hycompliance"]
    try:
        matrix = subprocess.run(cli + ["matrix", "--db", str(db_path), "--format", "csv"], capture_output=True,
                                text=True, env=env, cwd=ROOT, timeout=120)
        report = subprocess.run(cli + ["report", "sokhcn", "--db", str(db_path), "--format", "md"],
                                capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        review = subprocess.run(cli + ["review", "sokhcn", requirement, "--status", "covered", "--reviewer", "Lan", "--db", str(db_path)],
                                capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        served = subprocess.run(_without_root_powers() + [sys.executable, "-c", READ_SCRIPT, str(db_path), requirement],
                                capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
        leftovers = sorted(p.name for p in store.iterdir())
    finally:
        store.chmod(0o755)
        db_path.chmod(0o644)
    assert matrix.returncode == 0, matrix.stderr
    assert "sokhcn" in matrix.stdout and requirement in matrix.stdout
    assert report.returncode == 0, report.stderr
    assert "sokhcn" in report.stdout or "Sở Khoa học" in report.stdout
    assert review.returncode == 1 and "E301" in review.stderr and "read-only" in review.stderr
    assert "Traceback" not in review.stderr
    assert served.returncode == 0, served.stderr[-2000:]
    assert json.loads(served.stdout.strip().splitlines()[-1]) == {"pages": [200, 200, 200], "decision": 503, "says": True}
    assert hashlib.sha256(db_path.read_bytes()).hexdigest() == before
    if media == "read-only folder":  # nothing could be created beside it: read as immutable, no -wal, no -shm
        assert leftovers == files
