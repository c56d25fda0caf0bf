"""Damaged extraction is flagged (W109 with its page), whole text is not."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

from hycompliance.ingest import read
from hycompliance.models import Block, ParseWarning
from hycompliance.quality import _token_syllables, check_text, describe, is_syllable
from tests.conftest import DEV, PROVINCIAL, ROOT, dev_names

GOOD = [DEV / f"{n}.{ext}" for n in dev_names() for ext in ("pdf", "docx", "txt")] + [
    PROVINCIAL.with_suffix(f".{ext}") for ext in ("pdf", "docx", "txt")
] + sorted((ROOT / "tests" / "fixtures" / "styles").glob("*.pdf"))

BODY = (
    "- Tập trung thu hút đầu tư vào các khu công nghiệp, ưu tiên các dự án công nghệ cao, thân thiện môi trường; "
    "hỗ trợ doanh nghiệp tiếp cận các chính sách ưu đãi về thuế, tín dụng, đất đai của Trung ương và của tỉnh."
)


@pytest.mark.parametrize(
    ("word", "expected"),
    [("nghiêng", True), ("khuyến", True), ("ưu", True), ("quốc", True), ("đường", True),
     ("ng", False), ("cưu", True), ("mtr", False), ("bkh", False), ("ăngt", False)],
)
def test_is_syllable(word: str, expected: bool) -> None:
    assert is_syllable(word) is expected


@pytest.mark.parametrize(
    ("token", "expected"),
    [("đãi", (1, 0)), ("đãi,", (1, 0)), ("(ng,", (1, 1)), ("KH-UBND", (0, 0)), ("ng-yêu", (0, 0)),
     ("2021-2025", (0, 0)), ("5/cư", (1, 0)), ("mtr/bkh;", (2, 2)), ("Tỉnh", (0, 0)), ("ưu_đãi", (2, 0)),
     ("“nghiêng”", (1, 0)), ("...", (0, 0))],
)
def test_token_syllables(token: str, expected: tuple[int, int]) -> None:
    """(lower-case words without a hyphen in one token, of them no syllable): punctuation, digits and "_"
    split words; a hyphenated or capitalised word is not judged."""
    assert _token_syllables(token) == expected


def _fallback_order(line: str) -> str:
    """What the old reader made of LibreOffice's fallback glyphs: ư, ơ and ạ–ỹ moved to the line's end."""
    moved = [c for c in line if unicodedata.normalize("NFD", c)[0] in "uo" and c not in "uoUO" or c in "ạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ"]
    return "".join(c for c in line if c not in moved) + " " + " ".join(moved)


@pytest.mark.parametrize(
    ("blocks", "plain", "expected"),
    [
        # whole text: nothing
        ((Block("I. MỤC ĐÍCH, YÊU CẦU", page=1), Block(BODY, page=1)) * 3, None, []),
        # punctuation split off its line
        ((Block("I. MỤC ĐÍCH YÊU CẦU", page=2), Block(". ,", page=2), Block(BODY, page=2), Block(",", page=2)), None,
         [("2", "punctuation")]),
        # letters out of order
        (tuple(Block(_fallback_order(BODY), page=3) for _ in range(3)), None, [("3", "syllables")]),
        # pdfium's own text of page 1 has a paragraph the built lines lost
        ((Block(BODY, page=1),), {1: BODY + "\n" + BODY.upper() + BODY}, [("1", "disagreement")]),
        # a long document with no labels left
        (tuple(Block(BODY[2:], page=p) for p in range(1, 40)), None, [("1–39", "labels")]),
    ],
    ids=["whole", "punctuation", "syllables", "disagreement", "labels"],
)
def test_check_text(blocks, plain, expected) -> None:
    warnings = check_text(blocks, plain_pages=plain)
    assert [(dict(w.details)["page"], dict(w.details)["sign"]) for w in warnings] == expected
    assert all(w.code == "W109" for w in warnings)


MARGIN = "12/3/26, 12:02 PM Kế hoạch thực hiện Chương trình hành động\nfile:///tmp/ke-hoach-so-456.html 1/10"
HEADING = "TT\nTên nhiệm vụ\nĐơn vị chủ trì\nĐơn vị phối hợp\nThời gian hoàn thành"


@pytest.mark.parametrize(
    ("plain", "dropped", "expected"),
    [
        # a browser's date/address margin and a repeated table heading the reader took out: not lost
        ({1: f"{MARGIN}\n{BODY}", 2: f"{MARGIN}\n{HEADING}\n{BODY}"}, {1: MARGIN, 2: f"{MARGIN}\n{HEADING}"}, []),
        # the same margins, not reported as taken out: lost
        ({1: f"{MARGIN}\n{BODY}", 2: f"{MARGIN}\n{HEADING}\n{BODY}"}, {}, [("1", "disagreement"), ("2", "disagreement")]),
        # taking out the margin does not excuse a paragraph lost on page 2
        ({1: f"{MARGIN}\n{BODY}", 2: f"{MARGIN}\n{BODY}\n{BODY.upper()}"}, {1: MARGIN, 2: MARGIN}, [("2", "disagreement")]),
    ],
    ids=["dropped-on-purpose", "not-reported", "real-loss"],
)
def test_text_taken_out_on_purpose_is_not_lost(plain, dropped, expected) -> None:
    blocks = (Block(BODY, page=1), Block(BODY, page=2))
    warnings = check_text(blocks, plain_pages=plain, dropped_pages=dropped)
    assert [(dict(w.details)["page"], dict(w.details)["sign"]) for w in warnings] == expected
    assert all(w.code == "W109" for w in warnings)


def test_describe_in_vietnamese() -> None:
    warnings = (
        ParseWarning("W109", "", (("page", "3"), ("sign", "punctuation"))),
        ParseWarning("W109", "", (("page", "2"), ("sign", "punctuation"))),
        ParseWarning("W201", "repeated label"),
    )
    assert describe(warnings) == "Văn bản có thể bị lỗi trích xuất: trang 2, 3 (dấu câu tách thành dòng riêng)"
    assert describe(warnings[2:]) == ""


@pytest.mark.parametrize("path", GOOD, ids=lambda p: p.name)
def test_good_documents_are_not_flagged(path: Path) -> None:
    assert [w for w in read(path).warnings if w.code == "W109"] == []


def test_damaged_pdf_is_flagged(tmp_path: Path) -> None:
    """A PDF whose text layer carries a plan with its Vietnamese letters out of order (as the old reader
    made of LibreOffice's fallback glyphs) is flagged on its pages, and `parse` says so."""
    fpdf = pytest.importorskip("fpdf")
    font = Path("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    if not font.exists():
        pytest.skip("fonts-dejavu is not installed (make pdf-tools)")
    pdf = fpdf.FPDF(format="A4")
    pdf.add_font("DejaVu", "", font)
    pdf.set_font("DejaVu", size=11)
    pdf.add_page()
    for line in (DEV / "vanlam-kh-2023.txt").read_text(encoding="utf-8").splitlines()[:60]:
        text = _fallback_order(line) if re.match(r"^[-+]", line) else line
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    path = tmp_path / "damaged.pdf"
    pdf.output(str(path))
    flagged = [w for w in read(path).warnings if w.code == "W109"]
    assert flagged and all(dict(w.details)["page"].isdigit() for w in flagged), flagged
