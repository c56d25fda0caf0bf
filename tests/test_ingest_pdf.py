"""PDF reader pieces on synthetic layouts and text dispatch (scanned pages: test_ingest_pdf_scans.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from hycompliance.ingest import read
from hycompliance.ingest.legacy import unicode_to_tcvn3, unicode_to_vni
from hycompliance.ingest.pdf import _blocks
from hycompliance.ingest.pdf_chars import Segment, join_segments
from hycompliance.ingest.pdf_layout import Line, PageItem, group_lines, two_column_regions
from hycompliance.ingest.pdf_paragraphs import ends_sentence
from hycompliance.ingest.pdf_tables import clean_cell, continue_table
from hycompliance.models import Block


def seg(x0: float, top: float, x1: float, text: str, height: float = 12.0) -> Segment:
    return Segment(x0=x0, top=top, x1=x1, bottom=top + height, text=text)


def lines_of(*rows: list[Segment], page: int = 1) -> list[Line]:
    return group_lines([s for row in rows for s in row], page)


def test_group_lines_orders_by_position_and_joins_runs() -> None:
    lines = lines_of(
        [seg(90, 100, 300, "dòng hai ")],
        [seg(90, 71, 200, "Dòng "), seg(200.5, 71.5, 260, "một")],  # a second run on the same baseline
        [seg(90, 130, 150, "29-")],
    )
    assert [line.text for line in lines] == ["Dòng một", "dòng hai", "29-"]


@pytest.mark.parametrize(
    ("segments", "expected"),
    [
        ((seg(90, 0, 120, "Kế"), seg(120.2, 0, 150, "hoạch")), "Kếhoạch"),  # touching runs: one word
        ((seg(90, 0, 120, "Kế"), seg(124, 0, 150, "hoạch")), "Kế hoạch"),  # a gap: a space
        ((seg(90, 0, 120, "Kế "), seg(120, 0, 150, "hoạch")), "Kế hoạch"),
    ],
)
def test_join_segments(segments: tuple[Segment, ...], expected: str) -> None:
    assert join_segments(segments) == expected


HEADER_ROWS = [
    [seg(123, 71, 262, "UBND THỊ XÃ MỸ HÀO"), seg(312, 71, 429, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA")],
    [seg(377, 88, 440, "VIỆT NAM")],
    [seg(334, 106, 484, "Độc lập - Tự do - Hạnh phúc")],
    [seg(141, 133, 244, "Số: 135/KH-UBND"), seg(309, 133, 448, "Mỹ Hào, ngày 04 tháng 7 năm 2023")],
    [seg(271, 160, 342, "KẾ HOẠCH")],
    [seg(90, 177, 500, "Triển khai thực hiện Kế hoạch số 87/KH-UBND")],
]


def test_two_column_header_region() -> None:
    lines = lines_of(*HEADER_ROWS)
    assert two_column_regions(lines) == [(0, 4, 300.0)]


def test_header_blocks_left_column_first() -> None:
    lines = lines_of(*HEADER_ROWS)
    items = [PageItem(top=0, header=("UBND THỊ XÃ MỸ HÀO", "Số: 135/KH-UBND"))]
    items += [PageItem(top=line.top, line=line) for line in lines[4:]]
    from hycompliance.ingest.pdf_layout import _column_items

    assert [i.header for i in _column_items(lines, 1) if i.header] == [(
        "UBND THỊ XÃ MỸ HÀO", "Số: 135/KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA", "VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Mỹ Hào, ngày 04 tháng 7 năm 2023",
    )]
    assert [b.text for b in _blocks([items])] == [
        "UBND THỊ XÃ MỸ HÀO", "Số: 135/KH-UBND", "KẾ HOẠCH", "Triển khai thực hiện Kế hoạch số 87/KH-UBND",
    ]


def test_closing_block_on_a_later_page_is_a_table_row() -> None:
    lines = lines_of(
        [seg(90, 257, 505, "Yêu cầu Thủ trưởng các sở, ban, ngành nghiêm túc thực hiện./.")],
        [seg(90, 302, 141, "Nơi nhận:"), seg(306, 302, 453, "TM. ỦY BAN NHÂN DÂN")],
        [seg(91, 319, 210, "- Thường trực Tỉnh ủy;"), seg(306, 319, 391, "KT. CHỦ TỊCH")],
        [seg(91, 355, 280, "- Chủ tịch, các Phó Chủ tịch UBND")],
        [seg(90, 372, 113, "tỉnh;"), seg(306, 372, 390, "Nguyễn Lê Huy")],
        [seg(91, 390, 204, "- Lưu: VT, CV: THH.")],
        page=20,
    )
    from hycompliance.ingest.pdf_layout import _column_items

    items = _column_items(lines, 20)
    assert [i.line.text for i in items if i.line] == ["Yêu cầu Thủ trưởng các sở, ban, ngành nghiêm túc thực hiện./."]
    assert [i.table for i in items if i.table] == [((
        "Nơi nhận:\n- Thường trực Tỉnh ủy;\n- Chủ tịch, các Phó Chủ tịch UBND\ntỉnh;\n- Lưu: VT, CV: THH.",
        "TM. ỦY BAN NHÂN DÂN\nKT. CHỦ TỊCH\nNguyễn Lê Huy",
    ),)]


def test_body_lines_are_no_column_region() -> None:
    lines = lines_of(
        [seg(90, 71, 513, "Kế hoạch thực hiện phải bám sát quan điểm chỉ đạo")],
        [seg(90, 88, 200, "trọng tâm;")],
        [seg(90, 106, 150, "Chỉ tiêu"), seg(235, 106, 290, "2021-2025"), seg(379, 106, 434, "2026-2030")],
    )
    assert two_column_regions(lines) == []


def page_items(page: int, texts: list[tuple[float, str]]) -> list[PageItem]:
    lines = lines_of(*[[seg(90, top, 500, text)] for top, text in texts], page=page)
    return [PageItem(top=line.top, line=line) for line in lines]


BODY_WORDS = ["Mục đích", "Yêu cầu", "Nhiệm vụ", "Giải pháp"]


def test_page_numbers_and_running_lines_removed() -> None:
    pages = [
        page_items(n, [
            (36, "Kế hoạch 87/KH-UBND"), (71, f"{BODY_WORDS[n - 1]}, dòng một"), (88, f"{BODY_WORDS[n - 1]}, dòng hai"),
            (750, f"- {n} -" if n % 2 else f"Trang {n}/4"), (765, f"87/KH-UBND - trang {n}"),
        ])
        for n in range(1, 5)
    ]
    assert [(b.page, b.text) for b in _blocks(pages)] == [
        (n, f"{BODY_WORDS[n - 1]}, {t}") for n in range(1, 5) for t in ("dòng một", "dòng hai")
    ]


WIDE_SPACED = [  # a browser's print: lines 20 points apart, a year wrapped under the date at the top
    (200, "Hưng Yên, ngày 09 tháng 6 năm"), (220.5, "2023"), (252, "KẾ HOẠCH"),
    (273, "Thực hiện Kế hoạch số 87/KH-UBND ngày 23/5/2023 của UBND tỉnh thực"),
    (293, "hiện Chương trình hành động số 34-CTr/TU ngày 15/02/2023 của Tỉnh ủy"),
    (313, "về tiếp tục đẩy mạnh công nghiệp hóa, hiện đại hóa đến năm 2030, tầm"),
]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        ([(71, "tầm nhìn đến năm"), (88, "2045"), (105, "một cách đồng bộ")], ["tầm nhìn đến năm", "2045", "một cách đồng bộ"]),
        # one line step from the line above (more than 20 points, but no more than the page's line step)
        (WIDE_SPACED, [text for _, text in WIDE_SPACED]),
        # a real page number, set apart below the last line of the same page
        (WIDE_SPACED[2:] + [(760, "3")], [text for _, text in WIDE_SPACED[2:]]),
    ],
    ids=["body", "year-under-the-date", "footer"],
)
def test_bare_number_inside_the_body_is_kept(texts, expected) -> None:
    assert [b.text for b in _blocks([page_items(1, texts)])] == expected


def test_hyphen_breaks_rejoined_across_pages_keeping_the_first_page() -> None:
    pages = [page_items(1, [(71, "Nghị quyết số 29-")]), page_items(2, [(71, "NQ/TW ngày 17/11/2022")])]
    assert list(_blocks(pages)) == [Block(text="Nghị quyết số 29-NQ/TW ngày 17/11/2022", page=1, kind="line")]


def test_typed_space_after_hyphen_is_not_joined() -> None:
    # the line goes on with the typed space: as two blocks, the clause would rejoin them as "07-NQ/TU"
    lines = lines_of([seg(90, 71, 400, "Nghị quyết số 07- ")], [seg(90, 88, 400, "NQ/TU ngày 15/6/2021")])
    pages = [[PageItem(top=line.top, line=line) for line in lines]]
    assert [b.text for b in _blocks(pages)] == ["Nghị quyết số 07- NQ/TU ngày 15/6/2021"]


def test_table_continued_on_the_next_page_is_one_table() -> None:
    first = [PageItem(top=500, table=(("TT", "Nhiệm vụ"), ("1", "Tổ chức Ngày hội khởi nghiệp theo KH số")))]
    second = [
        PageItem(top=71, table=(("", "142/KH-UBND"), ("2", "Hỗ trợ doanh nghiệp"))),
        *page_items(2, [(300, "Tổ chức thực hiện")]),
    ]
    assert list(_blocks([first, second])) == [
        Block(text="", page=1, kind="table", rows=(
            ("TT", "Nhiệm vụ"), ("1", "Tổ chức Ngày hội khởi nghiệp theo KH số\n142/KH-UBND"), ("2", "Hỗ trợ doanh nghiệp"),
        )),
        Block(text="Tổ chức thực hiện", page=2, kind="line"),
    ]


@pytest.mark.parametrize(
    ("more", "expected_rows"),
    [
        ((("", "- Nông nghiệp", "6%"),), 3),  # a sub-row with its own bullet: a new row
        ((("", "Dịch vụ", "28%"),), 3),  # capital start: a new row
        ((("3", "tiếp", "x"),), 3),  # numbered: a new row
        ((("", "thủy sản", ""),), 2),  # the rest of a cut row: mended
    ],
)
def test_continue_table(more: tuple[tuple[str, ...], ...], expected_rows: int) -> None:
    rows = (("TT", "Chỉ tiêu", "Giá trị"), ("2", "Nông nghiệp", "6%"))
    assert len(continue_table(rows, more)) == expected_rows


@pytest.mark.parametrize(
    ("last", "expected"),
    [
        # a range broken at its hyphen (the gap before it read as a space): the rest is the same row
        (("9", "Xây dựng 03 -", "Trung tâm", "Sở"), [("9", "Xây dựng 03 -\n05 mô hình", "Trung tâm\nThông tin", "Sở\nNN&PTNT")]),
        (("9", "Xây dựng 03-", "Trung tâm", "Sở"), [("9", "Xây dựng 03-05 mô hình", "Trung tâm\nThông tin", "Sở\nNN&PTNT")]),
        # a row that ended whole: a part starting with a number is a row of its own
        (("9", "Xây dựng mô hình", "Trung tâm", "Sở"),
         [("9", "Xây dựng mô hình", "Trung tâm", "Sở"), ("", "05 mô hình", "Thông tin", "NN&PTNT")]),
    ],
    ids=["spaced-hyphen", "hyphen", "whole"],
)
def test_row_cut_at_a_hyphen_is_mended(last, expected) -> None:
    rows = (("TT", "Nhiệm vụ", "Chủ trì", "Phối hợp"), ("8", "Hỗ trợ doanh nghiệp", "Phòng QLKH", "Sở Công Thương"), last)
    more = (("", "05 mô hình", "Thông tin", "NN&PTNT"),)
    assert list(continue_table(rows, more)[2:]) == expected


@pytest.mark.parametrize(
    ("last", "more", "expected"),
    [
        # "Phối hợp với" was cut by the page: "Ban Quản lý ..." carries on the same row
        (("2", "Phối hợp với", "Phòng Kinh"), ("", "Ban Quản lý các KCN", "tế"),
         ("2", "Phối hợp với\nBan Quản lý các KCN", "Phòng Kinh\ntế")),
        # a complete row: a capitalised unnumbered row is a row of its own
        (("2", "Phối hợp với Ban Quản lý", "Phòng Kinh tế"), ("", "Dịch vụ", "28%"), None),
    ],
)
def test_cut_row_mended_across_pages(last, more, expected) -> None:
    rows = (("TT", "Nhiệm vụ", "Chủ trì"), ("1", "Tuyên truyền", "Văn phòng"), last)
    result = continue_table(rows, (more,))
    assert result[-1] == (expected or more)


LEGACY_PLAN = "KẾ HOẠCH\nThực hiện Nghị quyết số 29-NQ/TW ngày 17/11/2022 của Ban Chấp hành Trung ương Đảng\n"


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("tcvn3.txt", unicode_to_tcvn3(LEGACY_PLAN).encode("cp1252")),
        ("vni.txt", unicode_to_vni(LEGACY_PLAN).encode("cp1252")),
        ("utf16.txt", LEGACY_PLAN.encode("utf-16")),
        ("no-extension", LEGACY_PLAN.encode("utf-8")),
        ("notes.xyz", LEGACY_PLAN.encode("utf-8")),
    ],
)
def test_text_files_through_read(tmp_path: Path, name: str, data: bytes) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    document = read(path)
    text = "\n".join(b.text for b in document.blocks)
    assert document.form == "txt"
    assert document.warnings == ()
    assert "Nghị quyết số 29-NQ/TW ngày 17/11/2022" in text
    assert "Trung ương Đảng" in text or "trung ương đảng" in text


def test_text_named_pdf_is_read_as_text_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "kế hoạch.pdf"
    path.write_text(LEGACY_PLAN, encoding="utf-8")
    document = read(path)
    assert document.form == "txt"
    assert [(w.code, w.message) for w in document.warnings] == [
        ("W105", "content is text, but the extension says .pdf; read as text")
    ]


def _page_of(rows: list[tuple[float, float, str]]) -> list[list[PageItem]]:
    """One page of body lines (top, right end, text), all starting at the left margin (x 90)."""
    lines = lines_of(*[[seg(90, top, x1, text)] for top, x1, text in rows])
    return [[PageItem(top=line.top, line=line) for line in lines]]


JUSTIFIED = [  # full lines end at x 500
    (71, 500, "Phòng Kinh tế và Hạ tầng, Phòng Nông nghiệp và PTNT, Phòng Tài"),
    (88, 500, "nguyên và Môi trường, Phòng Văn hóa và Thông tin, Phòng Lao động"),
    (105, 500, "- Thương binh và Xã hội, Phòng Nội vụ căn cứ chức năng, nhiệm vụ"),
    (122, 500, "tham mưu UBND huyện triển khai thực hiện các nội dung thuộc lĩnh"),
    (139, 300, "vực được giao."),
]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # justified: a wrapped line that looks like a bullet goes on from the full line above it
        (JUSTIFIED, [
            "Phòng Kinh tế và Hạ tầng, Phòng Nông nghiệp và PTNT, Phòng Tài",
            "nguyên và Môi trường, Phòng Văn hóa và Thông tin, Phòng Lao động - Thương binh và Xã hội, "
            "Phòng Nội vụ căn cứ chức năng, nhiệm vụ",
            "tham mưu UBND huyện triển khai thực hiện các nội dung thuộc lĩnh",
            "vực được giao.",
        ]),
        # a bullet after a line that ended its sentence is a bullet; a line ended early starts a paragraph
        ([(71, 500, "Phòng Tài chính - Kế hoạch tổng hợp kết quả thực hiện hằng năm."),
          (88, 500, "- Các phòng, ban báo cáo kết quả thực hiện về UBND huyện trước"),
          (105, 250, "ngày 30/11 hằng năm."),
          (122, 500, "Trên đây là Kế hoạch thực hiện Kế hoạch số 87/KH-UBND ngày"),
          (139, 500, "23/5/2023 của UBND tỉnh trên địa bàn huyện. Yêu cầu các cơ quan,")],
         ["Phòng Tài chính - Kế hoạch tổng hợp kết quả thực hiện hằng năm.",
          "- Các phòng, ban báo cáo kết quả thực hiện về UBND huyện trước",
          "ngày 30/11 hằng năm.",
          "Trên đây là Kế hoạch thực hiện Kế hoạch số 87/KH-UBND ngày",
          "23/5/2023 của UBND tỉnh trên địa bàn huyện. Yêu cầu các cơ quan,"]),
        # a symbol broken after its slash
        ([(71, 500, "Thực hiện Chương trình hành động số 34-CTr/"), (88, 300, "TU ngày 15/02/2023 của Tỉnh ủy")],
         ["Thực hiện Chương trình hành động số 34-CTr/TU ngày 15/02/2023 của Tỉnh ủy"]),
    ],
    ids=["justified-wrap-before-dash", "bullet-and-early-end", "slash"],
)
def test_line_joins_by_layout(rows, expected) -> None:
    assert [b.text for b in _blocks(_page_of(rows))] == expected


def test_justified_is_judged_over_the_whole_document() -> None:
    """A last page of mostly "Nơi nhận" and signature lines is as justified as the pages before it; its one
    full line (set a point past the edge) goes on into the next although it ends a sentence."""
    signature = [
        (71, 501.5, "Yêu cầu Thủ trưởng các cơ quan, đơn vị, Chủ tịch UBND các phường, xã thực hiện nghiêm túc."),
        (88, 450, "Quá trình thực hiện có vướng mắc, báo cáo UBND thị xã (qua Phòng Kinh tế) để xem xét./."),
        (110, 150, "Nơi nhận:"), (125, 170, "- UBND tỉnh;"), (140, 200, "- Lưu: VT, KT."),
        (160, 250, "TM. ỦY BAN NHÂN DÂN"), (175, 200, "CHỦ TỊCH"),
    ]
    pages = _page_of(JUSTIFIED) + [[PageItem(top=item.top, line=item.line) for item in _page_of(signature)[0]]]
    last = [b.text for b in _blocks(pages) if b.page == 2 or "Yêu cầu" in b.text]
    assert last[0] == f"{signature[0][2]} {signature[1][2]}"


def _ragged(gap: float, line_step: float = 11.0) -> list[tuple[float, float, str]]:
    """Six ragged paragraphs of two lines set ``gap`` points apart, a list set tight, then an item whose first
    line ends on a colon a few points short of the right edge (500) and wraps."""
    rows, top = [], 71.0
    for number in range(1, 7):
        rows += [(top, 500 - number, f"{number}. Phòng số {number}: Chủ trì tham mưu thực hiện các nhiệm vụ tại mục {number}"),
                 (top + line_step, 250, "phần III Kế hoạch.")]
        top += line_step + gap
    for text in ("Nơi nhận:", "- UBND tỉnh (để b/c);", "- Sở Kế hoạch và Đầu tư;", "- Các phòng, đơn vị thuộc Sở;",
                 "- Lưu: VT, KHTCTH."):  # a list set tight, as lists often are
        rows.append((top, 90 + 7 * len(text), text))
        top += line_step
    top += gap - line_step
    return rows + [
        (top, 497, "7. Trung tâm Khuyến công và Tư vấn phát triển công nghiệp, Trung tâm Xúc tiến:"),
        (top + line_step, 480, "Căn cứ chức năng, nhiệm vụ, phối hợp với các phòng chuyên môn thực hiện"),
        (top + 2 * line_step, 200, "các nhiệm vụ có liên quan."),
    ]


@pytest.mark.parametrize(
    ("rows", "joined"),
    [
        # paragraphs set apart by a gap: a line with no gap, below a line that could not hold its first word, goes on
        (_ragged(gap=22.0), True),
        # paragraphs not set apart: the layout says nothing, the structure stage judges
        (_ragged(gap=11.0), False),
    ],
    ids=["gapped", "not-gapped"],
)
def test_wrap_after_a_colon_in_ragged_text(rows, joined) -> None:
    texts = [b.text for b in _blocks(_page_of(rows))]
    assert (f"{rows[-3][2]} {rows[-2][2]}" in texts) is joined


def test_line_ended_early_starts_a_paragraph() -> None:
    blocks = list(_blocks(_page_of([
        (71, 500, "Phòng Tài chính - Kế hoạch tổng hợp kết quả thực hiện về UBND"),
        (88, 250, "huyện trước ngày 30/11 hằng năm."),
        (105, 500, "Trên đây là Kế hoạch thực hiện Kế hoạch số 87/KH-UBND ngày"),
        (122, 500, "23/5/2023 của UBND tỉnh trên địa bàn huyện."),
    ])))
    assert [b.kind for b in blocks] == ["line", "line", "paragraph", "line"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        # a word cut by a narrow cell where it had no space: glued back
        ("Hỗ trợ tối thiểu 10\ndoanh nghiệp/nă\nm đổi mới công nghệ", "Hỗ trợ tối thiểu 10\ndoanh nghiệp/năm đổi mới công nghệ"),
        ("Sở NN&PTNT\n; UBND cấp huyện", "Sở NN&PTNT; UBND cấp huyện"),
        ("Sở Công Thương\n, các hiệp hội", "Sở Công Thương, các hiệp hội"),
        # lines wrapped at a space stay lines (a syllable starts the next one; "ha" is a unit, a syllable too)
        ("Trung tâm Thông tin\nỨng dụng tiến bộ KH&CN", "Trung tâm Thông tin\nỨng dụng tiến bộ KH&CN"),
        ("Diện tích trồng mới 300\nha nhãn, vải", "Diện tích trồng mới 300\nha nhãn, vải"),
        ("Sở Tài nguyên và\nmôi trường", "Sở Tài nguyên và\nmôi trường"),
    ],
    ids=["syllable-cut", "semicolon", "comma", "capital", "unit", "syllable"],
)
def test_cell_lines_cut_inside_a_word_are_glued(cell, expected) -> None:
    assert clean_cell(cell) == expected


def _gapped_pages(last: tuple[float, str], first: str) -> list[list[PageItem]]:
    """Two pages of a document that sets its paragraphs apart by a gap (22 points over a line step of 11):
    page 1 ends with ``last`` (right end, text), page 2 starts with ``first`` (set at the top, no gap above)."""
    rows, top = [], 71.0
    for number in range(1, 7):
        rows += [(top, 500, f"{number}. Sở Thông tin và Truyền thông chủ trì triển khai các nhiệm vụ tại mục {number}"),
                 (top + 11, 250, "phần III Kế hoạch.")]
        top += 33
    rows.append((top, *last))
    second = lines_of([seg(90, 71, 480, first)], page=2) + lines_of([seg(90, 82, 300, "kết nối đến cấp xã.")], page=2)
    return _page_of(rows) + [[PageItem(top=line.top, line=line) for line in second]]


@pytest.mark.parametrize(
    ("last", "first", "starts"),
    [
        # a heading that ended well short of the edge: the next page's first line starts a paragraph
        ((250, "a) Mục tiêu chung (6 mục tiêu)"), "(1) Tỷ trọng kinh tế số đạt tối thiểu 30% GRDP; hạ tầng số", True),
        ((320, "Hoàn thành 100% nhiệm vụ được giao trong năm."), "Tỷ lệ dịch vụ công trực tuyến toàn trình đạt", True),
        # a line that reached the edge was wrapped: the next page's first line goes on from it
        ((500, "b) Phát triển hạ tầng số đồng bộ, hiện đại, bảo đảm an toàn, an ninh mạng, từ tỉnh"),
         "đến cơ sở; phủ sóng di động 5G tại các khu công nghiệp, khu đô thị và", False),
    ],
    ids=["heading", "sentence", "wrapped"],
)
def test_page_top_line_after_a_short_last_line_starts_a_paragraph(last, first, starts) -> None:
    top = next(b for b in _blocks(_gapped_pages(last, first)) if b.page == 2 or first in b.text)
    assert (top.text.startswith(first) and top.kind == "paragraph") is starts


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Trên đây là Kế hoạch thực hiện Nghị quyết.", True), ("- UBND tỉnh;", True), ("Nơi nhận:  ", True),
     ("Bạn đã hoàn thành chưa?", True), ("Thực hiện ngay!\u00a0", True), ("thân thiện môi trường,", False),
     ("trước ngày 30/11", False), ("(Kèm theo Kế hoạch số 87/KH-UBND)", False), ("Ghi chú: các", False),
     ("", False), ("   ", False), ("1.", True)],
)
def test_ends_sentence(text: str, expected: bool) -> None:
    """A line ends a sentence when its last character, trailing spaces (a no-break space too) aside, is one of
    . ; : ! ? — a colon inside the line or a closing bracket does not."""
    assert ends_sentence(text) is expected
