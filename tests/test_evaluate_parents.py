"""``eval`` over gold directories labelled against different parents: each directory's manifest names its
parent, the report has rows per parent (and form), and a parent's rows do not change when another parent's
set is pooled with it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hycompliance.cli import _load_commands
from hycompliance.cli.app import app
from hycompliance.errors import HyError
from hycompliance.evaluate import evaluate, gold_parent, text_reader

from tests.conftest import DEV, REAL

PROVINCIAL = Path(__file__).resolve().parents[1] / "corpora" / "87-KH-UBND-2023.txt"
RESOLUTION_57 = REAL / "plans" / "bct_nq_57_2024.txt"
runner = CliRunner()
_load_commands()

# A ward plan implementing Resolution 57-NQ/TW: two bullets restate its tasks III.1.2 (propaganda) and
# III.5.1 (moving the work of the political system onto the digital environment); one is its own.
WARD_TEXT = """UBND TỈNH BẮC NINH                      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM
UBND PHƯỜNG KINH BẮC                    Độc lập - Tự do - Hạnh phúc
Số: 41/KH-UBND                          Kinh Bắc, ngày 12 tháng 3 năm 2025

KẾ HOẠCH
Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị
I. NHIỆM VỤ, GIẢI PHÁP
1. Nâng cao nhận thức
- Xây dựng chương trình tuyên truyền, giáo dục để nâng cao nhận thức của cán bộ, người dân và doanh nghiệp về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số.
2. Chuyển đổi số trong hệ thống chính trị
- Đưa toàn bộ hoạt động của các cơ quan trong hệ thống chính trị của phường lên môi trường số, bảo đảm liên thông, đồng bộ.
- Tổ chức hội thi tìm hiểu lịch sử địa phương cho học sinh.
"""
WARD_GOLD = {
    "doc_id": "phuong-kinhbac-kh-2025", "issuer": "UBND phường Kinh Bắc", "kind": "commune", "number": "41/KH-UBND",
    "date": "2025-03-12", "title": "Thực hiện Nghị quyết số 57-NQ/TW",
    "blocks": [
        {"type": "heading", "label": "I.", "text": "NHIỆM VỤ, GIẢI PHÁP", "covers": []},
        {"type": "heading", "label": "1.", "text": "Nâng cao nhận thức", "covers": []},
        {"type": "bullet", "label": "-", "covers": ["III.1.2"], "text": (
            "Xây dựng chương trình tuyên truyền, giáo dục để nâng cao nhận thức của cán bộ, người dân và doanh "
            "nghiệp về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số.")},
        {"type": "heading", "label": "2.", "text": "Chuyển đổi số trong hệ thống chính trị", "covers": []},
        {"type": "bullet", "label": "-", "covers": ["III.5.1"], "text": (
            "Đưa toàn bộ hoạt động của các cơ quan trong hệ thống chính trị của phường lên môi trường số, bảo đảm "
            "liên thông, đồng bộ.")},
        {"type": "bullet", "label": "-", "covers": [], "text": "Tổ chức hội thi tìm hiểu lịch sử địa phương cho học sinh."},
    ],
    "references": [], "planted_errors": [],
}


@pytest.fixture()
def gold_dirs(tmp_path, shared):
    """A gold directory against 57-NQ/TW (its manifest names the parent) and one without a manifest."""
    ward = tmp_path / "ward-57"
    ward.mkdir()
    (ward / "phuong-kinhbac-kh-2025.txt").write_text(WARD_TEXT, encoding="utf-8")
    (ward / "phuong-kinhbac-kh-2025.json").write_text(json.dumps(WARD_GOLD, ensure_ascii=False), encoding="utf-8")
    (ward / "manifest.yaml").write_text(f"parent: {RESOLUTION_57}\n", encoding="utf-8")
    dev = tmp_path / "dev-87"
    dev.mkdir()
    for suffix in (".json", ".txt"):
        shutil.copy(DEV / f"vanlam-kh-2023{suffix}", dev / f"vanlam-kh-2023{suffix}")
    return dev, ward


def test_one_row_per_parent_and_form(gold_dirs):
    dev, ward = gold_dirs
    report = evaluate(PROVINCIAL, [dev, ward], ("txt",), reader=text_reader)
    assert [(r["parent"], r["plan"]) for r in report.rows] == [
        ("87/KH-UBND", "vanlam-kh-2023"), ("87/KH-UBND", "overall"),
        ("57-NQ/TW", "phuong-kinhbac-kh-2025"), ("57-NQ/TW", "overall"), ("all", "overall")]
    ward_row = report.overall("txt", "57-NQ/TW")
    assert ward_row["tp"] + ward_row["fn"] == 2  # the two tasks the ward's gold says it addresses
    vanlam = json.loads((DEV / "vanlam-kh-2023.json").read_text(encoding="utf-8"))
    positives = {i for b in vanlam["blocks"] for i in (b.get("covers") or []) + [x for row in b.get("row_covers") or []
                                                                                 for x in row]}
    scored = {i for i in positives if i.startswith("III.") and i.count(".") >= 2 or i.startswith("II.2.")}
    assert report.overall("txt", "87/KH-UBND")["tp"] + report.overall("txt", "87/KH-UBND")["fn"] == len(scored)
    together = report.overall("txt")
    assert together["tp"] == ward_row["tp"] + report.overall("txt", "87/KH-UBND")["tp"]
    # pooling another parent's set leaves a parent's own rows as they were
    alone = evaluate(PROVINCIAL, [dev], ("txt",), reader=text_reader)
    assert alone.rows[0] == report.rows[0]
    assert [r["parent"] for r in alone.rows] == ["87/KH-UBND", "87/KH-UBND"]  # no "all" row for one parent


def test_manifest_parent_is_found_or_named_in_the_error(tmp_path):
    assert gold_parent(tmp_path, PROVINCIAL) == PROVINCIAL  # no manifest: the --plan
    (tmp_path / "parent.txt").write_text("KẾ HOẠCH", encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text("parent: parent.txt\n", encoding="utf-8")
    assert gold_parent(tmp_path, PROVINCIAL) == tmp_path / "parent.txt"  # relative to the gold directory
    (tmp_path / "manifest.yaml").write_text("parent: missing.txt\n", encoding="utf-8")
    with pytest.raises(HyError) as err:
        gold_parent(tmp_path, PROVINCIAL)
    assert "missing.txt" in err.value.line() and "manifest.yaml" in err.value.line()


def test_cli_table_names_the_parents(gold_dirs):
    dev, ward = gold_dirs
    result = runner.invoke(app, ["eval", "--plan", str(PROVINCIAL), "--gold", str(dev), "--gold", str(ward), "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["rows"]
    assert sorted({r["parent"] for r in rows}) == ["57-NQ/TW", "87/KH-UBND", "all"]
