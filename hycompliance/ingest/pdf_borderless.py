"""Tables drawn with no rules at all: found from how their runs line up, before runs are grouped into lines.

Some writers (fpdf2's HTML tables) draw a table without a single rule and centre each cell vertically: the
lines of a cell that wraps onto several lines then sit between the one-line cells beside it, and grouping runs
into lines by their height mixes the cells of two rows ("mới công nghệ," + "6" + "Hằng năm"). So the table is
found from the page's runs (``pdf_chars.Segment``: a run ends at a gap wider than a word space, so a cell's text
never shares a run with the next cell's), and only on strong evidence:

- a numbering column: at least ``MIN_ROWS`` runs that are bare numbers counting up by one ("1", "2", "3"), each
  first on its baseline, at one left edge, with nothing else starting at that edge between them;
- at least ``MIN_COLUMNS`` columns in all: left edges where runs of at least ``MIN_ROWS`` baselines start and
  that almost no run crosses (a justified paragraph's wide word gaps never line up like that);
- the table goes on above and below its numbers while the baselines stay a line step apart and no run crosses a
  column edge (the body text around it spans the columns), or at least ``MIN_COLUMNS`` runs start at its edges.

Rows: in each column, consecutive lines one line step apart are one cell unless the upper line could have held
the lower line's first word (then the writer broke it: the next row's cell); a number is a cell of its own.
Cells are aligned in their row at their top or at their middle (whichever makes fewer distinct positions over
the table); a row is a position shared by at least two cells or held by a number. Each column's lines one step
apart are then split among the rows whose positions they span (a cell broken by its writer stays whole). The
rows' limits lie between the lines of two rows, and each cell's text is built from the characters inside it,
as for a ruled table. Only pages with at least ``MIN_ROWS`` bare-number runs are looked at (a regex per run).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from hycompliance.ingest.pdf_chars import (ASCENT_EMS, DESCENT_EMS, PageChars, Segment, cell_lines, join_segments,
                                           page_em)
from hycompliance.ingest.pdf_tables import FoundTable, clean_cell

# A numbering cell: "1", "12", "3." .
NUMBER = re.compile(r"^\d{1,3}\.?$")
MIN_ROWS = 3
MIN_COLUMNS = 3
# Left edges (points) this close are one edge; runs whose tops are this close share a baseline.
ALIGN_TOLERANCE = 3.0
SAME_BASELINE = 1.0
# A column edge is crossed by at most this share of the runs that start at it.
MAX_CROSSING_SHARE = 0.2
# Consecutive baselines of a table are at most this many line steps apart ...
MAX_GAP_STEPS = 1.6
# ... and a cell's lines at most this many.
CELL_STEP_SHARE = 1.3
# Cells of one row are aligned (at their top or middle) within this share of a line step.
ROW_TOLERANCE_SHARE = 0.35
# The table's line step: this quantile of the steps between one column's consecutive lines (most are the
# steps inside wrapped cells) that are at least this share of a run's height.
STEP_QUANTILE = 0.25
MIN_STEP_SHARE = 0.6


@dataclass(frozen=True)
class _Line:
    """One column's runs on one baseline."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str


@dataclass(frozen=True)
class _Cell:
    column: int
    lines: tuple[_Line, ...]

    @property
    def top(self) -> float:
        return self.lines[0].top

    @property
    def middle(self) -> float:
        return (self.lines[0].top + self.lines[-1].bottom) / 2


def borderless_tables(segments: list[Segment], chars: PageChars, height: float) -> list[FoundTable]:
    """The rule-less tables of a page (see the module docstring) as (bbox, rows), like ``find_tables``."""
    numbers = [s for s in segments if NUMBER.match(s.text.strip())]
    if len(numbers) < MIN_ROWS:  # (most pages: nothing more to look at)
        return []
    baselines = _baselines(segments)
    first = {id(line[0]) for line in baselines}
    numbers = [s for s in numbers if id(s) in first]
    out: list[FoundTable] = []
    taken: list[tuple[float, float]] = []
    for run in _number_runs(numbers, segments):
        if any(top <= run[0].top <= bottom for top, bottom in taken):
            continue
        table = _table(run, baselines, chars, height)
        if table is not None:
            out.append(table)
            taken.append((table[0][1], table[0][3]))
    return out


