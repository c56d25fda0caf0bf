"""Command-line interface: thin commands over library functions.

Each module below registers its commands on ``app``; ``main`` turns ``HyError`` into one line and the exit
status of ``hycompliance.errors.exit_status`` (one table for every command, in the README) instead of a
traceback.
"""

from __future__ import annotations

import os
import sqlite3
import sys

import psycopg

from hycompliance.cli.app import app, print_error
from hycompliance.database import cause
from hycompliance.database_pg import pg_cause
from hycompliance.errors import EXIT_INTERRUPTED, Code, HyError, exit_status


def _load_commands() -> None:
    import importlib
    import pkgutil

    import hycompliance.cli as pkg

    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"hycompliance.cli.{info.name}")


def _fail(error: HyError, line: str | None = None) -> None:
    print_error(error, line)
    sys.exit(exit_status(error.code))


def main() -> None:
    _load_commands()
    try:
        app()
    except HyError as exc:
        _fail(exc)
    except sqlite3.Error as exc:  # a database failure no command caught: disk full, read-only, locked
        _fail(HyError(Code.E301_DB, detail=cause(exc)))
    except psycopg.Error as exc:  # the same on PostgreSQL: its first line (a URL's password is never in it)
        _fail(HyError(Code.E301_DB, detail=pg_cause(exc)))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        sys.exit(EXIT_INTERRUPTED)
    except Exception as exc:  # a bug, not bad input: one line for the user, the trace on request
        if os.environ.get("HYCOMPLIANCE_DEBUG"):
            raise
        bug = HyError(Code.E306_INTERNAL, detail=f"{type(exc).__name__}: {exc}")
        _fail(bug, f"internal error: {type(exc).__name__}: {exc} (set HYCOMPLIANCE_DEBUG=1 for the trace)")
