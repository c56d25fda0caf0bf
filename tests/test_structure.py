"""The printed tree of plans: exact IDs, counts, header fields and warnings."""

from __future__ import annotations

import json
import re

import pytest

from hycompliance.ingest.text import read_text
from hycompliance.models import Block, Document, Plan
from hycompliance.structure import build_plan, parse_label
from tests.conftest import DEV, PROVINCIAL, REAL, ROOT, dev_names


def plan_from_text(path) -> Plan:
    return build_plan(read_text(str(path), path.read_text(encoding="utf-8")))


@pytest.fixture(scope="module")
def provincial() -> Plan:
    return plan_from_text(PROVINCIAL.with_suffix(".txt"))


@pytest.mark.parametrize(
    "line, kind, key, rank, rest",
    [
        ("III. NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU", "section", "III", 1, "NHIỆM VỤ, GIẢI PHÁP CHỦ YẾU"),
        ("1. Sở Công Thương", "item", "1", 2, "Sở Công Thương"),
        ("1.2. Phát triển công nghiệp", "item", "2", 3, "Phát triển công nghiệp"),
        ("Điều 5. Trách nhiệm thi hành", "item", "Điều5", 2, "Trách nhiệm thi hành"),
        ("a) Mục đích", "letter", "a", 5, "Mục đích"),
        ("đ) Phát triển nông nghiệp", "letter", "đ", 5, "Phát triển nông nghiệp"),
        ("- Chủ trì, phối hợp", "bullet", "", 6, "Chủ trì, phối hợp"),
        ("+ Cải cách hành chính", "subbullet", "", 7, "Cải cách hành chính"),
        ("• Tăng cường", "bullet", "", 6, "Tăng cường"),
    ],
)
def test_labels(line, kind, key, rank, rest):
    label = parse_label(line)
    assert (label.kind, label.key, label.rank, label.rest) == (kind, key, rank, rest)


@pytest.mark.parametrize(
    "line",
    ["2030, tầm nhìn đến năm 2050", "62/KH-UBND ngày 27/4/2021", "12-NQ/TU ngày 08/10/2021", "Căn cứ Nghị quyết"],
)
def test_not_labels(line):
    assert parse_label(line) is None


def test_provincial_header(provincial):
    h = provincial.header
    assert (h.issuer, h.number, h.type, h.place, h.date) == (
        "UBND tỉnh Hưng Yên", "87/KH-UBND", "Kế hoạch", "Hưng Yên", "2023-05-23",
    )
    assert h.title.startswith("Kế hoạch THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG SỐ 34-CTR/TU")


def test_provincial_section_iii(provincial):
    ids = [c.id for c in provincial.clauses]
    groups = [i for i in ids if i.startswith("III.") and i.count(".") == 1]
    tasks = [c.id for c in provincial.clauses if c.kind == "bullet" and c.id.startswith("III.")]
    subtasks = [c.id for c in provincial.clauses if c.kind == "subbullet" and c.id.startswith("III.")]
    assert groups == [f"III.{g}" for g in range(1, 10)]
    per_group = {g: sum(1 for t in tasks if t.split(".")[1] == str(g)) for g in range(1, 10)}
    assert per_group == {1: 2, 2: 2, 3: 8, 4: 7, 5: 7, 6: 5, 7: 10, 8: 6, 9: 6}
    assert len(tasks) == 53
    assert subtasks == ["III.7.1.1", "III.7.1.2", "III.7.1.3"]


def test_provincial_task_text_is_unwrapped(provincial):
    task = provincial.clause("III.6.1")
    assert task.text.startswith("Thực hiện nghiêm túc, hiệu quả Nghị quyết số 10-NQ/TU ngày 28/6/2021")
    assert "\n" not in task.text
    # "- phát triển kinh tế dọc sông Hồng" continues the sentence: it is not a bullet
    assert "du lịch - phát triển kinh tế dọc sông Hồng" in task.text
    assert provincial.text[task.start : task.end] == task.text