def outside_tables(segments: list[Segment], tables: list[FoundTable]) -> list[Segment]:
    """The runs whose baseline and horizontal middle lie in no table's box (as ``PageChars.inside`` tells
    for characters: a run's characters share its baseline)."""
    return [
        s for s in segments
        if not any(x0 <= (s.x0 + s.x1) / 2 <= x1 and top <= _baseline(s) <= bottom
                   for (x0, top, x1, bottom), _ in tables)
    ]


def _baseline(segment: Segment) -> float:
    return segment.top + ASCENT_EMS * (segment.bottom - segment.top) / (ASCENT_EMS + DESCENT_EMS)


def _baselines(segments: list[Segment]) -> list[list[Segment]]:
    """Runs grouped by baseline (their tops within ``SAME_BASELINE``), top first, each left to right."""
    out: list[list[Segment]] = []
    for segment in sorted(segments, key=lambda s: (s.top, s.x0)):
        if out and abs(out[-1][0].top - segment.top) <= SAME_BASELINE:
            out[-1].append(segment)
        else:
            out.append([segment])
    return [sorted(line, key=lambda s: s.x0) for line in out]


def _number_runs(numbers: list[Segment], segments: list[Segment]) -> Iterator[list[Segment]]:
    """Runs of at least ``MIN_ROWS`` numbers at one left edge counting up by one, top down, with no other run
    starting at that edge between two of them."""
    numbers = sorted(numbers, key=lambda s: s.top)
    used: set[int] = set()
    for start in numbers:
        if id(start) in used:
            continue
        run = [start]
        for other in numbers:
            last = run[-1]
            if (other.top > last.top and abs(other.x0 - start.x0) <= ALIGN_TOLERANCE
                    and _value(other) == _value(last) + 1 and not _between(segments, last, other)):
                run.append(other)
        if len(run) >= MIN_ROWS:
            used.update(id(s) for s in run)
            yield run


def _value(segment: Segment) -> int:
    return int(segment.text.strip().rstrip("."))


def _between(segments: list[Segment], upper: Segment, lower: Segment) -> bool:
    return any(
        upper.top + SAME_BASELINE < s.top < lower.top - SAME_BASELINE and abs(s.x0 - upper.x0) <= ALIGN_TOLERANCE
        for s in segments
    )


def _table(run: list[Segment], baselines: list[list[Segment]], chars: PageChars, height: float) -> FoundTable | None:
    left = run[0].x0 - ALIGN_TOLERANCE
    inside = [line for line in baselines if run[0].top - SAME_BASELINE <= line[0].top <= run[-1].top + SAME_BASELINE]
    if any(s.x0 < left for line in inside for s in line):
        return None  # text to the left of the numbers: no numbering column
    starts = _column_starts([s for line in inside for s in line], run[0].x0)
    if len(starts) < MIN_COLUMNS:
        return None
    step = _step(inside, starts, float(np.median([s.bottom - s.top for s in run])))
    band = _extend(baselines, inside, starts, left, step)
    columns: list[list[_Line]] = [[] for _ in starts]
    for line in band:
        by_column: dict[int, list[Segment]] = {}
        for segment in line:
            by_column.setdefault(_column(starts, segment.x0), []).append(segment)
        for column, parts in by_column.items():
            columns[column].append(_Line(parts[0].x0, parts[-1].x1, parts[0].top, max(p.bottom for p in parts),
                                         join_segments(tuple(parts))))
    rows = _rows(columns, _widths(columns, starts), step)
    if len(rows) < MIN_ROWS:
        return None
    return _found(rows, starts, chars, height)


def _step(lines: list[list[Segment]], starts: list[float], height: float) -> float:
    """The table's line step (``STEP_QUANTILE`` of the steps between a column's consecutive lines)."""
    last: dict[int, float] = {}
    steps = []
    for line in lines:
        for column in {_column(starts, s.x0) for s in line}:
            if column in last and line[0].top - last[column] >= MIN_STEP_SHARE * height:
                steps.append(line[0].top - last[column])
            last[column] = line[0].top
    return float(np.quantile(steps, STEP_QUANTILE)) if steps else height


