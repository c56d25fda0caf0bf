"""``hycompliance serve`` (the reviewers' web app) and ``hycompliance user ...`` (its accounts, in the vault)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from hycompliance.cli.app import app
from hycompliance.errors import Code, HyError

user_app = typer.Typer(help="Accounts of the web app (needed when it serves other machines).", no_args_is_help=True)
app.add_typer(user_app, name="user")

SECRETS_HELP = "The vault of accounts and sessions (default: DB.secrets.db beside the database, or $HYCOMPLIANCE_SECRETS)."


@app.command()
def serve(
    db: str = typer.Option(..., "--db", help="The coverage database (the one the nightly scan writes): a SQLite "
                           "file or a postgresql:// URL."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on; any but 127.0.0.1 requires sign-in."),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    plan: Path = typer.Option(None, "--plan", help="Parent plan for uploads (default: the one the database holds)."),
    uploads: Path = typer.Option(None, "--uploads", help="Where uploaded files are kept (default: beside the database)."),
    allowed_host: list[str] = typer.Option([], "--allowed-host", help="A name people use to reach the server "
                                           "(repeatable); other Host headers are refused."),
    secrets: Path = typer.Option(None, "--secrets", help=SECRETS_HELP),
    reviewer: str = typer.Option(None, "--reviewer", help="The name local-mode decisions carry "
                                 "(default: $HYCOMPLIANCE_REVIEWER)."),
    behind_proxy: bool = typer.Option(False, "--behind-proxy", help="A TLS reverse proxy on this machine forwards "
                                      "to us: trust its X-Forwarded-* headers, Secure cookies, HSTS."),
    secure_cookies: bool = typer.Option(False, "--secure-cookies", help="Secure cookies and HSTS (served over TLS)."),
    forwarded_allow_ips: str = typer.Option("127.0.0.1", "--forwarded-allow-ips",
                                            help="With --behind-proxy: the proxy addresses trusted."),
    certfile: Path = typer.Option(None, "--certfile", help="Serve HTTPS with this certificate (PEM)."),
    keyfile: Path = typer.Option(None, "--keyfile", help="The certificate's private key (PEM)."),
) -> None:
    """Serve the reviewers' web app: dashboard, documents, decisions, uploads, exports.

    Example: hycompliance serve --db coverage.db --plan corpora/87-KH-UBND-2023.pdf
    """
    import uvicorn

    from hycompliance.database import shown
    from hycompliance.web.app import create_app
    from hycompliance.web.auth import LOOPBACK_HOSTS, has_users
    from hycompliance.store import existing_db
    from hycompliance.web.schema import open_web_readable
    from hycompliance.web.vault import default_path, vault

    for given in (plan, certfile, keyfile):
        if given is not None and not given.is_file():
            raise HyError(Code.E120_IS_DIRECTORY if given.is_dir() else Code.E101_NOT_FOUND, str(given))
    if (certfile is None) != (keyfile is None):
        raise HyError(Code.E901_USAGE, detail="give both --certfile and --keyfile")
    vault_file = secrets or default_path(db)
    open_web_readable(existing_db(db), secrets_path=vault_file).close()
    with vault(vault_file) as keys:
        anyone = has_users(keys)
    if host not in LOOPBACK_HOSTS and not anyone:
        raise HyError(Code.E901_USAGE, detail=f"serving on {host} requires sign-in: create an account first with "
                      f"'hycompliance user add NAME --role admin --db {shown(db)}'")
    secure = behind_proxy or secure_cookies or certfile is not None
    web = create_app(db, plan_path=plan, host=host, uploads_dir=uploads, allowed_hosts=allowed_host,
                     secrets_path=vault_file, reviewer=reviewer, secure=secure)
    mode = "sign-in required" if anyone else "local mode (no accounts): the person at this machine has every right"
    scheme = "https" if certfile else "http"
    typer.echo(f"serving {shown(db)} on {scheme}://{host}:{port}/ — {mode}; accounts in {vault_file}", err=True)
    uvicorn.run(web, host=host, port=port, log_level="info", proxy_headers=behind_proxy,
                forwarded_allow_ips=forwarded_allow_ips if behind_proxy else None,
                ssl_certfile=str(certfile) if certfile else None, ssl_keyfile=str(keyfile) if keyfile else None)


def _vault(db: str, secrets: Path | None):
    """The vault of an existing coverage database (its old accounts moved out on the way)."""
    from hycompliance.web.schema import open_web_db
    from hycompliance.web.vault import default_path, open_vault

    vault_file = secrets or default_path(db)
    open_web_db(db, secrets_path=vault_file).close()
    return open_vault(vault_file)


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="Sign-in name."),
    role: str = typer.Option("viewer", "--role", help="viewer (read), reviewer (decide) or admin (upload, users)."),
    db: str = typer.Option(..., "--db", help="The coverage database: a SQLite file or a postgresql:// URL."),
    secrets: Path = typer.Option(None, "--secrets", help=SECRETS_HELP),
    password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from standard input."),
) -> None:
    """Create an account, or reset its role and password (its open sessions end).

    Example: hycompliance user add lan --role reviewer --db coverage.db
    """
    from hycompliance.web.auth import add_user

    store = _vault(db, secrets)
    try:
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        row = add_user(store, name, role, password)
    finally:
        store.close()
    from hycompliance.web.vault import default_path

    typer.echo(f"user {row['name']} ({row['role']}) saved in {secrets or default_path(db)}")


@user_app.command("deactivate")
def user_deactivate(
    name: str = typer.Argument(..., help="Sign-in name."),
    db: str = typer.Option(..., "--db", help="The coverage database: a SQLite file or a postgresql:// URL."),
    secrets: Path = typer.Option(None, "--secrets", help=SECRETS_HELP),
) -> None:
    """Stop an account from signing in and end its open sessions now.

    Example: hycompliance user deactivate lan --db coverage.db
    """
    from hycompliance.web.auth import deactivate

    store = _vault(db, secrets)
    try:
        deactivate(store, name)
    finally:
        store.close()
    typer.echo(f"user {name} deactivated; their sessions ended")


@user_app.command("unlock")
def user_unlock(
    name: str = typer.Argument(None, help="Sign-in name whose lockout to lift."),
    address: str = typer.Option(None, "--address", help="Lift the lockout of this client address instead (or too)."),
    db: str = typer.Option(..., "--db", help="The coverage database: a SQLite file or a postgresql:// URL."),
    secrets: Path = typer.Option(None, "--secrets", help=SECRETS_HELP),
) -> None:
    """Lift a sign-in lockout (too many wrong passwords) for an account or an address.

    Example: hycompliance user unlock lan --db coverage.db
    """
    from hycompliance.web.auth import unlock

    store = _vault(db, secrets)
    try:
        cleared = unlock(store, name=name, address=address)
    finally:
        store.close()
    typer.echo(f"unlocked {' and '.join(x for x in (name, address) if x)}: {cleared} failed attempt(s) forgotten")
