"""Tables drawn with no rules at all are read as tables; text laid out in columns that is no table is not.

The PDFs are drawn here with fpdf2's table API (no borders, cells centred vertically or set at their top,
justified text that wraps inside narrow columns) or with text placed by hand. The expected rows are the cell
texts given to fpdf2, written out below: the reader must give them back, whatever fpdf2 wrapped.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hycompliance.ingest import read

FONTS = Path("/usr/share/fonts/truetype/dejavu")
pytestmark = pytest.mark.skipif(not (FONTS / "DejaVuSerif.ttf").exists(),
                                reason="DejaVu fonts (fonts-dejavu) are not installed")

BEFORE = "Phụ lục: Danh mục nhiệm vụ giao các đơn vị thực hiện Kế hoạch"
AFTER = ("Thủ trưởng các đơn vị căn cứ nhiệm vụ được giao xây dựng kế hoạch chi tiết, tổ chức thực hiện và "
         "báo cáo kết quả về Sở trước ngày 10/12 hằng năm để tổng hợp.")

ASSIGNMENTS = [
    ("STT", "Nội dung", "Cơ quan chủ trì", "Phối hợp", "Thời hạn"),
    ("1", "Tham mưu UBND tỉnh ban hành Quy định quản lý nhiệm vụ khoa học và công nghệ cấp tỉnh theo hướng đặt hàng",
     "Phòng Quản lý Khoa học", "Phòng Kế hoạch - Tài chính; Sở Tài chính", "Quý IV/2023"),
    ("2", "Tổ chức Chợ công nghệ và thiết bị tỉnh", "Phòng Quản lý Công nghệ và Thị trường công nghệ",
     "Sở Công Thương", "Hằng năm"),
    ("3", "Hỗ trợ tối thiểu 10 doanh nghiệp mỗi năm đổi mới công nghệ, áp dụng công cụ cải tiến năng suất",
     "Chi cục Tiêu chuẩn Đo lường Chất lượng", "Sở Công Thương; UBND cấp huyện", "Hằng năm"),
    ("4", "Kiểm tra an toàn bức xạ tại các cơ sở X-quang y tế", "Thanh tra Sở", "Sở Y tế", "Hằng năm"),
    ("5", "Sơ kết 3 năm thực hiện Kế hoạch", "Phòng Kế hoạch - Tài chính", "Các phòng, đơn vị thuộc Sở",
     "Quý IV/2025"),
]
TARGETS = [
    ("TT", "Chỉ tiêu", "Đơn vị tính", "Giai đoạn 2021-2025", "Giai đoạn 2026-2030"),
    ("1", "Tốc độ tăng trưởng giá trị tăng thêm bình quân", "%/năm", "9,0 - 9,5", "Khoảng 9,5"),
    ("2", "Cơ cấu kinh tế (theo giá trị tăng thêm)", "%", "100", "100"),
    ("", "- Nông nghiệp, thủy sản", "%", "3,2", "2,0"),
    ("", "- Công nghiệp, xây dựng", "%", "74,8", "72,0"),
    ("", "- Dịch vụ", "%", "22,0", "26,0"),
    ("3", "Tỷ lệ đô thị hóa", "%", "Trên 50", "Trên 65"),
    ("4", "Tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ", "%", "Trên 35", "Trên 45"),
]


def _table_pdf(path: Path, rows: list[tuple[str, ...]], *, v_align: str) -> Path:
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.add_font("DejaVuSerif", "", FONTS / "DejaVuSerif.ttf")
    pdf.add_font("DejaVuSerif", "B", FONTS / "DejaVuSerif-Bold.ttf")
    pdf.set_font("DejaVuSerif", size=11)
    pdf.add_page()
    pdf.multi_cell(0, 6, BEFORE)
    pdf.ln(2)
    with pdf.table(borders_layout="NONE", v_align=v_align, col_widths=(12, 40, 38, 38, 30), text_align="JUSTIFY",
                   first_row_as_headings=False) as table:
        for cells in rows:
            row = table.row()
            for text in cells:
                row.cell(text)
    pdf.ln(4)
    pdf.multi_cell(0, 6, AFTER, align="J")
    pdf.output(str(path))
    return path


def _fold(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize(
    "rows, v_align",
    [(ASSIGNMENTS, "MIDDLE"), (ASSIGNMENTS, "TOP"), (TARGETS, "MIDDLE"), (TARGETS, "TOP")],
    ids=["assignments-centred", "assignments-top", "targets-centred", "targets-top"],
)
def test_borderless_table_read_as_its_rows(tmp_path: Path, rows, v_align: str) -> None:
    doc = read(str(_table_pdf(tmp_path / "t.pdf", rows, v_align=v_align)))
    tables = [block for block in doc.blocks if block.kind == "table"]
    assert len(tables) == 1
    assert [tuple(_fold(cell) for cell in row) for row in tables[0].rows] == rows
    text = [_fold(block.text) for block in doc.blocks if block.kind != "table"]
    assert text[0] == BEFORE
    assert _fold(" ".join(text[1:])) == AFTER


def _placed_pdf(path: Path, lines: list[list[tuple[float, str]]]) -> Path:
    """One printed line per entry: (x, text) pieces at fixed positions, 15 points apart."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("DejaVuSerif", "", FONTS / "DejaVuSerif.ttf")
    pdf.set_font("DejaVuSerif", size=11)
    pdf.add_page()
    for number, pieces in enumerate(lines):
        for x, text in pieces:
            pdf.text(x, 80 + 15 * number, text)
    pdf.output(str(path))
    return path