def _column_starts(segments: list[Segment], first: float) -> list[float]:
    """Left edges where runs of at least ``MIN_ROWS`` baselines start and few runs cross, the numbers' first."""
    edges: list[list[Segment]] = []
    for segment in sorted(segments, key=lambda s: s.x0):
        if edges and segment.x0 - edges[-1][0].x0 <= ALIGN_TOLERANCE:
            edges[-1].append(segment)
        else:
            edges.append([segment])
    out = [first]
    for group in edges:
        x = group[0].x0
        if x <= first + ALIGN_TOLERANCE or len({round(s.top) for s in group}) < MIN_ROWS:
            continue
        crossing = sum(s.x0 < x - ALIGN_TOLERANCE and s.x1 > x + ALIGN_TOLERANCE for s in segments)
        if crossing <= MAX_CROSSING_SHARE * len(group):
            out.append(x)
    return out


def _column(starts: list[float], x0: float) -> int:
    """The column a run starting at ``x0`` is in: the last edge at or left of it (the first column if none)."""
    return max((index for index, start in enumerate(starts) if start <= x0 + ALIGN_TOLERANCE), default=0)


def _fits(line: list[Segment], starts: list[float], left: float) -> bool:
    """A baseline whose runs all lie within the columns (none crosses a column edge), or where at least
    ``MIN_COLUMNS`` runs start at column edges (a row whose cells ran close to the next: "Giai đoạn 2021-2025
    Giai" + "đoạn")."""
    if any(s.x0 < left for s in line):
        return False
    at_edges = sum(any(abs(s.x0 - x) <= ALIGN_TOLERANCE for x in starts) for s in line)
    return at_edges >= MIN_COLUMNS or not any(
        s.x0 < x - ALIGN_TOLERANCE and s.x1 > x + ALIGN_TOLERANCE for s in line for x in starts[1:]
    )


def _extend(baselines: list[list[Segment]], inside: list[list[Segment]], starts: list[float], left: float,
            step: float) -> list[list[Segment]]:
    """The numbers' baselines and those above and below them that stay within ``MAX_GAP_STEPS`` line steps of
    the table and within its columns."""
    first = next(index for index, line in enumerate(baselines) if line is inside[0])
    last = next(index for index, line in enumerate(baselines) if line is inside[-1])
    while first > 0 and baselines[first][0].top - baselines[first - 1][0].top <= MAX_GAP_STEPS * step and _fits(
            baselines[first - 1], starts, left):
        first -= 1
    while last + 1 < len(baselines) and baselines[last + 1][0].top - baselines[last][0].top <= MAX_GAP_STEPS * step \
            and _fits(baselines[last + 1], starts, left):
        last += 1
    return baselines[first : last + 1]


def _widths(columns: list[list[_Line]], starts: list[float]) -> list[float]:
    """Each column's room for text: up to the next column's edge less the narrowest gutter the table leaves
    after a column of text (the numbers' column leaves a wide one; the last column: as wide as its widest line)."""
    ends = [max((line.x1 for line in lines), default=start) for lines, start in zip(columns, starts)]
    gutter = min((after - end for end, after in zip(ends[1:], starts[2:]) if after > end), default=0.0)
    return [after - start - gutter for start, after in zip(starts, starts[1:])] + [ends[-1] - starts[-1]]


def _cells(column: int, lines: list[_Line], width: float, step: float) -> list[_Cell]:
    """A column's lines as cells: a line one step below another goes on its cell unless the upper line could
    have held its first word; a number in the first column is a cell of its own."""
    if not lines:
        return []
    groups: list[list[_Line]] = [[lines[0]]]
    for upper, line in zip(lines, lines[1:]):
        word = (line.x1 - line.x0) * (len(line.text.split(" ", 1)[0]) + 1) / max(len(line.text), 1)
        numbers = column == 0 and (NUMBER.match(upper.text) or NUMBER.match(line.text))
        if line.top - upper.top <= CELL_STEP_SHARE * step and (upper.x1 - upper.x0) + word > width and not numbers:
            groups[-1].append(line)
        else:
            groups.append([line])
    return [_Cell(column, tuple(group)) for group in groups]


