"""Several parent plans in one database: each with its catalogue and matrix, a child scanned against each,
the matrix, reports and the web dashboard choosing the parent; an existing database migrates."""

from __future__ import annotations

import io
import json
import sqlite3
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hycompliance.cli import _load_commands
from hycompliance.cli.app import app
from hycompliance.errors import Code, HyError
from hycompliance.migrations import MIGRATIONS, migrate
from hycompliance.report.data import document_report, matrix_data
from hycompliance.scan import scan
from hycompliance.store import add_review, current_plan, open_db
from hycompliance.web.app import create_app
from tests.browser.harness import client, csrf_of
from tests.conftest import DEV, REAL

PROVINCIAL = Path(__file__).resolve().parents[1] / "corpora" / "87-KH-UBND-2023.txt"
RESOLUTION_57 = REAL / "plans" / "bct_nq_57_2024.txt"
runner = CliRunner()
_load_commands()


@pytest.fixture(scope="module")
def two_parents(tmp_path_factory, shared) -> Path:
    """Hưng Yên's 87/KH-UBND with two dev plans; Resolution 57-NQ/TW with one of them and Bắc Ninh 144."""
    db = tmp_path_factory.mktemp("parents") / "coverage.db"
    first = scan(db, PROVINCIAL, [DEV / "vanlam-kh-2023.txt", DEV / "soct-kh-2023.txt"], workers=1,
                 log=io.StringIO(), progress=False)
    second = scan(db, RESOLUTION_57, [DEV / "vanlam-kh-2023.txt", REAL / "plans" / "bacninh_kh_144_2025.txt"],
                  workers=1, log=io.StringIO(), progress=False)
    assert (first["plan"], first["scanned"], second["plan"], second["scanned"]) == ("87/KH-UBND", 2, "57-NQ/TW", 2)
    return db


def test_each_parent_has_its_catalogue_and_documents(two_parents):
    with sqlite3.connect(two_parents) as con:
        plans = dict(con.execute("SELECT key, requirements FROM plans ORDER BY id"))
        docs = con.execute("SELECT p.key, d.name FROM documents d JOIN plans p ON p.id = d.plan_id "
                           "ORDER BY p.id, d.name").fetchall()
    assert list(plans) == ["87/KH-UBND", "57-NQ/TW"] and all(n > 0 for n in plans.values())
    assert docs == [("87/KH-UBND", "soct-kh-2023"), ("87/KH-UBND", "vanlam-kh-2023"),
                    ("57-NQ/TW", "bacninh_kh_144_2025"), ("57-NQ/TW", "vanlam-kh-2023")]


def test_matrix_per_parent(two_parents):
    db = open_db(two_parents)
    hungyen, resolution = matrix_data(db, parent="87/KH-UBND"), matrix_data(db, parent="57-NQ/TW")
    assert [d["name"] for d in hungyen["documents"]] == ["soct-kh-2023", "vanlam-kh-2023"]
    assert [d["name"] for d in resolution["documents"]] == ["bacninh_kh_144_2025", "vanlam-kh-2023"]
    codes_87 = {r["code"] for r in db.query(
        "SELECT code FROM requirements WHERE plan_id = 1 AND active = 1 AND kind NOT IN ('assignment', 'duty')")}
    codes_57 = {r["code"] for r in db.query(
        "SELECT code FROM requirements WHERE plan_id = 2 AND active = 1 AND kind NOT IN ('assignment', 'duty')")}
    assert {r["id"] for r in hungyen["requirements"]} == codes_87
    assert {r["id"] for r in resolution["requirements"]} == codes_57
    assert {c["requirement"] for c in resolution["cells"]} <= codes_57
    # one file, one verdict per parent: its cells under 57-NQ/TW are not those under 87/KH-UBND
    vanlam_57 = [c for c in resolution["cells"] if c["document"] == "vanlam-kh-2023"]
    assert len(vanlam_57) == len(resolution["requirements"])


@pytest.mark.parametrize("parent,code,listed", [
    (None, Code.E321_SEVERAL_PLANS, "87/KH-UBND, 57-NQ/TW"),
    ("29-NQ/TW", Code.E322_NO_SUCH_PLAN, "87/KH-UBND, 57-NQ/TW"),
])
def test_no_parent_chosen_is_a_clear_error(two_parents, parent, code, listed):
    with pytest.raises(HyError) as err:
        current_plan(open_db(two_parents), parent)
    assert err.value.code is code and listed in err.value.line()


