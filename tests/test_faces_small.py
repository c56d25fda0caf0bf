"""A hand-written case with a known answer: six cells written into a database as the coverage stage would
hand them over, then read back from every face. Two tasks covered, one partial, one missing, one that does
not bind the plan, one target, one reference cited: tasks and targets (2 + ½ + 0 + 1) / 5 = 70,0%;
references 1 / 1 = 100,0%."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from lxml import html as lhtml

from hycompliance.coverage import Cell, EvidenceClause, Reason, TargetComparison
from hycompliance.models import Requirement
from hycompliance.report import labels, matrix_output, report_output
from hycompliance.store import Stamp, open_db, register_documents, result_rows, save_plan, write_document
from hycompliance.web.app import create_app
from tests.browser.harness import client
from tests.conftest_db import PARENT_TXT, SOKHCN_TXT, parse_txt

CLAUSE = ("Tổ chức quán triệt Nghị quyết số 29-NQ/TW, Chương trình hành động số 34-CTr/TU, Kế hoạch số "
          "87/KH-UBND và Kế hoạch này đến toàn thể công chức")
CATALOGUE = (
    Requirement("III.1.1", "task", "Tổ chức quán triệt Nghị quyết"),
    Requirement("III.1.2", "task", "Tuyên truyền trên báo chí"),
    Requirement("III.2.1", "task", "Hoàn thiện thể chế"),
    Requirement("III.2.2", "task", "Phát triển hạ tầng số"),
    Requirement("III.3.1", "task", "Việc của cấp xã", applies_to=("commune",)),
    Requirement("II.2.1", "target", "Tốc độ tăng trưởng"),
    Requirement("29-NQ/TW", "reference", "Nghị quyết 29-NQ/TW"),
)


def _cell(code: str, kind: str, status: str, applicable: bool = True, evidence=(), targets=()) -> Cell:
    return Cell(code, f"h-{code}", kind, status, {"covered": 1.0, "partial": 0.6, "missing": 0.0}[status],
                applicable, tuple(evidence), (), tuple(targets), (Reason("nothing"),) if not evidence else (
                    Reason("shared_words", "III.1.1", 1, ("quán triệt",)),), "matcher")


QUOTE = EvidenceClause("III.1.1", 1, CLAUSE, 0.9, ("tổ chức", "quán triệt"), ((0, 7), (8, 18)))
CELLS = (
    _cell("III.1.1", "task", "covered", evidence=[QUOTE]),
    _cell("III.1.2", "task", "covered", evidence=[QUOTE]),
    _cell("III.2.1", "task", "partial", evidence=[QUOTE]),
    _cell("III.2.2", "task", "missing"),
    _cell("III.3.1", "task", "missing", applicable=False),
    _cell("II.2.1", "target", "covered", evidence=[QUOTE],
          targets=[TargetComparison("2021-2025", "Khoảng 8%", 8.0, "9,0 - 9,5", 9.25, "higher")]),
    _cell("29-NQ/TW", "reference", "covered", evidence=[QUOTE]),
)


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "c.db"
    db = open_db(path)
    plan = save_plan(db, PARENT_TXT, parse_txt(PARENT_TXT), CATALOGUE, "fp")
    state = register_documents(db, [SOKHCN_TXT], plan.id)[str(SOKHCN_TXT.resolve())]
    rows = result_rows(state.id, parse_txt(SOKHCN_TXT), (), (), CELLS, plan.requirement_ids,
                       Stamp(plan.id, "fp", "r", "t", None), "hash", 1)
    write_document(db, state.id, rows)
    db.close()
    return path


def test_known_percent_on_every_face(db_path):
    db = open_db(db_path)
    md = report_output(db, "sokhcn-kh-2023", "md")
    page = lhtml.fromstring(report_output(db, "sokhcn-kh-2023", "html"))
    xlsx = report_output(db, "sokhcn-kh-2023", "xlsx")
    table = matrix_output(db, "table")
    rows = list(csv.DictReader(io.StringIO(matrix_output(db, "csv"))))
    db.close()
    assert "**Tỷ lệ đáp ứng: 70,0%**" in md and "Tỷ lệ viện dẫn đúng: 100,0%" in md
    assert page.xpath("string(//*[@id='coverage'])") == "70,0%"
    assert page.xpath("string(//*[@id='reference-coverage'])") == "100,0%"
    row = next(line for line in table.splitlines() if "sokhcn-kh-2023" in line)
    assert row.rstrip(" │").endswith("70,0%")
    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    values = [c.value for c in wb["Tổng hợp"]["B"]]
    assert 0.7 in values and 1.0 in values
    web = client(create_app(db_path))
    dashboard = lhtml.fromstring(web.get("/").text)
    assert dashboard.xpath("string(//table[@class='heatmap']/tbody/tr/td[contains(@class,'total')])") == "70,0%"
    assert {r["Yêu cầu"]: r["Kết quả"] for r in rows} == {
        "III.1.1": "Đã đáp ứng", "III.1.2": "Đã đáp ứng", "III.2.1": "Đáp ứng một phần", "III.2.2": "Chưa đáp ứng",
        "III.3.1": "Không áp dụng", "II.2.1": "Đã đáp ứng", "29-NQ/TW": "Đã đáp ứng"}
    assert {r["Yêu cầu"]: r["So sánh chỉ tiêu"] for r in rows}["II.2.1"] == "2021-2025: Cao hơn"


def test_known_marks_on_every_face(db_path):
    db = open_db(db_path)
    md = report_output(db, "sokhcn-kh-2023", "md")
    page = lhtml.fromstring(report_output(db, "sokhcn-kh-2023", "html"))
    db.close()
    assert [m.text_content() for m in page.xpath("//tr[@id='req-III.1.1']//mark")] == ["Tổ chức", "quán triệt"]
    row = next(line for line in md.splitlines() if line.startswith("| III.1.1 |"))
    assert "**Tổ chức** **quán triệt** Nghị quyết" in row
    web = client(create_app(db_path))
    doc = lhtml.fromstring(web.get("/documents/1").text)
    assert [m.text_content() for m in doc.xpath("//article[@id='req-III.1.1']//mark")] == ["Tổ chức", "quán triệt"]
    assert "từ khóa chung: quán triệt" in doc.xpath("string(//article[@id='req-III.1.1'])")
