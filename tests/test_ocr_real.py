"""Scanned dev plans read by the real tesseract (vie): coverage F1 within ``MAX_F1_DROP`` of the text PDF's.

The scans are made here from the dev PDFs: each page rendered at ``SCAN_DPI``, turned by ``SKEW_DEGREES``,
speckled with noise, and saved as an image-only PDF. Skipped, with the reason, when tesseract or its
Vietnamese data is not installed (``make pdf-tools`` installs them as root).
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pytest
from PIL import Image

from hycompliance.evaluate import make_case, read_gold, run_case, summarize
from hycompliance.ingest.ocr import tesseract_ready
from hycompliance.matching import load_config
from hycompliance.requirements import build_catalogue
from hycompliance.models import Plan
from hycompliance.structure import build_plan, parse_file
from tests.conftest import DEV, PROVINCIAL

SCAN_DPI = 200
SKEW_DEGREES = 0.6
NOISE_SHARE = 0.001  # share of pixels turned black or white
MAX_F1_DROP = 0.05
PLANS = ["soct-kh-2023", "myhao-kh-2023"]

pytestmark = pytest.mark.skipif(not tesseract_ready(), reason="tesseract with Vietnamese data (tesseract-ocr-vie) is not installed")


def scan(pdf_path: Path, target: Path, seed: int = 13) -> Path:
    import pypdfium2 as pdfium

    rng = random.Random(seed)
    pages = []
    pdf = pdfium.PdfDocument(str(pdf_path))
    for page in pdf:
        image = page.render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
        image = image.rotate(SKEW_DEGREES, expand=False, fillcolor=255, resample=Image.BILINEAR)
        pixels = image.load()
        width, height = image.size
        for _ in range(int(NOISE_SHARE * width * height)):
            pixels[rng.randrange(width), rng.randrange(height)] = rng.choice((0, 255))
        pages.append(image)
    pdf.close()
    pages[0].save(target, "PDF", resolution=SCAN_DPI, save_all=True, append_images=pages[1:])
    return target


@cache
def _catalogue():
    return build_catalogue(parse_file(PROVINCIAL.with_suffix(".txt")))


def _f1(plan: Plan, name: str) -> dict[str, float]:
    config = load_config()
    case = make_case(name, "pdf", plan, read_gold(DEV / f"{name}.json"), _catalogue(), config)
    return summarize([run_case(case, config)])


@pytest.mark.parametrize("name", PLANS)
def test_scanned_plan_reaches_the_text_pdf_f1(name: str, tmp_path: Path) -> None:
    scanned = scan(DEV / f"{name}.pdf", tmp_path / f"{name}-scan.pdf")
    text_f1 = _f1(parse_file(DEV / f"{name}.pdf"), name)["f1"]
    ocr_f1 = _f1(parse_file(scanned), name)["f1"]
    assert ocr_f1 >= text_f1 - MAX_F1_DROP, (ocr_f1, text_f1)


@pytest.mark.parametrize("name", PLANS[:1])
def test_scanned_plan_is_read_with_its_tree_and_marked(name: str, tmp_path: Path) -> None:
    """What OCR reaches now: every page read and numbered, the OCR marked, most clauses found again."""
    from hycompliance.ingest import read

    scanned = scan(DEV / f"{name}.pdf", tmp_path / f"{name}-scan.pdf")
    document = read(scanned)
    assert [w.code for w in document.warnings if w.code == "W110"] == ["W110"]
    assert {b.page for b in document.blocks} == set(range(1, document.pages + 1))
    assert _f1(build_plan(document), name)["f1"] >= 0.9
