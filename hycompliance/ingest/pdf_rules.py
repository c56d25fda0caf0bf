"""Tables ruled with horizontal lines only (LaTeX's booktabs as pandoc/xelatex prints them): the missing
vertical rules and row rules are inferred from the text, so pdfplumber's table finder (``pdf_tables``) reads
them as it reads fully ruled tables.

Rules that span the same width (at least ``MIN_RULE_WIDTH`` points, within ``RULE_ALIGN``) and have no vertical
rule between them cut the page into bands; a band with text beyond the rules' ends is no table's. A band whose characters leave ``MIN_COLUMNS`` or more columns apart
(gaps of at least ``COLUMN_GAP_EMS`` ems with no character in any of its lines) is a table band; touching table
bands make one table, its columns found again over all of them. A table whose last rule ends the page's ruling
(a table that goes on on the next page) goes on down while the lines below fit its columns and follow within
``LINE_GAP_EMS``. A table's first band is its heading when more follow: one row. Below it a row starts at a line whose first column has text (such tables set every cell
at the top of its row), or at a line with text in more than half of the columns, one of them in a cell of the row that ended or holds a short
value (a sub-row "- Nông nghiệp | % | 3,2" under "2 | Cơ cấu kinh tế | % | 100"; a wrapped line goes on only
in cells still filling their column).

>>> column_gaps([(10.0, 30.0), (12.0, 25.0), (80.0, 120.0), (85.0, 130.0)], 12.0)
[(30.0, 80.0)]
"""

from __future__ import annotations

from collections.abc import Callable

from hycompliance.ingest.pdf_chars import Segment, segment_lines
from hycompliance.ingest.pdf_columns import PageChars

Edge = dict[str, object]
# A horizontal rule at least this wide (points) may bound a table's band (a short underline never does) ...
MIN_RULE_WIDTH = 100.0
# ... and rules whose ends agree within this many points bound the same table.
RULE_ALIGN = 2.0
# An empty vertical strip at least this many ems wide across all the lines of a band separates two columns.
COLUMN_GAP_EMS = 0.6
MIN_COLUMNS = 2
# A cell line filling less than this share of its column is a whole value, not a wrapped line.
SHORT_CELL_SHARE = 0.35
# A table left open at its last rule goes on through lines that follow within this many ems of each other.
LINE_GAP_EMS = 1.0


def column_gaps(spans: list[tuple[float, float]], min_gap: float) -> list[tuple[float, float]]:
    """(left, right) of each empty strip at least ``min_gap`` wide between the horizontal ``spans`` (their union)."""
    gaps: list[tuple[float, float]] = []
    reach: float | None = None
    for x0, x1 in sorted(spans):
        if reach is not None and x0 - reach >= min_gap:
            gaps.append((reach, x0))
        reach = x1 if reach is None else max(reach, x1)
    return gaps


def rule_only_edges(edges: list[Edge], chars: PageChars, height: float, em: float,
                    *, page_lines: Callable[[], list[list[Segment]]] | None = None) -> list[Edge]:
    """Vertical and row edges for the tables of a page ruled with horizontal lines only (see the module).
    ``page_lines``: gives ``segment_lines(chars, height, em)``, where the caller keeps it (asked only when
    some band may be a table)."""
    if not len(chars):
        return []
    vertical = [e for e in edges if e["orientation"] == "v"]
    groups: list[list[Edge]] = []
    for rule in sorted((e for e in edges if e["orientation"] == "h" and _width(e) >= MIN_RULE_WIDTH), key=_top):
        group = next((g for g in groups if _aligned(g[0], rule)), None)
        if group is None:
            groups.append([rule])
        elif _top(rule) - _top(group[-1]) > RULE_ALIGN:  # (a rule drawn as a thin box gives two edges: one rule)
            group.append(rule)
    # the bands with no vertical rule across them (the others are ordinary ruled tables' rows)
    open_bands = [
        [(top, bottom) for top, bottom in zip(map(_top, group), map(_top, group[1:]))
         if not _crossed(vertical, float(group[0]["x0"]), float(group[0]["x1"]), top, bottom)]
        for group in groups
    ]
    if not any(open_bands):  # (no rule wide enough to bound a band, or every band crossed)
        return []
    runs = segment_lines(chars, height, em) if page_lines is None else page_lines()
    lines = [(line, _line_spans(line, chars, height)) for line in runs]
    added: list[Edge] = []
    for group, bands in zip(groups, open_bands):
        x0, x1 = float(group[0]["x0"]), float(group[0]["x1"])
        tables: list[list[float]] = []  # each table's rule positions, top to bottom
        for top, bottom in bands:
            band = [spans for line, spans in lines if top <= _middle(line) <= bottom]
            if any(a < x0 - RULE_ALIGN or b > x1 + RULE_ALIGN for spans in band for a, b in spans):
                continue  # text beyond the rules: they underline or frame something, they hold no table
            if len(column_gaps([s for spans in band for s in spans], COLUMN_GAP_EMS * em)) + 1 < MIN_COLUMNS:
                continue
            if tables and tables[-1][-1] == top:
                tables[-1].append(bottom)
            else:
                tables.append([top, bottom])
        for rules in tables:
            added += _table_edges(rules, x0, x1, lines, em, open_end=rules[-1] == _top(group[-1]))
    return added


