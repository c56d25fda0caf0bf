"""``hycompliance serve`` (the reviewers' web app) and ``hycompliance user add`` (its accounts)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from hycompliance.cli.app import app
from hycompliance.errors import Code, HyError

user_app = typer.Typer(help="Accounts of the web app (needed when it serves other machines).", no_args_is_help=True)
app.add_typer(user_app, name="user")


@app.command()
def serve(
    db: Path = typer.Option(..., "--db", help="The coverage database (the one the nightly scan writes)."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; any but 127.0.0.1 requires sign-in."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    plan: Path = typer.Option(None, "--plan", help="Parent plan for uploads (default: the one the database holds)."),
    uploads: Path = typer.Option(None, "--uploads", help="Where uploaded files are kept (default: beside the database)."),
) -> None:
    """Serve the reviewers' web app: dashboard, documents, decisions, uploads, exports.

    Example: hycompliance serve --db coverage.db --plan corpora/87-KH-UBND-2023.pdf
    """
    import uvicorn

    from hycompliance.web.app import create_app
    from hycompliance.web.auth import LOOPBACK_HOSTS, has_users
    from hycompliance.web.schema import open_web_readable

    if plan is not None and not plan.is_file():
        raise HyError(Code.E101_NOT_FOUND, str(plan))
    database = open_web_readable(db)
    try:
        anyone = "users" in database.table_names() and has_users(database)
    finally:
        database.close()
    if host not in LOOPBACK_HOSTS and not anyone:
        raise HyError(Code.E901_USAGE, detail=f"serving on {host} requires sign-in: create an account first with "
                      f"'hycompliance user add NAME --role admin --db {db}'")
    web = create_app(db, plan_path=plan, host=host, uploads_dir=uploads)
    mode = "sign-in required" if anyone else "local mode (no accounts): the person at this machine acts as 'local', with every right"
    typer.echo(f"serving {db} on http://{host}:{port}/ — {mode}", err=True)
    uvicorn.run(web, host=host, port=port, log_level="info", proxy_headers=False)


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="Sign-in name."),
    role: str = typer.Option("viewer", "--role", help="viewer (read), reviewer (decide) or admin (upload, users)."),
    db: Path = typer.Option(..., "--db", help="The coverage database."),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create an account, or reset its role and password.

    Example: hycompliance user add lan --role reviewer --db coverage.db
    """
    from hycompliance.web.auth import add_user
    from hycompliance.web.schema import open_web_db

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    database = open_web_db(db)
    try:
        row = add_user(database, name, role, password)
    finally:
        database.close()
    typer.echo(f"user {row['name']} ({row['role']}) saved in {db}")