def test_provincial_targets_table(provincial):
    rows = [c for c in provincial.clauses if c.kind == "row" and c.id.startswith("II.2.")]
    assert [r.id for r in rows] == [
        "II.2.1", "II.2.2", "II.2.2.1", "II.2.2.2", "II.2.2.3", "II.2.3", "II.2.4", "II.2.5",
        "II.2.6", "II.2.7", "II.2.8", "II.2.9", "II.2.10",
    ]
    assert provincial.clause("II.2.4").cells == ("4. Tỷ lệ đô thị hóa*", "Trên 48%", "Trên 58%")
    assert provincial.clause("II.2.5").cells[0] == "5. Đóng góp bình quân của năng suất nhân tố tổng hợp vào tăng trưởng"


def test_provincial_section_iv(provincial):
    items = [c.id for c in provincial.clauses if c.kind == "item" and c.parent == "IV"]
    assert items == ["IV.1", "IV.2", "IV.3", "IV.3-2", "IV.4", "IV.5", "IV.6", "IV.7", "IV.8", "IV.9", "IV.10", "IV.11"]
    assert provincial.clause("IV.3-2").text == "Sở Kế hoạch và Đầu tư"
    assert [w.code for w in provincial.warnings] == ["W201"]
    assert "IV.3-2" in provincial.warnings[0].message


def test_provincial_closing(provincial):
    assert provincial.closing.recipients[0] == "- Thường trực Tỉnh ủy;"
    assert provincial.closing.recipients[-1] == "- Lưu: VT, CV: THH."
    assert provincial.closing.signer[-1].endswith("Nguyễn Lê Huy")


@pytest.mark.parametrize("name", dev_names())
def test_dev_header_matches_gold(name):
    gold = json.loads((DEV / f"{name}.json").read_text(encoding="utf-8"))
    plan = plan_from_text(DEV / f"{name}.txt")
    h = plan.header
    assert (h.issuer, h.number, h.date, h.place) == (gold["issuer"], gold["number"], gold["date"], gold["place"])
    # the gold title spells out abbreviations (KH, CTr, CNH) that some plans print; ends must agree
    assert h.title.split()[:3] == gold["title"].split()[:3]
    assert h.title.split()[-4:] == gold["title"].split()[-4:]


def _fold(s: str) -> str:
    return " ".join(s.split())


@pytest.mark.parametrize("name", dev_names())
def test_dev_gold_blocks_found_in_clauses(name):
    """Every labelled body block (bullets, items, paragraphs, table rows) is one clause's text."""
    gold = json.loads((DEV / f"{name}.json").read_text(encoding="utf-8"))
    plan = plan_from_text(DEV / f"{name}.txt")
    texts = {_fold(c.text) for c in plan.clauses}
    missing = []
    for block in gold["blocks"]:
        if block["type"] == "table":
            for row in block["rows"][1:]:  # the first row is the column header
                if _fold(" | ".join(c for c in row if c)) not in texts:
                    missing.append(row)
        elif block["type"] == "bullet" and block["covers"]:
            if _fold(block["text"]) not in texts:
                missing.append(block["text"][:60])
    assert missing == []


@pytest.mark.parametrize(
    "line, key, rest",
    [("I- QUAN ĐIỂM CHỈ ĐẠO", "I", "QUAN ĐIỂM CHỈ ĐẠO"), ("III.NHIỆM VỤ", "III", "NHIỆM VỤ"),
     ("Chương II", "II", ""), ("II – MỤC TIÊU", "II", "MỤC TIÊU")],
)
def test_section_label_variants(line, key, rest):
    label = parse_label(line)
    assert (label.kind, label.key, label.rest) == ("section", key, rest)


