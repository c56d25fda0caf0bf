"""Duties become matrix cells for the children they bind: a ward's plan against Hà Tĩnh 624/KH-UBND is scored
on the duties of "Ủy ban nhân dân các xã, phường" (V.10.*); the duties of the departments, the Front and the
"các sở" group are cells that do not apply to it (shown n/a, outside the coverage percent). Expected values
are read from the parent's printed section V and the labelled ward plan (tests/fixtures/parents)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hycompliance.coverage import coverage, verdict
from hycompliance.pipeline import analyze, load_context
from tests.conftest import REAL

SETS = Path(__file__).parent / "fixtures" / "parents"

# Hà Tĩnh 624 section V: V.1.a-đ Sở Giáo dục và Đào tạo, V.2.a-c Sở Nội vụ, V.3 Sở Y tế, V.4 Sở Tài chính,
# V.5 Sở Văn hóa, Thể thao và Du lịch, V.6.a-b Sở Xây dựng, V.7 Sở Nông nghiệp và Môi trường, V.8 "Các sở, cơ
# quan trực thuộc Sở ...", V.9.a-e Ủy ban Mặt trận Tổ quốc, V.10.a-e (with đ) Ủy ban nhân dân các xã, phường.
WARD_DUTIES = {"V.10.a", "V.10.b", "V.10.c", "V.10.d", "V.10.đ", "V.10.e"}
DEPARTMENT_DUTIES = {"V.1.a", "V.1.b", "V.1.c", "V.1.d", "V.1.đ", "V.8"}
ALL_DUTIES = 26


@pytest.fixture(scope="module")
def context(shared):
    return load_context(REAL / "plans" / "hatinh_kh_624_2025.txt")


@pytest.mark.parametrize(("child", "bound"), [
    ("phuong-thanhsen-kh-2025", WARD_DUTIES),       # UBND phường Thành Sen
    ("sogddt-hatinh-kh-2025", DEPARTMENT_DUTIES),   # Sở Giáo dục và Đào tạo
])
def test_duty_cells_apply_to_the_children_they_bind(context, child, bound):
    result = analyze(SETS / "hatinh-624-KH-UBND-2025" / f"{child}.txt", context)
    duties = [c for c in result.cells if c.kind == "duty"]
    assert len(duties) == ALL_DUTIES
    assert {c.requirement for c in duties if c.applicable} == bound
    # the others are shown as not applicable, whatever the matcher would have said
    others = [c for c in duties if not c.applicable]
    assert {verdict(c.status, c.applicable, None, False) for c in others} == {"n/a"}
    assert all(c.status == "missing" and not c.evidence for c in others)  # never matched


def test_the_ward_is_judged_on_its_duties_and_the_percent_leaves_out_the_rest(context):
    """The ward's plan carries out V.10.a, c, d, đ, e (its gold labels); the percent counts the bound
    duties with the tasks and targets, never the n/a ones."""
    result = analyze(SETS / "hatinh-624-KH-UBND-2025" / "phuong-thanhsen-kh-2025.txt", context)
    cells = {c.requirement: c for c in result.cells}
    found = {r for r in WARD_DUTIES if cells[r].status in ("covered", "partial")}
    assert found & {"V.10.a", "V.10.c", "V.10.d", "V.10.đ", "V.10.e"}  # the matcher judges bound duties
    assert all(cells[r].evidence and cells[r].source == "matcher" for r in found)
    finals = [verdict(c.status, c.applicable, None, False) for c in result.cells if c.kind != "reference"]
    total = coverage(finals)
    assert total.counts["n/a"] >= ALL_DUTIES - len(WARD_DUTIES)
    assert total.applicable == sum(1 for c in result.cells if c.kind != "reference" and c.applicable)


def test_match_shows_the_duties_that_do_not_bind_as_not_applicable(shared):
    """``match`` renders the cell verdict: the 20 duties of other bodies are "Không áp dụng" and left out of
    the counts (26 duties in section V, 6 of them the wards')."""
    from typer.testing import CliRunner

    from hycompliance.cli import _load_commands
    from hycompliance.cli.app import app

    _load_commands()
    child = SETS / "hatinh-624-KH-UBND-2025" / "phuong-thanhsen-kh-2025.txt"
    result = CliRunner().invoke(app, ["match", str(REAL / "plans" / "hatinh_kh_624_2025.txt"), str(child)],
                                env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    summary = result.output.strip().splitlines()[-1]
    assert f"Không áp dụng: {ALL_DUTIES - len(WARD_DUTIES)}" in summary
    applicable = int(summary.split("/")[1].split()[0])
    assert applicable == 60 - (ALL_DUTIES - len(WARD_DUTIES))  # 27 tasks + 7 targets + 26 duties, less n/a
