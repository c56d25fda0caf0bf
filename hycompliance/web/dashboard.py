"""What the dashboard shows, as plain data: the filtered matrix, its heatmap, a drill-down, the last run.

The matrix, the per-cell verdict (a fresh review, else the machine's) and the coverage arithmetic come
from ``hycompliance.report.data``, so the web page, the HTML report and the XLSX export agree.
Filters select document × requirement cells: by the document's issuer kind, by the cell's verdict, by
whether someone reviewed it, and by whether it needs a second look (suspect result or stale review).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

from sqlite_utils import Database

from hycompliance.errors import message_vi
from hycompliance import rules
from hycompliance.report.data import (DUTIES_GROUP, REFERENCES_GROUP, cell, coverage_of, heatmap, matrix_data,
                                     matrix_rows, split_coverage, verdict_cell)

KINDS = ("commune", "district", "agency", "province", "ministry", "party")
VERDICTS = ("covered", "partial", "missing", "justified", "n/a", "none")
REVIEWED = ("yes", "no")
WORKLIST_LIMIT = 300


@dataclass(frozen=True)
class Filters:
    kind: str = ""
    status: str = ""
    reviewed: str = ""
    suspect: bool = False
    group: str = ""  # a heatmap column opened into its single requirements
    parent: str = ""  # the parent plan's key, when the database holds several

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> "Filters":
        """Filters from a query string; unknown values are ignored rather than trusted."""
        def pick(name: str, allowed: tuple[str, ...]) -> str:
            value = params.get(name, "")
            return value if value in allowed else ""

        return cls(kind=pick("kind", KINDS), status=pick("status", VERDICTS), reviewed=pick("reviewed", REVIEWED),
                   suspect=params.get("suspect") == "1", group=params.get("group", "")[:40],
                   parent=params.get("parent", "")[:80])

    def query(self, **changes: Any) -> str:
        """The query string of these filters (with ``changes``), for links and exports."""
        f = replace(self, **changes)
        pairs = {"parent": f.parent, "kind": f.kind, "status": f.status, "reviewed": f.reviewed,
                 "suspect": "1" if f.suspect else "", "group": f.group}
        return urlencode({k: v for k, v in pairs.items() if v})

    @property
    def narrows_cells(self) -> bool:
        return bool(self.status or self.reviewed or self.suspect)

    def keeps(self, cell: dict[str, Any]) -> bool:
        review = cell["review"]
        if self.status and cell["final"] != self.status:
            return False
        if self.reviewed == "yes" and review is None or self.reviewed == "no" and review is not None:
            return False
        if self.suspect and not (cell["suspect"] or (review is not None and review["stale"])):
            return False
        return True


def document_ids(db: Database, plan_key: str) -> dict[str, int]:
    """Document ids by name, under one parent plan (a file checked against two parents has a row under each)."""
    return {r["name"]: r["id"] for r in db.query(
        "SELECT d.id, d.name FROM documents d JOIN plans p ON p.id = d.plan_id WHERE p.key = ?", [plan_key])}


def parent_plans(db: Database) -> list[dict[str, Any]]:
    """Every parent plan in the database, with how many documents were checked against it."""
    return list(db.query(
        "SELECT p.key, p.number, p.issuer, p.date, p.title, p.requirements, "
        "(SELECT count(*) FROM documents d WHERE d.plan_id = p.id AND d.status = 'ok') AS documents "
        "FROM plans p ORDER BY p.id"))


def filtered_matrix(db: Database, filters: Filters) -> dict[str, Any]:
    """``report.data.matrix_data`` of the chosen parent plan, narrowed to the filters (same shape)."""
    m = matrix_data(db, parent=filters.parent or None)
    docs = [d for d in m["documents"] if not filters.kind or d["kind"] == filters.kind]
    names = {d["name"] for d in docs}
    cells = [c for c in m["cells"] if c["document"] in names and filters.keeps(c)]
    return dict(m, documents=docs, cells=cells)


def _group_titles(db: Database, plan_key: str) -> dict[str, str]:
    rows = db.query(
        "SELECT r.code, r.group_title FROM requirements r JOIN plans p ON p.id = r.plan_id "
        "WHERE p.key = ? AND r.active = 1 AND r.kind != 'reference'", [plan_key])
    return {r["code"]: r["group_title"] for r in rows if r["group_title"]}


def drilldown(matrix: dict[str, Any], group: str) -> dict[str, Any] | None:
    """One heatmap column opened: its requirements as columns, each cell's verdict."""
    reqs = [r for r in matrix["requirements"] if r["group"] == group]
    if not reqs:
        return None
    cells = {(c["document"], c["requirement"]): c for c in matrix["cells"]}
    rows = [{"document": d["name"], "cells": [cells.get((d["name"], r["id"])) for r in reqs]}
            for d in matrix["documents"]]
    per_requirement = [coverage_of([c for c in matrix["cells"] if c["requirement"] == r["id"]])["percent"] for r in reqs]
    return {"group": group, "requirements": reqs, "rows": rows, "coverage": per_requirement}


