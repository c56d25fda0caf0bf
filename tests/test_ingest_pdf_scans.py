"""Scanned pages: image-only PDFs read by OCR (a stand-in tesseract), and which short pages count as scans."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from PIL import Image

from hycompliance.errors import Code, HyError
from hycompliance.ingest import read


def fake_tesseract(directory: Path, languages: str, output: str, code: int = 0) -> None:
    """A stand-in ``tesseract`` script: lists ``languages``; OCR prints ``output`` and exits ``code``."""
    directory.mkdir()
    script = directory / "tesseract"
    script.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = "--list-langs" ]; then printf "List of available languages (2):\\n' + languages + '\\n"; exit 0; fi\n'
        f"printf '{output}'\n"
        f"echo 'tesseract: page error' >&2\nexit {code}\n",
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def scanned_pdf(tmp_path: Path) -> Path:
    path = tmp_path / "scan.pdf"
    pages = [Image.new("RGB", (300, 400), "white") for _ in range(2)]
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:])
    return path


# tesseract's TSV (level 5 rows are words: block, paragraph, line, word, left, top, width, height at 300 dpi)
TSV = "\\n".join([
    "level\\tpage_num\\tblock_num\\tpar_num\\tline_num\\tword_num\\tleft\\ttop\\twidth\\theight\\tconf\\ttext",
    "5\\t1\\t1\\t1\\t1\\t1\\t300\\t300\\t80\\t40\\t95\\tKẾ",
    "5\\t1\\t1\\t1\\t1\\t2\\t400\\t300\\t160\\t40\\t95\\tHOẠCH",
    "5\\t1\\t1\\t2\\t1\\t1\\t300\\t420\\t70\\t40\\t95\\tSố:",
    "5\\t1\\t1\\t2\\t1\\t2\\t385\\t420\\t300\\t40\\t95\\t12/KH-UBND",
]) + "\\n"


@pytest.mark.parametrize(
    ("languages", "code", "expected"),
    [
        ("eng\\nvie", 0, [(1, "KẾ HOẠCH"), (1, "Số: 12/KH-UBND"), (2, "KẾ HOẠCH"), (2, "Số: 12/KH-UBND")]),
        ("eng", 0, Code.E108_SCANNED),
        ("eng\\nvie", 1, Code.E114_OCR_FAILED),
    ],
    ids=["ocr", "no-vietnamese-data", "tesseract-fails"],
)
def test_scanned_pdf_ocr(tmp_path: Path, monkeypatch, languages: str, code: int, expected) -> None:
    fake_tesseract(tmp_path / "bin", languages, TSV, code)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    path = scanned_pdf(tmp_path)
    if isinstance(expected, Code):
        with pytest.raises(HyError) as info:
            read(path)
        assert info.value.code is expected
        assert info.value.line().startswith(f"{path}: {expected.value} ")
    else:
        document = read(path)
        assert [(b.page, b.text) for b in document.blocks] == expected
        assert (document.form, document.pages) == ("pdf", 2)


SHORT_LAST_PAGE = ["Nơi nhận:", "- Như trên;"]  # 16 letters: below the text a page must hold to be no scan


def _short_last_page_pdf(path: Path, *, with_image: bool) -> Path:
    """Page 1 a plan's opening lines; page 2 only the recipients (and, if asked, an image under them)."""
    from fpdf import FPDF

    pdf = FPDF(unit="pt", format="A4")
    pdf.add_font("DejaVuSerif", "", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")
    pdf.set_font("DejaVuSerif", size=12)
    pdf.add_page()
    for index, text in enumerate(["KẾ HOẠCH", "Thực hiện Nghị quyết số 29-NQ/TW ngày 17/11/2022",
                                  "I. MỤC ĐÍCH, YÊU CẦU"]):
        pdf.text(90, 100 + 20 * index, text)
    pdf.add_page()
    if with_image:
        pdf.image(Image.new("RGB", (200, 100), "white"), x=90, y=200, w=200)
    for index, text in enumerate(SHORT_LAST_PAGE):
        pdf.text(90, 100 + 20 * index, text)
    pdf.output(str(path))
    return path


@pytest.mark.parametrize(
    ("with_image", "ocr_pages", "page_2"),
    [
        (False, None, SHORT_LAST_PAGE),  # text without an image: read as text, tesseract never asked
        (True, "2", ["KẾ HOẠCH", "Số: 12/KH-UBND"]),  # an image with almost no text: a scan, read by OCR
    ],
    ids=["short-text-page", "scanned-page"],
)
def test_short_page_is_a_scan_only_when_it_draws_an_image(tmp_path: Path, monkeypatch, with_image: bool,
                                                          ocr_pages: str | None, page_2: list[str]) -> None:
    fake_tesseract(tmp_path / "bin", "eng\\nvie", TSV)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}{os.pathsep}{os.environ['PATH']}")
    document = read(_short_last_page_pdf(tmp_path / "plan.pdf", with_image=with_image))
    assert [b.text for b in document.blocks if b.page == 2] == page_2
    assert [dict(w.details).get("pages") for w in document.warnings if w.code == "W110"] == (
        [ocr_pages] if ocr_pages else [])
    assert [w.code for w in document.warnings if w.code == "W108"] == []