# Column-like layouts that are no table: each must come back as plain lines, every word kept.
NOT_TABLES = {
    # numbers at one edge and text beside them: two columns only
    "numbered list, two columns": [
        [(60, "1"), (100, "Tổ chức Ngày hội khởi nghiệp đổi mới sáng tạo tỉnh")],
        [(60, "2"), (100, "Hỗ trợ doanh nghiệp khoa học và công nghệ")],
        [(60, "3"), (100, "Kiểm tra an toàn bức xạ tại các cơ sở X-quang")],
        [(60, "4"), (100, "Sơ kết 3 năm thực hiện Kế hoạch")],
    ],
    # three aligned columns, but the numbers do not count up by one
    "numbers not in sequence": [
        [(60, "2023"), (140, "Sở Khoa học và Công nghệ"), (360, "Hằng năm")],
        [(60, "2025"), (140, "Sở Tài chính"), (360, "Quý IV")],
        [(60, "2030"), (140, "UBND cấp huyện"), (360, "Thường xuyên")],
    ],
    # numbered items with body text between them at the numbers' edge
    "items with text between": [
        [(60, "1"), (100, "Sở Công Thương"), (360, "Hằng năm")],
        [(60, "Chủ trì phối hợp với các sở, ngành liên quan triển khai thực hiện")],
        [(60, "2"), (100, "Sở Tài chính"), (360, "Quý IV")],
        [(60, "Bố trí kinh phí thực hiện các nhiệm vụ theo phân cấp ngân sách")],
        [(60, "3"), (100, "UBND cấp huyện"), (360, "Thường xuyên")],
    ],
    # the quốc hiệu header and the closing: two columns, no numbers
    "header and closing": [
        [(60, "UBND TỈNH HƯNG YÊN"), (300, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")],
        [(60, "SỞ KHOA HỌC VÀ CÔNG NGHỆ"), (330, "Độc lập - Tự do - Hạnh phúc")],
        [(60, "Số: 456/KH-SKHCN"), (300, "Hưng Yên, ngày 09 tháng 6 năm 2023")],
        [(60, "Nơi nhận:"), (360, "GIÁM ĐỐC")],
        [(60, "- UBND tỉnh;"), (360, "Nguyễn Văn A")],
    ],
}


@pytest.mark.parametrize("name", list(NOT_TABLES))
def test_column_layout_that_is_no_table_stays_text(tmp_path: Path, name: str) -> None:
    lines = NOT_TABLES[name]
    doc = read(str(_placed_pdf(tmp_path / "p.pdf", lines)))
    # (a two-column region, as the header's, may be read as a two-cell row: no table of three columns or more)
    assert [block.rows for block in doc.blocks if block.kind == "table" and max(map(len, block.rows)) >= 3] == []
    words = " ".join(block.text for block in doc.blocks if block.kind != "table").split()
    cells = [cell for block in doc.blocks if block.kind == "table" for row in block.rows for cell in row]
    table_words = " ".join(cells).split()
    assert sorted(words + table_words) == sorted(" ".join(text for pieces in lines for _, text in pieces).split())


def test_placed_columns_with_numbers_in_sequence_are_a_table(tmp_path: Path) -> None:
    """The layouts above less what makes them no table (numbers 1, 2, 3 with nothing between them): a table."""
    lines = [
        [(60, "1"), (100, "Sở Công Thương"), (360, "Hằng năm")],
        [(60, "2"), (100, "Sở Tài chính"), (360, "Quý IV")],
        [(60, "3"), (100, "UBND cấp huyện"), (360, "Thường xuyên")],
    ]
    doc = read(str(_placed_pdf(tmp_path / "p.pdf", lines)))
    assert [block.rows for block in doc.blocks if block.kind == "table"] == [(
        ("1", "Sở Công Thương", "Hằng năm"), ("2", "Sở Tài chính", "Quý IV"), ("3", "UBND cấp huyện", "Thường xuyên"),
    )]
