"""DOCX → blocks: paragraphs and tables in body order, Word numbering rebuilt as printed labels.

- The quốc hiệu table at the top (issuer | "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", number | place and date)
  becomes ``region="header"`` paragraphs, one per cell paragraph, left column first.
- Other tables become ``kind="table"`` blocks; a cell is its paragraphs joined with ``"\\n"``; a merged
  cell appears once (spanned columns and continued vertical merges are ``""``).
- Runs typed in TCVN3 fonts (``.VnTime``, ``.VnArialH`` ...) or VNI fonts (``VNI-Times``) are converted.
- ``Block.page`` counts the page breaks the file records (explicit, rendered, section); 1 if none.

>>> doc = read_docx("corpora/87-KH-UBND-2023.docx", Limits())  # doctest: +SKIP
>>> doc.blocks[0]  # doctest: +SKIP
Block(text='ỦY BAN NHÂN DÂN\\nTỈNH HƯNG YÊN', page=1, kind='paragraph', rows=(), region='header')
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field

import docx
from docx.document import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml.ns import qn
from lxml import etree
from lxml.etree import XMLSyntaxError, _Element

from hycompliance.budgets import budgets
from hycompliance.errors import Code, HyError
from hycompliance.ingest.limits import DOCX_MAIN_PART, Limits
from hycompliance.ingest.legacy import Legacy, tcvn3_to_unicode, vni_to_unicode
from hycompliance.ingest.numbering import Numbering
from hycompliance.models import Block, Document

# Fonts of the legacy encodings: ABC/TCVN3 fonts start with ".Vn" (".VnTime", ".VnArial", ".VnTimeH");
# VNI fonts with "VNI-" or "VNI " ("VNI-Times", "VNI-Helve").
TCVN3_FONT = re.compile(r"^\.Vn", re.IGNORECASE)
VNI_FONT = re.compile(r"^VNI[- ]", re.IGNORECASE)
# TCVN3 capitals fonts draw capitals at the lower-case code points: ".VnTimeH", ".VnArialH".
TCVN3_CAPITALS_FONT = re.compile(r"^\.Vn\w*H$", re.IGNORECASE)
# Text that marks the top table as the quốc hiệu/number/date header of an official document.
HEADER_TABLE_MARKERS = re.compile(r"CỘNG\s+HÒA|CỘNG\s+HOÀ|Độc\s+lập|Số\s*:|ngày\s+\d{1,2}\s+tháng", re.IGNORECASE)
HEADER_TABLE_MAX_ROWS = 6
HEADER_TABLE_COLUMNS = 2
# Section break types that start a new page (a missing w:type means nextPage).
PAGE_SECTION_TYPES = frozenset({"nextPage", "oddPage", "evenPage"})
# Run children that are text, and what they print.
RUN_TEXT = {qn("w:tab"): " ", qn("w:cr"): "\n", qn("w:noBreakHyphen"): "-", qn("w:softHyphen"): ""}
# Run containers inside a paragraph whose runs are part of its text (deleted text w:del is not).
RUN_CONTAINERS = frozenset(
    qn(tag) for tag in ("w:hyperlink", "w:ins", "w:smartTag", "w:fldSimple", "w:customXml", "w:sdtContent", "w:sdt")
)


@dataclass
class PageCounter:
    """Page number as far as the file tells: explicit breaks, rendered breaks, page section breaks.

    Word writes a ``lastRenderedPageBreak`` where its last layout broke the page, also right after an
    explicit break; a rendered break that follows a counted break with no text between is the same one.
    """

    page: int = 1
    just_broke: bool = False

    def explicit(self) -> None:
        self.page += 1
        self.just_broke = True

    def rendered(self) -> None:
        if not self.just_broke:
            self.page += 1
        self.just_broke = True

    def text(self) -> None:
        self.just_broke = False


@dataclass
class Reader:
    """State of one DOCX read: numbering counters, the page counter, the styles' fonts."""

    document: WordDocument
    numbering: Numbering
    section_types: tuple[str, ...] = ()  # how each section starts (w:type of its sectPr), in order
    sections_ended: int = 0
    pages: PageCounter = field(default_factory=PageCounter)
    style_fonts: dict[str, str | None] = field(default_factory=dict)  # paragraph style id → font


def read_docx(path: str, limits: Limits) -> Document:
    """Read a DOCX file into blocks; ``E109`` if it is not a Word document, ``E110`` if it expands too much."""
    check_archive(path, limits)
    try:
        document = docx.Document(path)
        numbering = Numbering.from_xml(_numbering_root(document))
        reader = Reader(document, numbering, section_types=_section_types(document))
        blocks = list(_body_blocks(reader))
    except HyError:
        raise
    except (PackageNotFoundError, KeyError, ValueError, XMLSyntaxError, zipfile.BadZipFile, AttributeError) as exc:
        raise HyError(Code.E109_CORRUPT_DOCX, path=path, detail=_short(exc)) from None
    return Document(path=path, blocks=tuple(blocks), pages=reader.pages.page, form="docx")


