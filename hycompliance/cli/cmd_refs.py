"""``refs`` and ``lint``: the documents a plan cites, and what a legal reviewer would flag in them."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hycompliance.cli.app import app
from hycompliance.errors import EXIT_SOME_FAILED, HyError
from hycompliance.models import Citation, Finding, Plan
from hycompliance.references import check, extract_plan, load_registry, parent_registry, registry_yaml, seed_registry
from hycompliance.dates import day
from hycompliance.references.resolve import parent_registry_path
from hycompliance.report.labels import LINT_WORDS, SEVERITY


def _parse(path: Path) -> Plan:
    from hycompliance.structure import parse_file

    return parse_file(path)


def _reference_row(c: Citation) -> dict[str, object]:
    return {
        "key": c.key,
        "type": c.type,
        "number": c.number,
        "symbol": c.symbol,
        "date": c.date,
        "issuer": c.issuer,
        "as_written": " ".join(c.as_written.split()),
        "page": c.page,
        "clause": c.clause,
        "start": c.start,
        "end": c.end,
        "flags": list(c.flags),
        "intended": c.intended,
    }


def _finding_row(f: Finding) -> dict[str, object]:
    row = asdict(f)
    keep = ("code", "severity", "message", "as_written", "page", "clause", "key", "expected", "corrected", "count", "clauses")
    return {k: (list(row[k]) if k == "clauses" else row[k]) for k in keep}


def _registry(parent: Plan | None, db: str | None):
    """The parent's registry, with what the database learnt from documents when ``db`` is given."""
    registry = parent_registry(parent)
    if db is None:
        return registry
    from hycompliance.references.learnt import db_registry
    from hycompliance.store import open_db

    return db_registry(open_db(db)).merged(registry)


@app.command("refs")
def refs(
    file: Path = typer.Argument(..., help="The plan to read (.txt, .docx, .pdf)."),
    as_json: bool = typer.Option(False, "--json", help="Print references and findings as JSON."),
    plan: Path | None = typer.Option(None, "--plan", help="The parent plan: check its required references."),
    seed: Path | None = typer.Option(
        None, "--seed", help="Write a registry seeded from FILE's own references to this YAML file, keeping its manual entries."
    ),
    seed_parent: bool = typer.Option(
        False, "--seed-parent", help="Like --seed, to FILE's own registry file (rules/registry/parents/), read for its children."
    ),
    db: str | None = typer.Option(None, "--db", help="Also check against what this database learnt (registry learn, scan): a SQLite file or a postgresql:// URL."),
) -> None:
    """List every document FILE cites, with the findings of the reference linter.

    Example: hycompliance refs corpora/examples/vanlam-kh-2023.docx --plan corpora/87-KH-UBND-2023.txt --json
    """
    doc = _parse(file)
    if seed_parent:
        seed = parent_registry_path(doc.header)
        seed.parent.mkdir(parents=True, exist_ok=True)
    if seed is not None:
        manual = load_registry(seed).documents if seed.is_file() else ()
        kept = tuple(d for d in manual if d.source == "manual")
        seed.write_text(
            registry_yaml(seed_registry(doc.text, own_key=doc.header.number, own_date=doc.header.date), kept),
            encoding="utf-8",
        )
        typer.echo(f"{seed}: registry written")
        return
    parent = _parse(plan) if plan else None
    registry = _registry(parent, db)
    citations, findings = check(doc, extract_plan(doc, registry), registry, parent=parent)
    if as_json:
        out = {"references": [_reference_row(c) for c in citations], "findings": [_finding_row(f) for f in findings]}
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    console = Console()
    table = Table(title=f"Văn bản được viện dẫn: {file.name}")
    # minimum widths keep a symbol, a date and a clause ID whole on a narrow terminal
    for head, width in (("Số, ký hiệu", 12), ("Loại", 8), ("Ngày", 10), ("Cơ quan ban hành", 9),
                        ("Trang", 5), ("Mục", 6), ("Lưu ý", 5)):
        table.add_column(head, min_width=width, overflow="fold")
    for c in citations:
        table.add_row(
            c.key or " ".join(c.as_written.split()),
            c.type or "",
            day(c.date, missing=""),
            c.issuer or "",
            str(c.page),
            c.clause or "",
            ", ".join(c.flags),
        )
    console.print(table)
    for f in findings:
        console.print(f"[bold]{SEVERITY[f.severity]}[/bold] {f.code}: {escape(f.message)}", highlight=False)


@app.command("lint")
def lint_files(
    files: list[Path] = typer.Argument(..., help="Plans to check."),
    plan: Path | None = typer.Option(None, "--plan", help="The parent plan: check its required references."),
    db: str | None = typer.Option(None, "--db", help="Also check against what this database learnt (registry learn, scan): a SQLite file or a postgresql:// URL."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object per file: findings and counts."),
) -> None:
    """One line per document and problem (file:page:clause SEVERITY CODE message [count, clauses]) and a
    summary line per file; exit status 1 when there is an error.

    Example: hycompliance lint corpora/examples/*.docx --plan corpora/87-KH-UBND-2023.txt
    """
    parent = _parse(plan) if plan else None
    registry = _registry(parent, db)
    failed = False
    out: list[dict[str, object]] = []
    for path in files:
        try:
            doc = _parse(path)
        except HyError as exc:
            typer.echo(exc.line(), err=True)
            failed = True
            continue
        _, findings = check(doc, extract_plan(doc, registry), registry, parent=parent)
        counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning", "info")}
        failed = failed or counts["error"] > 0
        if as_json:
            out.append({"file": str(path), "counts": counts, "findings": [_finding_row(f) for f in findings]})
            continue
        for f in findings:
            where = f" [{f.count} {LINT_WORDS['mentions']}: {', '.join(f.clauses)}]" if f.count > 1 else ""
            typer.echo(f"{path}:{f.page or 1}:{f.clause or '-'} {SEVERITY[f.severity]} {f.code} {f.message}{where}")
        typer.echo(f"{path}: " + ", ".join(f"{counts[s]} {SEVERITY[s].lower()}" for s in ("error", "warning", "info")))
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
    if failed:
        raise typer.Exit(EXIT_SOME_FAILED)
