"""Bad input: every refusal is a HyError with the exact code and a message line naming the file."""

from __future__ import annotations

import io
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from hycompliance.errors import Code, HyError
from hycompliance.ingest import MB, Limits, read
from tests.conftest import PROVINCIAL

PDF = PROVINCIAL.with_suffix(".pdf")
DOCX = PROVINCIAL.with_suffix(".docx")
OLE_HEADER = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


def empty(tmp: Path) -> Path:
    path = tmp / "trống.txt"
    path.write_bytes(b"")
    return path


def empty_pdf_named(tmp: Path) -> Path:
    path = tmp / "empty.pdf"
    path.write_bytes(b"")
    return path


def truncated_pdf(tmp: Path) -> Path:
    path = tmp / "truncated.pdf"
    data = PDF.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def pdf_without_eof(tmp: Path) -> Path:
    """Cut just before the end: the body is intact but the trailer and %%EOF are gone."""
    path = tmp / "no-eof.pdf"
    data = PDF.read_bytes()
    path.write_bytes(data[: data.rindex(b"startxref")])
    return path


def garbage_after_pdf_magic(tmp: Path) -> Path:
    path = tmp / "garbage.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 20 + b"\n%%EOF\n")
    return path


def encrypted_pdf(tmp: Path) -> Path:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(PDF))
    writer.encrypt(user_password="mật khẩu", owner_password="owner", algorithm="RC4-128")
    path = tmp / "encrypted.pdf"
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def image_only_pdf(tmp: Path) -> Path:
    path = tmp / "scanned.pdf"
    pages = [Image.new("RGB", (400, 560), "white") for _ in range(2)]
    pages[0].save(path, "PDF", save_all=True, append_images=pages[1:])
    return path


def docx_not_zip(tmp: Path) -> Path:
    path = tmp / "not-a-zip.docx"
    path.write_bytes(b"PK\x03\x04 this is not really a zip archive" + b"\x00" * 64)
    return path


def zip_without_document(tmp: Path) -> Path:
    path = tmp / "other.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/styles.xml", "<w:styles/>")
    return path


def docx_bad_xml(tmp: Path) -> Path:
    path = tmp / "bad-xml.docx"
    with zipfile.ZipFile(DOCX) as source, zipfile.ZipFile(path, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            target.writestr(info, b"<w:document><w:body>" if info.filename == "word/document.xml" else data)
    return path


def zip_bomb(tmp: Path) -> Path:
    """A real DOCX plus a 300 MB run of zeros that deflates to about 300 KB."""
    path = tmp / "bomb.docx"
    shutil.copy(DOCX, path)
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open("word/media/padding.bin", "w", force_zip64=True) as member:
            chunk = b"\x00" * MB
            for _ in range(300):
                member.write(chunk)
    return path


def legacy_doc(tmp: Path) -> Path:
    path = tmp / "kế hoạch cũ.doc"
    path.write_bytes(OLE_HEADER + b"\x00" * 2048)
    return path


def legacy_doc_named_docx(tmp: Path) -> Path:
    path = tmp / "renamed.docx"
    path.write_bytes(OLE_HEADER + b"\x00" * 2048)
    return path


def binary_junk(tmp: Path) -> Path:
    path = tmp / "junk.bin"
    path.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20000)))
    return path


def junk_named(suffix: str) -> Callable[[Path], Path]:
    """Binary junk saved under a plan's extension: the error says what the file claims to be."""

    def make(tmp: Path) -> Path:
        path = binary_junk(tmp).rename(tmp / f"junk{suffix}")
        return path

    return make


def png_named_txt(tmp: Path) -> Path:
    path = tmp / "ảnh.txt"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return path


def xlsx(tmp: Path) -> Path:
    path = tmp / "bảng.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return path


def old_excel(tmp: Path) -> Path:
    path = tmp / "bảng.xls"
    path.write_bytes(OLE_HEADER + b"\x00" * 2048)
    return path


def text_quoting_pdf_magic(tmp: Path) -> Path:
    """Not a PDF: text that mentions "%PDF-" after its first line is read as text."""
    path = tmp / "ghi chú.txt"
    path.write_text("Ghi chú\nTệp bắt đầu bằng %PDF-1.7 là PDF.\n" + "\x00" * 400, encoding="utf-8")
    return path


def directory(tmp: Path) -> Path:
    path = tmp / "thư mục.pdf"
    path.mkdir()
    return path


def missing(tmp: Path) -> Path:
    return tmp / "không có.pdf"