def _table_edges(rules: list[float], x0: float, x1: float, lines: list[tuple[list[Segment], list[tuple[float, float]]]],
                 em: float, *, open_end: bool) -> list[Edge]:
    top, bottom = rules[0], rules[-1]
    inside = [(line, spans) for line, spans in lines if top <= _middle(line) <= bottom]
    gaps = column_gaps([s for _, spans in inside for s in spans], COLUMN_GAP_EMS * em)
    if open_end:  # lines right below the last rule that still fit the columns: the table goes on (next page)
        previous = bottom
        starts = [right for _, right in gaps]
        for line, spans in lines:
            if _middle(line) <= bottom:
                continue
            if line[0].top - previous > LINE_GAP_EMS * em or not _fits(spans, starts, x0, x1):
                break
            inside.append((line, spans))
            previous = line[0].bottom
        if previous > bottom:
            bottom = previous
            gaps = column_gaps([s for _, spans in inside for s in spans], COLUMN_GAP_EMS * em)
    boundaries = [x0] + [(left + right) / 2 for left, right in gaps] + [x1]
    edges = [_edge_v(x, top, bottom) for x in boundaries] + [_edge_h(x0, x1, bottom)]
    limits = [left for left, _ in gaps] + [max((b for _, spans in inside for _, b in spans), default=x1)]
    starts = [x0] + [right for _, right in gaps]  # where each column's text begins
    heading = rules[1] if len(rules) > 2 or bottom > rules[-1] else None  # a first band above the body
    previous: dict[int, list[tuple[float, float]]] = {}  # the line above, by column
    row: dict[int, list[tuple[float, float]]] = {}  # the row's last line with text, by column
    previous_bottom: float | None = None
    for line, spans in sorted(inside, key=lambda item: _middle(item[0])):
        cells: dict[int, list[tuple[float, float]]] = {}
        for span in spans:
            cells.setdefault(_column(boundaries, (span[0] + span[1]) / 2), []).append(span)
        starts_band = previous_bottom is None or any(previous_bottom < rule < line[0].top + em / 2 for rule in rules)
        # a cell that ended (nothing in it on the line above) or held a short value takes no more text
        ended = [k for k in cells if k in row and (k not in previous or _short(row[k], starts[k], limits[k]))]
        new_row = 0 in cells or (len(cells) > (len(boundaries) - 1) / 2 and bool(ended))
        if starts_band or (new_row and (heading is None or line[0].top > heading)):
            if not starts_band:
                edges.append(_edge_h(x0, x1, (previous_bottom + line[0].top) / 2))
            row = {}
        row.update(cells)
        previous, previous_bottom = cells, line[0].bottom
    return edges


def _short(spans: list[tuple[float, float]], start: float, limit: float) -> bool:
    """Does a cell's line fill less than ``SHORT_CELL_SHARE`` of its column (a value such as "%" or "100",
    where a wrapped cell's lines fill their column)?"""
    return max(b for _, b in spans) - min(a for a, _ in spans) < SHORT_CELL_SHARE * (limit - start)


def _column(boundaries: list[float], x: float) -> int:
    return sum(1 for boundary in boundaries[1:-1] if x >= boundary)


def _line_spans(line: list[Segment], chars: PageChars, height: float) -> list[tuple[float, float]]:
    """The horizontal extent of each character of a line (its runs may join two columns a space apart)."""
    top, bottom = line[0].top, line[0].bottom
    y = height - chars.base
    on = (~chars.space) & (top <= y) & (y <= bottom) & (chars.x0 >= line[0].x0 - 0.5) & (chars.x1 <= line[-1].x1 + 0.5)
    return list(zip(chars.x0[on].tolist(), chars.x1[on].tolist()))


def _fits(spans: list[tuple[float, float]], starts: list[float], x0: float, x1: float) -> bool:
    """Does a line stay within the table's width, no character of it across the left edge of a column
    (a cell's text may run wider than its column's heading, never into the next column)?"""
    return bool(spans) and all(
        x0 - RULE_ALIGN <= a and b <= x1 + RULE_ALIGN and not any(a < start - RULE_ALIGN < b for start in starts)
        for a, b in spans
    )


def _crossed(vertical: list[Edge], x0: float, x1: float, top: float, bottom: float) -> bool:
    """Is there a vertical rule within the band (then it is an ordinary ruled table)?"""
    return any(
        x0 - RULE_ALIGN <= float(e["x0"]) <= x1 + RULE_ALIGN and float(e["top"]) < bottom and float(e["bottom"]) > top
        for e in vertical
    )


def _middle(line: list[Segment]) -> float:
    return (line[0].top + line[0].bottom) / 2


def _top(edge: Edge) -> float:
    return float(edge["top"])  # type: ignore[arg-type]


def _width(edge: Edge) -> float:
    return float(edge["x1"]) - float(edge["x0"])  # type: ignore[arg-type]


def _aligned(a: Edge, b: Edge) -> bool:
    return abs(float(a["x0"]) - float(b["x0"])) <= RULE_ALIGN and abs(float(a["x1"]) - float(b["x1"])) <= RULE_ALIGN


def _edge_v(x: float, top: float, bottom: float) -> Edge:
    return {"object_type": "line", "x0": x, "x1": x, "top": top, "bottom": bottom, "doctop": top,
            "width": 0.0, "height": bottom - top, "orientation": "v"}


def _edge_h(x0: float, x1: float, y: float) -> Edge:
    return {"object_type": "line", "x0": x0, "x1": x1, "top": y, "bottom": y, "doctop": y,
            "width": x1 - x0, "height": 0.0, "orientation": "h"}
