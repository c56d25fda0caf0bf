"""Bounded cost and formats told apart: inflating DOCX, huge tables, clause and pair budgets, matching memory
bounded by pairs, RTF/ODT refused (never stored as text)."""

from __future__ import annotations

import os
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from hycompliance.errors import Code, HyError
from hycompliance.features import vectorize
from hycompliance.ingest import read
from hycompliance.pipeline import analyze, load_context
from hycompliance.scan import scan
from hycompliance.store import open_db
from hycompliance.text import load_lexicon
from tests.conftest_db import PARENT_TXT, SOKHCN_TXT, analyze_test, load_test_context
from tests.test_reliability_scan import with_limits

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-'
                 'package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override '
                 'PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
                 'wordprocessingml.document.main+xml"/></Types>')
RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>')


def inflating_docx(path: Path, paragraphs: int, text: str = "- Phát triển kinh tế số trên địa bàn huyện") -> Path:
    """A small DOCX whose main part expands to ``paragraphs`` copies of one bullet (it compresses ~300:1)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document xmlns:w="{W}"><w:body>'.encode())
            paragraph = f"<w:p><w:r><w:t>{text}</w:t></w:r></w:p>".encode()
            for _ in range(paragraphs):
                f.write(paragraph)
            f.write(b"</w:body></w:document>")
    return path


@pytest.mark.parametrize("paragraphs, limits, code, words", [
    (60_000, {"docx__xml_mb": 4}, Code.E110_ZIP_BOMB, "expands to more than 4 MB"),          # ~6 MB of XML
    (30_000, {"docx__elements": 50_000}, Code.E117_DOCX_ELEMENTS, "more than 50,000 XML elements"),  # 90,000
])
def test_an_inflating_docx_is_refused_before_it_is_built(tmp_path, monkeypatch, paragraphs, limits, code, words):
    with_limits(tmp_path, monkeypatch, **limits)
    path = inflating_docx(tmp_path / "ke-hoach.docx", paragraphs)
    assert path.stat().st_size < 100_000
    tracemalloc.start()
    try:
        with pytest.raises(HyError) as refused:
            read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code is code and words in refused.value.line()
    assert peak < 20 * 1024 * 1024  # counted as a stream, never built


def test_the_default_docx_budgets_stop_a_document_far_below_a_gigabyte(tmp_path):
    """With the shipped budgets, a DOCX just over the element budget is refused (E117) with flat memory."""
    path = inflating_docx(tmp_path / "ke-hoach.docx", 170_000)  # 3 elements each: 510,000, 18 MB of XML
    tracemalloc.start()
    try:
        with pytest.raises(HyError) as refused:
            read(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert refused.value.code is Code.E117_DOCX_ELEMENTS and peak < 20 * 1024 * 1024


def pipe_table(path: Path, rows: int, columns: int) -> Path:
    lines = ["ỦY BAN NHÂN DÂN", "HUYỆN VĂN LÂM", "KẾ HOẠCH", "Thực hiện chuyển đổi số năm 2024", "I. MỤC TIÊU"]
    lines += ["| " + " | ".join(f"chỉ tiêu {r}-{c}" for c in range(columns)) + " |" for r in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def context():
    return load_context(PARENT_TXT)


def test_a_5000_by_200_pipe_table_is_its_one_error_line(tmp_path, context):
    path = pipe_table(tmp_path / "bang.txt", 5000, 200)
    with pytest.raises(HyError) as refused:
        analyze(path, context)
    assert refused.value.line() == f"{path}: E203 a table has 1,000,000 cells, more than the budget of 200,000"


@pytest.mark.parametrize("limits, code, line", [
    # 5 header and heading lines + 60 table rows, counted before the tree is built
    ({"structure__clauses": 50}, Code.E202_TOO_MANY_CLAUSES, "E202 document has 65 clauses, more than the budget of 50"),
    ({"matching__pairs": 1000}, Code.E204_TOO_MANY_PAIRS, "more than the budget of 1,000"),
])
def test_clause_and_pair_budgets(tmp_path, monkeypatch, context, limits, code, line):
    path = pipe_table(tmp_path / "bang.txt", 60, 3)
    with_limits(tmp_path, monkeypatch, **limits)
    with pytest.raises(HyError) as refused:
        analyze(path, context)
    assert refused.value.code is code and line in refused.value.line()


def test_matching_memory_is_bounded_by_pairs_not_by_the_table_shape():
    """2,000 table rows of 200 distinct words each (400,000 terms): a dense rows x vocabulary matrix would take
    6.4 GB; the vectors stay sparse and the products are requirements x rows."""
    lex = load_lexicon()
    requirements = [("chuyển đổi số", "kinh tế số", f"nhiệm vụ {i}") for i in range(40)]
    rows = [tuple(f"ô{r}_{c}" for c in range(200)) + ("chuyển đổi số",) for r in range(2000)]
    tracemalloc.start()
    try:
        v = vectorize(requirements, rows, lex)
        cos = v.unit.dot_from(v.req)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert cos.shape == (40, 2000)
    assert peak < 300 * 1024 * 1024
    # every row shares "chuyển đổi số" with every requirement, and nothing else: the same positive cosine
    assert (cos > 0).all() and abs(cos.max() - cos.min()) < 1e-9


RTF = rb"{\rtf1\ansi\ansicpg1258\deff0{\fonttbl{\f0 Times New Roman;}}\f0\fs28 K\'ca HO\'a0CH th\'f1c hi\'ean chuy\'ean \'f0\'f4i s\'f4\par}"


def odt(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.text", compress_type=zipfile.ZIP_STORED)
        z.writestr("content.xml", '<?xml version="1.0"?><office:document-content xmlns:office="urn:oasis:names:tc:'
                                  'opendocument:xmlns:office:1.0"><office:body><office:text>KẾ HOẠCH</office:text>'
                                  '</office:body></office:document-content>')
    return path


@pytest.mark.parametrize("name, make, line", [
    ("ke-hoach.txt", lambda p: p.write_bytes(RTF), "E111 RTF (Rich Text Format) format; save it as .docx"),
    ("ke-hoach.docx", lambda p: p.write_bytes(RTF), "E111 RTF (Rich Text Format) format; save it as .docx"),
    ("ke-hoach.rtf", lambda p: p.write_bytes(RTF), "E111 RTF (Rich Text Format) format; save it as .docx"),
    ("ke-hoach.odt", odt, "E111 OpenDocument text (.odt) format; save it as .docx"),
    ("ke-hoach-odt.docx", odt, "E111 OpenDocument text (.odt) format; save it as .docx"),
    ("ke-hoach-odt.txt", odt, "E111 OpenDocument text (.odt) format; save it as .docx"),
])
def test_rtf_and_odt_are_told_apart_by_content(tmp_path, name, make, line):
    path = tmp_path / name
    make(path)
    with pytest.raises(HyError) as refused:
        read(path)
    assert refused.value.line() == f"{path}: {line}"


def test_an_rtf_named_txt_is_never_stored_as_a_plan(tmp_path):
    folder = tmp_path / "plans"
    folder.mkdir()
    (folder / "ke-hoach.txt").write_bytes(RTF)
    (folder / "sokhcn.txt").write_bytes(SOKHCN_TXT.read_bytes())
    summary = scan(tmp_path / "c.db", PARENT_TXT, [folder], workers=1, loader=load_test_context,
                   analyze=_analyze_real_reader, progress=False, log=open(os.devnull, "w"))
    assert [(Path(e["file"]).name, e["code"]) for e in summary["errors"]] == [("ke-hoach.txt", "E111")]
    db = open_db(tmp_path / "c.db")
    assert db.execute("SELECT count(*) FROM clauses c JOIN documents d ON d.id = c.document_id "
                      "WHERE d.name = 'ke-hoach'").fetchone()[0] == 0
    db.close()


def _analyze_real_reader(path: str, context):  # noqa: ANN001
    """The real reader decides what the file is; the test analyzer does the rest."""
    read(path)
    return analyze_test(path, context)