CASES: list[tuple[str, Callable[[Path], Path], Code]] = [
    ("missing", missing, Code.E101_NOT_FOUND),
    ("directory", directory, Code.E120_IS_DIRECTORY),
    ("empty", empty, Code.E102_EMPTY),
    ("empty-pdf", empty_pdf_named, Code.E102_EMPTY),
    ("truncated-pdf", truncated_pdf, Code.E106_CORRUPT_PDF),
    ("pdf-without-eof", pdf_without_eof, Code.E106_CORRUPT_PDF),
    ("garbage-pdf", garbage_after_pdf_magic, Code.E106_CORRUPT_PDF),
    ("encrypted-pdf", encrypted_pdf, Code.E107_ENCRYPTED),
    ("image-only-pdf", image_only_pdf, Code.E108_SCANNED),
    ("docx-not-zip", docx_not_zip, Code.E109_CORRUPT_DOCX),
    ("zip-without-document", zip_without_document, Code.E109_CORRUPT_DOCX),
    ("docx-bad-xml", docx_bad_xml, Code.E109_CORRUPT_DOCX),
    ("zip-bomb", zip_bomb, Code.E110_ZIP_BOMB),
    ("legacy-doc", legacy_doc, Code.E111_LEGACY_DOC),
    ("legacy-doc-named-docx", legacy_doc_named_docx, Code.E111_LEGACY_DOC),
    ("binary-junk", binary_junk, Code.E112_BINARY),
    ("binary-junk-named-docx", junk_named(".docx"), Code.E109_CORRUPT_DOCX),
    ("binary-junk-named-pdf", junk_named(".pdf"), Code.E106_CORRUPT_PDF),
    ("text-quoting-pdf-magic-with-nuls", text_quoting_pdf_magic, Code.E112_BINARY),
    ("xlsx", xlsx, Code.E104_UNSUPPORTED),
    ("xls", old_excel, Code.E104_UNSUPPORTED),
    ("png-named-txt", png_named_txt, Code.E112_BINARY),
]


@pytest.mark.parametrize(("make", "code"), [(make, code) for _, make, code in CASES], ids=[c[0] for c in CASES])
def test_bad_input_is_refused(tmp_path: Path, make: Callable[[Path], Path], code: Code, monkeypatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))  # no tesseract: scanned PDFs are E108
    path = make(tmp_path)
    with pytest.raises(HyError) as info:
        read(path)
    assert info.value.code is code
    assert info.value.path == str(path)
    assert info.value.line().startswith(f"{path}: {code.value} ")


def test_over_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "lớn.txt"
    path.write_text("Kế hoạch " * 200, encoding="utf-8")
    with pytest.raises(HyError) as info:
        read(path, limits=Limits(max_bytes=1000))
    assert info.value.code is Code.E103_TOO_LARGE
    assert info.value.line() == f"{path}: E103 file is larger than the limit of 0.000954 MB"


def test_sparse_100_mb_file_is_refused_by_size_without_reading(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "sparse.pdf"
    with path.open("wb") as fh:
        fh.truncate(100 * MB)

    def no_reading(*args: object, **kwargs: object) -> None:
        raise AssertionError("the file was opened")

    monkeypatch.setattr(Path, "open", no_reading)
    monkeypatch.setattr(Path, "read_bytes", no_reading)
    with pytest.raises(HyError) as info:
        read(path)
    assert info.value.code is Code.E103_TOO_LARGE
    assert info.value.line() == f"{path}: E103 file is larger than the limit of 50 MB"


def test_zip_bomb_under_a_lowered_limit(tmp_path: Path) -> None:
    path = tmp_path / "Kế hoạch.docx"
    shutil.copy(DOCX, path)
    with pytest.raises(HyError) as info:
        read(path, limits=Limits(max_docx_uncompressed=100_000))
    assert info.value.code is Code.E110_ZIP_BOMB
    assert info.value.line().startswith(f"{path}: E110 DOCX expands to more than 0.0954 MB")


def test_too_many_pages(tmp_path: Path) -> None:
    with pytest.raises(HyError) as info:
        read(PDF, limits=Limits(max_pages=5))
    assert info.value.code is Code.E115_TOO_MANY_PAGES
    assert info.value.line() == f"{PDF}: E115 document has 20 pages, more than the limit of 5"


@pytest.mark.parametrize(
    ("source", "name", "form"),
    [
        (DOCX, "kế hoạch.pdf", "docx"),
        (PDF, "kế hoạch.docx", "pdf"),
        (PDF, "kế hoạch.txt", "pdf"),
    ],
    ids=["docx-named-pdf", "pdf-named-docx", "pdf-named-txt"],
)
def test_wrong_extension_is_read_by_content_with_a_warning(tmp_path: Path, source: Path, name: str, form: str) -> None:
    path = tmp_path / name
    shutil.copy(source, path)
    document = read(path)
    assert document.form == form
    assert [w.code for w in document.warnings] == ["W105"]
    assert document.warnings[0].message.startswith(f"content is {form.upper()}, but the extension says {path.suffix}")
    assert document.blocks[0].region == "header"
    assert document.blocks[0].text.startswith("ỦY BAN NHÂN DÂN")


def test_vietnamese_path_with_spaces(tmp_path: Path) -> None:
    path = tmp_path / "Kế hoạch số 5 của UBND xã.docx"
    shutil.copy(DOCX, path)
    document = read(path)
    assert document.path == str(path)
    assert document.form == "docx"
    assert document.warnings == ()
    assert document.blocks[1].text == "Số: 87/KH-UBND"


def test_vietnamese_path_with_spaces_in_error(tmp_path: Path) -> None:
    path = tmp_path / "Kế hoạch số 5 của UBND xã.docx"
    path.write_bytes(b"")
    with pytest.raises(HyError) as info:
        read(path)
    assert info.value.line() == f"{path}: E102 file is empty"
