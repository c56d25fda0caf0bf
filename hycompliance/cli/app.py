"""The Typer application object; command modules register themselves on it."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="hycompliance",
    help="Check Vietnamese implementation plans against the parent plan they implement.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
