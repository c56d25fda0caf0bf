"""The provincial plan's requirement catalogue: exact counts, parsed targets, deadlines, agencies, YAML merge."""

from __future__ import annotations

import pytest
import yaml

from hycompliance.ingest.text import read_text
from hycompliance.models import Plan
from hycompliance.requirements import (
    build_catalogue,
    equivalent_targets,
    find_deadline,
    load_catalogue,
    parse_number,
    parse_value,
    reference_requirements,
    write_catalogue,
)
from hycompliance.structure import build_plan
from tests.conftest import PROVINCIAL


@pytest.fixture(scope="module")
def provincial() -> Plan:
    path = PROVINCIAL.with_suffix(".txt")
    return build_plan(read_text(str(path), path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def catalogue(provincial):
    return build_catalogue(provincial)


def test_counts(catalogue):
    kinds = [r.kind for r in catalogue]
    assert (kinds.count("task"), kinds.count("subtask"), kinds.count("target"), kinds.count("duty")) == (53, 3, 13, 20)
    assert [r.id for r in catalogue if r.kind == "subtask"] == ["III.7.1.1", "III.7.1.2", "III.7.1.3"]


TARGETS = [
    # id, indicator, unit, (comparator, value, high) for 2021-2025 and 2026-2030
    ("II.2.1", "Tốc độ tăng trưởng bình quân GRDP", "%/năm", ("khoảng", 8.0, None), ("khoảng", 9.0, None)),
    ("II.2.2", "Cơ cấu kinh tế", "% GRDP", ("đạt", 100.0, None), ("đạt", 100.0, None)),
    ("II.2.2.1", "Cơ cấu kinh tế: Nông nghiệp, thủy sản", "% GRDP", ("đạt", 6.0, None), ("đạt", 3.6, None)),
    ("II.2.2.2", "Cơ cấu kinh tế: Công nghiệp, xây dựng", "% GRDP", ("đạt", 66.0, None), ("đạt", 64.1, None)),
    ("II.2.2.3", "Cơ cấu kinh tế: Dịch vụ", "% GRDP", ("đạt", 28.0, None), ("đạt", 32.3, None)),
    ("II.2.3", "GRDP bình quân đầu người", "USD", ("đạt", 5100.0, None), ("đạt", 8550.0, None)),
    ("II.2.4", "Tỷ lệ đô thị hóa", "%", ("trên", 48.0, None), ("trên", 58.0, None)),
    ("II.2.5", "Đóng góp bình quân của năng suất nhân tố tổng hợp vào tăng trưởng", "%", ("trên", 50.0, None), ("trên", 50.0, None)),
    ("II.2.6", "Tỷ trọng ngành công nghiệp trong GRDP", "%", ("đạt", 60.0, None), ("đạt", 58.0, None)),
    ("II.2.7", "Tỷ trọng công nghiệp chế biến, chế tạo trong GRDP", "%", ("đạt", 56.0, None), ("đạt", 55.0, None)),
    ("II.2.8", "Tỷ trọng khu vực dịch vụ trong GRDP", "%", ("đạt", 28.0, None), ("đạt", 32.3, None)),
    ("II.2.9", "Tỷ lệ lao động trong nông nghiệp", "%", ("đạt", 19.0, None), ("đạt", 17.0, None)),
    ("II.2.10", "Tỷ lệ lao động qua đào tạo có chứng chỉ, bằng cấp", "%", ("trên", 30.0, None), ("trên", 40.0, None)),
]


@pytest.mark.parametrize("rid, indicator, unit, first, second", TARGETS)
def test_target_rows(catalogue, rid, indicator, unit, first, second):
    req = next(r for r in catalogue if r.id == rid)
    assert req.kind == "target"
    t = req.target
    assert (t.indicator, t.unit) == (indicator, unit)
    assert [(v.period, v.comparator, v.value, v.high) for v in t.values] == [
        ("2021-2025", *first), ("2026-2030", *second),
    ]


def test_same_indicator_printed_twice(catalogue):
    assert equivalent_targets(catalogue) == {"II.2.2.3": ("II.2.8",), "II.2.8": ("II.2.2.3",)}


def test_one_equal_value_makes_no_equivalent_targets():
    """Hà Tĩnh 624's sentence targets all set "100%" by 2035 and share words ("trẻ em", "mầm non"): each is a
    target of its own."""
    from hycompliance.ingest.text import read_text
    from hycompliance.structure import build_plan

    text = """ỦY BAN NHÂN DÂN TỈNH HÀ TĨNH
Số: 624/KH-UBND
Hà Tĩnh, ngày 19 tháng 11 năm 2025

KẾ HOẠCH
Nâng cao chất lượng giáo dục mầm non tại địa bàn đô thị, khu công nghiệp đến năm 2035

II. MỤC TIÊU
2. Mục tiêu cụ thể đến năm 2035
a) Về nuôi dưỡng, chăm sóc, giáo dục trẻ em
- Tại địa bàn đô thị: 100% trẻ em trong cơ sở giáo dục mầm non được nuôi dưỡng, chăm sóc, giáo dục bảo đảm an toàn, đáp ứng yêu cầu theo chương trình giáo dục mầm non phù hợp với điều kiện thực tiễn.
b) Về đội ngũ
- Tại địa bàn đô thị: 100% cán bộ quản lý, giáo viên mầm non và nhân viên trong cơ sở giáo dục mầm non được tiếp cận tài liệu trên nền tảng số.
d) Đối với cha mẹ trẻ em: Phấn đấu 100% cha mẹ trẻ em là công nhân làm việc ở khu công nghiệp được phổ biến kiến thức, kỹ năng nuôi dưỡng, chăm sóc, giáo dục trẻ em.
III. NHIỆM VỤ, GIẢI PHÁP
1. Hoàn thiện cơ chế, chính sách
a) Rà soát, sửa đổi, bổ sung chính sách đặc thù địa phương đối với giáo dục mầm non ở địa bàn khu công nghiệp.
"""
    catalogue = build_catalogue(build_plan(read_text("hatinh.txt", text)))
    targets = [r.id for r in catalogue if r.kind == "target"]
    assert len(targets) == 3
    assert equivalent_targets(catalogue) == {}


@pytest.mark.parametrize(
    "text, expected",
    [("5.100", 5100.0), ("3,6", 3.6), ("64,1", 64.1), ("1.234,5", 1234.5), ("8", 8.0), ("8.550", 8550.0)],
)
def test_vietnamese_numbers(text, expected):
    assert parse_number(text) == expected


CMP = {"khoảng": "khoảng", "trên": "trên", "dưới": "dưới", "≥": "trên", "<": "dưới", "đạt": "đạt"}


@pytest.mark.parametrize(
    "cell, comparator, value, high",
    [
        ("Khoảng 8%", "khoảng", 8.0, None),
        ("Trên 48%", "trên", 48.0, None),
        ("5.100", "đạt", 5100.0, None),
        ("3,6%", "đạt", 3.6, None),
        ("10-11%", "từ", 10.0, 11.0),
        ("9,0 - 9,5", "từ", 9.0, 9.5),
        ("≥ 9,5", "trên", 9.5, None),
        ("< 8", "dưới", 8.0, None),
    ],
)
def test_target_values(cell, comparator, value, high):
    v = parse_value("2021-2025", cell, CMP)
    assert (v.comparator, v.value, v.high, v.text) == (comparator, value, high, cell)


def test_deadline(catalogue):
    by_id = {r.id: r for r in catalogue}
    assert by_id["III.1.1"].deadline == "2023-05-15"
    assert [r.id for r in catalogue if r.deadline] == ["III.1.1"]
    assert find_deadline("hoàn thành chậm nhất ngày 31/7/2023", ["chậm nhất ngày"]) == "2023-07-31"


def test_groups_and_references(catalogue):
    by_id = {r.id: r for r in catalogue}
    assert by_id["III.6.1"].group == "III.6"
    assert by_id["III.6.1"].group_title.startswith("Phát triển kết cấu hạ tầng đồng bộ, hiện đại")
    assert by_id["III.6.1"].references == ("10-NQ/TU",)
    assert by_id["III.3.1"].references == ("07-NQ/TU",)  # printed "07- NQ/TU"
    assert by_id["III.4.1"].references[:3] == ("19-NQ/TW", "09-NQ/TU", "108/KH-UBND")


# Section IV "TỔ CHỨC THỰC HIỆN": the duties of each agency item (its "-" bullets, or the item itself).
DUTIES_87 = [
    ("IV.1.1", "Sở Công Thương", "Sở Công Thương"),
    ("IV.1.2", "Sở Công Thương", "Sở Công Thương"),
    ("IV.2.1", "Sở Khoa học và Công nghệ", "Sở Khoa học và Công nghệ"),
    ("IV.2.3", "Sở Khoa học và Công nghệ", "Sở Khoa học và Công nghệ"),
    ("IV.3.2", "Sở Nông nghiệp và Phát triển nông thôn", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("IV.3-2.1", "Sở Kế hoạch và Đầu tư", "Sở Kế hoạch và Đầu tư"),
    ("IV.4", "Sở Tài chính", "Sở Tài chính"),
    ("IV.5.3", "Sở Tài nguyên và Môi trường", "Sở Tài nguyên và Môi trường"),
    ("IV.6.2", "Sở Giao thông vận tải", "Sở Giao thông vận tải"),
    ("IV.7", "Sở Xây dựng", "Sở Xây dựng"),
    # a collective agency binds by the kind its words name too (sở, ban, ngành: agency; các huyện: district)
    ("IV.8", "Các sở, ban, ngành khác", ("sở, ban, ngành", "agency")),
    ("IV.9.1", "UBND các huyện, thị xã, thành phố", ("UBND cấp huyện", "district")),
    ("IV.11", "Các sở ban, ngành, UBND các huyện, thị xã, thành phố",
     ("UBND cấp huyện", "sở, ban, ngành", "district", "agency")),
]


@pytest.mark.parametrize("rid, agency, binds", DUTIES_87)
def test_duties(catalogue, rid, agency, binds):
    req = next(r for r in catalogue if r.id == rid)
    assert (req.kind, req.agency, req.applies_to) == ("duty", agency, binds if isinstance(binds, tuple) else (binds,))


def test_item_naming_no_agency_is_no_duty(catalogue):
    # IV.10 "Trong quá trình tổ chức thực hiện, kịp thời đề xuất ..." names no acting agency
    assert "IV.10" not in {r.id for r in catalogue}


def test_duty_text_joins_wrapped_heading(catalogue):
    req = next(r for r in catalogue if r.id == "IV.4")
    assert req.text.startswith("Sở Tài chính: Phối hợp với Sở Kế hoạch và Đầu tư tham mưu")


def test_applicability(catalogue):
    by_id = {r.id: r for r in catalogue}
    # every task binds what section IV and the recipients address: communes (successors of the districts
    # since 7/2025; "địa phương"), districts ("UBND các huyện, thành phố") and the sở, ban, ngành
    assert all(r.applies_to[:3] == ("commune", "district", "agency") for r in catalogue if r.kind == "task")
    # the province's targets bind its territories, not its departments
    assert all(r.applies_to == ("commune", "district") for r in catalogue if r.kind == "target")
    assert "cơ quan báo chí, truyền thông" in by_id["III.1.2"].applies_to  # named in the task
    assert "Sở Công Thương" in by_id["III.2.1"].applies_to  # IV.1's duties restate III.2.1


def test_reference_requirements(provincial):
    refs = reference_requirements(provincial)
    ids = [r.id for r in refs]
    assert ids[0] == "87/KH-UBND"
    for key in ("07-NQ/TU", "10-NQ/TU", "108/KH-UBND", "48-KL/TW", "223-KL/TU", "142/KH-UBND"):
        assert key in ids
    assert all(r.kind == "reference" for r in refs)
    assert next(r for r in refs if r.id == "10-NQ/TU").group == "III.6.1"


def test_catalogue_yaml_keeps_reviewer_edits(catalogue, tmp_path):
    path = tmp_path / "87.yaml"
    write_catalogue(catalogue, path)
    assert load_catalogue(path) == catalogue
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    entries[0]["keywords"] = ["GRDP", "tăng trưởng kinh tế"]  # a reviewer's edit
    entries.append({"id": "X.1", "kind": "task", "text": "Nhiệm vụ bổ sung"})  # a reviewer's addition
    path.write_text(yaml.safe_dump(entries, allow_unicode=True, sort_keys=False), encoding="utf-8")
    write_catalogue(catalogue, path)  # regenerate
    again = load_catalogue(path)
    assert again[0].keywords == ("GRDP", "tăng trưởng kinh tế")
    assert again[1:len(catalogue)] == catalogue[1:]
    assert again[-1].id == "X.1"