@pytest.mark.parametrize(
    "header_lines, issuer, parent",
    [
        (["UỶ BAN NHÂN DÂN TỈNH BẮC NINH -------", "Số: 141/KH-UBND"], "UBND tỉnh Bắc Ninh", None),
        (["CHÍNH PHỦ CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Số: 03/NQ-CP"], "Chính phủ", None),
        (["UBND TỈNH HƯNG YÊN", "SỞ KHOA HỌC VÀ CÔNG NGHỆ", "Số: 456/KH-SKHCN"], "Sở Khoa học và Công nghệ", "UBND tỉnh Hưng Yên"),
        (["ỦY BAN NHÂN DÂN", "XÃ NGHĨA TRỤ", "Số: 12/KH-UBND"], "UBND xã Nghĩa Trụ", None),
        # a narrow header column wraps the commune's name
        (["UBND TỈNH HƯNG YÊN", "ỦY BAN NHÂN DÂN XÃ NHƯ", "QUỲNH", "Số: 118/KH-UBND"], "UBND xã Như Quỳnh",
         "UBND tỉnh Hưng Yên"),
    ],
)
def test_issuer_lines(header_lines, issuer, parent):
    from hycompliance import rules
    from hycompliance.header import _issuer

    assert _issuer(header_lines, rules.load("structure.yaml")) == (issuer, parent)


def test_roman_group_rows_number_the_rows_below_them():
    text = (
        "I. NHIỆM VỤ\n"
        "STT | Nhiệm vụ | Cơ quan chủ trì\n"
        "I | Công tác tuyên truyền\n"
        "1 | Tuyên truyền Nghị quyết | Phòng Văn hóa\n"
        "2 | Cập nhật tin bài | Phòng Văn hóa\n"
        "II | Nông nghiệp\n"
        "1 | Chuyển đổi cây trồng | Phòng Kinh tế\n"
    )
    plan = build_plan(read_text("x.txt", text))
    rows = [c.id for c in plan.clauses if c.kind == "row"]
    assert rows == ["I.I", "I.I.1", "I.I.2", "I.II", "I.II.1"]
    assert not [w for w in plan.warnings if w.code == "W201"]


def test_docx_header_cell_with_superior_body_and_title_naming_a_number():
    from hycompliance import rules
    from hycompliance.header import read_header
    from hycompliance.structure import parse_label
    from hycompliance.models import Block

    blocks = (
        Block(text="UBND TỈNH HƯNG YÊN\nỦY BAN NHÂN DÂN XÃ NHƯ QUỲNH", kind="paragraph", region="header"),
        Block(text="Số: 118/KH-UBND", kind="paragraph", region="header"),
        Block(text="Như Quỳnh, ngày 15 tháng 9 năm 2025", kind="paragraph", region="header"),
        Block(text="KẾ HOẠCH\nThực hiện Kế hoạch số 87/KH-UBND ngày 23/5/2023 của UBND tỉnh", kind="paragraph"),
        Block(text="Căn cứ Kế hoạch số 87/KH-UBND;", kind="paragraph"),
    )
    header, body, title = read_header(blocks, rules.load("structure.yaml"), parse_label)
    assert (header.issuer, header.parent_issuer, header.type) == ("UBND xã Như Quỳnh", "UBND tỉnh Hưng Yên", "Kế hoạch")
    assert header.title == "Kế hoạch thực hiện Kế hoạch số 87/KH-UBND ngày 23/5/2023 của UBND tỉnh"
    assert [b.text for b in body] == ["Căn cứ Kế hoạch số 87/KH-UBND;"]


def _tree(path):
    """(id, text) of every clause, text folded; a typed space after a hyphen ("07- NQ/TU") is not kept by
    every PDF producer, so hyphen spacing is folded too."""
    from hycompliance.structure import parse_file

    fold = lambda s: re.sub(r"\s*-\s*", "-", " ".join(s.split()))  # noqa: E731
    plan = parse_file(path)
    return [(c.id, fold(c.text)) for c in plan.clauses if c.kind != "table"], plan.header


STYLES = ROOT / "tests" / "fixtures" / "styles"  # held-out styles; their PDFs printed by LibreOffice
RENDERED = [PROVINCIAL] + [DEV / n for n in dev_names()] + sorted(p.with_suffix("") for p in STYLES.glob("*.pdf"))


