"""The catalogue of any parent plan, structure by structure, on snippets of real Vietnamese plans.

Each case is a plan text (cut from the real plans in ../shared/corpus/real/plans) and the requirements a
reader finds in it, written by hand: (ID, kind) pairs, agencies, parsed target values.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from hycompliance.catalogue_check import check_catalogue, explain
from hycompliance.derive import Derivation
from hycompliance.errors import Code, HyError
from hycompliance.ingest.text import read_text
from hycompliance.quantities import quantities
from hycompliance.requirements import build_catalogue, derive_rules
from hycompliance.structure import build_plan
from tests.conftest import ROOT

HEAD = "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ\nSố: 153/KH-UBND\nCần Thơ, ngày 17 tháng 11 năm 2025\n\nKẾ HOẠCH\nTriển khai thực hiện Chương trình mục tiêu quốc gia phòng, chống ma túy đến năm 2030\nThực hiện Quyết định số 7619/QĐ-BCA ngày 08 tháng 9 năm 2025 của Bộ Công an, Ủy ban nhân dân thành phố ban hành Kế hoạch như sau:\n"

LETTERED = HEAD + """III. NỘI DUNG, NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM
1. Công tác tham mưu, chỉ đạo triển khai
Đề nghị Ủy ban Mặt trận Tổ quốc Việt Nam thành phố và các tổ chức thành viên lãnh đạo, chỉ đạo triển khai thực hiện Chương trình.
2. Tăng cường hiệu lực, hiệu quả trong chỉ đạo, điều hành và quản lý Nhà nước về công tác phòng, chống ma túy
a) Phát huy vai trò và nâng cao trách nhiệm của cấp ủy Đảng, chính quyền các cấp trong công tác phòng, chống ma túy.
b) Kiện toàn Ban Chỉ đạo các chương trình mục tiêu quốc gia phù hợp với điều kiện thực tế của địa phương.
đ) Tổ chức dạy nghề, tạo việc làm cho người nghiện ma túy, người sau cai nghiện ma túy.
3. Nâng cao chất lượng đội ngũ giáo viên mầm non
a) Về bồi dưỡng chuyên môn:
- Tổ chức tập huấn, bồi dưỡng chuyên môn, nghiệp vụ cho giáo viên.
- Phát huy vai trò của Cụm chuyên môn cấp học mầm non.
8. Thực hiện có trách nhiệm các cam kết quốc tế trong phòng, chống ma túy mà Việt Nam đã ký kết và tham gia.
"""

PARTY = """Nghị quyết số 57-NQ/TW

