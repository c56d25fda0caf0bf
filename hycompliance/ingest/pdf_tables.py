"""Ruled tables of a PDF page: pdfium's drawn paths → pdfplumber's table finder → cells filled with pdfium's characters.

pdfplumber finds tables well but parses the whole page with pdfminer to do it (about 0.5 s a page, measured on
the dev plans): here only its table finder runs (``pdfplumber.table.TableFinder``: snapping, joining, the
intersections and cells), fed with the edges of the paths pdfium already parsed, and each cell's text is built
from the page's characters (``pdf_chars``) as the body text is, so spaces and reading order in cells come out as
they do outside them.

Edges: every straight axis-aligned piece of a stroked or filled path, in page coordinates (form XObjects
included). A path that is only filled in white (a page background behind the text, as wkhtmltopdf paints it)
draws no visible line and gives none.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field

import pypdfium2.raw as pdfium_c

import numpy as np

from hycompliance.ingest.pdf_chars import Segment, cell_lines, join_segments, page_em, segment_lines
from hycompliance.ingest.pdf_columns import PageChars
from hycompliance.ingest.pdf_rules import rule_only_edges
from hycompliance.normalize import OPEN_END, dehyphenate_lines, fold_whitespace
from hycompliance.quality import is_syllable

# A table as found: its bounding box (x0, top, x1, bottom) in top-down page points, and its rows of cell texts.
Rows = tuple[tuple[str, ...], ...]
BBox = tuple[float, float, float, float]
FoundTable = tuple[BBox, Rows]
# A fill this light on every channel (0-255) is the page's own colour: no line is drawn.
WHITE_LEVEL = 250
# A piece of a path this close to horizontal or vertical (points) is an edge.
AXIS_TOLERANCE = 0.5
# Path objects nested in form XObjects are followed this deep.
MAX_FORM_DEPTH = 4
# Vertical rules ending within this many points of each other end together (a table cut by the page break) ...
CUT_TOLERANCE = 1.5
# ... when there are at least this many of them.
MIN_CUT_RULES = 3
# A character's vertical middle sits this many of its line's ems above its baseline.
MIDDLE_EMS = 0.3
# A cell that starts a new entry: a bullet or a numbered/lettered label.
# Marks that never start a line: a line starting with one was cut from the line above.
CLOSING_MARKS = frozenset(";,.:)!?…")
# A cell that ends on a hyphen: a range or word broken at it ("03-", "03 -" where the gap read as a space).
OPEN_HYPHEN = re.compile(r"[^\W_]\s?[-‐]$")
# A cell line ending this close (in ems) to the cell's inner right edge leaves no room for a letter: the line is full.
FULL_CELL_EMS = 0.3
CELL_LABEL = re.compile(r"^(?:[-+•–]|\d+(?:\.\d+)*[.)]?|[a-zđ][).])(?:\s|$)")

Matrix = tuple[float, float, float, float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)


@dataclass
class _EdgePage:
    """What ``pdfplumber.table.TableFinder`` reads of a page for the "lines" strategy: its edges and box."""

    edges: list[dict[str, object]]
    bbox: tuple[float, float, float, float]
    chars: list[object] = field(default_factory=list)


def _compose(inner: Matrix, outer: Matrix) -> Matrix:
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (a * A + b * C, a * B + b * D, c * A + d * C, c * B + d * D, e * A + f * C + E, e * B + f * D + F)


def _matrix(obj: object) -> Matrix:
    m = pdfium_c.FS_MATRIX()
    if not pdfium_c.FPDFPageObj_GetMatrix(obj, m):
        return IDENTITY
    return (m.a, m.b, m.c, m.d, m.e, m.f)


def _visible(obj: object) -> bool:
    """Does the path draw anything a reader sees as a line (stroked, or filled in a colour)?"""
    fill = ctypes.c_int()
    stroke = ctypes.c_int()
    if not pdfium_c.FPDFPath_GetDrawMode(obj, fill, stroke):
        return False
    if stroke.value:
        return True
    if fill.value == pdfium_c.FPDF_FILLMODE_NONE:
        return False
    r, g, b, a = (ctypes.c_uint() for _ in range(4))
    if not pdfium_c.FPDFPageObj_GetFillColor(obj, r, g, b, a):
        return True
    return not (min(r.value, g.value, b.value) >= WHITE_LEVEL or a.value == 0)


def _path_edges(obj: object, matrix: Matrix, height: float) -> list[dict[str, object]]:
    """The straight axis-aligned pieces of one path, as pdfplumber's edge dicts (top-down coordinates)."""
    a, b, c, d, e, f = matrix
    x = ctypes.c_float()
    y = ctypes.c_float()
    points: list[tuple[float, float]] = []
    start: tuple[float, float] | None = None
    edges: list[dict[str, object]] = []
    for index in range(pdfium_c.FPDFPath_CountSegments(obj)):
        segment = pdfium_c.FPDFPath_GetPathSegment(obj, index)
        kind = pdfium_c.FPDFPathSegment_GetType(segment)
        pdfium_c.FPDFPathSegment_GetPoint(segment, x, y)
        point = (a * x.value + c * y.value + e, height - (b * x.value + d * y.value + f))
        if kind == pdfium_c.FPDF_SEGMENT_MOVETO or not points:
            points, start = [point], point
        else:
            if kind == pdfium_c.FPDF_SEGMENT_LINETO:
                edges += _edge(points[-1], point)
            points.append(point)
        if pdfium_c.FPDFPathSegment_GetClose(segment) and start is not None:
            edges += _edge(points[-1], start)
    return edges


