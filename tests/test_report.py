"""Outputs: matrix JSON/CSV/table/HTML/XLSX, document reports; escaping, formula-safe cells, Vietnamese words."""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import openpyxl
import pytest

from hycompliance.report import csv_safe, labels, matrix_output, report_output
from hycompliance.report.data import document_report, matrix_data
from hycompliance.report.md import esc
from hycompliance.report.xlsx import put
from hycompliance.scan import scan
from hycompliance.store import add_review, open_db
from tests.conftest_db import PARENT_TXT, SOKHCN_TXT, analyze_test, load_test_context

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Two plans: the example plan, and a copy with markup, formulas and bullets in its text and name."""
    folder = tmp_path_factory.mktemp("plans")
    text = SOKHCN_TXT.read_text(encoding="utf-8")
    (folder / "sokhcn.txt").write_text(text, encoding="utf-8")
    hostile = text.replace("Tổ chức quán triệt Nghị quyết", f"Tổ chức quán triệt {SCRIPT} Nghị quyết", 1)
    hostile = hostile.replace("Sở Khoa học và Công nghệ xây dựng", f"Sở {SCRIPT} xây dựng", 1)
    (folder / "=1+2.txt").write_text(hostile, encoding="utf-8")
    path = folder / "c.db"
    scan(path, PARENT_TXT, [folder], workers=1, loader=load_test_context, analyze=analyze_test, progress=False,
         log=open(os.devnull, "w"))
    database = open_db(path)
    add_review(database, "sokhcn", "III.1.1", "justified", "- đã giải trình <b>rõ</b>", "Phạm D")
    return database


def test_matrix_json_shape(db):
    m = json.loads(matrix_output(db, "json"))
    assert set(m) == {"plan", "requirements", "documents", "cells", "failed", "withdrawn"}
    assert m["plan"]["number"] == "87/KH-UBND"
    assert [d["name"] for d in m["documents"]] == ["=1+2", "sokhcn"]
    assert set(m["documents"][0]) == {"name", "path", "issuer", "number", "date", "kind"}
    assert set(m["requirements"][0]) == {"id", "kind", "text", "group"}
    n_req = len(m["requirements"])
    assert len(m["cells"]) == 2 * n_req
    cell = next(c for c in m["cells"] if c["document"] == "sokhcn" and c["requirement"] == "III.1.1")
    assert {"document", "requirement", "status", "score", "review", "evidence"} <= set(cell)
    assert cell["review"] == {"status": "justified", "note": "- đã giải trình <b>rõ</b>", "reviewer": "Phạm D",
                              "at": cell["review"]["at"], "stale": False}
    assert cell["final"] == "justified"
    refs = {c["requirement"]: c["status"] for c in m["cells"] if c["document"] == "sokhcn"
            and c["requirement"] in ("29-NQ/TW", "34-CTr/TU", "10-NQ/TU")}
    assert refs == {"29-NQ/TW": "covered", "34-CTr/TU": "covered", "10-NQ/TU": "missing"}
    assert all({"clause", "page", "text", "words", "spans"} <= set(e) for c in m["cells"] for e in c["evidence"])


def test_matrix_csv_neutralises_formulas(db):
    rows = list(csv.reader(io.StringIO(matrix_output(db, "csv"))))
    assert rows[0][:3] == ["Văn bản", "Yêu cầu", "Kết quả"]
    assert {r[0] for r in rows[1:]} == {"'=1+2", "sokhcn"}
    assert {r[2] for r in rows[1:]} <= set(labels.STATUS.values())


@pytest.mark.parametrize(
    "value, safe",
    [("=1+2", "'=1+2"), ("- Chủ trì", "'- Chủ trì"), ("+ Tăng", "'+ Tăng"), ("@x", "'@x"), ("\tx", "'\tx"),
     ("Sở Công Thương", "Sở Công Thương"), (3.5, 3.5), (None, None)],
)
def test_csv_safe(value, safe):
    assert csv_safe(value) == safe


def test_matrix_table_has_groups(db):
    text = matrix_output(db, "table")
    assert "III.1" in text and labels.GROUP["references"] in text and labels.GROUP["II.2"] in text
    assert "sokhcn" in text


def test_html_escapes_document_text(db):
    for html in (matrix_output(db, "html"), report_output(db, "=1+2", "html"), report_output(db, "sokhcn", "html")):
        assert "<script" not in html
        assert "http://" not in html and "https://" not in html and "<link" not in html and " src=" not in html
        assert html.startswith("<!DOCTYPE html>")
    report = report_output(db, "=1+2", "html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report
    assert "<mark>" in report
    sok = report_output(db, "sokhcn", "html")
    assert "- đã giải trình &lt;b&gt;rõ&lt;/b&gt;" in sok


def test_html_matrix_heatmap_groups_in_order(db):
    html = matrix_output(db, "html")
    heads = [labels.GROUP["II.2"], "III.1", "III.2", "III.3", labels.GROUP["references"]]
    positions = [html.index(f"<th>{h}</th>") for h in heads]
    assert positions == sorted(positions)
    assert labels.HEADING["heatmap"] in html and labels.STATUS["covered"] in html


def test_report_missing_first_and_coverage(db):
    r = document_report(db, "sokhcn")
    order = [i["final"] for i in r["items"]]
    ranks = {"missing": 0, "partial": 1, "none": 2, "covered": 3, "justified": 4, "n/a": 5}
    assert order == sorted(order, key=ranks.get)
    counts = r["coverage"]["counts"]
    assert sum(counts.values()) == len(r["items"])
    met = counts["covered"] + counts["justified"] + counts["partial"] / 2
    assert r["coverage"]["percent"] == round(100 * met / r["coverage"]["applicable"], 1)
    assert [(c["id"], c["final"]) for c in r["references"]] == [
        ("10-NQ/TU", "missing"), ("29-NQ/TW", "covered"), ("34-CTr/TU", "covered")]


def test_markdown_report(db):
    md = report_output(db, "=1+2", "md")
    assert md.startswith(f"# {labels.HEADING['report']}: 456/KH-SKHCN — Sở Khoa học và Công nghệ\n")
    assert "— Tên tệp: =1+2" in md
    assert "\\<script\\>" in md and "<script>" not in md
    for heading in ("summary", "requirements", "targets", "legal"):
        assert f"## {labels.HEADING[heading]}" in md
    first_row = md.split("|---|---|---|---|---|---|---|\n", 1)[1].splitlines()[0]
    items = document_report(db, "=1+2")["items"]
    assert items[0]["final"] in ("missing", "partial")
    assert first_row.startswith(f"| {items[0]['id']} | {labels.STATUS[items[0]['final']]} |")


def _header_row(ws) -> int:
    """The table's header row: the row printed on every page."""
    return int(ws.print_title_rows.split(":")[0].lstrip("$"))


