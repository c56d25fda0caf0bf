"""A reviewer's decision belongs to a requirement's content, not to the parent file's bytes or the task's
printed position: it survives reading the parent from another file form, it follows its task when a bullet
is inserted before it, and a real change to the task's text makes it "Cần xem lại" (stale)."""

from __future__ import annotations

import os
import shutil

import pytest

from hycompliance.scan import scan
from hycompliance.store import add_review, open_db
from tests.conftest_db import EXAMPLES, ROOT

PARENT = ROOT / "corpora" / "87-KH-UBND-2023"
TASK_START = "- Hình thành các vùng công nghiệp, hành lang công"  # III.3.2 of the parent plan, as printed
INSERTED = "- Rà soát, bổ sung quy hoạch các cụm công nghiệp trên địa bàn tỉnh.\n"


def _scan(db, parent, plans):
    return scan(db, parent, [plans], workers=1, progress=False, log=open(os.devnull, "w"))


def _cells(db_path):
    db = open_db(db_path)
    try:
        return {r["requirement"]: r for r in db.query(
            "SELECT m.requirement, m.review_status, m.review_stale, r.text FROM matrix m "
            "JOIN requirements r ON r.id = m.requirement_id")}
    finally:
        db.close()


@pytest.fixture(scope="module")
def reviewed(tmp_path_factory):
    """One plan scanned against the parent's text form, with a decision on III.3.2."""
    folder = tmp_path_factory.mktemp("identity")
    plans = folder / "plans"
    plans.mkdir()
    shutil.copy(EXAMPLES / "sokhcn-kh-2023.txt", plans)
    db_path = folder / "c.db"
    _scan(db_path, PARENT.with_suffix(".txt"), plans)
    db = open_db(db_path)
    add_review(db, "sokhcn-kh-2023", "III.3.2", "justified", "Sở không chủ trì nội dung này", "Lê C")
    db.close()
    return folder, plans, db_path


def test_decision_survives_another_file_form(reviewed):
    folder, plans, db_path = reviewed
    task_text = _cells(db_path)["III.3.2"]["text"]
    for form in (".pdf", ".docx"):
        summary = _scan(db_path, PARENT.with_suffix(form), plans)
        assert summary["suspect"] == 0  # the same catalogue: nothing to redo
        cell = _cells(db_path)["III.3.2"]
        assert (cell["text"], cell["review_status"], cell["review_stale"]) == (task_text, "justified", 0)


def test_decision_follows_its_task_and_turns_stale_on_a_text_change(reviewed):
    folder, plans, db_path = reviewed
    text = PARENT.with_suffix(".txt").read_text(encoding="utf-8")
    assert text.count(TASK_START) == 1
    moved = folder / "87-moved.txt"
    moved.write_text(text.replace(TASK_START, INSERTED + TASK_START), encoding="utf-8")
    _scan(db_path, moved, plans)
    cells = _cells(db_path)
    assert cells["III.3.2"]["text"].startswith("Rà soát, bổ sung quy hoạch")  # the new bullet
    assert cells["III.3.2"]["review_status"] is None
    assert cells["III.3.3"]["text"].startswith("Hình thành các vùng công nghiệp")
    assert (cells["III.3.3"]["review_status"], cells["III.3.3"]["review_stale"]) == ("justified", 0)
    assert [c for c, r in cells.items() if r["review_status"]] == ["III.3.3"]

    changed = folder / "87-changed.txt"
    changed.write_text(text.replace(TASK_START, TASK_START.replace("Hình thành", "Quy hoạch, hình thành")),
                       encoding="utf-8")
    _scan(db_path, changed, plans)
    cells = _cells(db_path)
    assert cells["III.3.2"]["text"].startswith("Quy hoạch, hình thành")
    assert (cells["III.3.2"]["review_status"], cells["III.3.2"]["review_stale"]) == ("justified", 1)
    assert [c for c, r in cells.items() if r["review_status"]] == ["III.3.2"]
