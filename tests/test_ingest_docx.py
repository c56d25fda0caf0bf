"""DOCX reader on documents built here: numbering labels, legacy fonts, pages, tables, the header table."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.section import WD_SECTION
from docx.enum.text import WD_BREAK
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from hycompliance.ingest import Limits, read
from hycompliance.ingest.docx import read_docx
from hycompliance.ingest.legacy import unicode_to_tcvn3, unicode_to_vni
from hycompliance.ingest.numbering import Level, Numbering, bullet, format_number
from hycompliance.models import Block

W = nsdecls("w")


def level_xml(ilvl: int, fmt: str, text: str, start: int = 1, restart: int | None = None, legal: bool = False) -> str:
    extra = f'<w:lvlRestart w:val="{restart}"/>' if restart is not None else ""
    extra += "<w:isLgl/>" if legal else ""
    return (
        f'<w:lvl w:ilvl="{ilvl}"><w:start w:val="{start}"/><w:numFmt w:val="{fmt}"/>{extra}'
        f'<w:lvlText w:val="{text}"/></w:lvl>'
    )


def add_list(document, abstract_id: int, levels: list[str], num_ids: list[int], start_override: dict[int, int] | None = None) -> None:
    """Add an abstractNum with ``levels`` and ``w:num``s pointing at it (the first gets the override)."""
    numbering = document.part.numbering_part.element
    abstract = parse_xml(f'<w:abstractNum {W} w:abstractNumId="{abstract_id}">{"".join(levels)}</w:abstractNum>')
    first_num = numbering.find(qn("w:num"))
    if first_num is not None:
        first_num.addprevious(abstract)
    else:
        numbering.append(abstract)
    for index, num_id in enumerate(num_ids):
        overrides = ""
        if index == 0 and start_override:
            overrides = "".join(
                f'<w:lvlOverride w:ilvl="{ilvl}"><w:startOverride w:val="{value}"/></w:lvlOverride>'
                for ilvl, value in start_override.items()
            )
        numbering.append(parse_xml(f'<w:num {W} w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{overrides}</w:num>'))


def numbered(container, text: str, num_id: int, ilvl: int = 0):
    paragraph = container.add_paragraph(text)
    properties = paragraph._p.get_or_add_pPr()
    properties.append(parse_xml(f'<w:numPr {W}><w:ilvl w:val="{ilvl}"/><w:numId w:val="{num_id}"/></w:numPr>'))
    return paragraph


def body(path: Path) -> list[Block]:
    return [b for b in read(path).blocks if b.region == "body"]


def save(document, tmp_path: Path, name: str = "plan.docx") -> Path:
    path = tmp_path / name
    document.save(path)
    return path


def test_numbering_outline(tmp_path: Path) -> None:
    document = docx.Document()
    add_list(document, 90, [
        level_xml(0, "upperRoman", "%1."), level_xml(1, "decimal", "%2."), level_xml(2, "lowerLetter", "%3)"),
        level_xml(3, "bullet", "–"), level_xml(4, "bullet", "+"), level_xml(5, "bullet", "\uf0b7"),
    ], [901])
    outline = [
        (0, "MỤC ĐÍCH, YÊU CẦU"), (1, "Mục đích"), (1, "Yêu cầu"), (2, "Công nghiệp"), (2, "Nông nghiệp"),
        (3, "Phát triển khu công nghiệp"), (4, "Hạ tầng"), (5, "Đô thị"), (0, "NHIỆM VỤ"), (1, "Sở Công Thương"),
        (2, "Chủ trì"),
    ]
    for ilvl, text in outline:
        numbered(document, text, 901, ilvl)
    assert [b.text for b in body(save(document, tmp_path))] == [
        "I. MỤC ĐÍCH, YÊU CẦU", "1. Mục đích", "2. Yêu cầu", "a) Công nghiệp", "b) Nông nghiệp",
        "- Phát triển khu công nghiệp", "+ Hạ tầng", "- Đô thị", "II. NHIỆM VỤ", "1. Sở Công Thương", "a) Chủ trì",
    ]


@pytest.mark.parametrize(
    ("levels", "sequence", "expected"),
    [
        # "%1.%2." templates
        ([level_xml(0, "decimal", "%1."), level_xml(1, "decimal", "%1.%2.")], [0, 1, 1, 0, 1], ["1.", "1.1.", "1.2.", "2.", "2.1."]),
        # isLgl: a roman parent printed as a decimal inside the child's label
        ([level_xml(0, "upperRoman", "%1."), level_xml(1, "decimal", "%1.%2.", legal=True)], [0, 1, 0, 1], ["I.", "1.1.", "II.", "2.1."]),
        # lvlRestart 0: the letters go on across items
        ([level_xml(0, "decimal", "%1."), level_xml(1, "lowerLetter", "%2)", restart=0)], [0, 1, 0, 1], ["1.", "a)", "2.", "b)"]),
        # w:start
        ([level_xml(0, "decimal", "%1)", start=3)], [0, 0], ["3)", "4)"]),
        # a level skipped: the deeper level restarts after the top one
        ([level_xml(0, "upperRoman", "%1."), level_xml(1, "decimal", "%2."), level_xml(2, "lowerLetter", "%3)")], [0, 2, 2, 0, 2], ["I.", "a)", "b)", "II.", "a)"]),
    ],
    ids=["multilevel", "legal", "no-restart", "start", "skipped-level"],
)
def test_numbering_templates(tmp_path: Path, levels: list[str], sequence: list[int], expected: list[str]) -> None:
    document = docx.Document()
    add_list(document, 91, levels, [911])
    for index, ilvl in enumerate(sequence):
        numbered(document, f"Mục {index}", 911, ilvl)
    assert [b.text.rsplit(" Mục", 1)[0] for b in body(save(document, tmp_path))] == expected


def test_numbering_start_override_and_shared_abstract(tmp_path: Path) -> None:
    document = docx.Document()
    add_list(document, 92, [level_xml(0, "decimal", "%1.")], [921, 922])
    add_list(document, 93, [level_xml(0, "decimal", "%1.")], [931], start_override={0: 5})
    for num_id, text in [(921, "một"), (921, "hai"), (922, "ba"), (931, "năm"), (931, "sáu")]:
        numbered(document, text, num_id)
    document.add_paragraph("4. Nhãn gõ tay giữ nguyên")
    assert [b.text for b in body(save(document, tmp_path))] == [
        "1. một", "2. hai", "3. ba", "5. năm", "6. sáu", "4. Nhãn gõ tay giữ nguyên",
    ]


def test_numbering_in_table_cells(tmp_path: Path) -> None:
    document = docx.Document()
    add_list(document, 94, [level_xml(0, "bullet", "-")], [941])
    document.add_paragraph("Bảng nhiệm vụ")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Nhiệm vụ"
    numbered(table.cell(0, 1), "Rà soát quy hoạch", 941)
    numbered(table.cell(0, 1), "Báo cáo UBND tỉnh", 941)
    blocks = body(save(document, tmp_path))
    assert blocks[1].rows == (("Nhiệm vụ", "- Rà soát quy hoạch\n- Báo cáo UBND tỉnh"),)


@pytest.mark.parametrize(
    ("glyph", "expected"), [("-", "-"), ("–", "-"), ("•", "-"), ("\uf0b7", "-"), ("\uf02d", "-"), ("+", "+"), ("o", "-")]
)
def test_bullet_glyphs(glyph: str, expected: str) -> None:
    assert bullet(glyph) == expected


@pytest.mark.parametrize(
    ("n", "fmt", "expected"),
    [(1, "decimal", "1"), (9, "upperRoman", "IX"), (14, "upperRoman", "XIV"), (4, "lowerRoman", "iv"),
     (1, "lowerLetter", "a"), (27, "lowerLetter", "aa"), (2, "upperLetter", "B"), (5, "decimalZero", "05")],
)
def test_format_number(n: int, fmt: str, expected: str) -> None:
    assert format_number(n, fmt) == expected


def test_numbering_without_definition_prints_nothing() -> None:
    numbering = Numbering.from_levels({0: Level(fmt="decimal", text="%1.")})
    assert (numbering.label(0, 0), numbering.label(77, 0), numbering.label(1, 3), numbering.label(1, 0)) == ("", "", "", "1.")


SENTENCE = "Kế hoạch thực hiện Nghị quyết số 29-NQ/TW của Ban Chấp hành Trung ương Đảng"


def test_legacy_font_runs(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph()
    paragraph.add_run("Unicode: ")
    paragraph.add_run(unicode_to_tcvn3("Tỉnh ủy Hưng Yên")).font.name = ".VnTime"
    paragraph.add_run(", ")
    paragraph.add_run(unicode_to_vni("Sở Công Thương")).font.name = "VNI-Times"
    document.add_paragraph().add_run(unicode_to_tcvn3("kế hoạch thực hiện")).font.name = ".VnTimeH"
    document.add_paragraph().add_run(unicode_to_vni(SENTENCE)).font.name = "VNI-Helve"
    assert [b.text for b in body(save(document, tmp_path))] == [
        "Unicode: Tỉnh ủy Hưng Yên, Sở Công Thương",
        "KẾ HOẠCH THỰC HIỆN",
        SENTENCE,
    ]


def test_legacy_font_from_the_normal_style(tmp_path: Path) -> None:
    document = docx.Document()
    document.styles["Normal"].font.name = ".VnTime"
    document.add_paragraph(unicode_to_tcvn3("Đẩy mạnh công nghiệp hóa"))
    document.add_paragraph(unicode_to_tcvn3("Ủy ban nhân dân"))
    # VN3 has the capital Đ but no toned capitals: a .VnTime "Ủ" was typed as "ủ"
    assert [b.text for b in body(save(document, tmp_path))] == ["Đẩy mạnh công nghiệp hóa", "ủy ban nhân dân"]


def test_page_numbers(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Trang một")
    document.add_paragraph("Vẫn trang một").add_run().add_break(WD_BREAK.PAGE)
    second = document.add_paragraph("Trang hai")
    # Word also writes a rendered break at the top of the page an explicit break started: not a new page
    second.runs[0]._r.insert(0, parse_xml(f"<w:lastRenderedPageBreak {W}/>"))
    rendered = document.add_paragraph("còn trang hai, ")
    rendered.add_run()._r.append(parse_xml(f"<w:lastRenderedPageBreak {W}/>"))
    rendered.add_run("sang trang ba")
    document.add_paragraph("Trang bốn").paragraph_format.page_break_before = True
    document.add_paragraph("")  # empty: skipped
    document.add_section(WD_SECTION.NEW_PAGE)
    document.add_paragraph("Trang năm")
    document.add_section(WD_SECTION.CONTINUOUS)
    document.add_paragraph("Vẫn trang năm")
    document_read = read(save(document, tmp_path))
    assert [(b.text, b.page) for b in document_read.blocks] == [
        ("Trang một", 1), ("Vẫn trang một", 1), ("Trang hai", 2), ("còn trang hai, sang trang ba", 2),
        ("Trang bốn", 4), ("Trang năm", 5), ("Vẫn trang năm", 5),
    ]
    assert document_read.pages == 5


def test_merged_cells_are_not_duplicated(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Chỉ tiêu")
    table = document.add_table(rows=3, cols=3)
    for r in range(3):
        for c in range(3):
            table.cell(r, c).text = f"{r}{c}"
    table.cell(0, 0).merge(table.cell(0, 1))
    table.cell(1, 0).merge(table.cell(2, 0))
    blocks = body(save(document, tmp_path))
    assert blocks[1].kind == "table"
    assert blocks[1].rows == (("00\n01", "", "02"), ("10\n20", "11", "12"), ("", "21", "22"))


def test_header_table(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "UBND HUYỆN VĂN LÂM"
    table.cell(0, 1).text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    table.cell(0, 1).add_paragraph("Độc lập - Tự do - Hạnh phúc")
    table.cell(1, 0).text = "Số: 112/KH-UBND"
    table.cell(1, 1).text = "Văn Lâm, ngày 16 tháng 6 năm 2023"
    document.add_paragraph("KẾ HOẠCH")
    other = document.add_table(rows=1, cols=2)
    other.cell(0, 0).text = "Số: 1"
    other.cell(0, 1).text = "ngày 2 tháng 3"
    blocks = read(save(document, tmp_path)).blocks
    assert [(b.text, b.region, b.kind) for b in blocks[:5]] == [
        ("UBND HUYỆN VĂN LÂM", "header", "paragraph"),
        ("Số: 112/KH-UBND", "header", "paragraph"),
        ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "header", "paragraph"),
        ("Độc lập - Tự do - Hạnh phúc", "header", "paragraph"),
        ("Văn Lâm, ngày 16 tháng 6 năm 2023", "header", "paragraph"),
    ]
    assert blocks[5] == Block(text="KẾ HOẠCH")
    assert blocks[6] == Block(text="", kind="table", rows=(("Số: 1", "ngày 2 tháng 3"),))


def test_two_column_table_without_header_words_is_a_table(tmp_path: Path) -> None:
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text = "Chỉ tiêu"
    table.cell(0, 1).text = "2021-2025"
    assert read(save(document, tmp_path)).blocks == (Block(text="", kind="table", rows=(("Chỉ tiêu", "2021-2025"),)),)


def test_runs_joined_tabs_and_nfc(tmp_path: Path) -> None:
    document = docx.Document()
    paragraph = document.add_paragraph("1.")
    paragraph.add_run().add_tab()
    paragraph.add_run("Mu\u0323c tie\u0302u")  # decomposed
    paragraph.add_run("  tổng   quát ")
    assert [b.text for b in body(save(document, tmp_path))] == ["1. Mục tiêu tổng quát"]


def test_read_docx_direct_call_and_limits(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_paragraph("Nội dung")
    path = save(document, tmp_path)
    result = read_docx(str(path), Limits())
    assert (result.form, result.pages, [b.text for b in result.blocks]) == ("docx", 1, ["Nội dung"])