def test_xlsx_matrix_reread(db, tmp_path):
    import datetime as dt

    path = tmp_path / "m.xlsx"
    path.write_bytes(matrix_output(db, "xlsx"))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Ma trận", "Theo nhóm", "Chi tiết", "Văn bản"]
    ws = wb["Ma trận"]
    top = _header_row(ws)
    # title block: the parent plan, its date as a date, the export time and who
    assert ws["A1"].value.startswith(labels.HEADING["matrix"]) and "87/KH-UBND" in ws["A1"].value
    block = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2) for r in range(2, top)}
    assert block[labels.COLUMN["date"]].value == dt.datetime(2023, 5, 23)  # the parent's date, "ngày 23/5/2023"
    assert block[labels.COLUMN["date"]].number_format == "DD/MM/YYYY"
    assert isinstance(block[labels.COLUMN["exported_at"]].value, dt.datetime)
    assert block[labels.COLUMN["exported_by"]].value
    assert ws.freeze_panes == f"D{top + 1}"
    assert (ws.page_setup.orientation, ws.sheet_properties.pageSetUpPr.fitToPage, ws.page_setup.fitToWidth) == (
        "landscape", True, 1)
    header = [c.value for c in ws[top]]
    assert header[:3] == [labels.COLUMN["requirement"], labels.COLUMN["group"], labels.COLUMN["requirement_text"]]
    assert header[3:] == ["=1+2", "sokhcn"]
    name_cell = ws.cell(row=top, column=4)
    assert (name_cell.data_type, name_cell.value, name_cell.quotePrefix) == ("s", "=1+2", True)
    assert len(ws.conditional_formatting) >= 1
    statuses = {ws.cell(row=r, column=5).value for r in range(top + 1, ws.max_row + 1)}
    assert statuses <= set(labels.STATUS.values()) and labels.STATUS["justified"] in statuses
    heat = wb["Theo nhóm"]
    overall = [heat.cell(row=r, column=heat.max_column) for r in range(_header_row(heat) + 1, heat.max_row + 1)]
    assert overall and all(c.number_format == "0.0%" and 0 <= c.value <= 1 for c in overall)


