"""The readers on real files: the provincial plan in three forms, and the labelled dev plans."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from hycompliance.ingest import read
from hycompliance.models import Document
from hycompliance.normalize import dehyphenate_lines, fold_whitespace
from tests.conftest import DEV, PROVINCIAL, dev_names

# Lines of the web .txt that are layout, not text: the "|" cell separators and the "-------" rules.
TXT_LAYOUT_LINE = re.compile(r"^\s*(?:\||-{3,})\s*$")
# Header blocks, left column first: DOCX cell paragraphs (line breaks kept), PDF visual lines.
PROVINCIAL_HEADER = {
    "docx": [
        "ỦY BAN NHÂN DÂN\nTỈNH HƯNG YÊN", "Số: 87/KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc", "Hưng Yên, ngày 23 tháng 5 năm 2023",
    ],
    "pdf": [
        "ỦY BAN NHÂN DÂN", "TỈNH HƯNG YÊN", "Số: 87/KH-UBND",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA", "VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "Hưng Yên, ngày 23 tháng 5 năm 2023",
    ],
}


def flat_text(blocks) -> str:
    """All text of the blocks, table cells included, in order, whitespace folded."""
    parts: list[str] = []
    for block in blocks:
        parts += [cell for row in block.rows for cell in row] if block.kind == "table" else [block.text]
    return fold_whitespace(" ".join(parts))


def provincial_txt_body() -> str:
    """The web text after its header (up to the title), unwrapped."""
    lines = PROVINCIAL.with_suffix(".txt").read_text(encoding="utf-8").splitlines()
    title = next(i for i, line in enumerate(lines) if line.startswith("KẾ HOẠCH"))
    body = [line.strip() for line in lines[title:] if line.strip() and not TXT_LAYOUT_LINE.match(line)]
    return fold_whitespace(" ".join(dehyphenate_lines(body)))


@pytest.fixture(scope="module", params=["docx", "pdf"])
def provincial(request) -> Document:
    return read(PROVINCIAL.with_suffix(f".{request.param}"))


def test_provincial_body_matches_the_web_text(provincial: Document) -> None:
    body = [b for b in provincial.blocks if b.region == "body"]
    assert flat_text(body) == provincial_txt_body()


def test_provincial_header(provincial: Document) -> None:
    header = [b for b in provincial.blocks if b.region == "header"]
    assert [b.text for b in header] == PROVINCIAL_HEADER[provincial.form]
    assert {b.kind for b in header} == {"paragraph" if provincial.form == "docx" else "line"}
    assert provincial.blocks[: len(header)] == tuple(header)


def test_provincial_targets_table(provincial: Document) -> None:
    tables = [b for b in provincial.blocks if b.kind == "table"]
    targets = tables[0]
    assert [fold_whitespace(c) for c in targets.rows[0]] == ["Chỉ tiêu", "2021-2025", "2026-2030"]
    assert [fold_whitespace(c) for c in targets.rows[1]] == ["1. Tốc độ tăng trưởng bình quân GRDP (%/năm)", "Khoảng 8%", "Khoảng 9%"]
    assert len(targets.rows) == 15
    assert targets.page == (2 if provincial.form == "pdf" else 1)
    closing = tables[-1]
    assert closing.rows[0][0].startswith("Nơi nhận:\n- Thường trực Tỉnh ủy;")
    assert closing.rows[0][1].split("\n") == ["TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH THƯỜNG TRỰC", "Nguyễn Lê Huy"]


def test_provincial_pdf_pages_and_lines() -> None:
    document = read(PROVINCIAL.with_suffix(".pdf"))
    assert (document.form, document.pages, document.warnings) == ("pdf", 20, ())
    # lines that start a paragraph by their layout (indent, space above) are "paragraph" blocks
    assert {b.kind for b in document.blocks} == {"line", "paragraph", "table"}
    assert [b.page for b in document.blocks] == sorted(b.page for b in document.blocks)
    assert document.blocks[-1].page == 20
    # the hyphen break "Kế hoạch số 197/KH-" | "UBND" is rejoined; no line ends inside a document symbol
    texts = [b.text for b in document.blocks if b.kind != "table"]
    assert any("Kế hoạch số 197/KH-UBND ngày 05/12/2022" in t for t in texts)
    assert not [t for t in texts if re.search(r"\d+/[A-ZĐ]+-$", t)]


def test_provincial_docx_is_one_page_of_paragraphs() -> None:
    document = read(PROVINCIAL.with_suffix(".docx"))
    assert (document.form, document.pages, document.warnings) == ("docx", 1, ())
    assert {b.kind for b in document.blocks} == {"paragraph", "table"}
    assert document.blocks[4].text.startswith("KẾ HOẠCH THỰC HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG SỐ 34-CTR/TU")


def gold_texts(name: str) -> list[str]:
    gold = json.loads((DEV / f"{name}.json").read_text(encoding="utf-8"))
    texts: list[str] = []
    for block in gold["blocks"]:
        texts += [block["text"]] if block.get("text") else []
        texts += [cell for row in block.get("rows", []) for cell in row if cell]
    return texts


@pytest.mark.parametrize("form", ["docx", "pdf"])
@pytest.mark.parametrize("name", dev_names())
def test_dev_plan_blocks_are_all_read(name: str, form: str) -> None:
    document = read(DEV / f"{name}.{form}")
    text = flat_text(document.blocks)
    wanted = gold_texts(name)
    missing = [t for t in wanted if fold_whitespace(t) not in text]
    assert len(wanted) > 50
    assert missing == []


@pytest.mark.parametrize("form", ["docx", "pdf"])
@pytest.mark.parametrize("name", dev_names())
def test_dev_plan_header(name: str, form: str) -> None:
    gold = json.loads((DEV / f"{name}.json").read_text(encoding="utf-8"))
    document = read(DEV / f"{name}.{form}")
    header = flat_text(b for b in document.blocks if b.region == "header")
    assert f"Số: {gold['number']}" in header
    assert header.startswith(fold_whitespace(gold["blocks"][0]["text"]))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM Độc lập - Tự do - Hạnh phúc" in header


def test_dev_names_present() -> None:
    assert dev_names() == ["myhao-kh-2023", "phucu-kh-2023", "soct-kh-2023", "sokhcn-kh-2023", "vanlam-kh-2023"]
    assert all(Path(DEV / f"{n}.{f}").is_file() for n in dev_names() for f in ("docx", "pdf", "txt"))
