"""Recall on the other parents' sets: a task table's merged cell, a figureless sentence beside a target, and
two spellings of one time word. Expected IDs are the hand labels of the fixtures (tests/fixtures/parents)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from hycompliance.evaluate import text_reader
from hycompliance.features import segment_similarity, vectorize
from hycompliance.models import Clause
from hycompliance.text import fold_variants, load_lexicon, make_lexicon, terms, words

PARENTS = Path(__file__).parent / "fixtures" / "parents"
CORPUS = Path(__file__).parents[1] / ".." / "shared" / "corpus" / "real" / "plans"


@pytest.mark.parametrize(
    "text, folded",
    [
        ("Hằng năm tổ chức tập huấn", "hằng năm tổ chức tập huấn"),
        ("hội thảo, tọa đàm về giáo dục cho trẻ em hàng năm.", "hội thảo, tọa đàm về giáo dục cho trẻ em hằng năm."),
        ("báo cáo Hàng quý, hàng tháng", "báo cáo hằng quý, hằng tháng"),
        ("kiểm tra hàng tuần, trực hàng ngày", "kiểm tra hằng tuần, trực hằng ngày"),
        ("xuất khẩu hàng nông sản", "xuất khẩu hàng nông sản"),  # "hàng" (goods) is left alone
        ("hàng năng lượng", "hàng năng lượng"),  # whole words only: "năng" is not "năm"
    ],
)
def test_time_words_are_folded_to_one_spelling(text, folded):
    lex = make_lexicon({}, [], {}, {"hàng năm": "hằng năm", "hàng quý": "hằng quý", "hàng tháng": "hằng tháng",
                                    "hàng tuần": "hằng tuần", "hàng ngày": "hằng ngày"})
    assert fold_variants(text, lex).lower() == folded.lower()


@pytest.mark.parametrize(
    "child, parent",
    [
        # phường Thành Sen 318/KH-UBND against Hà Tĩnh 624/KH-UBND III.3.a.1
        ("Hằng năm tổ chức tập huấn, bồi dưỡng chuyên môn cho cán bộ quản lý, giáo viên",
         "Tổ chức tập huấn, bồi dưỡng chuyên môn, nghiệp vụ; hội thảo, tọa đàm về giáo dục hàng năm."),
        ("Định kỳ hằng quý báo cáo kết quả", "Báo cáo kết quả thực hiện hàng quý"),
    ],
)
def test_both_spellings_share_their_words(child, parent):
    lex = load_lexicon()
    assert "hằng" in set(words(child, lex)) & set(words(parent, lex))


def _unit(text: str, kind: str = "item"):
    from hycompliance.features import Unit

    lex = load_lexicon()
    return Unit(Clause("III.1", "1", kind, text, 1, 0, len(text)), text, terms(text, lex), "", frozenset())


@pytest.mark.parametrize(
    "requirements, clause, segment_best",
    [
        # Hà Tĩnh 624/KH-UBND: target II.2.b.2 shares most words with the sentence's first segment, which states
        # no figure; the task it restates (III.3.a.1) is that segment's best task, III.3.a.2 the second's best.
        (["Tại địa bàn có khu công nghiệp: Phấn đấu 100% cán bộ quản lý, giáo viên mầm non và nhân viên trong cơ "
          "sở giáo dục mầm non được bồi dưỡng nâng cao năng lực chuyên môn, nghiệp vụ hàng năm.",
          "Tổ chức tập huấn, bồi dưỡng chuyên môn, nghiệp vụ; hội thảo, tọa đàm về giáo dục, dinh dưỡng, chăm sóc "
          "sức khỏe và bảo đảm an toàn cho trẻ em hàng năm.",
          "Phát huy vai trò của Cụm chuyên môn cấp tỉnh, vai trò của đội ngũ cốt cán trường mầm non công lập để hỗ "
          "trợ, tư vấn chuyên môn và ứng dụng chuyển đổi số."],
         "Hằng năm tổ chức tập huấn, bồi dưỡng chuyên môn cho cán bộ quản lý, giáo viên, nhân viên mầm non; phát "
         "huy vai trò giáo viên cốt cán của các trường công lập hỗ trợ chuyên môn, ứng dụng chuyển đổi số cho các "
         "nhóm trẻ độc lập, tư thục trên địa bàn.",
         {0, 1, 2}),
        # with its figure the segment restates the target: the target keeps it
        (["Tại địa bàn có khu công nghiệp: Phấn đấu 100% cán bộ quản lý, giáo viên mầm non và nhân viên trong cơ "
          "sở giáo dục mầm non được bồi dưỡng nâng cao năng lực chuyên môn, nghiệp vụ hàng năm.",
          "Tổ chức tập huấn, bồi dưỡng chuyên môn, nghiệp vụ; hội thảo, tọa đàm về giáo dục, dinh dưỡng, chăm sóc "
          "sức khỏe và bảo đảm an toàn cho trẻ em hàng năm."],
         "Hằng năm, 100% cán bộ quản lý, giáo viên, nhân viên mầm non ở địa bàn có khu công nghiệp được bồi dưỡng "
         "chuyên môn, nghiệp vụ.",
         {0}),
    ],
)
def test_a_figureless_segment_keeps_its_best_task(requirements, clause, segment_best):
    lex = load_lexicon()
    is_target = np.array([t.startswith("Tại địa bàn") for t in requirements])
    units = [_unit(clause)]
    v = vectorize([terms(t, lex) for t in requirements], [u.terms for u in units], lex)
    _, gap, _ = segment_similarity(v, units, lex, is_target)
    assert {i for i in range(len(requirements)) if gap[i, 0] >= -1e-9} == segment_best


def test_a_task_row_is_cut_into_segments():
    """A task table's "Nội dung nhiệm vụ" cell merging two tasks with ";" resembles each in one segment."""
    lex = load_lexicon()
    reqs = ["Thực hiện công tác tuyên truyền, phổ biến về sự cần thiết, mục tiêu, nhiệm vụ, giải pháp thực hiện "
            "Chương trình nhằm nâng cao nhận thức, trách nhiệm của các cấp ủy đảng, chính quyền địa phương.",
            "Tuyên truyền, phổ biến kiến thức, kỹ năng nuôi dưỡng, chăm sóc sức khỏe, bảo đảm an toàn và phát triển "
            "toàn diện đối với trẻ em mầm non trên các phương tiện thông tin đại chúng."]
    cell = ("Tuyên truyền sự cần thiết, mục tiêu, giải pháp của Chương trình; phổ biến kiến thức nuôi dưỡng, chăm sóc, "
            "bảo đảm an toàn cho trẻ mầm non trên Báo và Phát thanh, Truyền hình Hà Tĩnh")
    units = [_unit(cell, kind="row")]
    v = vectorize([terms(t, lex) for t in reqs], [u.terms for u in units], lex)
    _, gap, _ = segment_similarity(v, units, lex, np.array([False, False]))
    assert (gap[:, 0] >= -1e-9).tolist() == [True, True]