II- MỤC TIÊU
1. Đến năm 2030
- Đóng góp của năng suất nhân tố tổng hợp (TFP) vào tăng trưởng kinh tế ở mức trên 55%.
- Kinh phí chi cho nghiên cứu phát triển (R&D) đạt 2% GDP, trong đó kinh phí từ xã hội chiếm hơn 60%.
- Quản lý nhà nước từ Trung ương đến địa phương trên môi trường số, kết nối và vận hành thông suốt.
2. Tầm nhìn đến năm 2045
Khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số phát triển vững chắc. Việt Nam có quy mô kinh tế số đạt tối thiểu 50% GDP.
III- NHIỆM VỤ, GIẢI PHÁP
1. Nâng cao nhận thức, đột phá về đổi mới tư duy
- Các cấp uỷ, tổ chức đảng, cán bộ, đảng viên cần nhận thức đầy đủ tầm quan trọng của phát triển khoa học, công nghệ.
7. Tăng cường hợp tác quốc tế trong phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số
Tập trung đẩy mạnh hợp tác nghiên cứu khoa học, phát triển công nghệ với các quốc gia có trình độ khoa học và công nghệ phát triển.
IV- TỔ CHỨC THỰC HIỆN
1. Thành lập Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số.
2. Đảng đoàn Quốc hội lãnh đạo, chỉ đạo rà soát, hoàn thiện pháp luật về phát triển khoa học, công nghệ.
"""

DUTIES = HEAD + """IV. PHÂN CÔNG NHIỆM VỤ
1. Công an thành phố
a) Tham mưu tổ chức thực hiện và giám sát việc thực hiện Chương trình trên địa bàn thành phố.
h) Chủ trì triển khai, thực hiện các nhiệm vụ được giao tại các dự án trong Chương trình, bao gồm:
- Dự án 1: Phòng ngừa, đấu tranh tội phạm về ma túy có tổ chức, xuyên quốc gia.
- Dự án 2: Ứng dụng khoa học và công nghệ trong phòng, chống ma túy.
4. Sở Tư pháp
Thực hiện chức năng thường trực, tham mưu Hội đồng phối hợp phổ biến, giáo dục pháp luật thành phố.
11. Đề nghị Chi cục Hải quan khu vực XIX
a) Tăng cường năng lực, hiệu quả phòng, chống ma túy, kiểm soát các hoạt động hợp pháp liên quan đến ma túy.
IV. TỔ CHỨC THỰC HIỆN
1. Các sở, ban, ngành thành phố và Ủy ban nhân dân xã, phường:
a) Căn cứ chức năng và nhiệm vụ được giao tại Kế hoạch này, xây dựng kế hoạch cụ thể.
2. Giao Công an thành phố có trách nhiệm theo dõi, hướng dẫn, đôn đốc các sở, ban, ngành thành phố.
3. Trong quá trình tổ chức thực hiện, nếu có khó khăn, vướng mắc, kịp thời báo cáo Ủy ban nhân dân thành phố.
"""

FIELDS = HEAD + """II. NỘI DUNG
1. Phổ biến, giáo dục Luật Việc làm và các văn bản quy định chi tiết, hướng dẫn thi hành
- Nội dung thực hiện: Tổ chức phổ biến, giáo dục Luật Việc làm bằng các hình thức phù hợp.
- Cơ quan thực hiện: Sở Nội vụ chủ trì tham mưu Ủy ban nhân dân Thành phố ban hành Kế hoạch.
- Thời gian thực hiện: Năm 2025 và các năm tiếp theo.
"""

APPENDIX = HEAD + """I. MỤC TIÊU
1. Phấn đấu 100% các khu công nghiệp có hệ thống xử lý nước thải tập trung đạt chuẩn.
II. NHIỆM VỤ CỤ THỂ
1. Thực hiện các nhiệm vụ tại Phụ lục kèm theo Kế hoạch này.

PHỤ LỤC I
DANH MỤC CÁC CHỈ TIÊU CỤ THỂ
| TT | Chỉ tiêu | Đơn vị | Kết quả | Cơ quan chủ trì theo dõi, đánh giá |
| I | Đến năm 2030 | | | |
| 10 | Quy mô kinh tế số | % GDP | ≥ 30 | Bộ Thông tin và Truyền thông |
| 11 | Chỉ tiêu về thực hiện thủ tục hành chính, dịch vụ công | | | |
| 11.1 | Tỉ lệ sử dụng dịch vụ công trực tuyến của người dân và doanh nghiệp | % | ≥ 80 | Văn phòng Chính phủ |

PHỤ LỤC II
DANH MỤC CÁC NHIỆM VỤ TRIỂN KHAI CHƯƠNG TRÌNH HÀNH ĐỘNG
| TT | Tên nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Kết quả | Thời gian hoàn thành |
| I. | Nâng cao nhận thức, đột phá về đổi mới tư duy | | | | |
| 1. | Xây dựng chương trình chuyên biệt về khoa học, công nghệ trên truyền hình | VTV, VOV | Bộ Khoa học và Công nghệ | Chương trình | Thường xuyên |
| II. | Khẩn trương, quyết liệt hoàn thiện thể chế | | | | |
| 15. | Dự án Luật Năng lượng nguyên tử (sửa đổi) | Bộ Khoa học và Công nghệ | Các bộ, ngành và địa phương | Luật của Quốc hội | Tháng 10/2025 |

