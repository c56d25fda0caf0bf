"""Table rows read from a PDF as the plan's text has them: a row cut by the page break is one row, a word cut
by a narrow cell is one word, a space typed after a hyphen at the end of a line (in a cell or the body) stays.

Each PDF is drawn here with fpdf2 at fixed positions, ruled as LibreOffice rules a table (every cell boxed, the
box closed at the page's lower margin where a row goes on over the page), with the lines a writer would print;
the expected rows are written out by hand. The labelled plans of other parents (their PDFs printed by
LibreOffice from the DOCX) must give the clause IDs and texts their .txt gives.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hycompliance.ingest import read
from hycompliance.ingest.pdf_page_ends import PageEnd, pages_ending_in_tables
from hycompliance.structure import build_plan

FONT = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
needs_font = pytest.mark.skipif(not FONT.exists(), reason="DejaVu fonts (fonts-dejavu) are not installed")

SIZE = 11.0
STEP = 14.0  # line step inside a cell
PAD = 5.0  # a cell's padding, left and right alike, and above its first line
PAGE_HEIGHT = 842.0  # A4, points
BODY_BOTTOM = 770.0  # the lower margin: no body line or table reaches below it
HEADING = (["TT"], ["Nội dung"], ["Chủ trì"], ["Thời gian"])


def _new_pdf():
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.set_auto_page_break(False)
    pdf.add_font("DejaVuSerif", "", str(FONT))
    pdf.set_font("DejaVuSerif", size=SIZE)
    pdf.set_line_width(0.5)
    return pdf


def _row_height(row: tuple[list[str], ...]) -> float:
    return max(len(cell) for cell in row) * STEP + PAD


def _table(pdf, rules: tuple[float, ...], top: float, rows: list[tuple[list[str], ...]]) -> float:
    """Draw a table part boxed cell by cell from ``top``: each row a tuple of cells, each cell its printed lines
    (a trailing space is drawn as the writer draws it). The bottom of the part."""
    y = top
    pdf.line(rules[0], y, rules[-1], y)
    for row in rows:
        for x, cell in zip(rules, row):
            for k, text in enumerate(cell):
                pdf.text(x + PAD, y + PAD + (k + 1) * STEP - 4.0, text)
        y += _row_height(row)
        pdf.line(rules[0], y, rules[-1], y)
    for x in rules:
        pdf.line(x, top, x, y)
    return y


def _body(pdf, top: float, lines: list[str]) -> float:
    y = top
    for text in lines:
        pdf.text(60.0, y, text)
        y += 17.0
    return y


def _table_rows(path: Path) -> list[tuple[str, ...]]:
    tables = [block for block in read(str(path)).blocks if block.kind == "table"]
    assert len(tables) == 1, [t.rows for t in tables]
    return list(tables[0].rows)


# --- a row cut by the page break ------------------------------------------------------------------------

RULES = (60.0, 100.0, 330.0, 450.0, 540.0)
ROW_1 = (["1"], ["Hoàn thiện thể chế về kinh tế số"], ["Sở Tư pháp"], ["2026"])
# row 2 as printed on page 1 (its first lines) and on page 2 (its rest: no number, a capital letter first)
ROW_2_HEAD = (["2"], ["Triển khai Nền tảng dữ liệu số về lao", "động, việc làm. Hình thành nền tảng",
                      "hợp đồng lao động điện tử."], ["Sở Nội vụ"], ["2026 - 2030"])
ROW_2_REST = ([], ["Triển khai sổ lao động điện tử cho", "người lao động"], [], [])
ROW_3 = (["3"], ["Xây dựng cơ sở dữ liệu về bảo hiểm"], ["Bảo hiểm xã hội"], ["2027"])
AFTER = ["III. TỔ CHỨC THỰC HIỆN", "1. Sở Nội vụ chủ trì, phối hợp với các sở, ban, ngành theo dõi,",
         "đôn đốc việc thực hiện Kế hoạch này; định kỳ báo cáo Ủy ban nhân dân tỉnh."]


def _cut_table_pdf(path: Path, *, part_bottom: float) -> Path:
    """Page 1: the heading row, row 1 and the first lines of row 2, the part ending at ``part_bottom``; page 2:
    the rest of row 2, row 3, then body lines down to the lower margin."""
    pdf = _new_pdf()
    pdf.add_page()
    rows = [HEADING, ROW_1, ROW_2_HEAD]
    top = part_bottom - sum(_row_height(row) for row in rows)
    _body(pdf, 80.0, ["II. NHIỆM VỤ, GIẢI PHÁP", "(Chi tiết tại phụ lục kèm theo)"])
    _table(pdf, RULES, top, rows)
    pdf.add_page()
    bottom = _table(pdf, RULES, 72.0, [ROW_2_REST, ROW_3])
    first = bottom + 20.0
    count = int((BODY_BOTTOM - 4.0 - first) // 17.0) + 1  # baselines 17 apart, the last one's descent at the margin
    _body(pdf, first, (AFTER + ["Nội dung tiếp theo của kế hoạch."] * count)[:count])
    pdf.output(str(path))
    return path


@needs_font
@pytest.mark.parametrize(
    ("part_bottom", "expected"),
    [
        # the page ended inside row 2 (its part reaches the margin): the rest is row 2's, capital letter or not
        (BODY_BOTTOM, [
            ("TT", "Nội dung", "Chủ trì", "Thời gian"),
            ("1", "Hoàn thiện thể chế về kinh tế số", "Sở Tư pháp", "2026"),
            ("2", "Triển khai Nền tảng dữ liệu số về lao\nđộng, việc làm. Hình thành nền tảng\nhợp đồng lao động "
                  "điện tử.\nTriển khai sổ lao động điện tử cho\nngười lao động", "Sở Nội vụ", "2026 - 2030"),
            ("3", "Xây dựng cơ sở dữ liệu về bảo hiểm", "Bảo hiểm xã hội", "2027"),
        ]),
        # the part ended far above the margin: row 2 ended whole there, and the unnumbered row is a row
        (500.0, [
            ("TT", "Nội dung", "Chủ trì", "Thời gian"),
            ("1", "Hoàn thiện thể chế về kinh tế số", "Sở Tư pháp", "2026"),
            ("2", "Triển khai Nền tảng dữ liệu số về lao\nđộng, việc làm. Hình thành nền tảng\nhợp đồng lao động "
                  "điện tử.", "Sở Nội vụ", "2026 - 2030"),
            ("", "Triển khai sổ lao động điện tử cho\nngười lao động", "", ""),
            ("3", "Xây dựng cơ sở dữ liệu về bảo hiểm", "Bảo hiểm xã hội", "2027"),
        ]),
    ],
    ids=["page-ended-inside-the-row", "row-ended-above-the-margin"],
)
def test_row_cut_by_the_page_break_is_one_row(tmp_path: Path, part_bottom: float, expected) -> None:
    assert _table_rows(_cut_table_pdf(tmp_path / "cut.pdf", part_bottom=part_bottom)) == expected


# --- a cell's lines: a word cut by the cell, a space typed after a hyphen ----------------------------------


def _cell_pdf(path: Path, lines: list[str], *, room: float) -> Path:
    """One ruled row: "1" | a cell printing ``lines`` | "Sở Giáo dục và Đào tạo". The middle cell is as wide
    as its widest line (trailing spaces aside) plus ``room`` points, plus its padding on both sides."""
    pdf = _new_pdf()
    pdf.add_page()
    width = max(pdf.get_string_width(line.rstrip()) for line in lines) + room
    left = 100.0
    rules = (60.0, left, left + 2 * PAD + width, left + 2 * PAD + width + 150.0)
    _body(pdf, 80.0, ["Phụ lục", "NHIỆM VỤ TRỌNG TÂM"])
    _table(pdf, rules, 120.0, [(["1"], lines, ["Sở Giáo dục và Đào tạo"])])
    pdf.output(str(path))
    return path


@needs_font
@pytest.mark.parametrize(
    ("lines", "room", "expected"),
    [
        # "STEM/STEAM" is wider than the cell: the writer cut it where the line was full
        (["kỹ năng số ", "và ", "STEM/STEA", "M trong ", "giáo dục"], 0.0, "kỹ năng số\nvà\nSTEM/STEAM trong\ngiáo dục"),
        # a full line followed by a word of its own (a Vietnamese syllable): a wrap between two words
        (["STEM/STEA", "trong giáo dục"], 0.0, "STEM/STEA\ntrong giáo dục"),
        # room left for more letters: the writer did not cut the word there
        (["STEM/STEA", "M trong"], 3 * SIZE, "STEM/STEA\nM trong"),
        # the file's space after the line: the line was wrapped at a space
        (["STEM/STEA ", "M trong"], 0.0, "STEM/STEA\nM trong"),
        # a hyphen typed before a space at the line's end: the next line is a word of its own
        (["giảng dạy- ", "học tập - ", "thi cử"], 0.0, "giảng dạy- học tập -\nthi cử"),
        # a symbol broken at its own hyphen: rejoined
        (["số 87/KH-", "UBND ngày"], 0.0, "số 87/KH-UBND ngày"),
    ],
    ids=["cut-word", "syllable-after", "room-left", "typed-space", "typed-space-after-hyphen", "broken-symbol"],
)
def test_cell_lines(tmp_path: Path, lines: list[str], room: float, expected: str) -> None:
    rows = _table_rows(_cell_pdf(tmp_path / "cell.pdf", lines, room=room))
    assert rows == [("1", expected, "Sở Giáo dục và Đào tạo")]


@needs_font
@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        # the hyphen typed before a space ends the line: the clause keeps the space
        ("1. Triển khai nền tảng số phục vụ công tác giảng dạy- ", "học tập và thi cử trên địa bàn tỉnh.",
         "Triển khai nền tảng số phục vụ công tác giảng dạy- học tập và thi cử trên địa bàn tỉnh."),
        ("1. Thực hiện có hiệu quả Nghị quyết số 29- ", "NQ/TU ngày 05/7/2022 của Tỉnh ủy.",
         "Thực hiện có hiệu quả Nghị quyết số 29- NQ/TU ngày 05/7/2022 của Tỉnh ủy."),
        # a word or symbol typed with its hyphen, broken at it: rejoined
        ("1. Triển khai nền tảng số phục vụ công tác giảng dạy-", "học tập và thi cử trên địa bàn tỉnh.",
         "Triển khai nền tảng số phục vụ công tác giảng dạy-học tập và thi cử trên địa bàn tỉnh."),
        ("1. Thực hiện có hiệu quả Nghị quyết số 29-", "NQ/TU ngày 05/7/2022 của Tỉnh ủy.",
         "Thực hiện có hiệu quả Nghị quyết số 29-NQ/TU ngày 05/7/2022 của Tỉnh ủy."),
    ],
    ids=["word-typed-space", "symbol-typed-space", "word-hyphen", "symbol-hyphen"],
)
def test_body_line_ending_on_a_hyphen(tmp_path: Path, first: str, second: str, expected: str) -> None:
    pdf = _new_pdf()
    pdf.add_page()
    _body(pdf, 80.0, ["II. NHIỆM VỤ", first, second, "2. Tổ chức thực hiện."])
    pdf.output(str(tmp_path / "body.pdf"))
    clauses = build_plan(read(str(tmp_path / "body.pdf"))).clauses
    assert [(c.id, c.text) for c in clauses] == [("II", "NHIỆM VỤ"), ("II.1", expected), ("II.2", "Tổ chức thực hiện.")]


# --- the labelled plans of other parents: the PDF reads as the .txt ---------------------------------------

PARENTS = Path(__file__).resolve().parent / "fixtures" / "parents"
PLANS = [
    manifest.parent / name
    for manifest in sorted(PARENTS.glob("*/manifest.yaml"))
    for name in yaml.safe_load(manifest.read_text(encoding="utf-8"))["plans"]
    if (manifest.parent / f"{name}.pdf").exists()
]


@pytest.mark.parametrize("plan", PLANS, ids=lambda p: p.name)
def test_parent_set_pdf_gives_the_clauses_of_its_text(plan: Path) -> None:
    def clauses(suffix: str) -> list[tuple[str, str]]:
        return [(c.id, c.text) for c in build_plan(read(str(plan.with_suffix(suffix)))).clauses]

    assert clauses(".pdf") == clauses(".txt")


# Đồng Nai 179/KH-UBND's appendix, as its .txt has it, written out: a row going on over pages 60-61 whose rest
# starts with a capital, "STEM/STEAM" cut by its cell, "dạy- " typed before a space at a cell line's end.
DONGNAI_ROWS = {
    "PL1.IV.4.2-2": "4.2 | Triển khai Nền tảng dữ liệu số về lao động, việc làm. Hình thành nền tảng hợp đồng lao động "
                    "điện tử và thúc đẩy người lao động và tổ chức sử dụng lao động thực hiện ký kết hợp đồng lao động "
                    "điện tử. Triển khai sổ lao động điện tử cho người lao động | Sở Nội vụ | Các sở, ban, ngành; UBND "
                    "các phường, xã | 2026 - 2030 | Nền tảng",
    "PL1.VI.6.2": "6.2 | Triển khai Chương trình dạy và học về kỹ năng số và STEM/STEAM trong giáo dục tiểu học và phổ "
                  "thông | Sở Giáo dục và Đào tạo | Các sở, ban, ngành; UBND các phường xã | 2026 - 2030 | Chương trình",
    "PL1.III.3.1": "3.1 | Triển khai nền tảng số dạy, học trực tuyến, kết nối, phục vụ trực tuyến toàn tỉnh công tác "
                   "giảng dạy- học tập - thi cử | Sở Giáo dục và Đào tạo | Các sở, ban, ngành; UBND các phường xã | "
                   "2026 - 2030 | Nền tảng",
}


def test_dongnai_appendix_rows_from_the_pdf() -> None:
    plan = build_plan(read(str(PARENTS / "57-NQ-TW" / "dongnai-kh179-2025.pdf")))
    texts = {clause.id: clause.text for clause in plan.clauses}
    assert {key: texts.get(key) for key in DONGNAI_ROWS} == DONGNAI_ROWS
    # the rest of row 4.2 is no row of its own: the appendix's unnumbered rows are the .txt's
    rows = sorted(key for key in texts if key.startswith("PL1.r"))
    assert rows == ["PL1.r102", "PL1.r107", "PL1.r112", "PL1.r61", "PL1.r71", "PL1.r76", "PL1.r81", "PL1.r87"]


# --- which pages end inside a table -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ends", "expected"),
    [
        # the body reaches 770 of 842 (a margin of 72): a table ending 8 points above it ends at the margin
        ([PageEnd(842.0, 770.0, False), PageEnd(842.0, 762.0, True)], {2}),
        # a table ending two lines and more above the margin ended where its last row ended
        ([PageEnd(842.0, 770.0, False), PageEnd(842.0, 730.0, True)], set()),
        # the lowest item is a line below the table: the page did not end inside the table
        ([PageEnd(842.0, 770.0, False), PageEnd(842.0, 770.0, False)], set()),
        # a landscape page (595 high) with the same margin of 72
        ([PageEnd(842.0, 770.0, False), PageEnd(595.0, 521.0, True), PageEnd(595.0, 400.0, True)], {2}),
        # an empty page (a scan) counts for nothing
        ([PageEnd(842.0, 0.0, False), PageEnd(842.0, 760.0, True)], {2}),
    ],
    ids=["at-margin", "above-margin", "line-below", "landscape", "empty-page"],
)
def test_pages_ending_in_tables(ends: list[PageEnd], expected: set[int]) -> None:
    assert pages_ending_in_tables(ends, em=13.0) == expected