def _edge(p0: tuple[float, float], p1: tuple[float, float]) -> list[dict[str, object]]:
    (x0, y0), (x1, y1) = p0, p1
    if abs(y0 - y1) <= AXIS_TOLERANCE and abs(x0 - x1) > AXIS_TOLERANCE:
        orientation, y1 = "h", y0
    elif abs(x0 - x1) <= AXIS_TOLERANCE and abs(y0 - y1) > AXIS_TOLERANCE:
        orientation, x1 = "v", x0
    else:
        return []
    left, right, top, bottom = min(x0, x1), max(x0, x1), min(y0, y1), max(y0, y1)
    return [{"object_type": "line", "x0": left, "x1": right, "top": top, "bottom": bottom, "doctop": top,
             "width": right - left, "height": bottom - top, "orientation": orientation}]


def page_edges(page: object, height: float) -> list[dict[str, object]]:
    """Edges of every visible path of a page (``page`` is pdfium's raw page handle)."""
    edges: list[dict[str, object]] = []
    stack: list[tuple[object, Matrix, int]] = [(page, IDENTITY, 0)]
    while stack:
        parent, outer, depth = stack.pop()
        is_page = depth == 0
        count = pdfium_c.FPDFPage_CountObjects(parent) if is_page else pdfium_c.FPDFFormObj_CountObjects(parent)
        for index in range(count):
            obj = pdfium_c.FPDFPage_GetObject(parent, index) if is_page else pdfium_c.FPDFFormObj_GetObject(parent, index)
            kind = pdfium_c.FPDFPageObj_GetType(obj)
            if kind == pdfium_c.FPDF_PAGEOBJ_PATH and _visible(obj):
                edges += _path_edges(obj, _compose(_matrix(obj), outer), height)
            elif kind == pdfium_c.FPDF_PAGEOBJ_FORM and depth < MAX_FORM_DEPTH:
                stack.append((obj, _compose(_matrix(obj), outer), depth + 1))
    return edges


def close_cut_tables(edges: list[dict[str, object]]) -> list[dict[str, object]]:
    """A horizontal edge where several vertical rules end together with none drawn across them: the rows of
    a table cut by the page break (a browser draws no border at the cut), so that its last (or first) row on
    the page is still a row.

    >>> v = [{"orientation": "v", "x0": x, "x1": x, "top": 100.0, "bottom": 780.0} for x in (50.0, 90.0, 300.0)]
    >>> h = [{"orientation": "h", "x0": 50.0, "x1": 300.0, "top": 100.0, "bottom": 100.0}]
    >>> [(e["x0"], e["top"], e["x1"]) for e in close_cut_tables(v + h)[4:]]
    [(50.0, 780.0, 300.0)]
    """
    vertical = [e for e in edges if e["orientation"] == "v"]
    across = [e for e in edges if e["orientation"] == "h"]
    added: list[dict[str, object]] = []
    for end in ("top", "bottom"):
        groups: dict[int, list[dict[str, object]]] = {}
        for edge in vertical:
            groups.setdefault(round(float(edge[end]) / CUT_TOLERANCE), []).append(edge)
        for group in groups.values():
            if len(group) < MIN_CUT_RULES:
                continue
            y = float(group[0][end])
            left = min(float(e["x0"]) for e in group)
            right = max(float(e["x0"]) for e in group)
            drawn = any(
                abs(float(e["top"]) - y) <= CUT_TOLERANCE and float(e["x0"]) <= left + CUT_TOLERANCE
                and float(e["x1"]) >= right - CUT_TOLERANCE
                for e in across
            )
            if not drawn:
                added += _edge((left, y), (right, y))
    return edges + added


