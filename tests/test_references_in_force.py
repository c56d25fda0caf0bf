"""What the nightly scan learns about cited documents (repealed in whole or in part, amended) reaches the
stored findings of every plan that cites them, whichever the scan read first, and in a later scan too:
the web app's document page and the reports read them from there, in Vietnamese, with their codes."""

from __future__ import annotations

import html
import os

import pytest

from hycompliance.references.extract import extract
from hycompliance.references.lint import validity_findings
from hycompliance.references.relations import Relation
from hycompliance.references.resolve import Registry
from hycompliance.report.data import document_report
from hycompliance.scan import scan
from hycompliance.store import open_db
from hycompliance.web.app import create_app
from tests.browser.harness import client
from tests.conftest_db import PARENT_TXT

# A circular that repeals one circular in whole and one article of another (as Thông tư 61/2025/TT-BCT
# prints it), and a district plan citing both after the repeal took effect.
REPEALING = """BỘ CÔNG THƯƠNG
Số: 61/2025/TT-BCT
Hà Nội, ngày 2 tháng 12 năm 2025

THÔNG TƯ
Quy định về hoạt động khuyến công
Điều 5. Hiệu lực thi hành
1. Thông tư này có hiệu lực thi hành kể từ ngày ký.
2. Thông tư này bãi bỏ Thông tư số 56/2015/TT-BCT ngày 31 tháng 12 năm 2015 của Bộ Công Thương.
3. Bãi bỏ Điều 4 của Thông tư số 21/2017/TT-BCT ngày 23 tháng 10 năm 2017 của Bộ Công Thương.
"""
CITING = """ỦY BAN NHÂN DÂN HUYỆN VĂN LÂM
Số: 12/KH-UBND
Văn Lâm, ngày 10 tháng 3 năm 2026

KẾ HOẠCH
Phát triển công nghiệp, khuyến công trên địa bàn huyện năm 2026
Căn cứ Thông tư số 56/2015/TT-BCT ngày 31/12/2015 của Bộ Công Thương; Thông tư số 21/2017/TT-BCT ngày 23/10/2017 của Bộ Công Thương; Kế hoạch số 87/KH-UBND ngày 23/5/2023 của Ủy ban nhân dân tỉnh Hưng Yên.
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Hỗ trợ các cơ sở công nghiệp nông thôn đổi mới công nghệ, nâng cao năng lực sản xuất.
II. NHIỆM VỤ
1. Phát triển cụm công nghiệp
- Đầu tư hạ tầng kỹ thuật các cụm công nghiệp trên địa bàn huyện.
"""


def _scan(db, paths):
    return scan(db, PARENT_TXT, paths, workers=1, progress=False, log=open(os.devnull, "w"))


def _findings(db_path, name):
    db = open_db(db_path)
    try:
        return {r["code"]: r for r in db.query(
            "SELECT f.* FROM findings f JOIN documents d ON d.id = f.document_id WHERE d.name = ?", [name.removesuffix(".txt")])}
    finally:
        db.close()


@pytest.mark.parametrize("together", [True, False], ids=["one-scan", "legal-text-a-later-night"])
def test_scan_stores_validity_findings_with_the_plans_findings(tmp_path, together):
    plans, legal = tmp_path / "plans", tmp_path / "legal"
    plans.mkdir(), legal.mkdir()
    (plans / "vanlam_kh_12_2026.txt").write_text(CITING, encoding="utf-8")
    (legal / "tt_61_2025.txt").write_text(REPEALING, encoding="utf-8")
    db = tmp_path / "cov.db"
    if together:
        summary = _scan(db, [plans, legal])
    else:
        first = _scan(db, [plans])
        assert first["validity_findings"] == 0
        assert not {"repealed_document", "partly_repealed_document"} & set(_findings(db, "vanlam_kh_12_2026.txt"))
        summary = _scan(db, [legal])  # the plan is not read again: what is learnt reaches it all the same
        assert summary["scanned"] == 1
    assert summary["validity_findings"] == 2
    found = _findings(db, "vanlam_kh_12_2026.txt")
    whole, part = found["repealed_document"], found["partly_repealed_document"]
    assert (whole["key"], whole["severity"], part["key"], part["severity"]) == (
        "56/2015/TT-BCT", "warning", "21/2017/TT-BCT", "info")
    assert whole["message"] == ("Văn bản 56/2015/TT-BCT đã hết hiệu lực toàn bộ từ ngày 02/12/2025 (bãi bỏ hoặc "
                                "thay thế bởi 61/2025/TT-BCT ngày 02/12/2025) trước ngày ban hành văn bản này.")
    assert whole["as_written"] == "Thông tư số 56/2015/TT-BCT ngày 31/12/2015"
    # the reports and the web app's document page read the same rows
    conn = open_db(db)
    try:
        report = document_report(conn, "vanlam_kh_12_2026")
    finally:
        conn.close()
    assert {f["code"] for f in report["findings"]} >= {"repealed_document", "partly_repealed_document"}
    page = client(create_app(db)).get(f"/documents/{whole['document_id']}").text
    assert f'{html.escape(whole["message"])} <code class="small muted">repealed_document</code>' in page
    assert html.escape(part["message"]) in page
    # a scan that learns nothing new keeps them (judged again, not added twice)
    again = _scan(db, [plans, legal])
    assert again["scanned"] == 0 and again["validity_findings"] == 2
    assert sorted(c for c in _findings_all(db) if c.endswith("_document") and c != "unknown_document") == [
        "partly_repealed_document", "repealed_document"]


def _findings_all(db_path):
    db = open_db(db_path)
    try:
        return [r["code"] for r in db.query("SELECT code FROM findings")]
    finally:
        db.close()


# Stored citations, as a scan keeps them, judged again: (as written, intended, plan date) -> codes.
STORED = [
    # cited after the repeal took effect
    ("Thông tư số 56/2015/TT-BCT ngày 31/12/2015", None, "2026-03-10", ["repealed_document"]),
    # cited before: in force then
    ("Thông tư số 56/2015/TT-BCT ngày 31/12/2015", None, "2025-06-01", []),
    # written with a wrong issuer code; the linter took it to mean 56/2015/TT-BCT (its corrected form)
    ("Thông tư số 56/2015/TT-BTC ngày 31/12/2015", "56/2015/TT-BCT", "2026-03-10", ["repealed_document"]),
    # a document nobody repealed
    ("Thông tư số 01/2021/TT-BYT ngày 25/01/2021", None, "2026-03-10", []),
]


@pytest.mark.parametrize("written, intended, plan_date, codes", STORED)
def test_validity_of_stored_citations(written, intended, plan_date, codes):
    registry = Registry(relations=(Relation("61/2025/TT-BCT", "2025-12-02", "repeals", "56/2015/TT-BCT",
                                            "2015-12-31", "whole", None, "bãi bỏ Thông tư số 56/2015/TT-BCT", "tt61"),))
    (c,) = [c for c in extract(written) if c.key]
    if intended:
        c = c.__class__(**{**c.__dict__, "intended": intended})
    found = validity_findings([c], registry, own_key="12/KH-UBND", own_date=plan_date)
    assert [f.code for f in found] == codes
    assert all(f.key == "56/2015/TT-BCT" for f in found)
