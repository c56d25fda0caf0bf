"""The registry's document page: a document the scans have met, what it cites, what cites it, and what
repealed, replaced or amended it (``hycompliance.references.learnt``)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hycompliance.references.learnt import document_page, relation_labels
from hycompliance.web import auth
from hycompliance.web.schema import request_db

MAX_KEY = 120


def page(request: Request) -> Response:
    key = request.query_params.get("key", "").strip()
    if not key or len(key) > MAX_KEY:
        raise HTTPException(400, detail="Hãy ghi số, ký hiệu văn bản (ví dụ 57-NQ/TW).")
    with request_db(request) as db:
        auth.require(request, "viewer")
        data = document_page(db, key)
    return request.app.state.templates.TemplateResponse(
        request, "registry.html", {"r": data, "REL": relation_labels()})


routes = [Route("/registry", page, name="registry_document")]
