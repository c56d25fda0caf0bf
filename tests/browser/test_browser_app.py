"""The reviewer's path through the app in a real browser (Debian's Chromium driven by Playwright)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import openpyxl

from tests.browser.harness import SCANNED, UPLOAD_DOCX, XSS_NAME

DOCUMENTS = sorted([*SCANNED, XSS_NAME])


def _covered_cell(db: Path) -> dict[str, Any]:
    """A cell the matcher found covered, with its evidence and the requirement's text."""
    with sqlite3.connect(db) as con:
        con.row_factory = sqlite3.Row
        row = con.execute(
            "SELECT d.id AS doc_id, d.name, m.requirement, m.evidence, r.text, r.group_id FROM matches m "
            "JOIN documents d ON d.id = m.document_id JOIN requirements r ON r.id = m.requirement_id "
            "WHERE m.status = 'covered' AND m.source = 'matcher' AND r.kind = 'task' AND d.name = 'soct-kh-2023' "
            "ORDER BY r.position LIMIT 1").fetchone()
    return dict(row)


def test_dashboard_shows_every_document_and_group(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/")
    rows = page.locator("table.heatmap tbody th.doc").all_inner_texts()
    assert rows == DOCUMENTS
    headers = page.locator("table.heatmap thead th").all_inner_texts()
    assert headers[0] == "Văn bản" and headers[-1] == "Tỷ lệ đáp ứng"
    assert {"III.1", "III.9", "Chỉ tiêu (II.2)", "Văn bản viện dẫn"} <= set(headers)
    assert page.title() == "Bảng tổng hợp — hycompliance"


def test_drill_into_a_cell_shows_highlighted_evidence(page: Any, base_url: str, browser_db: Path) -> None:
    cell = _covered_cell(browser_db)
    group = ".".join(cell["requirement"].split(".")[:2])
    page.goto(f"{base_url}/")
    page.click(f'table.heatmap thead a:text-is("{group}")')
    page.click(f'a[data-req="{cell["name"]}|{cell["requirement"]}"]')
    page.wait_for_url(f"{base_url}/documents/{cell['doc_id']}#req-{cell['requirement']}")
    article = page.locator(f'article[id="req-{cell["requirement"]}"]')
    evidence = json.loads(cell["evidence"])[0]
    expected = [evidence["text"][s:e] for s, e in evidence["spans"]]  # the words the coverage stage marked
    assert article.locator("blockquote.evidence").first.locator("mark").all_inner_texts() == expected
    assert article.locator("blockquote.evidence cite").first.inner_text() == f"Mục {evidence['clause']} · trang {evidence['page']}"
    assert article.locator(".chip").first.inner_text() == "Đã đáp ứng"


def test_decision_is_kept_and_shown_after_reload(page: Any, base_url: str, browser_db: Path) -> None:
    cell = _covered_cell(browser_db)
    page.goto(f"{base_url}/documents/{cell['doc_id']}#req-{cell['requirement']}")
    article = page.locator(f'article[id="req-{cell["requirement"]}"]')
    article.locator("details.decide summary").click()
    article.locator('input[value="justified"]').check()
    article.locator("textarea[name=note]").fill("Sở đã giải trình bằng công văn 12/SCT")
    article.locator('button:text-is("Lưu kết luận")').click()
    page.wait_for_selector("p.ok-line")
    page.reload()
    article = page.locator(f'article[id="req-{cell["requirement"]}"]')
    assert article.locator("header .chip").inner_text() == "Có giải trình"
    assert article.locator(".verdicts .note").inner_text() == "Sở đã giải trình bằng công văn 12/SCT"
    assert "admin" in article.locator(".verdicts").inner_text()
    assert article.locator("details.history summary").inner_text() == "Lịch sử rà soát (1)"


def test_upload_is_scanned_and_joins_the_matrix(page: Any, base_url: str) -> None:
    page.goto(f"{base_url}/upload")
    page.set_input_files('input[type="file"]', str(UPLOAD_DOCX))
    page.click('button:text-is("Tải lên và phân tích")')
    page.wait_for_selector("#progress .done a", state="visible", timeout=120_000)
    assert page.locator("#progress .state").inner_text() == f"{UPLOAD_DOCX.name}: Đã xong"
    page.click("#progress .done a")
    assert page.locator("h1").inner_text() == "112/KH-UBND — UBND huyện Văn Lâm"
    page.goto(f"{base_url}/")
    assert "vanlam-kh-2023" in page.locator("table.heatmap tbody th.doc").all_inner_texts()


def test_export_xlsx_reads_back(page: Any, base_url: str, tmp_path: Path) -> None:
    page.goto(f"{base_url}/?kind=agency")
    with page.expect_download() as info:
        page.click('a:text-is("Xuất Excel")')
    saved = tmp_path / "view.xlsx"
    info.value.save_as(saved)
    wb = openpyxl.load_workbook(saved)
    assert wb.sheetnames[:4] == ["Ma trận", "Theo nhóm", "Chi tiết", "Văn bản"]
    def header_row(ws) -> int:  # below the title block: the row printed on every page
        return int(ws.print_title_rows.split(":")[0].lstrip("$"))

    header = [c.value for c in wb["Ma trận"][header_row(wb["Ma trận"])]]
    assert header == ["Yêu cầu", "Nhóm", "Nội dung yêu cầu", "soct-kh-2023"]
    docs = wb["Văn bản"]
    assert [r[0].value for r in docs.iter_rows(min_row=header_row(docs) + 1)] == ["soct-kh-2023"]