def has_paths(page: object) -> bool:
    """Does the page draw any path (or hold a form that may)? Pages without give no table."""
    return _draws(page, (pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM))


def has_images(page: object) -> bool:
    """Does the page draw any image (or hold a form that may)? Only such a page can be a scan."""
    return _draws(page, (pdfium_c.FPDF_PAGEOBJ_IMAGE, pdfium_c.FPDF_PAGEOBJ_FORM))


def _draws(page: object, kinds: tuple[int, ...]) -> bool:
    for index in range(pdfium_c.FPDFPage_CountObjects(page)):
        if pdfium_c.FPDFPageObj_GetType(pdfium_c.FPDFPage_GetObject(page, index)) in kinds:
            return True
    return False


def find_tables(page: object, width: float, height: float, chars: PageChars,
                *, page_lines: Callable[[], list[list[Segment]]] | None = None) -> list[FoundTable]:
    """Ruled tables of a page: (bbox, rows); a cell's lines joined with "\\n" and dehyphenated, a cell
    spanning several columns or rows given once (the others empty), as pdfplumber's ``extract`` does.
    ``page_lines``: gives ``segment_lines(chars, height)``, where the caller keeps it."""
    edges = close_cut_tables(page_edges(page, height))
    usual = page_em(chars) if len(chars) else 0.0
    if any(e["orientation"] == "h" for e in edges):
        edges += rule_only_edges(edges, chars, height, usual, page_lines=page_lines)
    if len(edges) < 4:
        return []
    from pdfplumber.table import TableFinder  # imported here: only pages with ruled paths need it

    finder = TableFinder(_EdgePage(edges, (0.0, 0.0, width, height)))  # type: ignore[arg-type]
    middle_x = (chars.x0 + chars.x1) / 2
    middle_y = height - (chars.base + MIDDLE_EMS * usual)
    out: list[FoundTable] = []
    for table in finder.tables:
        cells = [cell for row in table.rows for cell in row.cells]
        texts = _cell_texts(cells, chars, middle_x, middle_y, height, usual)
        rows, at = [], 0
        for row in table.rows:
            rows.append(tuple(texts[at + k] for k in range(len(row.cells))))
            at += len(row.cells)
        if any(any(row) for row in rows):
            out.append((table.bbox, tuple(rows)))
    return out


def _cell_texts(cells: list[BBox | None], chars: PageChars, middle_x: np.ndarray, middle_y: np.ndarray,
                height: float, usual: float) -> list[str]:
    """Each cell's text from the characters whose middle falls in it (``None``: a cell spanned by another, "")."""
    which = np.full(len(chars), -1, dtype=np.int64)
    shared = False
    for number, cell in enumerate(cells):
        if cell is None:
            continue
        x0, top, x1, bottom = cell
        inside = (x0 <= middle_x) & (middle_x < x1) & (top <= middle_y) & (middle_y < bottom)
        shared = shared or bool((inside & (which >= 0)).any())
        which[inside] = number
    if shared:  # overlapping cells (not drawn by any writer measured): each cell read on its own
        return [_cell_text(cell, chars, middle_x, middle_y, height, usual) if cell is not None else "" for cell in cells]
    lines = cell_lines(chars, which, height, usual)
    return [
        clean_cell(cell_lines_text(cell, lines.get(number, []))) if cell is not None else ""
        for number, cell in enumerate(cells)
    ]


def _cell_text(cell: BBox, chars: PageChars, middle_x: np.ndarray, middle_y: np.ndarray, height: float, usual: float) -> str:
    x0, top, x1, bottom = cell
    inside = (x0 <= middle_x) & (middle_x < x1) & (top <= middle_y) & (middle_y < bottom)
    return clean_cell(cell_lines_text(cell, segment_lines(chars.subset(inside), height, usual)))