@pytest.mark.parametrize("base", RENDERED, ids=lambda p: p.name)
@pytest.mark.parametrize("form", ["docx", "pdf"])
def test_same_tree_from_every_form(base, form):
    txt_tree, txt_header = _tree(base.with_suffix(".txt"))
    other_tree, other_header = _tree(base.with_suffix(f".{form}"))
    assert other_tree == txt_tree
    assert (other_header.issuer, other_header.number, other_header.date, other_header.type) == (
        txt_header.issuer, txt_header.number, txt_header.date, txt_header.type,
    )



PARENT_SETS = sorted(p.with_suffix("") for p in (ROOT / "tests" / "fixtures" / "parents").glob("*/*.json"))


@pytest.mark.parametrize("base", PARENT_SETS, ids=lambda p: p.name)
@pytest.mark.parametrize("form", ["docx", "pdf"])
def test_same_text_clauses_in_every_form_of_the_parent_sets(base, form):
    """The labelled plans of other parents give the same sections, items, bullets and paragraphs (ID and text)
    from their .docx and .pdf as from their .txt: their gold is shared by the three forms, and a per-form
    evaluation fits each form on them. (Rows of long appendix tables printed across pages are left to the
    table tests.)"""
    from hycompliance.structure import parse_file

    def text_clauses(path):
        tree, header = _tree(path)
        kinds = {c.id: c.kind for c in parse_file(path).clauses}
        return [(i, t) for i, t in tree if kinds[i] != "row"], header

    txt_tree, txt_header = text_clauses(base.with_suffix(".txt"))
    other_tree, other_header = text_clauses(base.with_suffix(f".{form}"))
    assert other_tree == txt_tree
    assert (other_header.issuer, other_header.number, other_header.date) == (
        txt_header.issuer, txt_header.number, txt_header.date)

REAL_FILES = sorted((REAL / "plans").rglob("*.txt")) + sorted((REAL / "legal").glob("*.md"))


@pytest.mark.parametrize("path", REAL_FILES, ids=lambda p: p.name)
def test_real_corpus_parses(path):
    """Every real public document reads into a tree: plans into sections/items, laws into articles."""
    from hycompliance.structure import parse_file

    plan = parse_file(path)
    kinds = {c.kind for c in plan.clauses}
    if "partial" in path.parts:  # only the opening of the document
        assert plan.clauses
    elif path.parent.name == "plans":
        assert {"section", "item"} & kinds and plan.header.number, [c.id for c in plan.clauses][:20]
    else:  # laws and decrees, and a few other public texts: no structure is promised, only a clean read
        assert plan.clauses


@pytest.mark.parametrize("line", ["1.500 ha đất trồng lúa kém hiệu quả", "2.000 doanh nghiệp"])
def test_thousands_are_not_labels(line):
    """Vietnamese writes thousands with a dot: a wrapped line starting "1.500 ha" is not item 1."""
    assert parse_label(line) is None


STYLE_TEXTS = sorted(STYLES.glob("*.txt"))


@pytest.mark.parametrize("path", [DEV / f"{n}.txt" for n in dev_names()] + STYLE_TEXTS, ids=lambda p: p.name)
def test_hard_wrapped_text_gives_the_same_tasks(path):
    """The same plan published as hard-wrapped web text (78 columns) keeps every bullet and table row with its
    ID and text. A closing paragraph right after the last bullet may run on into it (nothing marks its start
    in wrapped text), so a wrapped text must start with the original."""
    import textwrap

    source = path.read_text(encoding="utf-8")
    lines = source.split("\n")
    wrapped = lines[:6] + [
        part for line in lines[6:]
        for part in (textwrap.wrap(line, 78, break_on_hyphens=False) if len(line) > 78 and "|" not in line else [line])
    ]
    fold = lambda s: re.sub(r"\s*-\s*", "-", " ".join(s.split()))  # noqa: E731
    kinds = ("bullet", "subbullet", "row")
    original = {c.id: fold(c.text) for c in plan_from_text(path).clauses if c.kind in kinds}
    rewrapped = build_plan(read_text(str(path), "\n".join(wrapped)))
    again = {c.id: fold(c.text) for c in rewrapped.clauses if c.kind in kinds}
    assert list(again) == list(original)
    assert [i for i in original if not again[i].startswith(original[i])] == []


