"""Target rows and sentences against the parent's targets: structure rows written on one line, and the
indicator a valued sentence names (a sectoral growth rate is not the province's GRDP growth)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hycompliance.features import Unit, composite_parts, indicator_extra, indicator_leads
from hycompliance.models import Clause, Requirement, Target, TargetValue
from hycompliance.text import load_lexicon


def _row(*cells: str) -> Clause:
    return Clause("II.2.t.2", "2", "row", " | ".join(c for c in cells if c), 1, 0, 0, "II.2.t", tuple(cells))


def _bullet(text: str) -> Clause:
    return Clause("III.2.1", "-", "bullet", text, 1, 0, 0, "III.2")


def _unit(clause: Clause) -> Unit:
    return Unit(clause, clause.text, (), "", frozenset())


def _target(rid: str, indicator: str, unit: str) -> Requirement:
    value = TargetValue(period="2021-2025", comparator="khoảng", value=8.0, high=None, text="Khoảng 8%", unit=None)
    return Requirement(id=rid, kind="target", text=indicator, group="II.2", group_title="Chỉ tiêu cụ thể",
                       target=Target(indicator=indicator, unit=unit, values=(value,)))


@pytest.mark.parametrize(
    "cells, parts",
    [
        # a structure on one row: the whole, then each part under the lead-in
        (("2", "Cơ cấu giá trị tăng thêm: nông nghiệp - công nghiệp, xây dựng - dịch vụ", "%", "12 - 55 - 33",
          "8 - 57 - 35"),
         ["Cơ cấu giá trị tăng thêm", "Cơ cấu giá trị tăng thêm: nông nghiệp",
          "Cơ cấu giá trị tăng thêm: công nghiệp, xây dựng", "Cơ cấu giá trị tăng thêm: dịch vụ"]),
        # no lead-in: the parts alone
        (("", "Nông nghiệp - Công nghiệp, xây dựng - Dịch vụ", "%", "10,5 - 50,2 - 39,3"),
         ["Nông nghiệp", "Công nghiệp, xây dựng", "Dịch vụ"]),
        # a range of two values is not a structure
        (("1", "Tốc độ tăng trưởng giá trị tăng thêm (GTTT) bình quân", "%/năm", "9,0 - 9,5", "Khoảng 9,5"), []),
        # three parts but two values: not read as a structure
        (("3", "Cơ cấu lao động: nông nghiệp - công nghiệp - dịch vụ", "%", "20 - 80", "15 - 85"), []),
        # an ordinary indicator row and a sub-row
        (("4", "Tỷ lệ đô thị hóa, cuối kỳ", "%", "≥ 70", "≥ 80"), []),
        (("", "- Nông nghiệp, thủy sản", "%", "3,2", "2,0"), []),
    ],
)
def test_composite_parts_of_a_structure_row(cells, parts):
    assert composite_parts(_row(*cells)) == parts


@pytest.mark.parametrize(
    "clause, leads",
    [
        # a row: its text up to the first cell with a number
        (_row("1", "Tăng trưởng giá trị tăng thêm bình quân hằng năm", "%", "8,5", "9"),
         ["1 | Tăng trưởng giá trị tăng thêm bình quân hằng năm | % "]),
        (_row("", "Cơ cấu kinh tế (theo GTTT)*: - Nông nghiệp, thủy sản", "%", "3,2", "2,0"),
         ["Cơ cấu kinh tế (theo GTTT)*: - Nông nghiệp, thủy sản | % "]),
        # a structure row: the lead-in and each part
        (_row("2", "Cơ cấu giá trị tăng thêm: nông nghiệp - công nghiệp, xây dựng - dịch vụ", "%", "12 - 55 - 33"),
         ["Cơ cấu giá trị tăng thêm", "Cơ cấu giá trị tăng thêm: nông nghiệp",
          "Cơ cấu giá trị tăng thêm: công nghiệp, xây dựng", "Cơ cấu giá trị tăng thêm: dịch vụ"]),
        # sentences: what comes before the first number of each segment with one
        (_bullet("Thu NSNN trên địa bàn tăng b/q 10%/năm."), ["Thu NSNN trên địa bàn tăng b/q "]),
        (_bullet("Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng tăng bình quân 11 - 12%/năm; kim ngạch "
                 "xuất khẩu tăng bình quân 8 - 10%/năm."),
         ["Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng tăng bình quân ",
          "kim ngạch xuất khẩu tăng bình quân "]),
        (_bullet("Thực hiện tốt các chính sách, pháp luật trong lĩnh vực văn hóa, thể thao và du lịch."), []),
    ],
)
def test_indicator_leads(clause, leads):
    assert indicator_leads(_unit(clause), load_lexicon()) == leads


GRDP_GROWTH = _target("II.2.1", "Tốc độ tăng trưởng bình quân GRDP", "%/năm")
SERVICES = _target("II.2.8", "Tỷ trọng khu vực dịch vụ trong GRDP", "%")


@pytest.mark.parametrize(
    "target, clause, extra",
    [
        # the province's indicator in the district's words (GRDP = giá trị tăng thêm): only "hằng" is not named
        # (words: tăng trưởng, giá trị, tăng, thêm, bình quân, hằng)
        (GRDP_GROWTH, _row("1", "Tăng trưởng giá trị tăng thêm bình quân hằng năm", "%", "8,5", "9"), 1 / 6),
        (GRDP_GROWTH, _bullet("Tốc độ tăng trưởng kinh tế (giá trị tăng thêm) bình quân giai đoạn 2021-2025 đạt "
                              "khoảng 8%/năm."), 1 / 7),  # kinh tế
        # other indicators that also grow by a %/năm: budget revenue (thu, ngân sách, nhà nước of thu, ngân
        # sách, nhà nước, tăng, bình quân), sectoral output (the segmenter reads "tăng giá trị" as one word:
        # tăng giá trị, sản xuất, nông nghiệp of tốc độ, tăng giá trị, sản xuất, nông nghiệp, bình quân)
        (GRDP_GROWTH, _bullet("Thu NSNN trên địa bàn tăng b/q 10%/năm."), 3 / 5),
        (GRDP_GROWTH, _bullet("Tốc độ tăng giá trị sản xuất nông nghiệp bình quân 2,5 - 3%/năm."), 3 / 5),
        # two segments with values: the closer one counts (kim ngạch, xuất khẩu of 4 words)
        (GRDP_GROWTH, _bullet("Tổng mức bán lẻ hàng hóa và doanh thu dịch vụ tiêu dùng tăng bình quân 11 - "
                              "12%/năm; kim ngạch xuất khẩu tăng bình quân 8 - 10%/năm."), 2 / 4),
        # a structure row: its service part names the service share exactly
        (SERVICES, _row("2", "Cơ cấu giá trị tăng thêm: nông nghiệp - công nghiệp, xây dựng - dịch vụ", "%",
                        "12 - 55 - 33"), 1 / 5),  # "cơ cấu" of cơ cấu, giá trị, tăng, thêm, dịch vụ
        # no value, or the value first: nothing to compare
        (GRDP_GROWTH, _bullet("Thực hiện tốt các chính sách, pháp luật trong lĩnh vực văn hóa, thể thao và du lịch."), 0.0),
        (SERVICES, _bullet("100% thủ tục hành chính đủ điều kiện được cung cấp dịch vụ công trực tuyến toàn trình."), 0.0),
    ],
)
def test_indicator_extra_is_the_share_of_the_clause_indicator_the_target_does_not_name(target, clause, extra):
    got = indicator_extra([target], [_unit(clause)], load_lexicon(), {})  # every word weighing the same
    assert got[0, 0] == pytest.approx(extra)


def test_indicator_extra_is_zero_for_tasks():
    task = Requirement(id="III.7.8", kind="task", text="Tiếp tục đa dạng hóa các hình thức huy động và sử dụng nguồn lực")
    got = indicator_extra([task], [_unit(_bullet("Thu NSNN trên địa bàn tăng b/q 10%/năm."))], load_lexicon(), {})
    assert got.tolist() == [[0.0]]


@pytest.fixture(scope="module")
def anthi():
    from hycompliance.evaluate import text_reader
    from hycompliance.matching import match_plan
    from hycompliance.requirements import build_catalogue
    from tests.conftest import PROVINCIAL

    catalogue = build_catalogue(text_reader(PROVINCIAL.with_suffix(".txt")))
    plan = text_reader(Path(__file__).parent / "fixtures" / "styles" / "anthi-kh-2023.txt")
    return plan, match_plan(plan, catalogue)


@pytest.mark.parametrize(
    "start, rids",
    [
        # the structure row sets the structure (II.2.2), the industry and construction share (II.2.2.2) and the
        # service share (II.2.2.3, printed again as II.2.8); before the row was compared per part it gave only
        # the service share. (Its agriculture share, II.2.2.1, is still missed: "Cơ cấu giá trị tăng thêm: nông
        # nghiệp" resembles the whole structure "Cơ cấu kinh tế" more than "Nông nghiệp, thủy sản".)
        ("2 | Cơ cấu giá trị tăng thêm", {"II.2.2", "II.2.2.2", "II.2.2.3", "II.2.8"}),
        # an ordinary row: the one indicator
        ("1 | Tăng trưởng giá trị tăng thêm bình quân", {"II.2.1"}),
    ],
)
def test_target_rows_of_a_district_table(anthi, start, rids):
    plan, matches = anthi
    row = next(c for c in plan.clauses if c.text.startswith(start)).id
    addressed = {m.requirement for m in matches if any(e.clause == row for e in m.evidence)}
    assert addressed >= rids
    assert all(r.startswith("II.2.") for r in addressed)  # no task claims a target row

