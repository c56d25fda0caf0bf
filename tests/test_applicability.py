"""Applicability by level: a document's kind from its header, a parent's addressees from its own text, and
each requirement binding only those it concerns (departments are not scored on the province's targets)."""

from __future__ import annotations

import pytest

from hycompliance.applicability import addressees, applies, bind_applicability, document_level, parent_level
from hycompliance.models import Clause, Closing, Header, Plan, Requirement, Target
from hycompliance.structure import parse_file

from tests.conftest import REAL

BODY = "\nKẾ HOẠCH\nTriển khai chuyển đổi số\nI. MỤC ĐÍCH, YÊU CẦU\n1. Mục đích\n- Triển khai kịp thời các nhiệm vụ.\n"

# Header lines as the real plans print them (../shared/corpus/real/plans, the dev and style plans).
HEADERS = [
    # centrally-run cities are provinces, not districts
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HÀ NỘI ------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
     "---------------\nSố: 308/KH-UBND | Hà Nội, ngày 17 tháng 11 năm 2025", "province"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ HỒ CHÍ MINH -------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh "
     "phúc ---------------\nSố: 2820/QĐ-UBND | Thành phố Hồ Chí Minh, ngày 19 tháng 11 năm 2025", "province"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ -------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh "
     "phúc ---------------\nSố: 153/KH-UBND | Cần Thơ, ngày 17 tháng 11 năm 2025", "province"),
    ("ỦY BAN NHÂN DÂN TỈNH BẮC NINH ------- | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc "
     "---------------\nSố: 144/KH-UBND | Bắc Ninh, ngày 24 tháng 11 năm 2025", "province"),
    # a city under a province (the province printed above it, or a name that is not a centrally-run city)
    ("UBND TỈNH HƯNG YÊN                      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "UBND THÀNH PHỐ HƯNG YÊN                 Độc lập - Tự do - Hạnh phúc\n"
     "Số: 95/KH-UBND                          Hưng Yên, ngày 10 tháng 7 năm 2023", "district"),
    ("ỦY BAN NHÂN DÂN THÀNH PHỐ BẮC NINH      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Số: 61/KH-UBND                          Bắc Ninh, ngày 02 tháng 6 năm 2023", "district"),
    ("ỦY BAN NHÂN DÂN HUYỆN VĂN LÂM           CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "Số: 112/KH-UBND                         Văn Lâm, ngày 16 tháng 6 năm 2023", "district"),
    ("UBND TỈNH HƯNG YÊN                      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "SỞ CÔNG THƯƠNG                          Độc lập - Tự do - Hạnh phúc\n"
     "Số: 1025/KH-SCT                         Hưng Yên, ngày 12 tháng 6 năm 2023", "agency"),
    ("UBND TỈNH BẮC NINH                      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "UBND XÃ NHƯ QUỲNH                       Độc lập - Tự do - Hạnh phúc\n"
     "Số: 118/KH-UBND                         Như Quỳnh, ngày 15 tháng 9 năm 2025", "commune"),
    ("UBND TỈNH HƯNG YÊN                      CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
     "UBND PHƯỜNG PHỐ HIẾN                    Độc lập - Tự do - Hạnh phúc\n"
     "Số: 212/KH-UBND                         Phố Hiến, ngày 20 tháng 10 năm 2025", "commune"),
    ("ĐẢNG CỘNG SẢN VIỆT NAM\n\nBAN CHẤP HÀNH TRUNG ƯƠNG\nĐẢNG ĐOÀN QUỐC HỘI\n\nSố 3260-KH/ĐĐQH15\n\n"
     "Hà Nội, ngày 10 tháng 01 năm 2025", "party"),
]


@pytest.mark.parametrize("head,kind", HEADERS)
def test_level_from_real_header_lines(tmp_path, head, kind):
    path = tmp_path / "plan.txt"
    path.write_text(head + "\n" + BODY, encoding="utf-8")
    header = parse_file(path).header
    assert document_level(header.issuer, header.parent_issuer) == kind


@pytest.mark.parametrize("issuer,above,kind", [
    ("UBND đặc khu Phú Quốc", None, "commune"),
    ("UBND thành phố Huế", None, "province"),
    ("UBND thành phố Thủ Đức", "UBND thành phố Hồ Chí Minh", "district"),  # a name outside the central list
    ("UBND thành phố Bắc Ninh", "UBND tỉnh Bắc Ninh", "district"),
    ("Bộ Khoa học và Công nghệ", None, "ministry"),
    ("Bộ Chỉ huy Quân sự tỉnh", "UBND tỉnh Nghệ An", "agency"),
    ("Ban Thường vụ Tỉnh ủy", None, "party"),
    ("Tỉnh ủy Đồng Tháp", None, "party"),
    ("UBND tỉnh Hưng Yên Sở Công Thương", None, "agency"),  # both header lines run together: the inner one
    (None, None, None),
])
def test_level_from_issuer(issuer, above, kind):
    assert document_level(issuer, above) == kind