def check_archive(path: str, limits: Limits) -> None:
    """Refuse what is not a zip with a Word main part (``E109``), expands past the limit (``E110``: all parts
    against ``limits``, the XML parts that get parsed against ``docx.xml_mb`` of ``rules/limits.yaml``), or
    has more XML elements in its main part than ``docx.elements`` (``E117``, counted as a stream).

    Sizes come from the zip directory, before anything is decompressed.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
        raise HyError(Code.E109_CORRUPT_DOCX, path=path, detail=f"not a zip archive: {_short(exc)}") from None
    if DOCX_MAIN_PART not in {info.filename for info in infos}:
        raise HyError(Code.E109_CORRUPT_DOCX, path=path, detail=f"no {DOCX_MAIN_PART}")
    expanded = sum(info.file_size for info in infos)
    if expanded > limits.max_docx_uncompressed:
        raise HyError(Code.E110_ZIP_BOMB, path=path, limit=_mb(limits.max_docx_uncompressed))
    budget = budgets()
    xml = sum(info.file_size for info in infos if info.filename.lower().endswith((".xml", ".rels")))
    if xml > budget.docx_xml_bytes:
        raise HyError(Code.E110_ZIP_BOMB, path=path, limit=_mb(budget.docx_xml_bytes))
    _count_elements(path, budget.docx_elements)


def _mb(n: int) -> str:
    value = n / (1024 * 1024)
    return f"{value:.0f}" if value >= 1 else f"{value:.3g}"


def _count_elements(path: str, limit: int) -> None:
    """Stream the main part and stop at ``limit`` elements (``E117``): memory stays flat whatever its size."""
    count = 0
    try:
        with zipfile.ZipFile(path) as archive, archive.open(DOCX_MAIN_PART) as stream:
            for _, element in etree.iterparse(stream, events=("end",), huge_tree=False, resolve_entities=False,
                                               no_network=True):
                count += 1
                if count > limit:
                    raise HyError(Code.E117_DOCX_ELEMENTS, path=path, limit=f"{limit:,}")
                element.clear(keep_tail=False)
    except (XMLSyntaxError, zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise HyError(Code.E109_CORRUPT_DOCX, path=path, detail=_short(exc)) from None


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:120]


def _numbering_root(document: WordDocument) -> _Element | None:
    try:
        return document.part.numbering_part.element
    except (KeyError, NotImplementedError):
        return None


# --- body -------------------------------------------------------------------------------------------


def _body_children(parent: _Element) -> Iterator[_Element]:
    """Paragraphs and tables in document order, looking through content controls (``w:sdt``)."""
    for child in parent.iterchildren():
        if child.tag == qn("w:sdt"):
            content = child.find(qn("w:sdtContent"))
            if content is not None:
                yield from _body_children(content)
        elif child.tag in (qn("w:p"), qn("w:tbl")):
            yield child


def _body_blocks(reader: Reader) -> Iterator[Block]:
    seen_text = False
    for element in _body_children(reader.document.element.body):
        if element.tag == qn("w:tbl"):
            if not seen_text and _is_header_table(element):
                yield from _header_blocks(element, reader)
            else:
                page = reader.pages.page
                rows = _table_rows(element, reader)
                if any(any(cell for cell in row) for row in rows):
                    yield Block(text="", page=page, kind="table", rows=rows)
            seen_text = True
            continue
        page, text = _paragraph(element, reader)
        if text:
            seen_text = True
            yield Block(text=text, page=page, kind="paragraph")


def _is_header_table(table: _Element) -> bool:
    rows = table.findall(qn("w:tr"))
    if not rows or len(rows) > HEADER_TABLE_MAX_ROWS:
        return False
    if any(len(row.findall(qn("w:tc"))) != HEADER_TABLE_COLUMNS for row in rows):
        return False
    text = " ".join(t.text or "" for t in table.iter(qn("w:t")))
    return HEADER_TABLE_MARKERS.search(text) is not None


def _header_blocks(table: _Element, reader: Reader) -> Iterator[Block]:
    """One header paragraph block per non-empty cell paragraph: the left column, then the right."""
    columns: list[list[tuple[int, str]]] = [[] for _ in range(HEADER_TABLE_COLUMNS)]
    for row in table.findall(qn("w:tr")):
        for index, cell in enumerate(row.findall(qn("w:tc"))):
            for paragraph in cell.iter(qn("w:p")):
                columns[index].append(_paragraph(paragraph, reader))
    for column in columns:
        for page, text in column:
            if text:
                yield Block(text=text, page=page, kind="paragraph", region="header")


def _table_rows(table: _Element, reader: Reader) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    for row in table.findall(qn("w:tr")):
        cells: list[str] = []
        for cell in row.findall(qn("w:tc")):
            properties = cell.find(qn("w:tcPr"))
            span = _int_val(properties, "w:gridSpan", 1)
            if _continues_vertical_merge(properties):
                _paragraphs_for_pages(cell, reader)
                text = ""
            else:
                text = _cell_text(cell, reader)
            cells.extend([text] + [""] * (span - 1))
        rows.append(tuple(cells))
    return tuple(rows)


def _cell_text(cell: _Element, reader: Reader) -> str:
    texts = [text for _, text in (_paragraph(p, reader) for p in cell.iter(qn("w:p"))) if text]
    return "\n".join(texts)


def _paragraphs_for_pages(cell: _Element, reader: Reader) -> None:
    """Visit a merged-away cell's paragraphs for their page breaks and numbering, dropping the text."""
    for paragraph in cell.iter(qn("w:p")):
        _paragraph(paragraph, reader)


