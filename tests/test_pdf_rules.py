"""Tables ruled with horizontal lines only (booktabs, as pandoc/xelatex prints them) are read as tables.

Each PDF is drawn here with fpdf2 at fixed positions: the text and rules are placed by hand, and the expected
rows are written out independently of the reader.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from hycompliance.ingest import read

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
pytestmark = pytest.mark.skipif(not FONT.exists(), reason="DejaVu fonts (fonts-dejavu) are not installed")

LEFT, RIGHT = 60.0, 540.0
COLUMNS = (60.0, 100.0, 300.0, 380.0, 460.0)  # where each column's text begins
STEP = 15.0


def _pdf(path: Path, before: list[str], table: list[tuple[str, ...]], rules: list[int], after: list[str],
         *, rule_span: tuple[float, float] = (LEFT, RIGHT)) -> Path:
    """``table``: one tuple of cell texts per printed line; ``rules``: line indexes above which a rule is
    drawn (len(table) for one under the last line)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_page()
    pdf.add_font("DejaVuSerif", "", str(FONT))
    pdf.set_font("DejaVuSerif", size=11)
    pdf.set_line_width(0.6)
    y = 80.0
    for text in before:
        pdf.text(LEFT, y, text)
        y += STEP
    y += 6
    top = y
    for index, cells in enumerate(table):
        if index in rules:
            pdf.line(rule_span[0], y - 11, rule_span[1], y - 11)
        for x, text in zip(COLUMNS, cells):
            if text:
                pdf.text(x, y, text)
        y += STEP
    if len(table) in rules:
        pdf.line(rule_span[0], y - 11, rule_span[1], y - 11)
    assert y > top
    y += 12
    for text in after:
        pdf.text(LEFT, y, text)
        y += STEP
    pdf.output(str(path))
    return path


BEFORE = ["2. Một số chỉ tiêu chủ yếu"]
AFTER = ["III. NHIỆM VỤ, GIẢI PHÁP", "1. Về phát triển công nghiệp, thương mại - dịch vụ"]
TARGETS = [
    ("TT", "Chỉ tiêu", "ĐVT", "2021-2025", "2026-2030"),
    ("1", "Tăng trưởng GTTT bình quân", "%/năm", "≥ 10", "≥ 9,5"),
    ("", "(giá so sánh 2010)", "", "", ""),
    ("2", "Cơ cấu kinh tế (theo GTTT)", "%", "100", "100"),
    ("", "- Nông nghiệp, thủy sản", "%", "3,2", "2,0"),
    ("", "- Công nghiệp, xây dựng", "%", "74,8", "72,0"),
    ("3", "Tỷ lệ đô thị hóa", "%", "Trên 50", "Trên 65"),
]
# The rows read back: the wrapped "(giá so sánh 2010)" joins its row; rows without a number stay rows.
JOINED = [
    ("TT", "Chỉ tiêu", "ĐVT", "2021-2025", "2026-2030"),
    ("1", "Tăng trưởng GTTT bình quân\n(giá so sánh 2010)", "%/năm", "≥ 10", "≥ 9,5"),
    ("2", "Cơ cấu kinh tế (theo GTTT)", "%", "100", "100"),
    ("", "- Nông nghiệp, thủy sản", "%", "3,2", "2,0"),
    ("", "- Công nghiệp, xây dựng", "%", "74,8", "72,0"),
    ("3", "Tỷ lệ đô thị hóa", "%", "Trên 50", "Trên 65"),
]


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        # booktabs: top rule, rule under the heading, bottom rule
        ([0, 1, len(TARGETS)], JOINED),
        # the table goes on on the next page: no bottom rule on this one
        ([0, 1], JOINED),
    ],
)
def test_rules_only_table_is_a_table(tmp_path: Path, rules: list[int], expected: list[tuple[str, ...]]) -> None:
    after = AFTER if len(TARGETS) in rules else []  # an open table ends the page
    document = read(_pdf(tmp_path / "t.pdf", BEFORE, TARGETS, rules, after))
    tables = [b.rows for b in document.blocks if b.kind == "table"]
    assert tables == [tuple(expected)]
    lines = [b.text for b in document.blocks if b.kind != "table"]
    assert lines == BEFORE + after


def test_rules_under_wider_text_make_no_table(tmp_path: Path) -> None:
    """Rules shorter than the lines between them (underlines, a frame around a title) hold no table."""
    rows = [("Căn cứ Kế hoạch số 87/KH-UBND ngày 23/5/2023 của UBND tỉnh;",), ("Sở Công Thương xây dựng Kế hoạch",)]
    document = read(_pdf(tmp_path / "u.pdf", BEFORE, rows, [0, 1, 2], [], rule_span=(LEFT, 250.0)))
    assert all(b.kind != "table" for b in document.blocks)
    assert [b.text for b in document.blocks][1:] == [row[0] for row in rows]
