"""The dashboard judges every cell but makes whole only those it shows one by one (a drill-down's, the
worklist's): those must be the report's cells (``report.data.matrix_data``, what the HTML report and the
exports show), and the heatmap's figures the report's coverage of the same cells."""

from __future__ import annotations

from pathlib import Path

import pytest

from hycompliance.report.data import coverage_of, matrix_data
from hycompliance.reviews import add_review
from hycompliance.web.dashboard import Filters, dashboard
from hycompliance.web.schema import connect, open_web_readable

DECISIONS = [  # (document, requirement, status, note): a decision makes a cell "reviewed" and may change its verdict
    ("phucu-kh-2023", "III.1.1", "justified", "Huyện đã giải trình bằng văn bản số 45"),
    ("soct-kh-2023", "III.2.1", "missing", "Chưa thấy nội dung tương ứng trong kế hoạch"),
]

FILTERS = [
    Filters(),
    Filters(kind="district"),
    Filters(status="missing"),
    Filters(status="justified"),
    Filters(reviewed="yes"),
    Filters(suspect=True),
    Filters(group="III.2"),
    Filters(group="III.1", status="covered"),
    Filters(kind="district", reviewed="no"),
]


@pytest.fixture()
def decided(db_path: Path) -> Path:
    open_web_readable(db_path).close()
    with connect(db_path) as db:
        for name, code, status, note in DECISIONS:
            doc = db.execute("SELECT id, plan_id FROM documents WHERE name = ?", [name]).fetchone()
            add_review(db, str(doc[0]), code, status, note, reviewer="Nguyễn Thị Lan", plan_id=doc[1])
    return db_path


@pytest.mark.parametrize("filters", FILTERS, ids=lambda f: f.query() or "all")
def test_cells_shown_one_by_one_are_the_report_s(decided: Path, filters: Filters) -> None:
    with connect(decided) as db:
        page = dashboard(db, filters)
        full = matrix_data(db)
    names = {d["name"] for d in full["documents"] if not filters.kind or d["kind"] == filters.kind}
    shown = [c for c in full["cells"] if c["document"] in names and filters.keeps(c)]
    assert page["worklist"] == (shown[:300] if filters.narrows_cells else [])
    assert page["worklist_total"] == (len(shown) if filters.narrows_cells else 0)
    if filters.group:
        in_group = [r["id"] for r in full["requirements"] if r["group"] == filters.group]
        by_pair = {(c["document"], c["requirement"]): c for c in shown}
        assert [row["cells"] for row in page["drill"]["rows"]] == [
            [by_pair.get((d, code)) for code in in_group] for d in sorted(names)]
        assert page["drill"]["coverage"] == [
            coverage_of([c for c in shown if c["requirement"] == code])["percent"] for code in in_group]
    else:
        assert page["drill"] is None
    for row in page["heat"]["rows"]:  # each document's overall figure: the report's coverage of its task cells
        tasks = [c for c in shown if c["document"] == row["document"] and c["kind"] != "reference"]
        assert row["overall"] == coverage_of(tasks)["percent"]


def test_the_decisions_are_in_the_worklist_with_their_notes(decided: Path) -> None:
    with connect(decided) as db:
        page = dashboard(db, Filters(reviewed="yes"))
    assert sorted((c["document"], c["requirement"], c["final"], c["review"]["note"]) for c in page["worklist"]) == [
        ("phucu-kh-2023", "III.1.1", "justified", "Huyện đã giải trình bằng văn bản số 45"),
        ("soct-kh-2023", "III.2.1", "missing", "Chưa thấy nội dung tương ứng trong kế hoạch"),
    ]
