"""Spreadsheets (openpyxl): the matrix and a document's report, one sheet per section.

Every sheet has a title block (the parent plan or the document, the export time, who exported it), a bold
header row that is frozen, filtered and repeated on every printed page, and prints landscape on A4, fit to
the page width. Percentages are numbers in % format, dates are dates; words come from the label file.

Document text is untrusted: a value that a spreadsheet would read as a formula (starting with = + - @,
a tab or a carriage return; many Vietnamese bullets start with "-") is written as a string cell with the
quote-prefix style, so it shows as written and is never evaluated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule, ColorScaleRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from hycompliance.report import labels
from hycompliance.report.data import heatmap

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FILLS = {"covered": "D1F0D5", "partial": "FFF1C2", "missing": "FFD6D6", "justified": "DBE9FF", "n/a": "EEEEEE",
         "none": "EEEEEE"}
BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
HEADER_FILL = PatternFill("solid", fgColor="F3F4F6")
MAX_WIDTH = 60
PERCENT = "0.0%"
DATE = "DD/MM/YYYY"
MOMENT = "DD/MM/YYYY HH:MM"


class Percent(float):
    """A share (0..1) to be shown in % format."""


def put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """Write one cell; text that looks like a formula stays text; dates and shares get their formats."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = value
        if value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value
        if isinstance(value, Percent):
            cell.number_format = PERCENT
        elif isinstance(value, datetime):
            cell.number_format = MOMENT
        elif isinstance(value, date):
            cell.number_format = DATE


def share(percent: float | None) -> Percent | None:
    """A coverage percent (0..100, as ``hycompliance.coverage`` gives it) as a cell in % format."""
    return None if percent is None else Percent(percent / 100)


def title_block(ws: Worksheet, title: str, lines: Sequence[tuple[str, Any]]) -> int:
    """Title and labelled lines at the top of a sheet; returns the row for the table header."""
    put(ws, 1, 1, title)
    ws.cell(row=1, column=1).font = TITLE
    for i, (label, value) in enumerate(lines, 2):
        put(ws, i, 1, label)
        ws.cell(row=i, column=1).font = BOLD
        put(ws, i, 2, value)
    return len(lines) + 3


def table(ws: Worksheet, header: list[str], rows: list[list[Any]], widths: list[int] | None = None,
          start: int = 1, frozen_columns: int = 1) -> None:
    """Header row at ``start`` (bold, frozen, filtered, repeated on printed pages) then rows."""
    for j, h in enumerate(header, 1):
        put(ws, start, j, h)
        ws.cell(row=start, column=j).font = BOLD
        ws.cell(row=start, column=j).fill = HEADER_FILL
    for i, row in enumerate(rows, start + 1):
        for j, v in enumerate(row, 1):
            put(ws, i, j, v)
    ws.freeze_panes = f"{get_column_letter(frozen_columns + 1)}{start + 1}"
    if rows:
        ws.auto_filter.ref = f"A{start}:{get_column_letter(len(header))}{start + len(rows)}"
    for j, h in enumerate(header, 1):
        longest = max([len(str(h))] + [len(str(r[j - 1])) for r in rows[:200] if r[j - 1] is not None])
        width = widths[j - 1] if widths else min(MAX_WIDTH, max(longest + 2, 10))
        ws.column_dimensions[get_column_letter(j)].width = width
        if width >= MAX_WIDTH:
            for i in range(start + 1, start + len(rows) + 1):
                ws.cell(row=i, column=j).alignment = Alignment(wrap_text=True, vertical="top")
    print_setup(ws, start)