def group_coverage(matrix: dict[str, Any], groups: list[str]) -> list[float | None]:
    """Across all shown documents: the share met in each group (the heatmap's bottom row)."""
    group_of = {r["id"]: r["group"] for r in matrix["requirements"]}
    return [coverage_of([c for c in matrix["cells"] if group_of[c["requirement"]] == g])["percent"] for g in groups]


def last_run(db: Database) -> dict[str, Any] | None:
    """The latest batch run (uploads scanned from the web are runs too, and are left out here)."""
    rows = list(db.query(
        "SELECT * FROM runs WHERE id NOT IN (SELECT run_id FROM uploads WHERE run_id IS NOT NULL) "
        "ORDER BY id DESC LIMIT 1"))
    if not rows:
        return None
    run = dict(rows[0])
    run["errors"] = [_in_words(e) for e in json.loads(run["errors"] or "[]")]
    run["ignored_files"] = [_in_words(e) for e in json.loads(run.get("ignored_files") or "[]")]
    return run


def _in_words(entry: dict[str, Any]) -> dict[str, Any]:
    """A run summary's entry with ``text``, its words for people: as the scan stored them, or (a run of an
    older version stored only the English ``message``) the code's Vietnamese sentence, details as "?"."""
    if entry.get("text"):
        return entry
    return dict(entry, text=message_vi(entry["code"], {}, entry.get("message", "")))


def dashboard(db: Database, filters: Filters) -> dict[str, Any]:
    """Everything the dashboard page renders. A database with several parent plans and none chosen gives
    only ``choose``: the parents to pick from."""
    parents = parent_plans(db)
    if not filters.parent and len(parents) > 1:
        return {"choose": parents, "parents": parents}
    # Every cell is judged (the heatmap, the totals); only those shown one by one (a drill-down's, the worklist's)
    # are made whole: evidence marked, reasons in words (for 200 documents, 2.7 s of CPU made whole, 0.5 s not).
    frame, rows = matrix_rows(db, parent=filters.parent or None)
    docs = [d for d in frame["documents"] if not filters.kind or d["kind"] == filters.kind]
    names = {d["name"] for d in docs}
    kept: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for row in rows:
        if row["document"] in names:
            judged = verdict_cell(row)
            if filters.keeps(judged):
                kept.append((row, judged))
    m = dict(frame, documents=docs, cells=[judged for _, judged in kept])
    book = rules.load("labels.yaml")
    heat = heatmap(m)
    ids = document_ids(db, m["plan"]["key"])
    titles = _group_titles(db, m["plan"]["key"])
    group_title = {}
    for r in m["requirements"]:
        if r["group"] not in (REFERENCES_GROUP, DUTIES_GROUP) and r["group"] not in group_title:  # those: their label
            group_title[r["group"]] = titles.get(r["id"], "")
    worklist = [cell(row, book) for row, _ in kept[:WORKLIST_LIMIT]] if filters.narrows_cells else []
    drill = None
    if filters.group:
        in_group = {r["id"] for r in m["requirements"] if r["group"] == filters.group}
        drill = drilldown(dict(m, cells=[cell(row, book) for row, judged in kept if judged["requirement"] in in_group]),
                          filters.group)
    return {
        "choose": None,
        "parents": parents,
        "plan": m["plan"],
        "documents": m["documents"],
        "ids": ids,
        "kinds": {d["name"]: d["kind"] for d in m["documents"]},
        "heat": heat,
        "group_title": group_title,
        "totals": group_coverage(m, heat["groups"]),
        "overall": split_coverage(m["cells"])[0],
        "reference_overall": split_coverage(m["cells"])[1],
        "drill": drill,
        "worklist": worklist,
        "worklist_total": len(m["cells"]) if filters.narrows_cells else 0,
        "failed": m["failed"],
        "withdrawn": m["withdrawn"],
        "run": last_run(db),
    }
