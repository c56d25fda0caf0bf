"""Spreadsheets (openpyxl): the matrix with conditional formatting and frozen headers; a document's report
with one sheet per section.

Document text is untrusted: a value that a spreadsheet would read as a formula (starting with = + - @,
a tab or a carriage return; many Vietnamese bullets start with "-") is written as a string cell with the
quote-prefix style, so it shows as written and is never evaluated.
"""

from __future__ import annotations

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
HEADER_FILL = PatternFill("solid", fgColor="F3F4F6")
MAX_WIDTH = 60


def put(ws: Worksheet, row: int, col: int, value: Any) -> None:
    """Write one cell; text that looks like a formula stays text."""
    cell = ws.cell(row=row, column=col)
    if isinstance(value, str):
        cell.value = value
        if value.startswith(FORMULA_START):
            cell.data_type = "s"
            cell.quotePrefix = True
    else:
        cell.value = value


def table(ws: Worksheet, header: list[str], rows: list[list[Any]], widths: list[int] | None = None) -> None:
    """Header row (bold, frozen, filtered) then rows."""
    for j, h in enumerate(header, 1):
        put(ws, 1, j, h)
        ws.cell(row=1, column=j).font = BOLD
        ws.cell(row=1, column=j).fill = HEADER_FILL
    for i, row in enumerate(rows, 2):
        for j, v in enumerate(row, 1):
            put(ws, i, j, v)
    ws.freeze_panes = "B2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for j, h in enumerate(header, 1):
        longest = max([len(str(h))] + [len(str(r[j - 1])) for r in rows[:200] if r[j - 1] is not None])
        width = widths[j - 1] if widths else min(MAX_WIDTH, longest + 2)
        ws.column_dimensions[get_column_letter(j)].width = width
        if width >= MAX_WIDTH:
            for i in range(2, len(rows) + 2):
                ws.cell(row=i, column=j).alignment = Alignment(wrap_text=True, vertical="top")


def status_colours(ws: Worksheet, ref: str) -> None:
    """Conditional fills on the Vietnamese status words."""
    for key, colour in FILLS.items():
        word = labels.STATUS[key].replace('"', '""')
        ws.conditional_formatting.add(ref, CellIsRule(operator="equal", formula=[f'"{word}"'],
                                                      fill=PatternFill("solid", bgColor=colour)))


def matrix_workbook(matrix: dict[str, Any]) -> Workbook:
    wb = Workbook()
    C, S = labels.COLUMN, labels.STATUS
    ws = wb.active
    ws.title = "Ma trận"
    docs = [d["name"] for d in matrix["documents"]]
    cells = {(c["document"], c["requirement"]): c for c in matrix["cells"]}
    rows = [[r["id"], labels.GROUP.get(r["group"], r["group"]), r["text"]]
            + [S[cells[(d, r["id"])]["final"]] if (d, r["id"]) in cells else S["none"] for d in docs]
            for r in matrix["requirements"]]
    table(ws, [C["requirement"], C["group"], C["requirement_text"]] + docs, rows)
    ws.freeze_panes = "D2"
    if docs and rows:
        status_colours(ws, f"D2:{get_column_letter(3 + len(docs))}{len(rows) + 1}")

    heat = heatmap(matrix)
    hs = wb.create_sheet("Theo nhóm")
    table(hs, [C["document"]] + [labels.GROUP.get(g, g) for g in heat["groups"]] + [C["coverage"]],
          [[r["document"]] + r["values"] + [r["overall"]] for r in heat["rows"]])
    if heat["rows"]:
        ref = f"B2:{get_column_letter(len(heat['groups']) + 2)}{len(heat['rows']) + 1}"
        hs.conditional_formatting.add(ref, ColorScaleRule(start_type="num", start_value=0, start_color="F8696B",
                                                          mid_type="num", mid_value=50, mid_color="FFEB84",
                                                          end_type="num", end_value=100, end_color="63BE7B"))

    ds = wb.create_sheet("Chi tiết")
    detail = [[c["document"], c["requirement"], S[c["final"]], S[c["status"] or "none"], c["score"], c["why"] or "",
               "; ".join(f"{e['clause']} (tr. {e['page']}): {e['text']}" for e in c["evidence"]),
               labels.review_line(c.get("review"))]
              for c in matrix["cells"]]
    table(ds, [C["document"], C["requirement"], C["status"], C["machine_status"], C["score"], C["why"], C["evidence"],
               C["review"]], detail)
    if detail:
        status_colours(ds, f"C2:D{len(detail) + 1}")

    dd = wb.create_sheet("Văn bản")
    table(dd, [C["name"], C["issuer"], C["number"], C["date"], C["kind"], C["path"]],
          [[d["name"], d["issuer"], d["number"], d["date"], labels.DOC_KIND.get(d["kind"] or "", d["kind"]), d["path"]]
           for d in matrix["documents"]])
    if matrix["failed"]:
        fs = wb.create_sheet("Lỗi đọc tệp")
        table(fs, [C["name"], C["code"], C["error"]], [[f["name"], f["code"], f["line"]] for f in matrix["failed"]])
    return wb


