"""Outputs for people: the matrix (table, CSV, JSON, XLSX, HTML) and one document's report (HTML, XLSX, MD).

``matrix_output(db, fmt)`` and ``report_output(db, document, fmt)`` return text or bytes; the words people
read are in ``labels``; the data shapes are in ``data``.
"""

from __future__ import annotations

import csv
import getpass
import os
import io
import json
from typing import Any

from sqlite_utils import Database

from hycompliance.errors import Code, HyError
from hycompliance.report import labels
from hycompliance.report.data import document_report, heatmap, matrix_data
from hycompliance.store import now

MATRIX_FORMATS = ("table", "csv", "json", "xlsx", "html")
REPORT_FORMATS = ("html", "xlsx", "md")
CSV_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """A CSV field a spreadsheet will not run: text that starts like a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(CSV_FORMULA_START):
        return "'" + value
    return value


def matrix_csv(matrix: dict[str, Any]) -> str:
    """One row per cell, headers and values in Vietnamese (status words, Có/Không, decimal comma)."""
    C, S = labels.COLUMN, labels.STATUS

    def yes(flag: bool | None) -> str:
        return "" if flag is None else labels.YES if flag else labels.NO

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow([C["document"], C["requirement"], C["status"], C["machine_status"], C["score"], C["applicable"],
                C["suspect"], C["review_status"], C["review_stale"], C["reviewer"], C["evidence"], C["words"],
                C["targets"]])
    for c in matrix["cells"]:
        r = c["review"] or {}
        w.writerow([csv_safe(v) for v in (
            c["document"], c["requirement"], S[c["final"]], S[c["status"] or "none"], labels.number(c["score"]),
            yes(c["applicable"]), yes(c["suspect"]), S[r["status"]] if r else "", yes(r["stale"]) if r else "",
            r.get("reviewer"), " ".join(e["clause"] for e in c["evidence"]), ", ".join(c["words"]),
            "; ".join(f"{t['period']}: {labels.COMPARE[t['verdict']]}" for t in c["targets"]))])
    return buf.getvalue()


def matrix_table(matrix: dict[str, Any]) -> str:
    """Documents x requirement groups as a terminal table (coverage percent per group)."""
    from rich.console import Console
    from rich.table import Table

    heat = heatmap(matrix)
    t = Table(title=f"{labels.HEADING['heatmap']} — {matrix['plan']['number'] or matrix['plan']['key']}")
    t.add_column(labels.COLUMN["document"])
    for g in heat["groups"]:
        t.add_column(labels.GROUP.get(g, g), justify="right")
    t.add_column(labels.COLUMN["coverage"], justify="right")
    for row in heat["rows"]:
        t.add_row(row["document"], *(labels.percent(v) for v in row["values"] + [row["overall"]]))
    console = Console(file=io.StringIO(), width=200, force_terminal=False)
    console.print(t)
    for f in matrix["failed"]:
        console.print(f"{labels.HEADING['failed']}: {f['line']}", markup=False)
    return console.file.getvalue()  # type: ignore[attr-defined]


def matrix_output(db: Database, fmt: str, *, parent: str | None = None) -> str | bytes:
    if fmt not in MATRIX_FORMATS:
        raise HyError(Code.E901_USAGE, detail=f"--format must be one of {', '.join(MATRIX_FORMATS)}, not {fmt!r}")
    matrix = matrix_data(db, parent=parent)
    if fmt == "json":
        return json.dumps(matrix, ensure_ascii=False, indent=1)
    if fmt == "csv":
        return matrix_csv(matrix)
    if fmt == "table":
        return matrix_table(matrix)
    if fmt == "html":
        from hycompliance.report.html import matrix_html

        return matrix_html(matrix)
    from hycompliance.report.xlsx import matrix_workbook

    return _workbook_bytes(matrix_workbook(matrix, exported_at=now(), exported_by=exporter()))


def report_output(db: Database, document: str, fmt: str, *, parent: str | None = None) -> str | bytes:
    if fmt not in REPORT_FORMATS:
        raise HyError(Code.E901_USAGE, detail=f"--format must be one of {', '.join(REPORT_FORMATS)}, not {fmt!r}")
    report = document_report(db, document, parent=parent)
    if fmt == "md":
        from hycompliance.report.md import report_md

        return report_md(report)
    if fmt == "html":
        from hycompliance.report.html import report_html

        return report_html(report)
    from hycompliance.report.xlsx import report_workbook

    return _workbook_bytes(report_workbook(report, exported_at=now(), exported_by=exporter()))


def exporter() -> str:
    """Who exports from the command line: $HYCOMPLIANCE_REVIEWER, else the login."""
    return os.environ.get("HYCOMPLIANCE_REVIEWER") or getpass.getuser()


def _workbook_bytes(wb: Any) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
