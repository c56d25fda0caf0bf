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

from tests.conftest import DEV, REAL, ROOT, SHARED

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


# --- what is scored comes from each gold set's manifest and catalogue ------------------------------------

WARD_CATALOGUE = """source: bct_nq_57_2024.txt
requirements:
  - {id: III.1.2, kind: task, text_start: Đổi mới tư duy}
  - {id: III.5.1, kind: task, text_start: Đưa toàn bộ hoạt động}
  - {id: II.1.2, kind: target, text_start: Tiềm lực}
  - {id: IV.3, kind: duty, agency: Đảng đoàn Quốc hội, text_start: Đảng đoàn Quốc hội}
  - {id: III.9.9, kind: task, text_start: a task the tool's catalogue does not have}
"""


@pytest.mark.parametrize(("manifest", "expected"), [
    # the hand-counted catalogue's IDs of the default kinds (task, subtask, target): not the duty
    ("parent: {parent}\ncatalogue: cat.yaml\n", {"III.1.2", "III.5.1", "II.1.2", "III.9.9"}),
    # scored_kinds narrows or widens what is scored; a duty only for the plans it binds (binds:)
    ("parent: {parent}\ncatalogue: cat.yaml\nscored_kinds: [target]\n", {"II.1.2"}),
    ("parent: {parent}\ncatalogue: cat.yaml\nscored_kinds: [target, duty]\nbinds:\n  ward: [IV.3]\n",
     {"II.1.2", "IV.3"}),
    ("parent: {parent}\ncatalogue: cat.yaml\nscored_kinds: [target, duty]\nbinds:\n  other: [IV.3]\n", {"II.1.2"}),
    # binds: without duty among the scored kinds scores no duty
    ("parent: {parent}\ncatalogue: cat.yaml\nbinds:\n  ward: [IV.3]\n", {"III.1.2", "III.5.1", "II.1.2", "III.9.9"}),
])
def test_scored_ids_come_from_the_manifest_catalogue(tmp_path, manifest, expected):
    from hycompliance.evaluate import scored_ids

    (tmp_path / "cat.yaml").write_text(WARD_CATALOGUE, encoding="utf-8")
    (tmp_path / "manifest.yaml").write_text(manifest.format(parent=RESOLUTION_57), encoding="utf-8")
    assert scored_ids(tmp_path, [], "ward") == expected


@pytest.mark.parametrize(("gold_set", "count"), [
    # counts: lines of the hand counts (task + subtask + target), read from the printed plans
    ("57-NQ-TW", 23 + 0 + 5),
    ("hatinh-624-KH-UBND-2025", 27 + 0 + 7),
    ("dongthap-556-KH-UBND-2025", 40 + 5 + 1),
])
def test_real_parent_sets_score_their_own_ids(gold_set, count):
    from hycompliance.evaluate import scored_ids

    directory = Path(__file__).parent / "fixtures" / "parents" / gold_set
    ids = scored_ids(directory, [])
    assert len(ids) == count
    assert not any(i.startswith("IV.") and gold_set == "57-NQ-TW" for i in ids)  # its duties (IV.*) are not scored


def test_without_a_catalogue_the_parents_own_ids_of_the_scored_kinds_are_scored(tmp_path):
    """The dev set against 87/KH-UBND has no manifest: what is scored are the corpus README's III.g.n,
    III.g.n.k and II.2.* IDs (its rule, written out here), which are the parent's tasks, sub-tasks and targets."""
    import re

    from hycompliance.evaluate import scored_ids
    from hycompliance.requirements import build_catalogue

    catalogue = build_catalogue(text_reader(PROVINCIAL))
    readme_rule = re.compile(r"^(?:III\.\d+\.\d+(?:\.\d+)?|II\.2\.\d+(?:\.\d+)?)$")
    assert scored_ids(tmp_path, catalogue) == {r.id for r in catalogue if readme_rule.match(r.id)}
    assert len(scored_ids(tmp_path, catalogue)) == 69


def test_a_scored_id_missing_from_the_tools_catalogue_is_a_miss(tmp_path, gold_dirs):
    """The ward's gold covers III.1.2, III.5.1 and (added here) III.9.9, which the hand count lists but the
    tool's catalogue of 57-NQ/TW does not have: three positives, III.9.9 necessarily missed."""
    _, ward = gold_dirs
    gold = dict(WARD_GOLD)
    gold["blocks"] = [*WARD_GOLD["blocks"][:-1], {**WARD_GOLD["blocks"][-1], "covers": ["III.9.9"]}]
    (ward / "phuong-kinhbac-kh-2025.json").write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    (ward / "cat.yaml").write_text(WARD_CATALOGUE, encoding="utf-8")
    (ward / "manifest.yaml").write_text(f"parent: {RESOLUTION_57}\ncatalogue: cat.yaml\n", encoding="utf-8")
    report = evaluate(PROVINCIAL, [ward], ("txt",), reader=text_reader)
    row = report.overall("txt", "57-NQ/TW")
    assert row["tp"] + row["fn"] == 3
    assert "III.9.9" in {m["requirement"] for m in report.worst_misses}


def test_a_manifest_catalogue_that_is_missing_is_named(tmp_path):
    from hycompliance.evaluate import scored_ids

    (tmp_path / "manifest.yaml").write_text(f"parent: {RESOLUTION_57}\ncatalogue: nowhere.yaml\n", encoding="utf-8")
    with pytest.raises(HyError) as err:
        scored_ids(tmp_path, [])
    assert "nowhere.yaml" in err.value.line()


def test_duties_a_plan_is_bound_to_are_scored_in_their_own_pass(tmp_path):
    """With duty among the scored kinds, the ward of Hà Tĩnh 624 is scored on the six duties its manifest
    binds it to (V.10.a-e with đ) on top of the tasks and targets, and its report row is one row."""
    source = Path(__file__).parent / "fixtures" / "parents" / "hatinh-624-KH-UBND-2025"
    ward = tmp_path / "ward"
    ward.mkdir()
    for suffix in (".txt", ".json"):
        shutil.copy(source / f"phuong-thanhsen-kh-2025{suffix}", ward / f"phuong-thanhsen-kh-2025{suffix}")
    manifest = (source / "manifest.yaml").read_text(encoding="utf-8")
    (ward / "manifest.yaml").write_text(
        manifest.replace("scored_kinds: [task, subtask, target]", "scored_kinds: [task, subtask, target, duty]")
        .replace("parent: ../shared", f"parent: {SHARED}").replace("catalogue: tests/", f"catalogue: {ROOT}/tests/"),
        encoding="utf-8")
    with_duties = evaluate(PROVINCIAL, [ward], ("txt",), reader=text_reader)
    (ward / "manifest.yaml").write_text(manifest.replace("parent: ../shared", f"parent: {SHARED}")
                                        .replace("catalogue: tests/", f"catalogue: {ROOT}/tests/"), encoding="utf-8")
    without = evaluate(PROVINCIAL, [ward], ("txt",), reader=text_reader)
    a, b = with_duties.overall("txt", "624/KH-UBND"), without.overall("txt", "624/KH-UBND")
    # the labelled ward covers 5 of its 6 bound duties (V.10.b is not carried out): 5 more positives
    assert (a["tp"] + a["fn"]) - (b["tp"] + b["fn"]) == 5
    assert [r["plan"] for r in with_duties.rows] == ["phuong-thanhsen-kh-2025", "overall"]
