"""The Typer application object; command modules register themselves on it."""

from __future__ import annotations

import os
import sys

import typer

from hycompliance.errors import ERROR_JSON_ENV, HyError

app = typer.Typer(
    name="hycompliance",
    help="Check Vietnamese implementation plans against the parent plan they implement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from hycompliance import __version__

        typer.echo(f"hycompliance {__version__}")
        raise typer.Exit(0)


@app.callback()
def _options(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version and exit."),
) -> None:
    """Check Vietnamese implementation plans against the parent plan they implement."""


def print_error(error: HyError, line: str | None = None) -> None:
    """Print an error's one line (``line`` instead, when given) on stderr; then, when ``ERROR_JSON_ENV``
    asks (the web app running a scan), the error as a JSON line."""
    print(line or error.line(), file=sys.stderr)
    if os.environ.get(ERROR_JSON_ENV) == "1":
        print(error.as_json(), file=sys.stderr)