def test_cli_matrix_and_report_choose_the_parent(two_parents):
    result = runner.invoke(app, ["matrix", "--db", str(two_parents), "--format", "json"])
    assert result.exit_code == 2 and "E321" in result.output and "57-NQ/TW" in result.output
    result = runner.invoke(app, ["matrix", "--db", str(two_parents), "--format", "json", "--parent", "57-NQ/TW"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["plan"]["key"] == "57-NQ/TW"
    # a document checked against both parents needs the parent; one checked against one does not
    result = runner.invoke(app, ["report", "vanlam-kh-2023", "--db", str(two_parents), "--format", "md"])
    assert result.exit_code == 2 and "E323" in result.output
    for parent, title in (("87/KH-UBND", "87/KH-UBND"), ("57-NQ/TW", "57-NQ/TW")):
        report = document_report(open_db(two_parents), "vanlam-kh-2023", parent=parent)
        assert report["plan"]["key"] == title
    assert document_report(open_db(two_parents), "soct-kh-2023")["plan"]["key"] == "87/KH-UBND"


def test_reviews_belong_to_one_parent(two_parents, tmp_path):
    db_path = tmp_path / "copy.db"
    with sqlite3.connect(two_parents) as src, sqlite3.connect(db_path) as dst:
        src.backup(dst)
    db = open_db(db_path)
    plan_57 = current_plan(db, "57-NQ/TW")["id"]
    add_review(db, "vanlam-kh-2023", "III.1.1", "justified", "Huyện không chủ trì", "A", plan_id=plan_57)
    cell = lambda parent: next(c for c in matrix_data(db, parent=parent)["cells"]  # noqa: E731
                               if (c["document"], c["requirement"]) == ("vanlam-kh-2023", "III.1.1"))
    assert cell("57-NQ/TW")["final"] == "justified"
    assert cell("87/KH-UBND")["review"] is None


def test_web_dashboard_chooses_the_parent(two_parents):
    web = client(create_app(two_parents))
    page = web.get("/").text
    assert 'href="/?parent=87/KH-UBND"' in page and 'href="/?parent=57-NQ/TW"' in page
    assert "bacninh_kh_144_2025" not in page  # no matrix until a parent is chosen
    page = web.get("/?parent=57-NQ/TW").text
    assert "bacninh_kh_144_2025" in page and "soct-kh-2023" not in page
    page = web.get("/?parent=87/KH-UBND").text
    assert "soct-kh-2023" in page and "bacninh_kh_144_2025" not in page
    assert web.get("/requirements", follow_redirects=False).headers["location"] == "/"  # choose first
    listing = web.get("/requirements?parent=57-NQ/TW")
    assert listing.status_code == 200 and "/requirements/III.1.1?parent=57-NQ/TW" in listing.text
    unknown = web.get("/?parent=29-NQ/TW")
    assert unknown.status_code == 400 and "E322" in unknown.text


def test_existing_database_migrates(tmp_path):
    """A database from before several parents: its rows survive; the same file may then join a second parent."""
    path = tmp_path / "old.db"
    from sqlite_utils import Database

    old = Database(path)
    old.execute("PRAGMA foreign_keys = ON")
    migrate(old, MIGRATIONS[:3])
    plan = {"path": "/p/87.txt", "name": "87", "content_hash": "h", "fingerprint": "f", "rules_version": "r",
            "tool_version": "t", "loaded_at": "2024-01-01"}
    old["plans"].insert(dict(plan, key="87/KH-UBND"))
    old["documents"].insert({"plan_id": 1, "path": "/c/vanlam.txt", "name": "vanlam", "form": "txt", "status": "ok"})
    old["requirements"].insert({"plan_id": 1, "code": "III.1.1", "position": 0, "kind": "task", "text": "t"})
    old["clauses"].insert({"document_id": 1, "clause_id": "I.1", "position": 0, "kind": "item", "text": "a",
                           "text_folded": "a"})
    old["matches"].insert({"document_id": 1, "requirement_id": 1, "requirement": "III.1.1", "status": "covered",
                           "score": 0.9})
    old["reviews"].insert({"document_id": 1, "requirement": "III.1.1", "status": "justified", "reviewer": "A",
                           "at": "2024-01-02", "plan_hash": "h"})
    old.conn.close()

    db = open_db(path)
    assert [r["name"] for r in db.query("SELECT name FROM migrations")][-1] == "i9b_documents_per_parent"
    assert [(r["status"], r["review_status"]) for r in db.query("SELECT status, review_status FROM matrix")] == [
        ("justified", "justified")]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert {r[2] for r in db.execute("PRAGMA foreign_key_list(clauses)").fetchall()} == {"documents"}
    db["plans"].insert(dict(plan, key="57-NQ/TW", path="/p/57.txt"))
    db["documents"].insert({"plan_id": 2, "path": "/c/vanlam.txt", "name": "vanlam", "form": "txt", "status": "ok"})
    with pytest.raises(sqlite3.IntegrityError):
        db["documents"].insert({"plan_id": 2, "path": "/c/vanlam.txt", "name": "vanlam-2", "form": "txt"})
    # deleting nothing: the old document and its rows are still there
    assert (db["clauses"].count, db["matches"].count, db["reviews"].count) == (1, 1, 1)


def test_web_decision_on_a_document_checked_against_two_parents(two_parents, tmp_path):
    db_path = tmp_path / "copy.db"
    with sqlite3.connect(two_parents) as src, sqlite3.connect(db_path) as dst:
        src.backup(dst)
    with sqlite3.connect(db_path) as con:
        doc = con.execute("SELECT d.id FROM documents d JOIN plans p ON p.id = d.plan_id "
                          "WHERE d.name = 'vanlam-kh-2023' AND p.key = '57-NQ/TW'").fetchone()[0]
    web = client(create_app(db_path, reviewer="lan.nguyen"))
    page = web.get(f"/documents/{doc}").text
    assert "/requirements/III.1.1?parent=57-NQ/TW" in page
    token = csrf_of(page)
    response = web.post(f"/documents/{doc}/decisions",
                        data={"csrf": token, "requirement": "III.1.1", "status": "justified", "note": "không áp dụng"})
    assert response.status_code in (302, 303), response.text
    with sqlite3.connect(db_path) as con:
        assert con.execute("SELECT document_id, status, reviewer FROM reviews").fetchall() == [
            (doc, "justified", "lan.nguyen")]
    assert web.get(f"/documents/{doc}/report").status_code == 200


def test_department_not_scored_on_the_provinces_targets(two_parents):
    """Sở Công Thương's plan: the province's target rows (II.2.*) are not applicable; the district's are."""
    cells = matrix_data(open_db(two_parents), parent="87/KH-UBND")["cells"]
    kinds = {d["name"]: d["kind"] for d in matrix_data(open_db(two_parents), parent="87/KH-UBND")["documents"]}
    assert kinds == {"soct-kh-2023": "agency", "vanlam-kh-2023": "district"}
    targets = {(c["document"], c["final"] == "n/a") for c in cells if c["requirement"].startswith("II.2.")}
    assert targets == {("soct-kh-2023", True), ("vanlam-kh-2023", False)}
    tasks = {c["final"] == "n/a" for c in cells if c["document"] == "soct-kh-2023" and c["requirement"].startswith("III.")}
    assert tasks == {False}  # the province's tasks bind its departments


def _wait(c, status_url: str) -> dict:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        state = c.get(status_url, headers={"Accept": "application/json"}).json()
        if state["state"] in ("done", "error"):
            return state
        time.sleep(0.2)
    raise AssertionError("the upload was not scanned in time")


def test_web_upload_chooses_its_parent(two_parents, tmp_path):
    db_path = tmp_path / "copy.db"
    with sqlite3.connect(two_parents) as src, sqlite3.connect(db_path) as dst:
        src.backup(dst)
    with client(create_app(db_path, uploads_dir=tmp_path / "uploads")) as web:
        page = web.get("/upload").text
        assert '<option value="57-NQ/TW">' in page and '<option value="87/KH-UBND">' in page
        headers = {"X-CSRF-Token": csrf_of(page), "Accept": "application/json"}
        content = (DEV / "soct-kh-2023.txt").read_bytes()
        refused = web.post("/upload", files={"file": ("soct.txt", content)}, data={"parent": "29-NQ/TW"},
                           headers=headers)
        assert refused.status_code == 400 and "E322" in refused.json()["error"]
        response = web.post("/upload", files={"file": ("soct.txt", content)}, data={"parent": "57-NQ/TW"},
                            headers=headers)
        assert response.status_code == 202, response.text
        assert _wait(web, response.json()["status"])["state"] == "done"
    with sqlite3.connect(db_path) as con:
        assert con.execute("SELECT p.key FROM documents d JOIN plans p ON p.id = d.plan_id "
                           "WHERE d.name = 'soct'").fetchall() == [("57-NQ/TW",)]