def cell_lines_text(cell: BBox, lines: list[list[Segment]]) -> str:
    """A cell's lines (each its runs, top line first) joined with "\\n", but glued where the cell cut a word
    too long for it (``_cut_in_word``). The cell's inner right edge is as far from its right rule as its
    text from its left rule (writers pad both sides alike).

    >>> cell = (156.6, 500.0, 228.6, 700.0)
    >>> lines = [[Segment(162.3, 0, 210.7, 13, "và ")], [Segment(162.6, 0, 222.4, 13, "STEM/STEA")],
    ...          [Segment(162.5, 0, 203.7, 13, "M trong ")], [Segment(162.3, 0, 200.1, 13, "giáo dục")]]
    >>> cell_lines_text(cell, lines)
    'và\\nSTEM/STEAM trong\\ngiáo dục'
    """
    texts = [join_segments(tuple(line)) for line in lines]
    if len(lines) < 2:
        return "\n".join(texts)
    right = cell[2] - max(0.0, min(line[0].x0 for line in lines) - cell[0])
    out = texts[0]
    for line, text, following in zip(lines, texts, texts[1:]):
        out += ("" if _cut_in_word(line, following, right) else " " if _typed_dash(line, text, following) else "\n") + following
    return out


def _typed_dash(line: list[Segment], text: str, following: str) -> bool:
    """Does the line end on a hyphen the file follows with a space ("giảng dạy- " + "học tập"), where the
    lines would otherwise be rejoined as a token broken at its hyphen (``dehyphenate_lines``)? Then the next
    line is a word of its own: glued with the space, which no rejoining takes out."""
    return line[-1].text.endswith(" ") and len(dehyphenate_lines([text, following])) == 1


def _cut_in_word(line: list[Segment], following: str, right: float) -> bool:
    """Was a word too long for its cell cut after ``line``, the next line starting with ``following``? The
    line is that one word (no space inside it, none after it in the file: a line wrapped at a space keeps it),
    filling the cell to within ``FULL_CELL_EMS`` of its inner ``right`` edge, where not even a narrow letter
    fits; it ends with a letter or digit, and the rest starts with letters or digits that spell no Vietnamese
    syllable on their own ("STEM/STEA" + "M trong"; "Chương" + "trình" is a line wrapped between two words).
    """
    if len(line) != 1 or " " in line[0].text or not following[:1].isalnum():
        return False
    run = line[0]
    if not run.text[-1:].isalnum() or run.x1 < right - FULL_CELL_EMS * (run.bottom - run.top):
        return False
    head = re.match(r"\w+", following)
    return head is not None and not is_syllable(head.group())


def _word_cut(line: str, following: str) -> bool:
    """Did a cell too narrow for a word cut it where no space was ("doanh nghiệp/nă" + "m", "NN&PTNT" + ";")?
    The next line starts with punctuation that never starts a line, or with letters that are no Vietnamese
    syllable but make one with the end of the line above."""
    if following[:1] in CLOSING_MARKS:
        return True
    head = following.split(" ", 1)[0]
    tail = re.split(r"[\s/]", line)[-1]
    return head.isalpha() and head.islower() and not is_syllable(head) and tail.isalpha() and is_syllable(tail + head)


def clean_cell(cell: str | None) -> str:
    """A cell's text: NFC, spaces folded on each line, empty lines dropped, lines broken at a hyphen or
    after a slash rejoined.

    >>> clean_cell("Nhiệm vụ  về\\n\\nbảo quản ")
    'Nhiệm vụ về\\nbảo quản'
    >>> clean_cell("kèm QĐ số 1130/\\nQĐ-UBND")
    'kèm QĐ số 1130/QĐ-UBND'
    >>> clean_cell("10 doanh nghiệp/nă\\nm đổi mới"), clean_cell("Sở NN&PTNT\\n; UBND cấp huyện")
    ('10 doanh nghiệp/năm đổi mới', 'Sở NN&PTNT; UBND cấp huyện')
    """
    if not cell:
        return ""
    lines = [fold_whitespace(line) for line in unicodedata.normalize("NFC", cell).split("\n")]
    out: list[str] = []
    for line in dehyphenate_lines([line for line in lines if line]):
        if out and (out[-1].endswith("/") and line[:1].isalnum() or _word_cut(out[-1], line)):  # "1130/" + "QĐ-UBND"
            out[-1] += line
        else:
            out.append(line)
    return "\n".join(out)


