"""The nightly scan judges the validity of stored citations again only where it may have changed: the
documents it wrote, or every document once the registry learnt something (a scan, ``registry learn``).
The work is counted (calls of the judgement), and what is stored equals a full refresh."""

from __future__ import annotations

import os

import pytest

from hycompliance.ingest.text import read_text
from hycompliance.references import in_force
from hycompliance.references.learnt import learn_plan
from hycompliance.references.resolve import Registry
from hycompliance.scan import scan
from hycompliance.store import open_db
from hycompliance.structure import build_plan
from tests.conftest_db import PARENT_TXT
from tests.test_references_in_force import CITING, REPEALING

# A second district plan citing the same circulars (another number, another district).
CITING_2 = (CITING.replace("HUYỆN VĂN LÂM", "THỊ XÃ MỸ HÀO").replace("Số: 12/KH-UBND", "Số: 45/KH-UBND")
            .replace("Văn Lâm, ngày 10 tháng 3", "Mỹ Hào, ngày 20 tháng 3"))
# A circular amending the one the plans cite, learnt later through ``registry learn``.
AMENDING = """BỘ CÔNG THƯƠNG
Số: 05/2026/TT-BCT
Hà Nội, ngày 05 tháng 01 năm 2026

THÔNG TƯ
Sửa đổi, bổ sung một số điều của Thông tư số 21/2017/TT-BCT ngày 23 tháng 10 năm 2017 của Bộ trưởng Bộ Công Thương
Điều 1. Sửa đổi, bổ sung một số điều của Thông tư số 21/2017/TT-BCT ngày 23 tháng 10 năm 2017 như sau:
1. Sửa đổi khoản 2 Điều 3.
"""


@pytest.fixture
def judged(monkeypatch):
    """How many documents the scan judged again: each call of the judgement is one document."""
    calls: list[int] = []
    judge = in_force.validity_findings

    def counting(citations, registry, **kw):
        calls.append(len(citations))
        return judge(citations, registry, **kw)

    monkeypatch.setattr(in_force, "validity_findings", counting)
    return calls


def _scan(db, paths):
    return scan(db, PARENT_TXT, paths, workers=1, progress=False, log=open(os.devnull, "w"))


def _validity(db_path) -> set[tuple]:
    db = open_db(db_path)
    try:
        return {(r["name"], r["code"], r["key"], r["message"]) for r in db.query(
            "SELECT d.name, f.code, f.key, f.message FROM findings f JOIN documents d ON d.id = f.document_id "
            "WHERE f.code IN ('repealed_document', 'partly_repealed_document', 'amended_document')")}
    finally:
        db.close()


def test_rescan_judges_only_what_may_have_changed(tmp_path, judged):
    plans, legal = tmp_path / "plans", tmp_path / "legal"
    plans.mkdir(), legal.mkdir()
    (plans / "vanlam_kh_12_2026.txt").write_text(CITING, encoding="utf-8")
    (plans / "myhao_kh_45_2026.txt").write_text(CITING_2, encoding="utf-8")
    (legal / "tt_61_2025.txt").write_text(REPEALING, encoding="utf-8")
    db = tmp_path / "cov.db"

    first = _scan(db, [plans, legal])
    assert (first["scanned"], first["validity_judged"], len(judged)) == (3, 3, 3)
    repealed = {("vanlam_kh_12_2026", "repealed_document"), ("vanlam_kh_12_2026", "partly_repealed_document"),
                ("myhao_kh_45_2026", "repealed_document"), ("myhao_kh_45_2026", "partly_repealed_document")}
    assert {(name, code) for name, code, _, _ in _validity(db)} == repealed

    # nothing changed: nothing read, nothing judged, the findings kept
    judged.clear()
    again = _scan(db, [plans, legal])
    assert (again["scanned"], again["validity_judged"], len(judged), again["validity_findings"]) == (0, 0, 0, 4)
    assert {(name, code) for name, code, _, _ in _validity(db)} == repealed

    # one plan edited (no new relation): only that plan is judged again
    judged.clear()
    (plans / "myhao_kh_45_2026.txt").write_text(CITING_2 + "- Tổ chức hội chợ hàng công nghiệp nông thôn.\n",
                                                 encoding="utf-8")
    edited = _scan(db, [plans, legal])
    assert (edited["scanned"], edited["validity_judged"], len(judged)) == (1, 1, 1)
    assert {(name, code) for name, code, _, _ in _validity(db)} == repealed

    # the registry learns an amendment outside a scan (``registry learn``): the next scan judges every document
    conn = open_db(db)
    try:
        learn_plan(conn, build_plan(read_text("tt_05_2026.txt", AMENDING)), str(tmp_path / "tt_05_2026.txt"))
    finally:
        conn.close()
    judged.clear()
    learnt = _scan(db, [plans, legal])
    assert (learnt["scanned"], learnt["validity_judged"], len(judged)) == (0, 3, 3)
    amended = {(name, code) for name, code, _, _ in _validity(db)} - repealed
    assert amended == {("vanlam_kh_12_2026", "amended_document"), ("myhao_kh_45_2026", "amended_document")}
    assert learnt["validity_findings"] == 6

    # what the incremental scans stored is what judging every document afresh stores
    incremental = _validity(db)
    conn = open_db(db)
    try:
        conn.execute("UPDATE documents SET validity_registry = NULL")
        conn.commit()
        (plan_id,) = {r["plan_id"] for r in conn.query("SELECT plan_id FROM documents")}
        full = in_force.refresh_validity(conn, plan_id, Registry())
    finally:
        conn.close()
    assert (full.judged, full.findings) == (3, 6)
    assert _validity(db) == incremental