(tiếp theo)
| 16. | Dự án Luật sửa đổi, bổ sung một số điều của Luật Chất lượng sản phẩm, hàng hóa | Bộ Khoa học và Công nghệ | Các bộ, ngành | Luật của Quốc hội | 15/10/2025 |
"""


def catalogue_of(text: str):
    return build_catalogue(build_plan(read_text("plan.txt", text)))


@pytest.mark.parametrize(
    "text, expected",
    [
        # a numbered item with only a paragraph is a task; lettered items under numbered items; a lettered
        # heading's bullets; a numbered item without sub-items
        (LETTERED, [("III.1", "task"), ("III.2.a", "task"), ("III.2.b", "task"), ("III.2.đ", "task"),
                    ("III.3.a.1", "task"), ("III.3.a.2", "task"), ("III.8", "task")]),
        # Party-style headings; targets as bullets with numbers (not the one without); a task group with a
        # paragraph only; an item creating a body is no duty
        (PARTY, [("II.1.1", "target"), ("II.1.2", "target"), ("II.2", "target"), ("III.1.1", "task"),
                 ("III.7", "task"), ("IV.2", "duty")]),
        # duties per agency, a second "IV." section (IV-2), a heading letter whose bullets are the duties
        (DUTIES, [("IV.1.a", "duty"), ("IV.1.h.1", "duty"), ("IV.1.h.2", "duty"), ("IV.4", "duty"),
                  ("IV.11.a", "duty"), ("IV-2.1.a", "duty"), ("IV-2.2", "duty")]),
        # an item described by field bullets is one task
        (FIELDS, [("II.1", "task")]),
        # appendix tables: target rows (a heading row without a value is none), task rows under group rows,
        # a table continued after a break keeps its header and group
        (APPENDIX, [("I.1", "target"), ("II.1", "task"), ("PL1.I.10", "target"), ("PL1.I.11.1", "target"),
                    ("PL2.I.1", "task"), ("PL2.II.15", "task"), ("PL2.II.16", "task")]),
    ],
    ids=["lettered", "party", "duties", "fields", "appendix"],
)
def test_requirements_by_structure(text, expected):
    assert [(r.id, r.kind) for r in catalogue_of(text)] == expected


@pytest.mark.parametrize(
    "text, rid, agency",
    [
        (PARTY, "IV.2", "Đảng đoàn Quốc hội"),
        (DUTIES, "IV.1.h.2", "Công an thành phố"),
        (DUTIES, "IV.4", "Sở Tư pháp"),
        (DUTIES, "IV.11.a", "Chi cục Hải quan khu vực XIX"),
        (DUTIES, "IV-2.1.a", "Các sở, ban, ngành thành phố và Ủy ban nhân dân xã, phường"),
        (DUTIES, "IV-2.2", "Công an thành phố"),
        (FIELDS, "II.1", "Sở Nội vụ"),
        (APPENDIX, "PL2.I.1", "VTV, VOV"),
        (APPENDIX, "PL2.II.16", "Bộ Khoa học và Công nghệ"),
    ],
)
def test_agencies(text, rid, agency):
    assert next(r for r in catalogue_of(text) if r.id == rid).agency == agency


@pytest.mark.parametrize(
    "text, rid, values",
    [
        # (period, comparator, value, high) of each value, and the unit of each
        (PARTY, "II.1.1", [("2030", "trên", 55.0, None, "%")]),
        (PARTY, "II.1.2", [("2030", "đạt", 2.0, None, "% GDP"), ("2030", "trên", 60.0, None, "%")]),
        (PARTY, "II.2", [("2045", "trên", 50.0, None, "% GDP")]),
        (APPENDIX, "I.1", [("", "đạt", 100.0, None, "%")]),
        (APPENDIX, "PL1.I.10", [("2030", "trên", 30.0, None, None)]),
    ],
)
def test_target_values(text, rid, values):
    target = next(r for r in catalogue_of(text) if r.id == rid).target
    assert [(v.period, v.comparator, v.value, v.high, v.unit) for v in target.values] == values


def test_table_target_unit_and_task_deadline():
    by_id = {r.id: r for r in catalogue_of(APPENDIX)}
    assert (by_id["PL1.I.10"].target.indicator, by_id["PL1.I.10"].target.unit) == ("Quy mô kinh tế số", "% GDP")
    assert [by_id[i].deadline for i in ("PL2.I.1", "PL2.II.15", "PL2.II.16")] == [None, "2025-10", "2025-10-15"]


@pytest.mark.parametrize(
    "sentence, found",
    [
        ("100% các khu công nghiệp có hệ thống xử lý nước thải tập trung", [("đạt", 100.0, None, "%")]),
        ("mỗi xã có tối thiểu 1 trạm quan trắc môi trường tự động", [("trên", 1.0, None, "trạm")]),
        ("Tỉ lệ đơn đăng ký sáng chế khai thác thương mại đạt 8 - 10%", [("đạt", 8.0, 10.0, "%")]),
        ("Tối thiểu có 5 doanh nghiệp công nghệ số ngang tầm các nước tiên tiến", [("trên", 5.0, None, "doanh nghiệp")]),
        # document numbers, dates, years and bare numbers are not quantities
        ("Thực hiện Nghị quyết số 57-NQ/TW ngày 22/12/2024 giai đoạn 2021-2025 đến năm 2030", []),
        ("Việt Nam thuộc nhóm 3 nước dẫn đầu khu vực; Dự án 7 (Tiểu dự án 2)", []),
    ],
)
def test_quantities_in_sentences(sentence, found):
    cfg = derive_rules()
    assert [(q.comparator, q.value, q.high, q.unit) for q in quantities(sentence, cfg)] == found


@pytest.mark.parametrize(
    "sentence, indicator",
    [
        # the indicator stands before the value
        ("Kinh phí chi cho nghiên cứu phát triển (R&D) đạt 2% GDP, trong đó kinh phí từ xã hội chiếm hơn 60%.",
         "Kinh phí chi cho nghiên cứu phát triển (R&D)"),
        # a label before a colon says where, not what: the measured thing follows the value (Hà Tĩnh 624)
        ("Tại địa bàn đô thị: 100% cán bộ quản lý, giáo viên mầm non và nhân viên trong cơ sở giáo dục mầm non "
         "được tiếp cận tài liệu trên nền tảng số.",
         "Tại địa bàn đô thị: cán bộ quản lý, giáo viên mầm non và nhân viên trong cơ sở giáo dục mầm non được "
         "tiếp cận tài liệu trên nền tảng số"),
        ("Tại địa bàn có khu công nghiệp: Phấn đấu 100% trẻ em từ 06 tháng đến 36 tháng tuổi là con công nhân, "
         "người lao động có nhu cầu được đến trường, lớp.",
         "Tại địa bàn có khu công nghiệp: trẻ em từ 06 tháng đến 36 tháng tuổi là con công nhân"),
        # a lead-in that opens with a scope word, without a colon (Đồng Tháp 556)
        ("ở các khu đô thị ven biển, đảm bảo 100% chất thải nguy hại, chất thải rắn sinh hoạt được phân loại, "
         "thu gom, xử lý",
         "ở các khu đô thị ven biển: chất thải nguy hại, chất thải rắn sinh hoạt được phân loại"),
        # a period before the colon is no label (Đồng Tháp 617)
        ("Đến hết năm 2025: 30% DNNVV, HTX, HKD trên địa bàn Tỉnh ứng dụng công nghệ số.",
         "DNNVV, HTX, HKD trên địa bàn Tỉnh ứng dụng công nghệ số"),
        # a leading value: the list after it is kept whole, not cut at its first comma (Hà Nội 310)
        ("100% các khu công nghệ cao, khu công nghiệp, cụm công nghiệp có tối thiểu 1 trạm phát sóng 5G.",
         "các khu công nghệ cao, khu công nghiệp, cụm công nghiệp có tối thiểu 1 trạm phát sóng 5G"),
        # a paragraph of several clauses measures several things: each clause's indicator (57-NQ/TW II.1)
        ("Đóng góp của năng suất nhân tố tổng hợp (TFP) vào tăng trưởng kinh tế ở mức trên 55%; tỉ trọng xuất "
         "khẩu sản phẩm công nghệ cao trên tổng giá trị hàng hoá xuất khẩu đạt tối thiểu 50%. Quy mô kinh tế số "
         "đạt tối thiểu 30% GDP.",
         "Đóng góp của năng suất nhân tố tổng hợp (TFP) vào tăng trưởng kinh tế; tỉ trọng xuất khẩu sản phẩm "
         "công nghệ cao trên tổng giá trị hàng hóa xuất khẩu; Quy mô kinh tế số"),
        # "tăng thêm" leads to the value and is no indicator
        ("Phấn đấu tăng thêm ít nhất 20% số nhóm trẻ trong cơ sở giáo dục mầm non.",
         "số nhóm trẻ trong cơ sở giáo dục mầm non"),
    ],
)
def test_sentence_target_indicator(sentence, indicator):
    from hycompliance.quantities import sentence_target

    target = sentence_target(sentence, "2030", derive_rules())
    assert target is not None and target.indicator == indicator


DECISION = """ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH
Số: 2820/QĐ-UBND
Thành phố Hồ Chí Minh, ngày 19 tháng 11 năm 2025