def print_setup(ws: Worksheet, header_row: int) -> None:
    """Landscape A4, fit to the page width, the header row on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = f"{header_row}:{header_row}"


def status_colours(ws: Worksheet, ref: str) -> None:
    """Conditional fills on the Vietnamese status words."""
    for key, colour in FILLS.items():
        word = labels.STATUS[key].replace('"', '""')
        ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=[f'"{word}"'],
                                                      fill=PatternFill("solid", bgColor=colour)))


def _evidence(cell: dict[str, Any], sep: str) -> str:
    return sep.join(f"{e['clause']} (tr. {e['page']}): {e['text']}" for e in cell["evidence"])


def _targets(cell: dict[str, Any]) -> str:
    return "; ".join(f"{t['period']}: {labels.COMPARE[t['verdict']]}" for t in cell["targets"])


def _export_lines(exported_at: str, exported_by: str) -> list[tuple[str, Any]]:
    C = labels.COLUMN
    return [(C["exported_at"], labels.as_datetime(exported_at)), (C["exported_by"], exported_by)]


def matrix_workbook(matrix: dict[str, Any], *, exported_at: str, exported_by: str) -> Workbook:
    wb = Workbook()
    C, S, SH = labels.COLUMN, labels.STATUS, labels.SHEET
    plan = matrix["plan"]
    head = [(labels.HEADING["parent"], " — ".join(x for x in (plan["number"] or plan["key"], plan["issuer"]) if x)),
            (C["date"], labels.as_date(plan["date"]))] + _export_lines(exported_at, exported_by)
    title = f"{labels.HEADING['matrix']} {plan['number'] or plan['key']}"

    ws = wb.active
    ws.title = SH["matrix"]
    docs = [d["name"] for d in matrix["documents"]]
    cells = {(c["document"], c["requirement"]): c for c in matrix["cells"]}
    rows = [[r["id"], labels.GROUP.get(r["group"], r["group"]), r["text"]]
            + [S[cells[(d, r["id"])]["final"]] if (d, r["id"]) in cells else S["none"] for d in docs]
            for r in matrix["requirements"]]
    start = title_block(ws, title, head)
    table(ws, [C["requirement"], C["group"], C["requirement_text"]] + docs, rows, start=start, frozen_columns=3)
    if docs and rows:
        status_colours(ws, f"D{start + 1}:{get_column_letter(3 + len(docs))}{start + len(rows)}")

    heat = heatmap(matrix)
    hs = wb.create_sheet(SH["heatmap"])
    start = title_block(hs, labels.HEADING["heatmap"], head)
    table(hs, [C["document"]] + [labels.GROUP.get(g, g) for g in heat["groups"]] + [C["coverage"]],
          [[r["document"]] + [share(v) for v in r["values"]] + [share(r["overall"])] for r in heat["rows"]],
          start=start)
    if heat["rows"]:
        ref = f"B{start + 1}:{get_column_letter(len(heat['groups']) + 2)}{start + len(heat['rows'])}"
        hs.conditional_formatting.add(ref, ColorScaleRule(start_type="num", start_value=0, start_color="F8696B",
                                                          mid_type="num", mid_value=0.5, mid_color="FFEB84",
                                                          end_type="num", end_value=1, end_color="63BE7B"))

    ds = wb.create_sheet(SH["detail"])
    detail = [[c["document"], c["requirement"], S[c["final"]], S[c["status"] or "none"], c["score"],
               ", ".join(c["words"]), _targets(c), c["why"], _evidence(c, "; "), labels.review_line(c.get("review"))]
              for c in matrix["cells"]]
    start = title_block(ds, labels.HEADING["cells"], head)
    table(ds, [C["document"], C["requirement"], C["status"], C["machine_status"], C["score"], C["words"],
               C["targets"], C["why"], C["evidence"], C["review"]], detail, start=start)
    if detail:
        status_colours(ds, f"C{start + 1}:D{start + len(detail)}")

    dd = wb.create_sheet(SH["documents"])
    start = title_block(dd, labels.HEADING["documents"], head)
    table(dd, [C["name"], C["issuer"], C["number"], C["date"], C["kind"], C["path"]],
          [[d["name"], d["issuer"], d["number"], labels.as_date(d["date"]) or d["date"],
            labels.DOC_KIND.get(d["kind"] or "", d["kind"]), d["path"]] for d in matrix["documents"]], start=start)
    if matrix["failed"]:
        fs = wb.create_sheet(SH["failed"])
        start = title_block(fs, labels.HEADING["failed"], head)
        table(fs, [C["name"], C["code"], C["error"]], [[f["name"], f["code"], f["line"]] for f in matrix["failed"]],
              start=start)
    return wb


def report_workbook(report: dict[str, Any], *, exported_at: str, exported_by: str) -> Workbook:
    wb = Workbook()
    C, S, H, SH = labels.COLUMN, labels.STATUS, labels.HEADING, labels.SHEET
    doc = report["document"]
    name = " — ".join(x for x in (doc["number"], doc["issuer"]) if x) or doc["name"]
    head = [(C["document"], name), (C["date"], labels.as_date(doc["date"]) or doc["date"]), (C["name"], doc["name"]),
            (H["parent"], report["plan"]["number"] if report["plan"] else None)] + _export_lines(exported_at, exported_by)
    title = f"{H['report']}: {name}"

    ws = wb.active
    ws.title = SH["summary"]
    start = title_block(ws, title, head)
    if report["coverage"]:
        summary: list[list[Any]] = [[C["coverage"], share(report["coverage"]["percent"])],
                                    [C["reference_coverage"], share(report["reference_coverage"]["percent"])]]
        summary += [[S[k], v] for k, v in report["coverage"]["counts"].items()]
    else:
        summary = [[C["error"], doc["error_text"] or doc["error_line"]]]
    table(ws, [H["summary"], ""], summary, widths=[40, 30], start=start)

    rs = wb.create_sheet(SH["requirements"])
    rows = [[i["id"], i["text"], S[i["final"]], i["score"], _evidence(i, "\n"), ", ".join(i["words"]), i["why"],
             labels.review_line(i.get("review")), labels.SUSPECT if i["suspect"] else ""] for i in report["items"]]
    start = title_block(rs, title, head)
    table(rs, [C["requirement"], C["requirement_text"], C["status"], C["score"], C["evidence"], C["words"], C["why"],
               C["review"], C["suspect"]], rows, widths=[12, 60, 18, 8, 60, 30, 40, 30, 20], start=start)
    if rows:
        status_colours(rs, f"C{start + 1}:C{start + len(rows)}")

    ts = wb.create_sheet(SH["targets"])
    start = title_block(ts, H["targets"], head)
    table(ts, [C["requirement"], C["indicator"], C["period"], C["province_value"], C["plan_value"], C["comparison"]],
          [[t["requirement"], t["indicator"], t["period"], t["province"], t["plan"], labels.COMPARE[t["verdict"]]]
           for t in report["targets"]], start=start)

    ls = wb.create_sheet(SH["legal"])
    legal = [[i["id"], S[i["final"]], "; ".join(e["text"] for e in i["evidence"]), i["why"]]
             for i in report["references"]]
    legal += [[f["key"] or "", labels.SEVERITY.get(f["severity"], f["severity"]), f["message"], f["as_written"] or "",
               f["code"], f["expected"] or "", f["page"], f["clause"] or ""] for f in report["findings"]]
    width = max((len(r) for r in legal), default=4)
    start = title_block(ls, H["legal"], head)
    table(ls, [C["requirement"], C["status"] + " / " + C["severity"], C["evidence"] + " / " + C["message"],
               C["why"] + " / " + C["as_written"], C["code"], C["expected"], C["page"], C["clause"]][:max(width, 4)],
          [r + [None] * (max(width, 4) - len(r)) for r in legal], start=start)
    return wb


def save(wb: Workbook, out: str | Path) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
