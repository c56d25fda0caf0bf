"""A target is set by a clause that states a figure (hycompliance.features.states_figure): a clause that
states none may share a target's words but is never kept for it.

Real strings from the labelled plans of 57-NQ/TW (Bắc Ninh 144/KH-UBND, Đồng Nai 179/KH-UBND) and the
87/KH-UBND sets; expected values read off the strings by hand."""

from __future__ import annotations

import pytest

from hycompliance.features import pair_features, states_figure
from hycompliance.matching import load_config, score_matrix
from hycompliance.models import Clause, Requirement, Target, TargetValue
from hycompliance.text import load_lexicon, terms


def _unit(text: str, cells: tuple[str, ...] = ()):
    from hycompliance.features import Unit

    kind = "row" if cells else "bullet"
    clause = Clause("u", "", kind, text, 1, 0, len(text), "s", cells)
    return Unit(clause, text, terms(text, load_lexicon()), "", frozenset())


@pytest.mark.parametrize(
    "text, cells, expected",
    [
        # sentences that set a value
        ("Tỷ lệ phủ sóng 5G trên địa bàn đạt 100% dân số.", (), True),
        ("(1) Tỷ trọng kinh tế số đạt tối thiểu 30% GRDP;", (), True),
        ("Kinh phí chi cho nghiên cứu phát triển (R&D)/GRDP tối thiểu 2%.", (), True),
        # sentences that name a subject, a scheme or a year, and set no value
        ("Đẩy mạnh chuyển đổi số trong lĩnh vực văn hóa để phát triển công nghiệp văn hóa, góp phần bảo tồn, sáng "
         "tạo, và lan tỏa giá trị văn hóa, đồng thời tạo động lực tăng trưởng kinh tế.", (), False),
        ("Triển khai Đề án phát triển thanh toán không dùng tiền mặt giai đoạn 2025 - 2030.", (), False),
        ("Triển khai Chương trình phát triển công nghiệp công nghệ số Việt Nam đến 2030, tầm nhìn 2035 theo hướng "
         "dẫn của Bộ Khoa học và Công nghệ.", (), False),
        # rows of a targets table: value cells without a comparator or a "%" of their own
        ("2 | Tỷ trọng CN (không gồm XD) trong tổng GTTT, cuối kỳ | % | 68 | 65",
         ("2", "Tỷ trọng CN (không gồm XD) trong tổng GTTT, cuối kỳ", "%", "68", "65"), True),
        ("Cơ cấu kinh tế (theo GTTT)*: - Nông nghiệp, thủy sản | % | 3,2 | 2,0",
         ("- Nông nghiệp, thủy sản", "%", "3,2", "2,0"), True),
        ("3 | Tỷ lệ đô thị hóa* | % | Trên 50 | Trên 65", ("3", "Tỷ lệ đô thị hóa*", "%", "Trên 50", "Trên 65"), True),
        ("2 | Cơ cấu giá trị tăng thêm: nông nghiệp - công nghiệp, xây dựng - dịch vụ | % | 12 - 55 - 33 | 8 - 57 - 35",
         ("2", "Cơ cấu giá trị tăng thêm: nông nghiệp - công nghiệp, xây dựng - dịch vụ", "%", "12 - 55 - 33",
          "8 - 57 - 35"), True),
        # a row of a task table: its row number and its period are not values
        ("9.2 | Triển khai Đề án phát triển thanh toán không dùng tiền mặt | Ngân hàng Nhà nước Việt nam Chi nhánh "
         "Khu vực II | Các sở, ban, ngành; UBND các phường xã | 2026 - 2030 | Đề án",
         ("9.2", "Triển khai Đề án phát triển thanh toán không dùng tiền mặt",
          "Ngân hàng Nhà nước Việt nam Chi nhánh Khu vực II", "Các sở, ban, ngành; UBND các phường xã", "2026 - 2030",
          "Đề án"), False),
    ],
)
def test_states_figure(text, cells, expected):
    assert states_figure(_unit(text, cells)) is expected


def test_a_target_has_no_candidate_without_a_figure():
    """The target II.1.2 of 57-NQ/TW and two clauses of Đồng Nai's plan that share its words: only the one
    that states a figure is a candidate for the target; the task is a candidate of both."""
    target = Requirement(
        "II.1.2", "target",
        "Quy mô kinh tế số đạt tối thiểu 30% GDP. Khoa học, công nghệ và đổi mới sáng tạo góp phần quan trọng xây "
        "dựng, phát triển giá trị văn hoá, xã hội, con người Việt Nam.",
        target=Target("Quy mô kinh tế số", "% GDP", (TargetValue("2030", "trên", 30.0),)),
    )
    task = Requirement("III.5.2", "task", "Phát triển văn hoá số bảo đảm giữ gìn bản sắc dân tộc.")
    units = [
        _unit("(1) Tỷ trọng kinh tế số đạt tối thiểu 30% GRDP;"),
        _unit("Đẩy mạnh chuyển đổi số trong lĩnh vực văn hóa để phát triển công nghiệp văn hóa, góp phần bảo tồn, "
              "sáng tạo, và lan tỏa giá trị văn hóa, đồng thời tạo động lực tăng trưởng kinh tế."),
    ]
    feats = pair_features([target, task], units, load_lexicon(), (2, 2))
    pairs = {(feats.requirements[i].id, int(j)) for i, j in feats.pairs}
    assert pairs == {("II.1.2", 0), ("III.5.2", 0), ("III.5.2", 1)}
    m = score_matrix(feats, load_config())
    assert m[0, 1] == 0.0  # never retrieved, never scored
