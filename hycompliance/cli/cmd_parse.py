"""``hycompliance parse``: a plan's outline for people, or its whole structure as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console

from hycompliance.cli.app import app
from hycompliance.models import Plan
from hycompliance.structure import parse_file

OUTLINE_WIDTH = 110


def plan_to_json(plan: Plan) -> dict:
    """The documented JSON shape of ``parse --json``."""
    h = plan.header
    return {
        "header": {"issuer": h.issuer, "number": h.number, "type": h.type, "place": h.place, "date": h.date,
                   "title": h.title, "parent_issuer": h.parent_issuer},
        "clauses": [
            {"id": c.id, "label": c.label, "kind": c.kind, "text": c.text, "page": c.page, "parent": c.parent}
            for c in plan.clauses
        ],
        "closing": asdict(plan.closing),
        "warnings": [{"code": w.code, "message": w.message} for w in plan.warnings],
    }


def outline_lines(plan: Plan, width: int = OUTLINE_WIDTH) -> list[str]:
    """One line a clause, indented by depth: ``p.3  III.3.2   - Hình thành các vùng ...``."""
    h = plan.header
    lines = [
        f"{h.type or '?'} {h.number or '(no number)'} — {h.issuer or '(no issuer)'}, {h.place or '?'}, {h.date or '?'}",
        f"{h.title or ''}",
        "",
    ]
    for c in plan.clauses:
        if c.kind == "table":
            continue
        depth = c.id.count(".")
        label = c.label or ("¶" if c.kind == "paragraph" else "")
        head = f"p.{c.page:<3} {c.id:<12} {'  ' * depth}{label} "
        text = c.text if len(head) + len(c.text) <= width else c.text[: max(10, width - len(head) - 1)] + "…"
        lines.append(head + text)
    return lines


@app.command()
def parse(
    file: Path = typer.Argument(..., help="A plan: .pdf, .docx or .txt"),
    as_json: bool = typer.Option(False, "--json", help="Print the whole structure as JSON."),
) -> None:
    """Read a plan and print its outline (clause IDs follow the printed path).

    Example: hycompliance parse corpora/87-KH-UBND-2023.pdf --json
    """
    plan = parse_file(file)
    if as_json:
        typer.echo(json.dumps(plan_to_json(plan), ensure_ascii=False, indent=2))
        return
    console = Console(highlight=False, soft_wrap=True)
    for line in outline_lines(plan):
        console.print(line, markup=False)
    for w in plan.warnings:
        typer.echo(f"{file}: {w.code} {w.message}", err=True)
