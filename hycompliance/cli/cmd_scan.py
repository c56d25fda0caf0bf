"""Batch and coverage commands: ``scan``, ``matrix``, ``report``, ``review``, ``demo``.

Thin wrappers over ``hycompliance.scan``, ``hycompliance.store`` and ``hycompliance.report``. Exit status:
``hycompliance.errors.exit_status`` (0 all good, 1 some files failed, 2 usage, 3 not found, 4 unreadable
input, 5 database, 70 internal).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import typer

from hycompliance import browse
from hycompliance.cli.app import app, print_error
from hycompliance.errors import DB_ENV, EXIT_OK, EXIT_SOME_FAILED, Code, HyError, exit_status
from hycompliance.report import MATRIX_FORMATS, REPORT_FORMATS, matrix_output, report_output
from hycompliance.scan import scan as run_scan
from hycompliance.store import REVIEW_STATUSES, add_review, current_plan, existing_db, open_db, open_for_reading
from hycompliance.workers import die_with_parent

DB_HELP = "The coverage database: a SQLite file, or a postgresql://USER@HOST/NAME URL."
DB_HELP_SCAN = "The coverage database: a SQLite file (created if missing), or a postgresql://USER@HOST/NAME URL."
PARENT_HELP = "The parent plan (its key, e.g. 87/KH-UBND, or file name); needed when the database holds several."
ROOT = Path(__file__).resolve().parents[2]
DEMO_PLAN = ROOT / "corpora" / "87-KH-UBND-2023.txt"
DEMO_EXAMPLES = ROOT / "corpora" / "examples"


def _stop(exc: HyError) -> typer.Exit:
    """Print the one-line error; exit with the status of its code."""
    print_error(exc)
    return typer.Exit(exit_status(exc.code))


def _emit(content: str | bytes, out: Path | None, fmt: str) -> None:
    if out is None:
        if isinstance(content, bytes):
            raise HyError(Code.E901_USAGE, detail=f"--format {fmt} writes a file: give -o FILE")
        sys.stdout.write(content)
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        out.write_bytes(content)
    else:
        out.write_text(content, encoding="utf-8")
    print(f"wrote {out}", file=sys.stderr)


def _scan_or_stop(db: Path | str, plan: Path, paths: list[Path], workers: int | None, catalogue: Path | None,
                  engine: str = "local", scheduler: str | None = None) -> dict:
    try:
        summary = run_scan(db, plan, paths, workers=workers, catalogue_path=catalogue, engine=engine,
                           scheduler=scheduler)
    except HyError as exc:
        raise _stop(exc) from None
    if summary["discovered"] == 0:
        raise _stop(HyError(Code.E307_NO_FILES, ", ".join(str(p) for p in paths)))
    return summary


@app.command()
def scan(
    paths: list[Path] = typer.Argument(..., readable=False,  # an unreadable file is its own error line, not a usage error
                                       help="Plan files or folders (searched recursively for .pdf .docx .txt)."),
    plan: Path = typer.Option(..., "--plan", help="The parent plan the documents implement."),
    db: str = typer.Option(..., "--db", envvar=DB_ENV, show_envvar=True, help=DB_HELP_SCAN),
    workers: int = typer.Option(0, "--workers", "-j", help="Worker processes (default: one per CPU)."),
    catalogue: Path | None = typer.Option(None, "--catalogue", help="A reviewer-edited requirement catalogue."),
    engine: str = typer.Option("local", "--engine", help="Where documents are analysed: local (forked worker "
                               "processes) or dask (a Dask cluster)."),
    scheduler: str | None = typer.Option(None, "--scheduler", help="With --engine dask: the scheduler address "
                                         "(tcp://HOST:PORT); without it a local cluster of --workers processes."),
) -> None:
    """Scan plans into the coverage database; unchanged files are skipped. Prints a JSON run summary.

    Example: hycompliance scan --plan corpora/87-KH-UBND-2023.txt --db coverage.db plans/
    Example: hycompliance scan --engine dask --scheduler tcp://10.0.0.5:8786 --plan parent.pdf --db coverage.db plans/
    """
    parent_pid = os.environ.get("HYCOMPLIANCE_PARENT_PID", "")
    if parent_pid.isdigit():  # started for another process (the web app's upload): end with it
        die_with_parent(int(parent_pid))
    summary = _scan_or_stop(db, plan, paths, workers or None, catalogue, engine, scheduler)
    print(json.dumps({k: summary[k] for k in ("run", "plan", "scanned", "skipped", "failed", "errors", "seconds")}
                     | {k: summary[k] for k in ("ignored", "ignored_files", "suspect")}, ensure_ascii=False))
    raise typer.Exit(EXIT_SOME_FAILED if summary["failed"] else EXIT_OK)


@app.command()
def matrix(
    db: str = typer.Option(..., "--db", help=DB_HELP),
    fmt: str = typer.Option("table", "--format", "-f", help=f"One of: {', '.join(MATRIX_FORMATS)}."),
    out: Path | None = typer.Option(None, "-o", "--out", help="Write to this file instead of stdout."),
    parent: str | None = typer.Option(None, "--parent", help=PARENT_HELP),
) -> None:
    """The coverage matrix of one parent plan: documents x requirements, machine verdicts and reviewer decisions.

    Example: hycompliance matrix --db coverage.db --format xlsx -o matrix.xlsx
    """
    try:
        _emit(matrix_output(_open_existing(db), fmt, parent=parent), out, fmt)
    except HyError as exc:
        raise _stop(exc) from None


@app.command()
def report(
    document: str = typer.Argument(..., help="Document name (file name without extension), path or id."),
    db: str = typer.Option(..., "--db", help=DB_HELP),
    fmt: str = typer.Option("html", "--format", "-f", help=f"One of: {', '.join(REPORT_FORMATS)}."),
    out: Path | None = typer.Option(None, "-o", "--out", help="Write to this file instead of stdout."),
    parent: str | None = typer.Option(None, "--parent", help=PARENT_HELP),
) -> None:
    """One document's report for reviewers and legal staff (coverage, evidence, targets, reference findings).

    Example: hycompliance report vanlam-kh-2023 --db coverage.db --format html -o vanlam.html
    """
    try:
        _emit(report_output(_open_existing(db), document, fmt, parent=parent), out, fmt)
    except HyError as exc:
        raise _stop(exc) from None


@app.command()
def review(
    document: str = typer.Argument(..., help="Document name, path or id."),
    requirement: str = typer.Argument(..., help="Requirement ID (III.3.2, II.2.4, 10-NQ/TU)."),
    status: str = typer.Option(..., "--status", help=f"One of: {', '.join(REVIEW_STATUSES)}."),
    note: str = typer.Option("", "--note", help="Why: what the reviewer saw."),
    reviewer: str | None = typer.Option(None, "--reviewer", help="Who decides (default: $HYCOMPLIANCE_REVIEWER or the login)."),
    db: str = typer.Option(..., "--db", help=DB_HELP),
    parent: str | None = typer.Option(None, "--parent", help=PARENT_HELP),
) -> None:
    """Record a reviewer's decision on one cell; it survives rescans and shows beside the machine's verdict.

    Example: hycompliance review vanlam-kh-2023 III.3.2 --status covered --note "mục 2.3, trang 4" --db coverage.db
    """
    try:
        database = _open_existing(db)
        plan_id = current_plan(database, parent)["id"] if parent else None
        row = add_review(database, document, requirement, status, note, reviewer, plan_id=plan_id)
    except HyError as exc:
        raise _stop(exc) from None
    print(json.dumps({k: row[k] for k in ("id", "requirement", "status", "note", "reviewer", "at")}, ensure_ascii=False))


@app.command()
def demo(
    out: Path = typer.Option(Path("."), "--out", help="Folder for coverage.db, report.html and matrix.xlsx."),
    workers: int = typer.Option(0, "--workers", "-j", help="Worker processes (default: one per CPU)."),
) -> None:
    """Scan the bundled example plans against Kế hoạch 87/KH-UBND and write the matrix as HTML and XLSX.

    Example: hycompliance demo --out out/
    """
    out.mkdir(parents=True, exist_ok=True)
    db_path = out / "coverage.db"
    summary = _scan_or_stop(db_path, DEMO_PLAN, [DEMO_EXAMPLES], workers or None, None)
    db = open_db(db_path)
    try:
        (out / "report.html").write_text(matrix_output(db, "html", parent=summary["plan"]), encoding="utf-8")  # type: ignore[arg-type]
        (out / "matrix.xlsx").write_bytes(matrix_output(db, "xlsx", parent=summary["plan"]))  # type: ignore[arg-type]
    except HyError as exc:
        raise _stop(exc) from None
    finally:
        db.close()
    print(f"scanned {summary['scanned']}, skipped {summary['skipped']}, failed {summary['failed']}")
    for line in (f"database: {db_path}", f"report:   {out / 'report.html'}", f"matrix:   {out / 'matrix.xlsx'}",
                 f"web app:  .venv/bin/hycompliance serve --db {db_path}   (then open http://127.0.0.1:8000)",
                 f"browse:   {browse.command(db_path)}   (optional, if Datasette is installed)"):
        print(line)
    raise typer.Exit(EXIT_SOME_FAILED if summary["failed"] else EXIT_OK)


def _open_existing(db: Path | str):
    """An existing coverage database (E308 when missing, E120 for a directory), read-only when it cannot be
    written (``review`` then fails with E301): only ``scan`` creates one."""
    return open_for_reading(existing_db(db))