TASKS = [
    ("paragraph", "KẾ HOẠCH"), ("paragraph", "III. TỔ CHỨC THỰC HIỆN"), ("paragraph", "1. UBND các xã, thị trấn"),
    ("paragraph", "- Căn cứ Kế hoạch này, xây dựng kế hoạch thực hiện phù hợp với thực tế địa phương."),
    ("paragraph", "- Định kỳ báo cáo kết quả thực hiện về UBND huyện trước ngày 30/11 hằng năm."),
]
CLOSING = [("line", "Nơi nhận:"), ("line", "- UBND tỉnh;"), ("line", "- Lưu: VT."), ("line", "TM. ỦY BAN NHÂN DÂN")]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        # "Nơi nhận:" printed as a plain line: its "- UBND tỉnh;" are no bullet of the body, so the closing
        # paragraph before it stands alone
        (TASKS + [("paragraph", "Trên đây là Kế hoạch thực hiện Kế hoạch số 87/KH-UBND của UBND tỉnh.")] + CLOSING,
         ["title", "III", "III.1", "III.1.1", "III.1.2", "III.1.p1"]),
        # a paragraph between two bullets of the body carries on the first
        (TASKS + [("paragraph", "Nội dung cụ thể tại Phụ lục kèm theo."),
                  ("paragraph", "- Tổng hợp kết quả thực hiện, báo cáo UBND huyện.")] + CLOSING,
         ["title", "III", "III.1", "III.1.1", "III.1.2", "III.1.3"]),
    ],
    ids=["before-the-closing", "between-bullets"],
)
def test_paragraph_after_the_last_bullet(rows, expected):
    doc = Document(path="ke-hoach.pdf", blocks=tuple(Block(t, page=1, kind=k) for k, t in rows), pages=1, form="pdf")
    plan = build_plan(doc)
    assert [c.id for c in plan.clauses] == expected
    assert plan.closing.recipients == ("- UBND tỉnh;", "- Lưu: VT.")


ASIDE = "(Kèm theo Kế hoạch số 456/KH-SKHCN ngày 09/6/2023 của Sở Khoa học và Công nghệ)"
CITED = "Các cơ quan hỗ trợ doanh nghiệp tiếp cận tín dụng ưu đãi (theo Nghị định số 80/2021/NĐ-CP)"
NEXT = "Ban Quản lý các khu công nghiệp tỉnh phối hợp hướng dẫn thủ tục."


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        # a remark wholly in brackets, closed at the end of its line: the capitalised line below is new
        ([ASIDE, "Phụ lục: Danh mục nhiệm vụ"], [ASIDE, "Phụ lục: Danh mục nhiệm vụ"]),
        # the same remark wrapped over two lines
        (["(Kèm theo Kế hoạch số 456/KH-SKHCN ngày 09/6/2023 của Sở Khoa học và",
          "Công nghệ; Sở Tài chính và Sở Kế hoạch và Đầu tư tỉnh Hưng Yên)", "Phụ lục: Danh mục nhiệm vụ"],
         ["(Kèm theo Kế hoạch số 456/KH-SKHCN ngày 09/6/2023 của Sở Khoa học và Công nghệ; Sở Tài chính và "
          "Sở Kế hoạch và Đầu tư tỉnh Hưng Yên)", "Phụ lục: Danh mục nhiệm vụ"]),
        # a sentence that only ends its line with a bracket goes on
        ([CITED, NEXT], [f"{CITED} {NEXT}"]),
    ],
    ids=["aside", "wrapped-aside", "bracket-in-a-sentence"],
)
def test_remark_in_brackets_ends_its_paragraph(lines, expected):
    rows = [("paragraph", "KẾ HOẠCH"), ("paragraph", "I. MỤC ĐÍCH, YÊU CẦU"), ("paragraph", lines[0])]
    rows += [("line", text) for text in lines[1:]]
    doc = Document(path="ke-hoach.txt", blocks=tuple(Block(t, page=1, kind=k) for k, t in rows), pages=1, form="txt")
    assert [c.text for c in build_plan(doc).clauses][2:] == expected