def report_workbook(report: dict[str, Any]) -> Workbook:
    wb = Workbook()
    C, S, H = labels.COLUMN, labels.STATUS, labels.HEADING
    doc = report["document"]
    ws = wb.active
    ws.title = "Tổng hợp"
    summary: list[list[Any]] = [[C["document"], doc["name"]], [C["issuer"], doc["issuer"]], [C["number"], doc["number"]],
                                [C["date"], doc["date"]]]
    if report["coverage"]:
        summary.append([C["coverage"], report["coverage"]["percent"]])
        summary += [[S[k], v] for k, v in report["coverage"]["counts"].items()]
    else:
        summary.append([C["error"], doc["error_line"]])
    table(ws, [H["summary"], ""], summary)

    rs = wb.create_sheet("Yêu cầu")
    rows = [[i["id"], i["text"], S[i["final"]], i["score"],
             "\n".join(f"{e['clause']} (tr. {e['page']}): {e['text']}" for e in i["evidence"]), i["why"] or "",
             labels.review_line(i.get("review")), labels.SUSPECT if i["suspect"] else ""] for i in report["items"]]
    table(rs, [C["requirement"], C["requirement_text"], C["status"], C["score"], C["evidence"], C["why"], C["review"], ""],
          rows, widths=[12, 60, 18, 8, 60, 30, 30, 20])
    if rows:
        status_colours(rs, f"C2:C{len(rows) + 1}")

    ts = wb.create_sheet("Chỉ tiêu")
    table(ts, [C["requirement"], C["indicator"], C["period"], C["province_value"], C["plan_value"], C["comparison"]],
          [[t["requirement"], t["indicator"], t["period"], t["province"], t["plan"], labels.COMPARE[t["verdict"]]]
           for t in report["targets"]])

    ls = wb.create_sheet("Pháp chế")
    legal = [[i["id"], S[i["final"]], "; ".join(e["text"] for e in i["evidence"]), i["why"] or ""]
             for i in report["references"]]
    legal += [[f["key"] or "", labels.SEVERITY.get(f["severity"], f["severity"]), f["message"], f["as_written"] or "",
               f["code"], f["expected"] or "", f["page"], f["clause"] or ""] for f in report["findings"]]
    width = max((len(r) for r in legal), default=4)
    table(ls, [C["requirement"], C["status"] + " / " + C["severity"], C["evidence"] + " / " + C["message"],
               C["why"] + " / " + C["as_written"], C["code"], C["expected"], C["page"], C["clause"]][:max(width, 4)],
          [r + [None] * (max(width, 4) - len(r)) for r in legal])
    return wb


def save(wb: Workbook, out: str | Path) -> None:
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    wb.save(out)