def test_xlsx_report_sheets(db, tmp_path):
    path = tmp_path / "r.xlsx"
    path.write_bytes(report_output(db, "sokhcn", "xlsx"))
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Tổng hợp", "Yêu cầu", "Chỉ tiêu", "Pháp chế"]
    assert all(wb[s].freeze_panes == f"B{_header_row(wb[s]) + 1}" for s in wb.sheetnames)
    summary = wb["Tổng hợp"]
    values = {summary.cell(row=r, column=1).value: summary.cell(row=r, column=2)
              for r in range(_header_row(summary) + 1, summary.max_row + 1)}
    percent = document_report(db, "sokhcn")["coverage"]["percent"]
    assert values[labels.COLUMN["coverage"]].number_format == "0.0%"
    assert values[labels.COLUMN["coverage"]].value == pytest.approx(percent / 100)
    review = [c.value for c in wb["Yêu cầu"]["H"] if c.value and "Phạm D" in c.value]
    assert review == [f"{labels.STATUS['justified']}: - đã giải trình <b>rõ</b> (Phạm D, "
                      f"{review[0].split(', ')[-1]}"]


@pytest.mark.parametrize(
    "value, quoted",
    [("=HYPERLINK(\"x\")", True), ("- Chủ trì, phối hợp với các sở", True), ("+ Tăng cường", True), ("@SUM(A1)", True),
     ("\tthụt lề", True), ("\rdòng", True), ("Tổ chức quán triệt", False), ("1.2. Mục", False)],
)
def test_xlsx_formula_looking_text_stays_text(tmp_path, value, quoted):
    wb = openpyxl.Workbook()
    put(wb.active, 1, 1, value)
    wb.save(tmp_path / "x.xlsx")
    cell = openpyxl.load_workbook(tmp_path / "x.xlsx").active["A1"]
    assert (cell.value, cell.data_type, bool(cell.quotePrefix)) == (value, "s", quoted)


@pytest.mark.parametrize("text, safe", [("a|b", "a\\|b"), ("**x**", "\\*\\*x\\*\\*"), ("<i>", "\\<i\\>"),
                                         ("dòng 1\ndòng 2", "dòng 1 dòng 2")])
def test_markdown_escape(text, safe):
    assert esc(text) == safe


def test_report_on_failed_document(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "empty.txt").write_text("")
    path = tmp_path / "c.db"
    scan(path, PARENT_TXT, [folder], workers=1, loader=load_test_context, analyze=analyze_test, progress=False,
         log=open(os.devnull, "w"))
    database = open_db(path)
    md = report_output(database, "empty", "md")
    assert "E102 tệp rỗng" in md  # people read Vietnamese; the CLI and logs keep English
    assert json.loads(matrix_output(database, "json"))["failed"][0]["code"] == "E102"