def test_stamp_follows_what_the_judgement_reads():
    from hycompliance.references.relations import Relation

    repeal = Relation("61/2025/TT-BCT", "2025-12-02", "repeals", "56/2015/TT-BCT", "2015-12-31", "whole", None,
                      "bãi bỏ Thông tư số 56/2015/TT-BCT", "tt61.txt")
    same_elsewhere = Relation(**{**repeal.__dict__, "evidence": "Bãi bỏ Thông tư 56", "origin": "khac.txt"})
    later = Relation(**{**repeal.__dict__, "effective": "2026-01-01"})
    stamp = in_force.registry_stamp
    assert stamp(Registry(relations=(repeal,))) == stamp(Registry(relations=(same_elsewhere,)))
    assert stamp(Registry(relations=(repeal,))) != stamp(Registry(relations=(later,)))
    assert stamp(Registry(relations=(repeal,))) != stamp(Registry())


# What an acting document did to the circular a plan cites, and the sentence the plan's finding says: the
# date the act takes effect is named when known (the act's own date, else when it takes effect), left out
# when the act's text gives none (a web page without its header), never shown as "?".
CITED = "Thông tư số 56/2015/TT-BCT ngày 31/12/2015"
WORDED = [
    (("05/2026/TT-BCT", None, "amends", "part", None),
     "Văn bản 56/2015/TT-BCT đã được sửa đổi, bổ sung bởi 05/2026/TT-BCT."),
    (("05/2026/TT-BCT", "2026-01-05", "amends", "part", None),
     "Văn bản 56/2015/TT-BCT đã được sửa đổi, bổ sung bởi 05/2026/TT-BCT ngày 05/01/2026 (từ ngày 05/01/2026)."),
    (("05/2026/TT-BCT", None, "amends", "part", "2026-02-20"),
     "Văn bản 56/2015/TT-BCT đã được sửa đổi, bổ sung bởi 05/2026/TT-BCT (từ ngày 20/02/2026)."),
    (("61/2025/TT-BCT", None, "repeals", "whole", None),
     "Văn bản 56/2015/TT-BCT đã hết hiệu lực toàn bộ (bãi bỏ hoặc thay thế bởi 61/2025/TT-BCT)."),
    (("61/2025/TT-BCT", None, "replaces", "part", None),
     "Văn bản 56/2015/TT-BCT đã bị bãi bỏ một phần bởi 61/2025/TT-BCT; cần kiểm tra nội dung viện dẫn còn hiệu lực."),
]


@pytest.mark.parametrize("act, sentence", WORDED, ids=["amended-undated", "amended-dated", "amended-effective",
                                                       "repealed-undated", "partly-undated"])
def test_validity_finding_says_its_date_only_when_known(act, sentence):
    from hycompliance.references.extract import extract
    from hycompliance.references.relations import Relation

    source, source_date, kind, scope, effective = act
    relation = Relation(source, source_date, kind, "56/2015/TT-BCT", "2015-12-31", scope, effective, "", "tt.txt")
    (c,) = [c for c in extract(CITED) if c.key]
    (found,) = in_force.validity_findings([c], Registry(relations=(relation,)), own_key="12/KH-UBND",
                                          own_date="2026-03-10")
    assert found.message == sentence