def continue_table(rows: Rows, more: Rows, *, page_end: bool = False) -> Rows:
    """Append the rows of a table's next-page part; a row cut by the page break is mended.

    The first row of the next part continues the last row when its first cell (the row number) is empty
    and no other cell starts like a new entry: a label such as "- ", "a) ", "2.1.". ``page_end``: the part
    before ended at the page's lower margin, so the page ended inside its last row (``pdf_page_ends``): in a
    numbered table that row goes on, whatever its rest starts with. Without it, a capitalised word also
    starts a new entry (unless the last row of a numbered table was visibly cut: a cell ends in "với", "và",
    a comma...).

    >>> rows = (("TT", "Nội dung"), ("4.2", "Hình thành nền tảng."))
    >>> continue_table(rows, (("", "Triển khai sổ"),), page_end=True)[1:]
    (('4.2', 'Hình thành nền tảng.\\nTriển khai sổ'),)
    >>> continue_table(rows, (("", "Triển khai sổ"),))[1:]
    (('4.2', 'Hình thành nền tảng.'), ('', 'Triển khai sổ'))

    >>> continue_table((("1", "Nhiệm vụ về bảo quản,"),), (("", "chế biến nhãn"), ("2", "Hỗ trợ")))
    (('1', 'Nhiệm vụ về bảo quản,\\nchế biến nhãn'), ('2', 'Hỗ trợ'))

    A cell cut inside a word broken at its hyphen is mended even when the rest starts like an entry:

    >>> continue_table((("9", "Xây dựng 03-"),), (("", "05 mô hình"), ("10", "Nhiệm vụ")))
    (('9', 'Xây dựng 03-05 mô hình'), ('10', 'Nhiệm vụ'))
    >>> continue_table((("8", "Hỗ trợ doanh nghiệp"),), (("", "05 mô hình"),))
    (('8', 'Hỗ trợ doanh nghiệp'), ('', '05 mô hình'))

    A heading row printed again at the top of the next page (browsers and LaTeX repeat it) is dropped:

    >>> continue_table((("TT", "Nhiệm vụ"), ("1", "Hỗ trợ")), (("TT", "Nhiệm vụ"), ("2", "Tổ chức")))
    (('TT', 'Nhiệm vụ'), ('1', 'Hỗ trợ'), ('2', 'Tổ chức'))
    """
    if len(more) > 1 and rows and more[0] == rows[0]:  # the heading row repeated on the new page
        more = more[1:]
    head = more[0]
    cells = [cell for cell in head[1:] if cell]
    numbered = sum(bool(row[0].strip()) for row in rows[1:]) >= max(1, (len(rows) - 1) * 3 // 4)
    cut = numbered and (page_end or any(OPEN_END.search(cell) for cell in rows[-1][1:] if cell))
    starts_new = any(CELL_LABEL.match(cell) for cell in cells) or not cut and any(_capitalised(c) for c in cells)
    if head[0] or not cells or starts_new and not _broken_word(rows[-1]):
        return rows + more
    last = rows[-1]
    mended = tuple(
        "\n".join(dehyphenate_lines([part for part in (a, b) if part])) for a, b in zip(last, head)
    )
    return rows[:-1] + (mended,) + more[1:]


def _broken_word(row: tuple[str, ...]) -> bool:
    """Does a cell of the row end on a hyphen after a word or number, a range or word broken at it
    ("Xây dựng 03-" + "05 mô hình")? Then the row was cut, whatever the next part starts with."""
    return any(OPEN_HYPHEN.search(cell.rstrip()) for cell in row[1:])


def _capitalised(cell: str) -> bool:
    """A cell that starts like a sentence ("Dịch vụ"), not with an abbreviation ("OCOP chủ lực")."""
    word = cell.split()[0]
    return word[0].isupper() and not word.isupper()


def same_width(rows: Rows, more: Rows) -> bool:
    return bool(rows) and bool(more) and len(rows[-1]) == len(more[0])
