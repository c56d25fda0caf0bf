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
    # the finding links the registry's page of the document: what repealed it, from when
    app = client(create_app(db))
    repealed = app.get("/registry?key=56/2015/TT-BCT").text.split("<h2>", 2)[1]
    assert '<a href="/registry?key=61/2025/TT-BCT">61/2025/TT-BCT</a></td><td>bãi bỏ toàn bộ</td><td>2025-12-02</td>' in repealed
    assert "<td>bãi bỏ một phần</td>" in app.get("/registry?key=21/2017/TT-BCT").text.split("<h2>", 2)[1]
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


# What an acting document says (as real texts word it), a plan citing the document acted upon, and the
# findings the linter must raise on that plan: (code, key, severity, the acting document named).
PLAN_HEAD = "ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN\nSố: 35/KH-UBND\nHưng Yên, ngày 10 tháng 3 năm 2026\n\nKẾ HOẠCH\n"
ACTS = [
    # amended: information naming the amending decree
    ("Số: 116/2024/NĐ-CP\nHà Nội, ngày 17 tháng 9 năm 2024\nNGHỊ ĐỊNH\nSửa đổi, bổ sung một số điều của Nghị định "
     "số 138/2020/NĐ-CP ngày 27 tháng 11 năm 2020 của Chính phủ quy định về tuyển dụng, sử dụng và quản lý công chức",
     "Căn cứ Nghị định số 138/2020/NĐ-CP ngày 27/11/2020 của Chính phủ quy định về tuyển dụng công chức;",
     [("amended_document", "138/2020/NĐ-CP", "info", "116/2024/NĐ-CP ngày 17/09/2024")]),
    # replaced in whole: the document is no longer in force, the finding names what replaced it
    ("Số: 1610/QĐ-TTPVHCC\nHà Nội, ngày 05 tháng 6 năm 2025\nQUYẾT ĐỊNH\nĐiều 3. Quyết định này có hiệu lực kể từ "
     "ngày ký, thay thế Quyết định số 1234/QĐ-TTPVHCC ngày 02 tháng 4 năm 2025 của Trung tâm.",
     "Thực hiện Quyết định số 1234/QĐ-TTPVHCC ngày 02/4/2025 của Trung tâm Phục vụ hành chính công;",
     [("repealed_document", "1234/QĐ-TTPVHCC", "warning", "1610/QĐ-TTPVHCC ngày 05/06/2025")]),
    # a repeal that takes effect after the plan's date: the plan cited a document then in force
    ("Số: 16/2024/TT-BCA\nHà Nội, ngày 15 tháng 5 năm 2024\nTHÔNG TƯ\nĐiều 9. Thông tư này có hiệu lực thi hành "
     "kể từ ngày 01 tháng 7 năm 2026. Thông tư số 06/2021/TT-BCA ngày 21 tháng 01 năm 2021 của Bộ trưởng Bộ "
     "Công an hết hiệu lực kể từ ngày Thông tư này có hiệu lực thi hành.",
     "Căn cứ Thông tư số 06/2021/TT-BCA ngày 21/01/2021 của Bộ trưởng Bộ Công an;",
     []),
]


@pytest.mark.parametrize("acting, citing, wanted", ACTS, ids=["amended", "replaced", "repealed-later"])
def test_learnt_relation_gives_the_validity_finding(acting, citing, wanted):
    from hycompliance.ingest.text import read_text
    from hycompliance.references import extract_plan, lint
    from hycompliance.references.relations import learn
    from hycompliance.structure import build_plan

    _, relations = learn(acting)
    registry = Registry(relations=tuple(relations))
    plan = build_plan(read_text("kh.txt", PLAN_HEAD + citing + "\nI. NHIỆM VỤ\n- Triển khai thực hiện.\n"))
    found = [f for f in lint(plan, extract_plan(plan, registry), registry) if f.code in
             ("repealed_document", "partly_repealed_document", "amended_document")]
    assert [(f.code, f.key, f.severity) for f in found] == [w[:3] for w in wanted]
    for f, w in zip(found, wanted):
        assert w[3] in f.message


def test_a_plan_carrying_out_a_resolution_is_learnt_as_implementing_it():
    from hycompliance.references.relations import learn

    text = ("Số: 987/KH-UBND\nNghệ An, ngày 20 tháng 11 năm 2025\nKẾ HOẠCH\nTriển khai Kế hoạch hành động số "
            "328-KH/TU ngày 24/4/2025 của Ban chấp hành Đảng bộ tỉnh Nghệ An về việc thực hiện Nghị quyết số 57-NQ/TW, "
            "ngày 22/12/2024 của Bộ Chính trị trên địa bàn tỉnh;")
    _, relations = learn(text)
    # the plan states no date it takes effect; the symbol's "/TU" before "ngày 24/4/2025" is not "từ ngày"
    assert [(r.source_key, r.kind, r.target_key, r.effective) for r in relations] == [
        ("987/KH-UBND", "implements", "328-KH/TU", None), ("328-KH/TU", "implements", "57-NQ/TW", "2025-04-24")]


