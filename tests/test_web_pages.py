"""The web app's pages over a database of real dev plans scanned by the real batch (local mode)."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from hycompliance.report import report_output
from hycompliance.scan import scan
from hycompliance.store import fold, search_clauses
from hycompliance.web.app import create_app
from hycompliance.web.schema import open_web_db
from tests.browser.harness import PARENT, SCRIPT, XSS_NAME, client, csrf_of
from tests.conftest import DEV

DOCUMENTS = ["myhao-xss", "phucu-kh-2023", "soct-kh-2023"]
ESCAPED = html.escape(SCRIPT)




@pytest.fixture(scope="module")
def reader(built: Path):
    """A client on the shared database for tests that only read."""
    return client(create_app(built))


def _ids(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as con:
        return dict(con.execute("SELECT name, id FROM documents"))


def _rows(page: str) -> list[str]:
    return re.findall(r'<th class="doc" scope="row"><a href="/documents/\d+">([^<]+)</a>', page)


@pytest.mark.parametrize(("query", "rows"), [
    ("", DOCUMENTS),
    ("kind=district", ["myhao-xss", "phucu-kh-2023"]),
    ("kind=agency", ["soct-kh-2023"]),
    ("kind=commune", []),
    ("kind=%3Cscript%3E", DOCUMENTS),  # an unknown value is ignored, not echoed
])
def test_dashboard_rows_follow_the_issuer_kind_filter(reader, query: str, rows: list[str]) -> None:
    page = reader.get(f"/?{query}")
    assert page.status_code == 200
    assert _rows(page.text) == rows
    assert "<script>" not in page.text.replace('<script src="/static/app.js" defer></script>', "")


def test_dashboard_groups_and_last_run(reader, built: Path) -> None:
    page = reader.get("/").text
    heads = re.findall(r'<th scope="col" title="[^"]*"><a href="/\?group=([^"#]+)#drill">', page)
    # section IV (assignments) decides who a task binds; it has no column of its own
    assert heads == ["II.2", "III.1", "III.2", "III.3", "III.4", "III.5", "III.6", "III.7", "III.8", "III.9",
                     "references"]
    assert "3 tệp, 3 đã phân tích, 0 không đổi, 0 lỗi." in page


def _matrix_count(db_path: Path, where: str) -> int:
    with sqlite3.connect(db_path) as con:
        return int(con.execute(f"SELECT count(*) FROM matrix WHERE {where}").fetchone()[0])


@pytest.mark.parametrize(("query", "where"), [
    ("status=missing", "status = 'missing' AND applicable = 1"),
    ("status=covered", "status = 'covered' AND applicable = 1"),
    ("status=n/a", "applicable = 0"),
    ("reviewed=yes", "review_status IS NOT NULL"),
    ("suspect=1", "suspect = 1 OR review_stale = 1"),
])
def test_cell_filters_count_what_the_matrix_view_holds(reader, built: Path, query: str, where: str) -> None:
    page = reader.get(f"/?{query}").text
    expected = _matrix_count(built, where)
    if expected:
        assert f"Các ô phù hợp bộ lọc ({expected})" in page
    else:
        assert "Các ô phù hợp bộ lọc (0)" in page


def test_drilldown_lists_each_requirement_of_the_group(reader, built: Path) -> None:
    page = reader.get("/?group=III.2").text
    with sqlite3.connect(built) as con:
        codes = [r[0] for r in con.execute(
            "SELECT code FROM requirements WHERE group_id = 'III.2' AND kind != 'reference' ORDER BY position")]
    assert re.findall(r'<th scope="col" title="[^"]*"><a href="/requirements/([^"?]+)(?:\?parent=[^"]*)?">', page) == codes
    cells = re.findall(r'data-req="([^"|]+)\|([^"]+)"', page)
    assert cells == [(d, c) for d in DOCUMENTS for c in codes]


@pytest.mark.parametrize("path", ["/documents/{xss}", "/search?q=alert", "/documents/{xss}/report", "/?kind=district"])
def test_document_text_is_escaped(reader, built: Path, path: str) -> None:
    response = reader.get(path.format(xss=_ids(built)[XSS_NAME]))
    assert response.status_code == 200
    assert SCRIPT not in response.text
    if "kind=" not in path:
        assert ESCAPED in response.text or "&lt;script&gt;" in response.text


def test_document_page_shows_header_evidence_targets_and_findings(reader, built: Path) -> None:
    doc = _ids(built)["soct-kh-2023"]
    page = reader.get(f"/documents/{doc}").text
    assert "<h1>1025/KH-SCT — Sở Công Thương</h1>" in page
    with sqlite3.connect(built) as con:
        con.row_factory = sqlite3.Row
        cell = con.execute(
            "SELECT m.requirement, m.evidence, r.text FROM matches m JOIN requirements r ON r.id = m.requirement_id "
            "WHERE m.document_id = ? AND m.status = 'covered' AND r.kind = 'task' ORDER BY r.position LIMIT 1",
            [doc]).fetchone()
        findings = con.execute("SELECT message FROM findings WHERE document_id = ?", [doc]).fetchall()
    article = page.split(f'id="req-{cell["requirement"]}"', 1)[1].split("</article>", 1)[0]
    evidence = json.loads(cell["evidence"])[0]
    marks = [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", article.split("</blockquote>")[0])]
    assert marks == [evidence["text"][s:e] for s, e in evidence["spans"]]  # as the coverage stage stored them
    assert f"<cite>Mục {evidence['clause']} · trang {evidence['page']}</cite>" in article
    for f in findings:
        assert html.escape(f["message"]) in page
    assert 'id="targets"' in page and 'id="legal"' in page


def test_requirement_page_answers_side_by_side(reader) -> None:
    for code in ("III.2.1", "29-NQ/TW"):
        page = reader.get(f"/requirements/{code}").text
        answered = re.findall(r'<td><a href="/documents/\d+#req-[^"]+">([^<]+)</a>', page)
        assert answered == DOCUMENTS
    assert reader.get("/requirements/XIV.9").status_code == 404


def test_search_ignores_diacritics(reader, built: Path) -> None:
    page = reader.get("/search?q=duong").text
    db = open_web_db(built)
    hits = search_clauses(db, "duong", limit=100)
    db.close()
    assert hits and all("duong" in fold(h["text"]) for h in hits)
    assert f"{len(hits)} đoạn chứa “duong”" in page
    marks = set(re.findall(r"<mark>(.*?)</mark>", page))
    assert marks and all(fold(html.unescape(m)) == "duong" for m in marks)
    assert "đường" in {m.lower() for m in marks}


def test_download_serves_only_the_stored_file(reader, built: Path) -> None:
    doc = _ids(built)["phucu-kh-2023"]
    response = reader.get(f"/documents/{doc}/file")
    assert response.content == (DEV / "phucu-kh-2023.txt").read_bytes()
    assert response.headers["content-disposition"] == 'attachment; filename="phucu-kh-2023.txt"'
    assert reader.get("/documents/9999/file").status_code == 404
    assert reader.get("/documents/..%2F..%2Fetc%2Fpasswd/file").status_code == 404


def test_report_is_the_report_module_s_html(reader, built: Path) -> None:
    doc = _ids(built)["soct-kh-2023"]
    db = open_web_db(built)
    expected = report_output(db, "soct-kh-2023", "html")
    db.close()
    assert reader.get(f"/documents/{doc}/report").text == expected


@pytest.mark.parametrize(("query", "documents"), [
    ("", DOCUMENTS),
    ("kind=agency", ["soct-kh-2023"]),
    ("kind=district&status=covered", ["myhao-xss", "phucu-kh-2023"]),
])
def test_exports_carry_the_current_view(reader, query: str, documents: list[str]) -> None:
    rows = list(csv.DictReader(io.StringIO(reader.get(f"/export.csv?{query}").text.lstrip("\ufeff"))))
    assert sorted({r["Văn bản"] for r in rows}) == documents
    if "status=covered" in query:
        assert {r["Kết quả"] for r in rows} == {"Đã đáp ứng"}
    wb = openpyxl.load_workbook(io.BytesIO(reader.get(f"/export.xlsx?{query}").content))
    sheet = wb["Ma trận"]
    header = int(sheet.print_title_rows.split(":")[0].lstrip("$"))
    assert [c.value for c in sheet[header]][3:] == documents
    assert reader.get("/export.exe").status_code == 404


def test_decision_history_and_staleness_after_a_rescan(tmp_path: Path) -> None:
    plan = tmp_path / "phucu.txt"
    shutil.copy(DEV / "phucu-kh-2023.txt", plan)
    db_path = tmp_path / "coverage.db"
    scan(db_path, PARENT, [plan], workers=1, log=io.StringIO(), progress=False)
    c = client(create_app(db_path, reviewer="lan.nguyen"))
    doc = _ids(db_path)["phucu"]
    for status, note in (("missing", "chưa thấy"), ("justified", "huyện không có khu công nghiệp")):
        token = csrf_of(c.get(f"/documents/{doc}").text)
        response = c.post(f"/documents/{doc}/decisions",
                          data={"csrf": token, "requirement": "III.2.1", "status": status, "note": note})
        assert response.headers["location"] == f"/documents/{doc}?saved=III.2.1#req-III.2.1"
    article = c.get(f"/documents/{doc}").text.split('id="req-III.2.1"', 1)[1].split("</article>", 1)[0]
    assert article.count('class="chip s-justified"') == 3  # header, reviewer line, newest history entry
    assert "Lịch sử rà soát (2)" in article and "huyện không có khu công nghiệp" in article and "chưa thấy" in article
    assert "Cần xem lại" not in article
    plan.write_text(plan.read_text(encoding="utf-8") + "\n- Nhiệm vụ bổ sung sau khi rà soát.\n", encoding="utf-8")
    scan(db_path, PARENT, [plan], workers=1, log=io.StringIO(), progress=False)
    article = c.get(f"/documents/{doc}").text.split('id="req-III.2.1"', 1)[1].split("</article>", 1)[0]
    assert '<span class="badge stale">Cần xem lại</span>' in article
    assert "<details class=\"decide no-print\" open>" in article
    assert "Các ô phù hợp bộ lọc (1)" in c.get("/?suspect=1").text


def test_unknown_document_is_a_404_page(reader) -> None:
    response = reader.get("/documents/9999")
    assert response.status_code == 404
    assert "9999: E304 không có văn bản này trong cơ sở dữ liệu" in response.text


@pytest.mark.parametrize(("path", "csp"), [
    ("/", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; "
          "form-action 'self'"),
    ("/documents/{doc}/report", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"),
])
def test_security_headers(reader, built: Path, path: str, csp: str) -> None:
    headers = reader.get(path.format(doc=_ids(built)["soct-kh-2023"])).headers
    assert (headers["content-security-policy"], headers["x-content-type-options"], headers["x-frame-options"],
            headers["referrer-policy"]) == (csp, "nosniff", "DENY", "same-origin")


def test_registry_document_page_lists_what_cites_it(reader, built: Path) -> None:
    """The scan learnt the registry: the parent plan's number has a page naming the files that cite it."""
    with sqlite3.connect(built) as con:
        key, origins = con.execute(
            "SELECT key, COUNT(DISTINCT origin) FROM registry_mentions GROUP BY key ORDER BY 2 DESC, key LIMIT 1").fetchone()
    page = reader.get(f"/registry?key={key}").text
    assert f"<h1>Văn bản {html.escape(key)}</h1>" in page
    assert f"Các tệp viện dẫn văn bản này ({origins})" in page
    assert reader.get("/registry").status_code == 400
    unknown = reader.get("/registry?key=999-NQ/TW").text
    assert "Chưa văn bản nào đã đọc nêu văn bản này." in unknown