QUYẾT ĐỊNH
Ban hành Kế hoạch triển khai Quyết định số 06/QĐ-TTg ngày 02 tháng 01 năm 2025 của Thủ tướng Chính phủ

ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH
Căn cứ Luật Tổ chức chính quyền địa phương số 72/2025/QH15;
QUYẾT ĐỊNH:
Điều 1. Ban hành kèm theo Quyết định này Kế hoạch triển khai Quyết định số 06/QĐ-TTg ngày 02 tháng 01 năm 2025.
Điều 2. Quyết định này có hiệu lực thi hành kể từ ngày ký.
Điều 3. Chánh Văn phòng Ủy ban nhân dân Thành phố, Giám đốc các Sở chịu trách nhiệm thi hành Quyết định này.

{closing}
KẾ HOẠCH
TRIỂN KHAI QUYẾT ĐỊNH SỐ 06/QĐ-TTG NGÀY 02 THÁNG 01 NĂM 2025 CỦA THỦ TƯỚNG CHÍNH PHỦ
(Kèm theo Quyết định số 2820/QĐ-UBND ngày 19 tháng 11 năm 2025 của Ủy ban nhân dân Thành phố)
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
- Quán triệt, triển khai có hiệu quả Quyết định số 06/QĐ-TTg ngày 02 tháng 01 năm 2025 của Thủ tướng Chính phủ.
II. NỘI DUNG THỰC HIỆN
1. Xây dựng hạ tầng công nghệ thông tin
- Xây dựng, nâng cấp hạ tầng công nghệ thông tin của Thành phố đáp ứng an toàn hệ thống thông tin.
- Đầu tư trang thiết bị, máy chủ, hệ thống lưu trữ, công cụ khai thác dữ liệu.
IV. TỔ CHỨC THỰC HIỆN
1. Sở Tài chính (cơ quan chủ trì)
- Chủ trì xây dựng, tổ chức thực hiện, theo dõi, đôn đốc thực hiện Kế hoạch.
"""
CLOSING_LINES = "Nơi nhận:\n- Như Điều 3;\n- Thủ tướng Chính phủ (để b/c);\n- Lưu: VT.\nTM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nPHÓ CHỦ TỊCH\nNguyễn Lộc Hà\n"
CLOSING_TABLE = "Nơi nhận: - Như Điều 3; - Thủ tướng Chính phủ (để b/c); - Lưu: VT. | KT. CHỦ TỊCH PHÓ CHỦ TỊCH Nguyễn Lộc Hà\n"


@pytest.mark.parametrize("closing", [CLOSING_LINES, CLOSING_TABLE], ids=["lines", "table"])
def test_plan_issued_kem_theo_is_read_as_body(closing):
    plan = build_plan(read_text("qd.txt", DECISION.replace("{closing}", closing)))
    tops = [c.id for c in plan.clauses if c.parent is None and c.kind in ("section", "item")]
    assert tops == ["Điều1", "Điều2", "Điều3", "I", "II", "IV"]  # the articles stay apart from the plan's sections
    assert [(r.id, r.kind) for r in build_catalogue(plan)] == [
        ("II.1.1", "task"), ("II.1.2", "task"), ("IV.1.1", "duty"),
    ]
    assert "Nguyễn Lộc Hà" in " ".join(plan.closing.signer)
    assert not any("KẾ HOẠCH" in s for s in plan.closing.signer)
    assert not [w for w in plan.warnings if w.code == "W203"]


# Notes after the signature, as real plans print them, with what the structure stage keeps of each:
# (mark, text) per note, in order. Written by reading the lines, not by running the reader.
NOTES = [
    ("[1] Nghị quyết số 163/2024/QH15 ngày 27/11/2024 của Quốc hội phê duyệt chủ trương đầu tư Chương trình "
     "mục tiêu quốc gia phòng, chống ma túy đến năm 2030.\n",
     [("[1]", "Nghị quyết số 163/2024/QH15 ngày 27/11/2024 của Quốc hội phê duyệt chủ trương đầu tư Chương "
              "trình mục tiêu quốc gia phòng, chống ma túy đến năm 2030.")]),
    ("(1) Kế hoạch số 75/KH- UBND ngày 09/7/2018 của UBND tỉnh Sóc Trăng.\n"
     "(2) Chỉ thị số 27/CTTg ngày 15/7/2024 của Thủ tướng Chính phủ về tăng cường thực hiện công tác dân số\n"
     "trong tình hình mới.\n",
     [("(1)", "Kế hoạch số 75/KH- UBND ngày 09/7/2018 của UBND tỉnh Sóc Trăng."),
      ("(2)", "Chỉ thị số 27/CTTg ngày 15/7/2024 của Thủ tướng Chính phủ về tăng cường thực hiện công tác dân "
              "số trong tình hình mới.")]),
    ("Ghi chú: Số liệu tại mục II tính đến ngày 31/12/2024 theo Báo cáo số 412/BC-UBND của Ủy ban nhân dân "
     "thành phố.\n",
     [("Ghi chú:", "Số liệu tại mục II tính đến ngày 31/12/2024 theo Báo cáo số 412/BC-UBND của Ủy ban nhân "
                   "dân thành phố.")]),
    ("¹ Quyết định số 1745/QĐ-TTg ngày 15/8/2025 của Thủ tướng Chính phủ.\n",
     [("¹", "Quyết định số 1745/QĐ-TTg ngày 15/8/2025 của Thủ tướng Chính phủ.")]),
]


@pytest.mark.parametrize("closing", [CLOSING_LINES, CLOSING_TABLE], ids=["lines", "table"])
@pytest.mark.parametrize("printed, kept", NOTES, ids=["bracket", "parenthesis-wrapped", "ghi-chu", "superscript"])
def test_notes_after_the_signature_are_kept(closing, printed, kept):
    body = HEAD + "II. NHIỆM VỤ\n1. Tuyên truyền\n- Tổ chức tuyên truyền.\n\n"
    plan = build_plan(read_text("kh.txt", body + closing + printed))
    assert [(n.label, n.text) for n in plan.notes] == kept
    assert [n.id for n in plan.notes] == [f"GC{i}" for i in range(1, len(kept) + 1)]
    assert not [w for w in plan.warnings if w.code == "W203"]
    assert all(n.text not in plan.text for n in plan.notes)  # not body: matching never sees them
    assert "Nguyễn Lộc Hà" in " ".join(plan.closing.signer)
    for n in plan.notes:  # their offsets point into the text with notes, where references are read
        assert plan.text_with_notes[n.start : n.end] == n.text
        assert plan.clause_at(n.start + 3) == n


def test_text_after_the_signature_that_cannot_be_placed_is_counted():
    stray = ("Bản sao này được chụp từ bản gốc lưu tại Văn phòng Ủy ban nhân dân thành phố, có giá trị như bản "
             "chính theo quy định của pháp luật.")
    text = HEAD + "II. NHIỆM VỤ\n1. Tuyên truyền\n- Tổ chức tuyên truyền.\n\n" + CLOSING_LINES + stray + "\n"
    plan = build_plan(read_text("kh.txt", text))
    assert [w.message.split()[0] for w in plan.warnings if w.code == "W203"] == [str(len(stray))]
    assert plan.notes == ()


@pytest.mark.parametrize(
    "text, printed, key",
    [("PHỤ LỤC II\nDANH MỤC NHIỆM VỤ\n", "PHỤ LỤC II DANH MỤC NHIỆM VỤ", "PL2"),
     ("Phụ lục số 03\n", "Phụ lục số 03", "PL3"),
     ("PHỤ LỤC\nNHIỆM VỤ CỦA CÁC SỞ, BAN, NGÀNH\n", "PHỤ LỤC NHIỆM VỤ CỦA CÁC SỞ, BAN, NGÀNH", "PL1")],
)
def test_appendix_ids(text, printed, key):
    plan = build_plan(read_text("kh.txt", HEAD + "I. NHIỆM VỤ\n1. Tuyên truyền\n\n" + text))
    appendix = plan.clause(key)
    assert appendix is not None and appendix.parent is None and appendix.text == printed


EMPTY = HEAD + "I. MỤC ĐÍCH, YÊU CẦU\n" + "Các cơ quan quán triệt và nâng cao nhận thức về nhiệm vụ chung của địa phương. " * 40 + "\nII. BỐI CẢNH\n" + "Tình hình chung của thành phố ổn định và có nhiều chuyển biến tích cực trong năm qua. " * 80 + "\n"


def test_empty_catalogue_is_an_error():
    plan = build_plan(read_text("empty.txt", EMPTY))
    with pytest.raises(HyError) as info:
        check_catalogue(plan, build_catalogue(plan), derive_rules())
    assert info.value.code == Code.E309_CATALOGUE_TOO_SMALL


def test_small_catalogue_for_a_long_plan_is_an_error():
    # one task for about 2,500 words of body falls under one per 1,000 words
    text = EMPTY + "III. NHIỆM VỤ\n1. Tuyên truyền sâu rộng Kế hoạch đến cán bộ, công chức.\n"
    plan = build_plan(read_text("small.txt", text))
    assert [r.id for r in build_catalogue(plan)] == ["III.1"]
    with pytest.raises(HyError):
        check_catalogue(plan, build_catalogue(plan), derive_rules())


@pytest.mark.parametrize("command", [["requirements"], ["match", "{plan}", str(ROOT / "corpora" / "examples" / "vanlam-kh-2023.docx")],
                                     ["scan", "--plan", "{plan}", "--db", "{db}", str(ROOT / "corpora" / "examples")]],
                         ids=["requirements", "match", "scan"])
def test_cli_refuses_an_empty_catalogue(tmp_path, command):
    plan = tmp_path / "empty.txt"
    plan.write_text(EMPTY, encoding="utf-8")
    args = [a.format(plan=plan, db=tmp_path / "x.db") for a in command]
    if command == ["requirements"]:
        args.append(str(plan))
    done = subprocess.run([sys.executable, "-m", "hycompliance", *args], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 5  # README "Exit status": the catalogue
    errors = [ln for ln in done.stderr.splitlines() if "E309" in ln]
    assert len(errors) == 1 and errors[0].startswith(f"{plan}: E309")
    assert "Traceback" not in done.stderr


def test_explain_names_the_rule_of_each_requirement():
    plan = build_plan(read_text("kh.txt", DUTIES))
    catalogue = build_catalogue(plan)
    sources = {s.id: s for s in explain(Derivation(plan, derive_rules(), lambda c: ()), catalogue)}
    assert (sources["IV"].cls, sources["IV-2"].cls) == ("duty", "duty")
    assert [(r.id, r.rule) for r in sources["IV"].requirements][:3] == [
        ("IV.1.a", "duty.letter_under_agency_heading"), ("IV.1.h.1", "duty.bullet_under_agency_heading"),
        ("IV.1.h.2", "duty.bullet_under_agency_heading"),
    ]


def test_section_right_after_the_title_is_not_part_of_it():
    text = "ỦY BAN NHÂN DÂN TỈNH ĐỒNG THÁP\nSố: 617/KH-UBND\n\nKẾ HOẠCH\nHỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa\n\nIII. NHIỆM VỤ, GIẢI PHÁP TRỌNG TÂM\n1. Nâng cao nhận thức\n- Tổ chức tuyên truyền về chuyển đổi số.\n"
    plan = build_plan(read_text("kh.txt", text))
    assert plan.header.title == "Kế hoạch hỗ trợ chuyển đổi số cho doanh nghiệp nhỏ và vừa"
    assert [(r.id, r.kind) for r in build_catalogue(plan)] == [("III.1.1", "task")]


SPANNED = HEAD + """II. NHIỆM VỤ
1. Thực hiện các nhiệm vụ tại Phụ lục.

