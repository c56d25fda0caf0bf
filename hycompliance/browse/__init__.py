"""Browsing the coverage database with Datasette: the metadata shipped with the package and the command.

``metadata.yaml`` gives every table and column a Vietnamese title or description, label columns (links
show a document's name or a requirement's code instead of a bare id) and facets. Its database key is
``coverage`` (the file ``coverage.db``); ``command(db_path)`` is what ``hycompliance demo`` prints.
"""

from __future__ import annotations

import shlex
from pathlib import Path

METADATA = Path(__file__).resolve().parent / "metadata.yaml"
DATABASE_KEY = "coverage"


def command(db_path: str | Path) -> str:
    """The datasette command line that opens ``db_path`` with the shipped metadata."""
    return f"datasette {shlex.quote(str(db_path))} --metadata {shlex.quote(str(METADATA))}"