def _continues_vertical_merge(properties: _Element | None) -> bool:
    if properties is None:
        return False
    merge = properties.find(qn("w:vMerge"))
    return merge is not None and merge.get(qn("w:val"), "continue") == "continue"


def _int_val(parent: _Element | None, tag: str, default: int) -> int:
    if parent is None:
        return default
    child = parent.find(qn(tag))
    value = child.get(qn("w:val")) if child is not None else None
    return int(value) if value and value.isdigit() else default


# --- paragraphs -------------------------------------------------------------------------------------


def _paragraph(p: _Element, reader: Reader) -> tuple[int, str]:
    """(page the paragraph starts on, its text with the printed label); text "" when empty."""
    properties = p.find(qn("w:pPr"))
    if properties is not None and properties.find(qn("w:pageBreakBefore")) is not None:
        _page_break_before(properties, reader)
    style_id = _style_id(properties)
    pieces: list[tuple[str, Legacy | None, bool]] = []
    start_page: int | None = None
    for run in _runs(p):
        legacy, capitals = _run_encoding(run, style_id, reader)
        for child in run.iterchildren():
            piece = _run_child(child, reader)
            if piece:
                if start_page is None and piece.strip():
                    start_page = reader.pages.page
                reader.pages.text()
                pieces.append((piece, legacy, capitals))
    text = _join_pieces(pieces)
    label = _label(properties, style_id, reader) if text else ""
    if properties is not None and properties.find(qn("w:sectPr")) is not None:
        _end_section(reader)
    page = start_page if start_page is not None else reader.pages.page
    return page, f"{label} {text}" if label else text


def _page_break_before(properties: _Element, reader: Reader) -> None:
    value = properties.find(qn("w:pageBreakBefore")).get(qn("w:val"), "true")
    if value not in ("false", "0", "off"):
        reader.pages.explicit()


def _section_types(document: WordDocument) -> tuple[str, ...]:
    """The start type of every section in order. A ``w:sectPr`` holds the properties of the section that
    ends there, including how that section began (``w:type``, ``nextPage`` when absent)."""
    types = []
    for section in document.element.body.iter(qn("w:sectPr")):
        kind = section.find(qn("w:type"))
        types.append(kind.get(qn("w:val"), "nextPage") if kind is not None else "nextPage")
    return tuple(types)


def _end_section(reader: Reader) -> None:
    """A paragraph closed a section: the page advances if the next section starts on a new page."""
    reader.sections_ended += 1
    if reader.sections_ended < len(reader.section_types):
        if reader.section_types[reader.sections_ended] in PAGE_SECTION_TYPES:
            reader.pages.explicit()


def _runs(p: _Element) -> Iterator[_Element]:
    for child in p.iterchildren():
        if child.tag == qn("w:r"):
            yield child
        elif child.tag in RUN_CONTAINERS:
            yield from _runs(child)


def _run_child(child: _Element, reader: Reader) -> str:
    """Text of one run child; page breaks advance the page counter."""
    tag = child.tag
    if tag == qn("w:t"):
        return child.text or ""
    if tag == qn("w:br"):
        kind = child.get(qn("w:type"), "textWrapping")
        if kind == "page":
            reader.pages.explicit()
            return ""
        return "\n" if kind == "textWrapping" else ""
    if tag == qn("w:lastRenderedPageBreak"):
        reader.pages.rendered()
        return ""
    return RUN_TEXT.get(tag, "")