PHỤ LỤC
NHIỆM VỤ CỦA CÁC SỞ, BAN, NGÀNH, PHƯỜNG, XÃ, ĐẶC KHU
TT | Nhiệm vụ | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian dự kiến hoàn thành
II | Xây dựng hạ tầng công nghệ thông tin đảm bảo triển khai Hệ thống thông tin
1 | Xây dựng hạ tầng công nghệ thông tin, trang thiết bị tại Sở Tài chính | Trung tâm Chuyển đổi số Thành phố | Sở Khoa học và Công nghệ | Quý IV/2026
Xây dựng hạ tầng kỹ thuật dự phòng phục vụ triển khai cơ sở dữ liệu quốc gia hoạt động song song | Sở Khoa học và Công nghệ
2 | Đầu tư trang thiết bị hiện đại, công cụ tiện ích | Sở Tài chính | Các sở, ngành | Quý IV/2026
"""


def test_row_without_its_stt_repeats_the_number():
    by_id = {r.id: r for r in catalogue_of(SPANNED)}
    assert [i for i in by_id if i.startswith("PL1")] == ["PL1.II.1", "PL1.II.1-2", "PL1.II.2"]
    assert by_id["PL1.II.1-2"].text.startswith("Xây dựng hạ tầng kỹ thuật dự phòng")
    assert (by_id["PL1.II.1"].agency, by_id["PL1.II.1-2"].agency) == ("Trung tâm Chuyển đổi số Thành phố", "Sở Khoa học và Công nghệ")


TARGET_TABLE = HEAD + """PHỤ LỤC I
DANH MỤC CÁC CHỈ TIÊU CỤ THỂ
| TT | Chỉ tiêu | Đơn vị | Kết quả |
| II | Đến năm 2045 | | |
| 36 | Quy mô kinh tế số | % GDP | ≥ 50 |
| 40 | Tiềm lực, trình độ khoa học, công nghệ và đổi mới sáng tạo | Thứ bậc | Đạt mức tiên tiến ở nhiều lĩnh vực |
| 41 | Tỷ lệ doanh nghiệp công nghệ số tham gia chuỗi cung ứng | % | 20% - 50% |
| 42 | Kinh phí chi cho nghiên cứu phát triển (R&D) | % GDP | 2 |
"""


def test_target_rows_need_a_figure():
    by_id = {r.id: r for r in catalogue_of(TARGET_TABLE)}
    assert list(by_id) == ["PL1.II.36", "PL1.II.41", "PL1.II.42"]  # "Đạt mức tiên tiến" is no figure
    v = by_id["PL1.II.41"].target.values[0]
    assert (v.period, v.value, v.high) == ("2045", 20.0, 50.0)
    assert by_id["PL1.II.42"].text == "Kinh phí chi cho nghiên cứu phát triển (R&D)"  # a unit column: (R&D) stays


@pytest.mark.parametrize(
    "sentence, agency",
    [
        ("Trên cơ sở nội dung Nghị quyết số 57-NQ/TW, các bộ, cơ quan ngang bộ, Ủy ban nhân dân các tỉnh xây dựng chương trình hành động.",
         "các bộ, cơ quan ngang bộ, Ủy ban nhân dân các tỉnh"),
        ("Trong quá trình tổ chức thực hiện, nếu thấy cần sửa đổi, các bộ, ngành, địa phương chủ động đề xuất.",
         "các bộ, ngành, địa phương"),
        ("Trong quá trình tổ chức thực hiện, kịp thời đề xuất các nội dung điều chỉnh, báo cáo UBND tỉnh xem xét.", None),
        ("Trường hợp chậm trễ, không gửi dữ liệu, đơn vị chịu trách nhiệm giải trình.", None),
        ("Báo và Phát thanh, Truyền hình Cần Thơ phối hợp với các sở, ban, ngành.", "Báo và Phát thanh, Truyền hình Cần Thơ"),
        ("Đề nghị: Hiệp hội Doanh nghiệp tỉnh, Hội Nông dân tỉnh tuyên truyền, vận động hội viên.", "Hiệp hội Doanh nghiệp tỉnh, Hội Nông dân tỉnh"),
    ],
)
def test_agency_of_a_duty_sentence(sentence, agency):
    from hycompliance.derive import agency_of

    assert agency_of(sentence, derive_rules()) == agency


def test_bullet_starting_with_a_figure_is_a_bullet():
    text = HEAD + "II. MỤC TIÊU\n2. Mục tiêu cụ thể\nb) Đến năm 2030\n- 100% các dự án đầu tư xây dựng kết cấu hạ tầng mới áp dụng công nghệ BIM.\n- Hình thành hệ sinh thái kết cấu hạ tầng số thông minh.\n"
    catalogue = catalogue_of(text)
    assert [(r.id, r.kind, r.target.values[0].period) for r in catalogue] == [("II.2.b.1", "target", "2030")]


@pytest.mark.parametrize("module", ["quantities", "derive", "target_tables", "structure_closing", "structure_tables"])
def test_doctests(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"hycompliance.{module}"))
    assert result.attempted > 0 and result.failed == 0