@pytest.mark.parametrize("text, wanted", [
    ("Số: 12/2025/QĐ-UBND\nHưng Yên, ngày 20 tháng 11 năm 2025\nQUYẾT ĐỊNH\nĐiều 3. Bãi bỏ Quyết định số "
     "05/2021/QĐ-UBND ngày 10/3/2021 của UBND tỉnh kể từ ngày 01 tháng 12 năm 2025.",
     ("12/2025/QĐ-UBND", "repeals", "05/2021/QĐ-UBND", "whole", "2025-12-01")),
    ("Số: 80/2025/QĐ-UBND\nĐồng Tháp, ngày 02 tháng 12 năm 2025\nQUYẾT ĐỊNH\nĐiều 2. Quyết định này có hiệu lực "
     "kể từ ngày ký. Bãi bỏ Điều 5 của Quyết định số 15/2025/QĐ-UBND ngày 13/3/2025 của UBND tỉnh.",
     ("80/2025/QĐ-UBND", "repeals", "15/2025/QĐ-UBND", "part", "2025-12-02")),
])
def test_repeal_takes_effect_from_the_date_the_text_gives(text, wanted):
    from hycompliance.references.relations import learn

    (r,) = learn(text)[1]
    assert (r.source_key, r.kind, r.target_key, r.scope, r.effective) == wanted


# Real legal texts as printed (hard-wrapped lines, table cells), and the relations they state: a wrongly
# learnt relation would raise a false "repealed" or name the wrong amending document on every plan.
RELATION_TEXTS = [
    # Quyết định 4422/QĐ-BVHTTDL cites a decree amending another over a hard wrap: the decree amends, not the decision
    ("Số: 4422/QĐ-BVHTTDL\nHà Nội, ngày 21 tháng 11 năm 2025\nQUYẾT ĐỊNH\n- Bảo đảm các điều kiện về\n"
     "phòng, chống cháy nổ và an ninh, trật tự theo quy định tại Nghị định số 96/2016/NĐ-CP ngày 01 tháng 7 năm 2016 của Chính\n"
     "phủ quy định điều kiện về an ninh, trật tự đối với một số ngành, nghề đầu tư\n"
     "kinh doanh có điều kiện và Nghị định số 56/2023/NĐ-CP\n"
     "ngày 24 tháng 7 năm 2023 của Chính phủ sửa đổi, bổ sung một số điều của Nghị định\n"
     "số 96/2016/NĐ-CP ngày 01 tháng 7 năm 2016\n",
     {("56/2023/NĐ-CP", "amends", "96/2016/NĐ-CP", "part")}),
    # Quyết định 1486/QĐ-UBND: the circular closes a cell; the next cell lists procedures "bị bãi bỏ"
    ("Số: 1486/QĐ-UBND\nHà Nội, ngày 20 tháng 11 năm 2025\nQUYẾT ĐỊNH\n- Thông tư số 105/2025/TT-BTC ngày 31/10/2025 "
     "của Bộ Tài chính. | **2. Danh mục thủ tục hành chính bị bãi bỏ** | **STT** | **Mã TTHC** |\n",
     set()),
    # a basis line ("Căn cứ") naming a decree that amends another: the decree's act, never the decision's own
    ("Số: 80/2025/QĐ-UBND\nĐồng Tháp, ngày 02 tháng 12 năm 2025\nQUYẾT ĐỊNH\n*Căn cứ Nghị định số 187/2025/NĐ-CP ngày\n"
     "01/7/2025 của Chính phủ sửa đổi, bổ sung một số điều của Nghị định số\n"
     "78/2025/NĐ-CP ngày 01/4/2025 của Chính phủ quy định chi tiết một số điều;*\n",
     {("187/2025/NĐ-CP", "amends", "78/2025/NĐ-CP", "part")}),
    # replacing a list inside a decision replaces part of it
    ("Số: 3005/QĐ-UBND\nPhú Thọ, ngày 10 tháng 11 năm 2025\nQUYẾT ĐỊNH\nĐiều 3. Quyết định này có hiệu lực kể từ ngày ký, "
     "thay thế Danh mục TTHC có số thứ tự 01,02 lĩnh vực Tổ chức cán bộ tại Quyết định số 1740/QĐ-UBND ngày 30/6/2025 "
     "của Chủ tịch UBND tỉnh.\n",
     {("3005/QĐ-UBND", "replaces", "1740/QĐ-UBND", "part")}),
]


@pytest.mark.parametrize("text, wanted", RELATION_TEXTS, ids=["wrapped-subject", "table-cell", "basis", "list"])
def test_relations_stated_by_real_texts(text, wanted):
    from hycompliance.references.relations import learn

    got = {(r.source_key, r.kind, r.target_key, r.scope) for r in learn(text)[1] if r.kind != "implements"}
    assert got == wanted