def _join_pieces(pieces: list[tuple[str, Legacy | None, bool]]) -> str:
    """Join run texts, converting each stretch of same-encoding runs; NFC; trim each line."""
    out: list[str] = []
    index = 0
    while index < len(pieces):
        _, legacy, capitals = pieces[index]
        end = index
        while end < len(pieces) and pieces[end][1:] == (legacy, capitals):
            end += 1
        stretch = "".join(text for text, _, _ in pieces[index:end])
        out.append(_convert(stretch, legacy, capitals))
        index = end
    text = unicodedata.normalize("NFC", "".join(out))
    lines = [re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _convert(text: str, legacy: Legacy | None, capitals: bool) -> str:
    if legacy == "tcvn3":
        converted = tcvn3_to_unicode(text)
        return converted.upper() if capitals else converted
    if legacy == "vni":
        return vni_to_unicode(text)
    return text


def _label(properties: _Element | None, style_id: str | None, reader: Reader) -> str:
    """The printed label of a numbered paragraph: its own ``w:numPr``, else its style's."""
    num = properties.find(qn("w:numPr")) if properties is not None else None
    num_id, ilvl = _num_pr(num)
    if num_id is None and style_id:
        num_id, style_ilvl = _style_num_pr(style_id, reader)
        ilvl = ilvl if ilvl is not None else style_ilvl
    if num_id is None:
        return ""
    return reader.numbering.label(num_id, ilvl or 0)


def _num_pr(num: _Element | None) -> tuple[str | None, int | None]:
    if num is None:
        return None, None
    num_id = num.find(qn("w:numId"))
    ilvl = num.find(qn("w:ilvl"))
    return (
        num_id.get(qn("w:val")) if num_id is not None else None,
        int(ilvl.get(qn("w:val"), "0")) if ilvl is not None else None,
    )


def _style_id(properties: _Element | None) -> str | None:
    style = properties.find(qn("w:pStyle")) if properties is not None else None
    return style.get(qn("w:val")) if style is not None else None


# --- styles: numbering and fonts ----------------------------------------------------------------------


def _style_chain(style_id: str | None, reader: Reader) -> Iterator[_Element]:
    """The style element and its ``basedOn`` ancestors (cycle-safe)."""
    styles = reader.document.styles.element
    seen: set[str] = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        element = next((s for s in styles.iterchildren(qn("w:style")) if s.get(qn("w:styleId")) == style_id), None)
        if element is None:
            return
        yield element
        based = element.find(qn("w:basedOn"))
        style_id = based.get(qn("w:val")) if based is not None else None


def _style_num_pr(style_id: str, reader: Reader) -> tuple[str | None, int | None]:
    for style in _style_chain(style_id, reader):
        properties = style.find(qn("w:pPr"))
        num_id, ilvl = _num_pr(properties.find(qn("w:numPr")) if properties is not None else None)
        if num_id is not None:
            return num_id, ilvl
    return None, None


def _fonts_of(properties: _Element | None) -> str | None:
    fonts = properties.find(qn("w:rFonts")) if properties is not None else None
    if fonts is None:
        return None
    return fonts.get(qn("w:ascii")) or fonts.get(qn("w:hAnsi"))


def _style_font(style_id: str | None, reader: Reader) -> str | None:
    for style in _style_chain(style_id, reader):
        font = _fonts_of(style.find(qn("w:rPr")))
        if font:
            return font
    return None


def _default_font(reader: Reader) -> str | None:
    defaults = reader.document.styles.element.find(qn("w:docDefaults"))
    run_defaults = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    return _fonts_of(properties)


def _default_paragraph_style(reader: Reader) -> str | None:
    for style in reader.document.styles.element.iterchildren(qn("w:style")):
        if style.get(qn("w:type")) == "paragraph" and style.get(qn("w:default")) in ("1", "true"):
            return style.get(qn("w:styleId"))
    return None


def _run_font(run: _Element, style_id: str | None, reader: Reader) -> str | None:
    """The font a run is drawn in: its own, its character style's, its paragraph style's, the default."""
    properties = run.find(qn("w:rPr"))
    font = _fonts_of(properties)
    if font:
        return font
    char_style = properties.find(qn("w:rStyle")) if properties is not None else None
    if char_style is not None:
        font = _style_font(char_style.get(qn("w:val")), reader)
        if font:
            return font
    key = style_id or ""
    if key not in reader.style_fonts:
        paragraph_style = style_id or _default_paragraph_style(reader)
        reader.style_fonts[key] = _style_font(paragraph_style, reader) or _default_font(reader)
    return reader.style_fonts[key]


def _run_encoding(run: _Element, style_id: str | None, reader: Reader) -> tuple[Legacy | None, bool]:
    """(legacy encoding of the run's font, whether it is a TCVN3 capitals font)."""
    font = _run_font(run, style_id, reader)
    if not font:
        return None, False
    if TCVN3_FONT.match(font):
        return "tcvn3", TCVN3_CAPITALS_FONT.match(font) is not None
    if VNI_FONT.match(font):
        return "vni", False
    return None, False
