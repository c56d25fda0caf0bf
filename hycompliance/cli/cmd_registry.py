"""``registry learn``: read documents and record what they cite and what they repeal, replace or amend."""

from __future__ import annotations

from pathlib import Path

import typer

from hycompliance.cli.app import app, print_error
from hycompliance.errors import HyError, exit_status

registry_app = typer.Typer(help="The registry of known documents learnt from the documents themselves.")
app.add_typer(registry_app, name="registry")


@registry_app.command("learn")
def learn_cmd(
    paths: list[Path] = typer.Argument(..., help="Documents to read (laws, decrees, circulars, decisions, plans)."),
    db: str = typer.Option(..., "--db", help="The coverage database that keeps the registry: a SQLite file or a postgresql:// URL."),
) -> None:
    """Record every document PATHS cite and every repeal, replacement, amendment and implementation they state.

    Example: hycompliance registry learn --db work/coverage.db ../shared/corpus/real/legal/*.md
    """
    from hycompliance.ingest import read
    from hycompliance.references.learnt import document_text, learnt_rows, record
    from hycompliance.store import open_db
    from hycompliance.structure import build_plan

    try:
        database = open_db(db)
    except HyError as exc:
        print_error(exc)
        raise typer.Exit(exit_status(exc.code)) from None
    failed = False
    total_docs = total_rel = 0
    for path in paths:
        try:
            doc = read(path)
            plan = build_plan(doc)
        except HyError as exc:
            typer.echo(exc.line(), err=True)
            failed = True
            continue
        got = record(database, learnt_rows(plan, str(path), text=document_text(doc)))
        total_docs += got.documents
        total_rel += got.relations
        typer.echo(f"{path}: {got.documents} documents, {got.relations} relations")
    typer.echo(f"learnt {total_docs} documents, {total_rel} relations from {len(paths)} files")
    if failed:
        raise typer.Exit(1)
