"""``scope`` (does a document implement the parent plan?) and ``review-scope`` (a reviewer's decision).

Thin wrappers over ``hycompliance.pipeline.scope_of`` and ``hycompliance.scope_store``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from hycompliance.cli.app import app
from hycompliance.cli.cmd_scan import PARENT_HELP, _open_existing, _stop
from hycompliance.errors import Code, HyError
from hycompliance.store import current_plan


@app.command()
def scope(
    files: list[Path] = typer.Argument(None, help="Plans to check against --plan (PDF, DOCX or text)."),
    plan: Path | None = typer.Option(None, "--plan", help="The parent plan the files should implement."),
    db: str | None = typer.Option(None, "--db", help="List the verdicts stored by scan instead (a SQLite file or a postgresql:// URL)."),
    out_only: bool = typer.Option(False, "--out-only", help="Only the documents out of scope."),
    as_json: bool = typer.Option(False, "--json", help="JSON lines instead of a table."),
    parent: str | None = typer.Option(None, "--parent", help=PARENT_HELP),
) -> None:
    """Whether each document implements the parent plan, and why (in Vietnamese).

    Examples: hycompliance scope --plan corpora/87-KH-UBND-2023.txt plans/*.txt
              hycompliance scope --db coverage.db --out-only
    """
    try:
        if db is not None:
            from hycompliance.scope_store import scope_list

            database = _open_existing(db)
            plan_id = current_plan(database, parent)["id"] if parent else None
            rows = scope_list(database, out_only=out_only, plan_id=plan_id)
        elif plan is not None and files:
            from hycompliance.pipeline import load_context, scope_of

            context = load_context(plan)
            rows = []
            for f in files:
                s = scope_of(f, context)
                if not (out_only and s.in_scope):
                    rows.append({"name": str(f), "in_scope": int(s.in_scope), "scope_basis": s.basis,
                                 "scope_reason": s.reason, "scope_overlap": s.overlap})
        else:
            raise HyError(Code.E901_USAGE, detail="give --plan PARENT and files, or --db DATABASE")
    except HyError as exc:
        raise _stop(exc) from None
    for r in rows:
        if as_json:
            print(json.dumps(r, ensure_ascii=False))
        else:
            mark = "-" if r["in_scope"] is None else "in " if r["in_scope"] else "out"
            print(f"{mark}\t{r['name']}\t{r['scope_reason'] or ''}")


@app.command("review-scope")
def review_scope(
    document: str = typer.Argument(..., help="Document name, path or id."),
    in_scope: bool = typer.Option(..., "--in-scope/--out-of-scope", help="Does it implement the parent plan?"),
    note: str = typer.Option("", "--note", help="Why: what the reviewer saw."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who decides (default: $HYCOMPLIANCE_REVIEWER)."),
    db: str = typer.Option(..., "--db", help="The coverage database: a SQLite file or a postgresql:// URL."),
    parent: str | None = typer.Option(None, "--parent", help=PARENT_HELP),
) -> None:
    """Record a reviewer's decision on whether a document implements the parent plan (applied at the next scan).

    Example: hycompliance review-scope hanoi_kh_310_2025 --in-scope --note "thực hiện mục III.5" --db coverage.db
    """
    from hycompliance.scope_store import add_scope_review

    try:
        database = _open_existing(db)
        plan_id = current_plan(database, parent)["id"] if parent else None
        row = add_scope_review(database, document, in_scope, note, reviewer, plan_id=plan_id)
    except HyError as exc:
        raise _stop(exc) from None
    print(json.dumps(row, ensure_ascii=False), file=sys.stdout)
