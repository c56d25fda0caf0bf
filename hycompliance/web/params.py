"""Numbers taken from a URL, checked before they reach the database."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request

from hycompliance.web.messages import message

MAX_ID = 2**63 - 1  # SQLite's INTEGER PRIMARY KEY range; a larger number cannot name a row


def path_id(request: Request, name: str) -> int:
    """The row id in path parameter ``name`` (a route's ``{name:int}``); 404 when no row can have it."""
    value = int(request.path_params[name])
    if not 1 <= value <= MAX_ID:
        raise HTTPException(404, detail=message("not_found"))
    return value
