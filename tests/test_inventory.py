"""The database tells the truth about files: withdrawn when gone, one document per content, moves keep
decisions, downloads come from the stored copy."""

from __future__ import annotations

import io
import os
import shutil
import sqlite3
from pathlib import Path

from hycompliance.report.data import matrix_data
from hycompliance.scan import scan
from hycompliance.store import add_review, open_db
from hycompliance.web.app import create_app
from tests.browser.harness import PARENT, client
from tests.conftest_db import PARENT_TXT, SOKHCN_TXT, analyze_test, load_test_context

DEV = Path(os.environ.get("HYCOMPLIANCE_SHARED", Path(__file__).resolve().parents[2] / "shared")) / "corpus" / "dev"


def run(db: Path, paths):
    return scan(db, PARENT_TXT, paths, workers=1, loader=load_test_context, analyze=analyze_test, progress=False,
                log=io.StringIO())


def plans(folder: Path, names: list[str]) -> list[Path]:
    """Distinct plans (the example plan with a different closing line each)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = SOKHCN_TXT.read_text(encoding="utf-8")
    out = []
    for i, name in enumerate(names):
        path = folder / name
        path.write_text(text + f"\nNơi nhận: Văn phòng UBND xã số {i + 1}.\n", encoding="utf-8")
        out.append(path)
    return out


def _docs(db: Path) -> dict[str, tuple]:
    with sqlite3.connect(db) as con:
        return {name: (withdrawn is not None, path) for name, withdrawn, path in
                con.execute("SELECT name, withdrawn_at, path FROM documents")}


def _paths(db: Path) -> dict[str, tuple]:
    with sqlite3.connect(db) as con:
        return {Path(p).name: (name, gone is not None) for p, name, gone in con.execute(
            "SELECT p.path, d.name, p.gone_at FROM document_paths p JOIN documents d ON d.id = p.document_id")}


def test_a_file_gone_from_the_folder_is_withdrawn_kept_and_not_counted(tmp_path: Path) -> None:
    folder = tmp_path / "nop"
    a, b = plans(folder, ["xa-an-vien.txt", "xa-dong-tien.txt"])
    db = tmp_path / "c.db"
    run(db, [folder])
    content = b.read_bytes()
    b.unlink()
    summary = run(db, [folder])
    assert (summary["withdrawn"], summary["scanned"], summary["skipped"]) == (["xa-dong-tien"], 0, 1)
    assert _docs(db) == {"xa-an-vien": (False, str(a.resolve())), "xa-dong-tien": (True, str(b.resolve()))}
    con = open_db(db)
    assert {r["document"] for r in con.query("SELECT DISTINCT document FROM matrix")} == {"xa-an-vien"}
    data = matrix_data(con)
    assert [d["name"] for d in data["documents"]] == ["xa-an-vien"]
    assert [w["name"] for w in data["withdrawn"]] == ["xa-dong-tien"]
    assert con.execute("SELECT count(*) FROM matches WHERE document_id = "
                       "(SELECT id FROM documents WHERE name = 'xa-dong-tien')").fetchone()[0] > 0  # kept
    con.close()
    page = client(create_app(db)).get("/").text
    apart = page.split('<h3 id="withdrawn">', 1)[1].split("</table>", 1)[0]
    assert "Văn bản đã rút" in apart and "<td>xa-dong-tien</td>" in apart and "xa-an-vien" not in apart
    b.write_bytes(content)  # the file is back
    assert run(db, [folder])["restored"] == ["xa-dong-tien"]
    assert _docs(db)["xa-dong-tien"] == (False, str(b.resolve()))


def test_another_folder_s_scan_withdraws_nothing(tmp_path: Path) -> None:
    plans(tmp_path / "dot-1", ["ke-hoach-a.txt"])
    plans(tmp_path / "dot-2", ["ke-hoach-b.txt", "ke-hoach-c.txt"])
    db = tmp_path / "c.db"
    run(db, [tmp_path / "dot-1"])
    assert run(db, [tmp_path / "dot-2"])["withdrawn"] == []
    assert not any(w for w, _ in _docs(db).values())


def test_identical_content_under_two_names_is_one_document_with_two_paths(tmp_path: Path) -> None:
    folder = tmp_path / "nop"
    (original,) = plans(folder, ["ke-hoach-xa-an-vien.txt"])
    shutil.copy(original, folder / "ban-sao-ke-hoach.txt")
    db = tmp_path / "c.db"
    summary = run(db, [folder])
    assert (summary["discovered"], summary["scanned"]) == (2, 1)
    assert list(_docs(db)) == ["ban-sao-ke-hoach"]
    assert _paths(db) == {"ban-sao-ke-hoach.txt": ("ban-sao-ke-hoach", False),
                          "ke-hoach-xa-an-vien.txt": ("ban-sao-ke-hoach", False)}
    # the copy is edited: it leaves the document and becomes one of its own
    (folder / "ban-sao-ke-hoach.txt").write_text(original.read_text(encoding="utf-8") + "- Việc mới.\n",
                                                 encoding="utf-8")
    run(db, [folder])
    names = {path: name for path, (name, _) in _paths(db).items()}
    assert names["ke-hoach-xa-an-vien.txt"] != names["ban-sao-ke-hoach.txt"]
    assert not any(w for w, _ in _docs(db).values())


def test_a_moved_file_keeps_its_document_and_its_decisions(tmp_path: Path) -> None:
    folder = tmp_path / "nop"
    (plan,) = plans(folder / "thang-11", ["ke-hoach-phuong-hien-nam.txt"])
    db = tmp_path / "c.db"
    run(db, [folder])
    con = open_db(db)
    doc_id = con.execute("SELECT id FROM documents").fetchone()[0]
    add_review(con, "ke-hoach-phuong-hien-nam", "III.1.1", "justified", "đã đối chiếu bản giấy", "Trần Thị B")
    con.close()
    moved = folder / "thang-12" / "kh-hien-nam-ban-chinh-thuc.txt"
    moved.parent.mkdir()
    plan.rename(moved)
    summary = run(db, [folder])
    assert (summary["withdrawn"], summary["scanned"], summary["skipped"]) == ([], 0, 1)
    assert _paths(db) == {"ke-hoach-phuong-hien-nam.txt": ("ke-hoach-phuong-hien-nam", True),
                          "kh-hien-nam-ban-chinh-thuc.txt": ("ke-hoach-phuong-hien-nam", False)}
    con = open_db(db)
    assert con.execute("SELECT id, path, withdrawn_at FROM documents").fetchall() == [
        (doc_id, str(moved.resolve()), None)]
    cell = next(con.query("SELECT * FROM matrix WHERE requirement = 'III.1.1'"))
    assert (cell["review_status"], cell["reviewer"], cell["review_stale"]) == ("justified", "Trần Thị B", 0)
    con.close()


def test_the_download_is_the_stored_copy_even_when_the_file_became_a_link(tmp_path: Path) -> None:
    folder = tmp_path / "nop"
    folder.mkdir()
    plan = folder / "phucu.txt"
    shutil.copy(DEV / "phucu-kh-2023.txt", plan)
    db = tmp_path / "coverage.db"
    scan(db, PARENT, [folder], workers=1, log=io.StringIO(), progress=False)
    original = plan.read_bytes()
    plan.unlink()
    plan.symlink_to("/etc/passwd")  # swapped after the scan
    c = client(create_app(db))
    with sqlite3.connect(db) as con:
        doc = con.execute("SELECT id FROM documents").fetchone()[0]
    response = c.get(f"/documents/{doc}/file")
    assert response.status_code == 200 and response.content == original
    assert b"root:" not in response.content