@pytest.mark.skipif(not (CORPUS / "hatinh_kh_624_2025.txt").exists(), reason="shared corpus not present")
@pytest.mark.parametrize(
    "plan, start, covers",
    [
        # Sở GD&ĐT 2745/KH-SGDĐT, task table rows whose cell merges two of 624's tasks with ";"
        ("sogddt-hatinh-kh-2025", "14 | Tuyên truyền sự cần thiết", {"III.6.a", "III.6.c"}),
        ("sogddt-hatinh-kh-2025", "5 | Tổ chức tập huấn, hội thảo", {"III.3.a.1", "III.3.a.3"}),
        # phường Thành Sen 318/KH-UBND: "Hằng năm tổ chức tập huấn ..." restates III.3.a.1 ("... hàng năm")
        ("phuong-thanhsen-kh-2025", "Hằng năm tổ chức tập huấn", {"III.3.a.1", "III.3.a.2"}),
    ],
)
def test_merged_restatements_of_624_are_found(plan, start, covers):
    from hycompliance.coverage import matching_passes
    from hycompliance.matching import match_plan
    from hycompliance.requirements import build_catalogue

    catalogue = build_catalogue(text_reader(CORPUS / "hatinh_kh_624_2025.txt"))
    child = text_reader(PARENTS / "hatinh-624-KH-UBND-2025" / f"{plan}.txt")
    tasks, _ = matching_passes(catalogue, child)
    clause = next(c for c in child.clauses if c.text.startswith(start)).id
    found = {m.requirement for m in match_plan(child, tasks) if any(e.clause == clause for e in m.evidence)}
    assert covers <= found


@pytest.mark.parametrize(
    "rid, kind, title",
    [
        # Đồng Tháp 556/KH-UBND: a "+" sub-task's group is its group and the lead-in task it completes
        ("III.3.a.3.5", "subtask", "Khai thác, sử dụng bền vững tài nguyên, môi trường biển và hải đảo "
                                   "Ưu tiên bố trí không gian biển cho các hoạt động sau:"),
        ("III.3.a.3", "task", "Khai thác, sử dụng bền vững tài nguyên, môi trường biển và hải đảo"),
        ("III.3.b", "task", "Khai thác, sử dụng bền vững tài nguyên, môi trường biển và hải đảo"),
    ],
)
def test_a_sub_task_is_grouped_under_its_lead_in(rid, kind, title):
    from hycompliance.features import group_titles
    from hycompliance.models import Requirement

    group = "Khai thác, sử dụng bền vững tài nguyên, môi trường biển và hải đảo"
    reqs = [Requirement("III.3.a.3", "task", "Ưu tiên bố trí không gian biển cho các hoạt động sau:", "III.3", group),
            Requirement("III.3.a.3.5", "subtask", "Nghiên cứu, phát triển năng lượng tái tạo (điện gió).", "III.3", group),
            Requirement("III.3.b", "task", "Ưu tiên nguồn lực để đẩy mạnh các hoạt động, mô hình khai thác.", "III.3", group)]
    titles = dict(zip((r.id for r in reqs), group_titles(reqs)))
    assert next(r.kind for r in reqs if r.id == rid) == kind
    assert titles[rid] == title


@pytest.mark.parametrize(
    "start, heading_has",
    [
        # xã Gia Thuận 146/KH-UBND: "+" items under the lead-in "- Ưu tiên bố trí không gian ven biển ..."
        ("Tạo điều kiện để nhà đầu tư khảo sát", "Ưu tiên bố trí không gian ven biển của xã cho các hoạt động:"),
        ("Du lịch sinh thái, trải nghiệm cộng đồng", "Khai thác, sử dụng không gian biển ven bờ"),
    ],
)
def test_a_sub_bullet_is_headed_by_its_lead_in(start, heading_has):
    from hycompliance.matching import load_boilerplate, prepare_units

    plan = text_reader(PARENTS / "dongthap-556-KH-UBND-2025" / "xa-giathuan-kh-2025.txt")
    unit = next(u for u in prepare_units(plan, load_lexicon(), load_boilerplate(), []) if u.text.startswith(start))
    assert heading_has in unit.heading
