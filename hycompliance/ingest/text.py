"""Plain-text plans -> blocks.

Three shapes of text are seen in practice, often in one file:

* one paragraph per line (office exports, the dev corpus), tables as ``a | b | c`` rows;
* web text with hard-wrapped lines, where table cells are separated by lines holding only ``|``
  (the provincial plan as published);
* a two-column header laid out with spaces (``ỦY BAN NHÂN DÂN        CỘNG HÒA XÃ HỘI ...``).

The reader does not decide structure: it only tells lines from paragraphs, cuts tables into rows and
puts the quốc hiệu header block in the ``header`` region. Decoding bytes is ``encoding.decode_bytes``'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hycompliance.models import Block, Document

# A line holding only a cell separator, as in web-published text: "|".
LONE_PIPE = re.compile(r"^\s*\|\s*$")
# Two header columns laid out with spaces: left text, 3+ spaces, right text.
COLUMN_GAP = re.compile(r"\S(\s{3,})\S")
# The right-hand column of the quốc hiệu block.
QUOC_HIEU = re.compile(r"CỘNG\s+HÒA\s+XÃ\s+HỘI|CỘNG\s+HOÀ\s+XÃ\s+HỘI", re.IGNORECASE)
# A row of a numbered table starts with its number: "1. Tốc độ", "10 ", "2)".
ROW_NUMBER = re.compile(r"^\s*\d{1,3}\s*[.)]?(\s|$)")
# Lines that end a sentence or a lead-in; a table's first cell never continues past one.
SENTENCE_END = re.compile(r"[.:;!?]\s*$")
# Decorative rules under header lines: "-------", "___".
RULE_LINE = re.compile(r"^\s*[-_=–—]{3,}\s*$")
# A cell can span a few wrapped lines, never a page of text.
MAX_CELL_LINES = 6
# Share of lines continued by a lower-case line that marks a hard-wrapped text.
WRAPPED_SHARE = 0.12


@dataclass(frozen=True)
class _PipeTable:
    first: int  # index of the first line of the first cell
    last: int  # index of the last separator line
    cells: tuple[tuple[str, ...], ...]  # each cell's lines


def read_text(path: str, text: str, limits: object | None = None) -> Document:
    """Split decoded text into blocks.

    >>> doc = read_text("x.txt", "I. MỤC ĐÍCH\\n- Cụ thể hóa\\nA | B\\n1 | 2\\n")
    >>> [b.kind for b in doc.blocks]
    ['paragraph', 'paragraph', 'table']
    """
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = [ln.replace("\f", "") for ln in lines]
    wrapped = is_hard_wrapped(lines)
    blocks: list[Block] = []
    start = _read_spaced_header(lines, blocks)
    tables = {t.first: t for t in _pipe_tables(lines, start)}
    i = start
    fresh = True  # the next line starts a paragraph for sure
    in_header = not blocks
    while i < len(lines):
        if i in tables:
            table = tables[i]
            blocks.extend(_table_blocks(table, header=in_header and not _body_started(blocks)))
            in_header = False
            i = table.last + 1
            fresh = True
            continue
        line = lines[i]
        if not line.strip():
            fresh = True
            i += 1
            continue
        if _inline_cells(line):
            rows = []
            while i < len(lines) and "|" in lines[i] and not LONE_PIPE.match(lines[i]):
                cells = _inline_cells(lines[i])
                if cells:
                    rows.append(cells)
                i += 1
            if in_header and not _body_started(blocks) and QUOC_HIEU.search(" ".join(rows[0])):
                blocks.extend(_header_blocks([tuple(c.split("\n")) for row in rows for c in row], 2))
            else:
                blocks.append(Block(text="", kind="table", rows=tuple(rows)))
            in_header = False
            fresh = True
            continue
        if RULE_LINE.match(line):
            i += 1
            continue
        kind = "line" if wrapped and not fresh else "paragraph"
        blocks.append(Block(text=line.strip().removesuffix("|").rstrip(), kind=kind))
        in_header = False
        fresh = False
        i += 1
    return Document(path=path, blocks=tuple(blocks), pages=1, form="txt")


def is_hard_wrapped(lines: list[str]) -> bool:
    """True when many lines are continued by a line starting in lower case (a hard wrap)."""
    nonempty = [ln.strip() for ln in lines if ln.strip() and not LONE_PIPE.match(ln)]
    if len(nonempty) < 10:
        return False
    continued = sum(
        1
        for a, b in zip(nonempty, nonempty[1:])
        if b[:1].islower() and not SENTENCE_END.search(a)
    )
    return continued / (len(nonempty) - 1) >= WRAPPED_SHARE


def _inline_cells(line: str) -> tuple[str, ...]:
    """Cells of ``a | b | c``; empty tuple when the line is not a row of two or more cells."""
    parts = [p.strip() for p in line.split("|")]
    if line.strip().startswith("|"):
        parts = parts[1:]
    if line.strip().endswith("|"):
        parts = parts[:-1]
    if len(parts) < 2:
        return ()
    return tuple(parts)


def _read_spaced_header(lines: list[str], blocks: list[Block]) -> int:
    """Read a two-column header laid out with spaces; return the index of the first line after it."""
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is None or first > 3:
        return 0
    m = QUOC_HIEU.search(lines[first])
    if not m or m.start() < 8 or not lines[first][: m.start()].strip():
        return 0
    col = m.start()
    left: list[str] = []
    right: list[str] = []
    i = first
    while i < len(lines) and lines[i].strip() and i - first < 8:
        ln = lines[i]
        gap = COLUMN_GAP.search(ln)
        if len(ln) > col and (ln[:col].strip() == "" or gap):
            split = col if ln[:col].strip() == "" else gap.start() + 1
            left.append(ln[:split].strip())
            right.append(ln[split:].strip())
        else:
            break
        i += 1
    for text in [*left, *right]:
        if text and not RULE_LINE.match(text):
            blocks.append(Block(text=text, kind="paragraph", region="header"))
    return i


def _body_started(blocks: list[Block]) -> bool:
    return any(b.region == "body" for b in blocks)


def _pipe_tables(lines: list[str], start: int) -> list[_PipeTable]:
    """Find runs of cells separated by lone ``|`` lines (web-published tables)."""
    seps = [i for i in range(start, len(lines)) if LONE_PIPE.match(lines[i])]
    runs: list[list[int]] = []
    for s in seps:
        if runs and s - runs[-1][-1] <= MAX_CELL_LINES + 1:
            runs[-1].append(s)
        else:
            runs.append([s])
    tables = []
    floor = start
    for run in runs:
        first = _first_cell_start(lines, run[0], floor)
        bounds = [first - 1, *run]
        cells = []
        for a, b in zip(bounds, bounds[1:]):
            cell = tuple(ln.strip() for ln in lines[a + 1 : b] if ln.strip() and not RULE_LINE.match(ln))
            cells.append(cell)
        tables.append(_PipeTable(first=first, last=run[-1], cells=tuple(cells)))
        floor = run[-1] + 1
    return tables


def _first_cell_start(lines: list[str], sep: int, floor: int) -> int:
    """Walk back from the first separator to where the first cell begins."""
    if all(not ln.strip() or RULE_LINE.match(ln) for ln in lines[floor:sep]) or floor == 0 and sep - floor <= MAX_CELL_LINES:
        return floor
    i = sep - 1
    taken = 0
    while i > floor and taken < MAX_CELL_LINES:
        prev = lines[i - 1]
        if not prev.strip() or SENTENCE_END.search(prev) or LONE_PIPE.match(prev):
            break
        i -= 1
        taken += 1
    return i


def _table_blocks(table: _PipeTable, *, header: bool) -> list[Block]:
    cells = [" ".join(c) for c in table.cells]
    ncols = _column_count(cells, header=header)
    if header:
        return _header_blocks(list(table.cells), ncols)
    rows = tuple(tuple(cells[k : k + ncols]) for k in range(0, len(cells), ncols))
    return [Block(text="", kind="table", rows=rows)]


def _header_blocks(cells: list[tuple[str, ...]], ncols: int) -> list[Block]:
    """The quốc hiệu block: left column cells first, then the right column, one block per line."""
    left = [c for k, c in enumerate(cells) if k % ncols == 0]
    right = [c for k, c in enumerate(cells) if k % ncols != 0]
    return [
        Block(text=ln.strip(), kind="paragraph", region="header")
        for cell in [*left, *right]
        for ln in cell
        if ln.strip() and not RULE_LINE.match(ln)
    ]


def _column_count(cells: list[str], *, header: bool) -> int:
    """Columns of a cell stream: the first cell after the first that starts a numbered row."""
    if header:
        return 2
    for k, cell in enumerate(cells[1:], start=1):
        if k >= 2 and ROW_NUMBER.match(cell):
            return k
    return 2 if len(cells) % 2 == 0 else max(len(cells), 1)