def _plan(text: str, header: Header, recipients: tuple[str, ...] = (), sections: tuple[tuple[str, int], ...] = ()):
    clauses = tuple(Clause(f"S{i}", "", "section", t, 1, start, start + len(t)) for i, (t, start) in enumerate(sections))
    return Plan("p.txt", "txt", header, clauses, text, closing=Closing(recipients=recipients))


PROVINCE = Header(issuer="UBND tỉnh Hà Tĩnh", number="624/KH-UBND", date="2025-11-19")
ASSIGNING = ("I. NHIỆM VỤ\n1. Phát triển hạ tầng số; phối hợp với các bộ, ngành Trung ương.\n"
             "II. TỔ CHỨC THỰC HIỆN\n1. Các sở, ban, ngành chủ trì triển khai.\n"
             "2. Ủy ban nhân dân các xã, phường xây dựng kế hoạch của địa phương.\n")
SECTIONS = (("I. NHIỆM VỤ", 0), ("II. TỔ CHỨC THỰC HIỆN", ASSIGNING.index("II.")))


@pytest.mark.parametrize("plan,expected", [
    # the addressees come from the section that assigns duties, not from the partners named elsewhere
    (_plan(ASSIGNING, PROVINCE, sections=SECTIONS), ("commune", "district", "agency")),
    # the recipients of a plan whose text names no collective
    (_plan("I. NHIỆM VỤ\n1. Phát triển hạ tầng số.\n", PROVINCE,
           recipients=("- Các sở, ban, ngành tỉnh;", "- UBND các huyện, thành phố;")), ("district", "agency")),
    # a national parent's "địa phương" are the provinces
    (_plan("IV- TỔ CHỨC THỰC HIỆN\nCác bộ, ngành, địa phương xây dựng chương trình hành động.",
           Header(number="03/NQ-CP", issuer="Chính phủ"), sections=(("IV- TỔ CHỨC THỰC HIỆN", 0),)),
     ("province", "ministry")),
    # a parent that names nobody: no addressee (its tasks bind everyone)
    (_plan("I. NHIỆM VỤ\n1. Phát triển hạ tầng số.\n", PROVINCE), ()),
])
def test_addressees_from_the_parents_own_text(plan, expected):
    assert addressees(plan) == expected


def test_parent_level_national_by_symbol():
    assert parent_level(_plan("", Header(number="57-NQ/TW"))) == "national"
    assert parent_level(_plan("", PROVINCE)) == "province"


GRDP = Requirement("II.2.1", "target", "Tốc độ tăng trưởng GRDP bình quân", target=Target("GRDP", "%", ()),
                   applies_to=("sở, ban, ngành", "UBND cấp huyện"))
TASK = Requirement("III.1.1", "task", "Sở Công Thương chủ trì phát triển các cụm công nghiệp",
                   applies_to=("sở, ban, ngành", "UBND cấp huyện", "Sở Công Thương"))
COMMUNE_TASK = Requirement("III.1.2", "task", "UBND các xã, phường rà soát quỹ đất", applies_to=())


@pytest.mark.parametrize("requirement,kind,issuer,expected", [
    (GRDP, "agency", "Sở Công Thương", False),  # a department is not scored on the province's GRDP
    (GRDP, "commune", "UBND xã Như Quỳnh", True),
    (TASK, "agency", "Sở Khoa học và Công nghệ", True),
    (TASK, "commune", "UBND phường Phố Hiến", True),
    (TASK, "ministry", "Bộ Công Thương", False),
    (COMMUNE_TASK, "commune", "UBND xã Tân Quang", True),
    (COMMUNE_TASK, None, None, True),  # a document of unknown kind: nothing says it is exempt
])
def test_requirements_bind_whom_the_parent_addresses(requirement, kind, issuer, expected):
    parent = _plan(ASSIGNING, PROVINCE, sections=SECTIONS)  # addresses agencies and communes
    bound = {r.id: r for r in bind_applicability(parent, [GRDP, TASK, COMMUNE_TASK])}
    assert applies(bound[requirement.id], kind, issuer) is expected


def test_binding_lists_kinds_and_named_bodies():
    parent = _plan(ASSIGNING, PROVINCE, sections=SECTIONS)
    grdp, task, commune = bind_applicability(parent, [GRDP, TASK, COMMUNE_TASK])
    assert grdp.applies_to == ("commune", "district")
    assert task.applies_to == ("commune", "district", "agency", "Sở Công Thương")
    assert commune.applies_to == ("commune", "district", "agency")


def test_real_parents_addressees(shared):
    """Hà Tĩnh 624 assigns duties to sở, ngành and communes; Nghệ An 987 (5G in industrial parks) to sở only."""
    assert addressees(parse_file(REAL / "plans" / "hatinh_kh_624_2025.txt"))[:3] == ("commune", "district", "agency")
    assert addressees(parse_file(REAL / "plans" / "nghean_kh_987_2025.txt")) == ("agency",)
