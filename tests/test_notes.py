"""Footnotes a plan cites documents in: Word footnotes (word/footnotes.xml) are read after the body as notes
("[1]", "[2]" as Word numbers them), kept out of the plan's clauses, and read by the reference checker,
which places a slip in a footnote on its note (GC1, GC2 ...)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx

from hycompliance.ingest import read
from hycompliance.references import check, extract_plan, parent_registry
from hycompliance.structure import build_plan

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
FOOTNOTES_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"
FOOTNOTES_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"

# Cần Thơ 165's opening with its footnote marks, and two of its footnotes (as the plan prints them).
PARAGRAPHS = [
    "ỦY BAN NHÂN DÂN THÀNH PHỐ CẦN THƠ",
    "Số: 165/KH-UBND",
    "Cần Thơ, ngày 21 tháng 11 năm 2025",
    "KẾ HOẠCH",
    "Thực hiện Chỉ thị số 27/CT-TTg ngày 15 tháng 8 năm 2024 của Thủ tướng Chính phủ về việc tăng cường thực hiện "
    "công tác dân số trong tình hình mới.",
    "I. MỤC ĐÍCH, YÊU CẦU",
    "- Thành ủy, Ủy ban nhân dân thành phố đã ban hành nhiều chương trình, kế hoạch{fn1} để triển khai đến sở, ban, "
    "ngành, đoàn thể các cấp.",
    "- Triển khai theo Nghị quyết số 21-NQ/TW và các văn bản chỉ đạo của Chính phủ{fn2}.",
    "Nơi nhận:",
    "- Văn phòng Chính phủ (để b/c);",
    "- Lưu: VT, MK.",
    "TM. ỦY BAN NHÂN DÂN",
    "Nguyễn Thị Ngọc Điệp",
]
NOTES = [
    "Kế hoạch số 75/KH- UBND ngày 09/7/2018 của UBND tỉnh Sóc Trăng về việc thực hiện Nghị quyết số 137/NQ-CP "
    "ngày 31/12/2017 của Chính phủ.",
    "Chỉ thị số 27/CTTg ngày 15/7/2024 của Thủ tướng Chính phủ về tăng cường thực hiện công tác dân số trong tình "
    "hình mới.",
]


def _docx_with_footnotes(path: Path) -> Path:
    """A DOCX whose paragraphs carry Word footnote references where "{fnN}" stands, and its footnotes part."""
    document = docx.Document()
    for text in PARAGRAPHS:
        document.add_paragraph(text)
    document.save(path)
    with zipfile.ZipFile(path) as z:
        files = {n: z.read(n) for n in z.namelist()}
    body = files["word/document.xml"].decode("utf-8")
    for i in range(1, len(NOTES) + 1):
        body = body.replace(f"{{fn{i}}}", f'</w:t></w:r><w:r><w:rPr><w:vertAlign w:val="superscript"/></w:rPr>'
                                          f'<w:footnoteReference w:id="{i}"/></w:r><w:r><w:t xml:space="preserve">')
    files["word/document.xml"] = body.encode("utf-8")
    notes = "".join(f'<w:footnote w:id="{i}"><w:p><w:r><w:footnoteRef/></w:r><w:r><w:t xml:space="preserve"> {t}'
                    f"</w:t></w:r></w:p></w:footnote>" for i, t in enumerate(NOTES, 1))
    files["word/footnotes.xml"] = (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{W}">'
        '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
        '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/></w:r></w:p>'
        f"</w:footnote>{notes}</w:footnotes>").encode("utf-8")
    rels = files["word/_rels/document.xml.rels"].decode("utf-8")
    files["word/_rels/document.xml.rels"] = rels.replace(
        "</Relationships>", f'<Relationship Id="rIdFn1" Type="{FOOTNOTES_REL}" Target="footnotes.xml"/></Relationships>'
    ).encode("utf-8")
    types = files["[Content_Types].xml"].decode("utf-8")
    files["[Content_Types].xml"] = types.replace(
        "</Types>", f'<Override PartName="/word/footnotes.xml" ContentType="{FOOTNOTES_TYPE}"/></Types>').encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files.items():
            z.writestr(name, data)
    return path


def test_word_footnotes_are_read_as_notes(tmp_path):
    doc = read(_docx_with_footnotes(tmp_path / "cantho_165.docx"))
    notes = [(b.text, b.region) for b in doc.blocks if b.region == "note"]
    assert notes == [(f"[{i}] {t}", "note") for i, t in enumerate(NOTES, 1)]
    body = " ".join(b.text for b in doc.blocks if b.region == "body")
    assert "kế hoạch để triển khai" in body and "Chính phủ." in body  # the marks leave no trace in the text
    plan = build_plan(doc)
    assert [(n.id, n.label, n.text) for n in plan.notes] == [("GC1", "[1]", NOTES[0]), ("GC2", "[2]", NOTES[1])]
    assert not [c for c in plan.clauses if "75/KH" in c.text]


def test_slips_in_word_footnotes_are_flagged_on_their_note(tmp_path):
    plan = build_plan(read(_docx_with_footnotes(tmp_path / "cantho_165.docx")))
    registry = parent_registry(None)
    _, findings = check(plan, extract_plan(plan, registry), registry)
    got = sorted((f.code, f.key, f.clause, f.corrected) for f in findings if f.severity != "info")
    assert got == [
        ("symbol_spacing", "27/CT-TTg", "GC2", "27/CT-TTg"),
        ("symbol_spacing", "75/KH-UBND", "GC1", "75/KH-UBND"),
        # the plan dates the directive 15/8/2024 in its body, its footnote 15/7/2024
        ("wrong_date", "27/CT-TTg", "GC2", "27/CT-TTg ngày 15/08/2024"),
    ]