def _rows(columns: list[list[_Line]], widths: list[float], step: float) -> list[list[_Line]]:
    """The lines of each row, top row first.

    Rows: cells (``_cells``) are aligned at the position (top or middle) that makes fewer distinct positions
    over the table; a row is a position shared by two cells or held by a number. Lines: each column's lines
    one step apart (``_chains``: the cells of rows set tight, and a cell broken by its writer where the line
    could have gone on) are split among the rows whose positions they span (``_split``); lines that span none
    join the nearest row when they lie between the first row and the last, else they are none of the table's.
    """
    tolerance = ROW_TOLERANCE_SHARE * step
    cells = [cell for column, lines in enumerate(columns) for cell in _cells(column, lines, widths[column], step)]
    by_top = _clusters(cells, lambda c: c.top, tolerance)
    by_middle = _clusters(cells, lambda c: c.middle, tolerance)
    middle = len(by_middle) < len(by_top)
    key = (lambda c: c.middle) if middle else (lambda c: c.top)
    keys = [
        sum(key(c) for c in group) / len(group)
        for group in (by_middle if middle else by_top)
        if len(group) >= 2 or any(c.column == 0 for c in group)
    ]
    if not keys:
        return []
    out: list[list[_Line]] = [[] for _ in keys]
    for column, lines in enumerate(columns):
        for chain in _chains(column, lines, step):
            low, high = chain.top - tolerance, chain.lines[-1].bottom + tolerance
            spanned = [i for i, k in enumerate(keys) if low <= k <= high]
            if not middle and not any(abs(k - chain.top) <= tolerance for k in keys):
                continue  # top-aligned cells start at their row's top: this is no cell
            if spanned:
                for index, part in zip(spanned, _split(chain.lines, [keys[i] for i in spanned], middle=middle)):
                    out[index] += part
            elif keys[0] - tolerance <= key(chain) <= keys[-1] + tolerance:
                out[min(range(len(keys)), key=lambda i: abs(keys[i] - key(chain)))] += chain.lines
    return [row for row in out if row]


def _chains(column: int, lines: list[_Line], step: float) -> list[_Cell]:
    """A column's lines in runs of lines at most ``CELL_STEP_SHARE`` line steps apart."""
    groups: list[list[_Line]] = []
    for line in lines:
        if groups and line.top - groups[-1][-1].top <= CELL_STEP_SHARE * step:
            groups[-1].append(line)
        else:
            groups.append([line])
    return [_Cell(column, tuple(group)) for group in groups]


def _split(lines: tuple[_Line, ...], keys: list[float], *, middle: bool) -> list[list[_Line]]:
    """A column's lines that belong to several rows, one part per row key (top to bottom): each part as
    close as can be to its row's middle (or starting at its row's top)."""
    parts: list[list[_Line]] = []
    at = 0
    for number, row in enumerate(keys[:-1]):
        rest = len(keys) - number - 1
        ends = range(at + 1, len(lines) - rest + 1)
        if not ends:
            break
        if middle:
            end = min(ends, key=lambda e: abs((lines[at].top + lines[e - 1].bottom) / 2 - row))
        else:
            end = min(ends, key=lambda e: abs(lines[e].top - keys[number + 1]) if e < len(lines) else float("inf"))
        parts.append(list(lines[at:end]))
        at = end
    parts.append(list(lines[at:]))
    return parts


def _clusters(cells: list[_Cell], key, tolerance: float) -> list[list[_Cell]]:
    out: list[list[_Cell]] = []
    for cell in sorted(cells, key=key):
        if out and key(cell) - key(out[-1][-1]) <= tolerance:
            out[-1].append(cell)
        else:
            out.append([cell])
    return out


def _found(rows: list[list[_Line]], starts: list[float], chars: PageChars, height: float) -> FoundTable:
    """The table's box and its cells' texts from the characters whose baseline and middle fall in each cell."""
    tops = [min(line.top for line in row) for row in rows]
    bottoms = [max(line.bottom for line in row) for row in rows]
    limits = [tops[0]]
    for bottom, top in zip(bottoms, tops[1:]):
        limits.append(max(limits[-1], (bottom + top) / 2))
    limits.append(max(limits[-1], bottoms[-1]))
    right = max(line.x1 for row in rows for line in row) + ALIGN_TOLERANCE
    edges = [x - ALIGN_TOLERANCE for x in starts] + [right]
    base = height - chars.base
    middle = (chars.x0 + chars.x1) / 2
    row_of = np.searchsorted(np.array(limits), base, side="right") - 1
    column_of = np.searchsorted(np.array(edges), middle, side="right") - 1
    inside = (row_of >= 0) & (row_of < len(rows)) & (column_of >= 0) & (column_of < len(starts))
    which = np.where(inside, row_of * len(starts) + column_of, -1)
    lines = cell_lines(chars, which, height, page_em(chars))
    texts = tuple(
        tuple(clean_cell("\n".join(join_segments(tuple(line)) for line in lines.get(r * len(starts) + c, [])))
              for c in range(len(starts)))
        for r in range(len(rows))
    )
    return (edges[0], limits[0], right, limits[-1]), texts
