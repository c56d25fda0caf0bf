"""The dashboard (heatmap, filters, last run), its exports, the requirement pages and the clause search."""

from __future__ import annotations

import io
from datetime import datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from hycompliance.errors import Code, HyError
from hycompliance.report import matrix_csv
from hycompliance.report.xlsx import matrix_workbook
from hycompliance.store import now
from hycompliance.web import auth
from hycompliance.web.cache import cached_html
from hycompliance.web.dashboard import KINDS, VERDICTS, Filters, filtered_matrix
from hycompliance.web.messages import message
from hycompliance.web.detail import requirement_list, requirement_page, search
from hycompliance.web.schema import request_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def index(request: Request) -> Response:
    filters = Filters.from_query(request.query_params)
    with request_db(request) as db:
        user = auth.require(request, "viewer")
        html = cached_html(request, filters, "dashboard.html",
                           lambda: {"d": request.app.state.warmer.dashboard_data(db, filters), "f": filters, "kinds": KINDS, "verdicts": VERDICTS},
                           user, auth.csrf_token(request))
    return HTMLResponse(html)


def _download_name(ext: str) -> str:
    return f"ma-tran-{datetime.now():%Y%m%d-%H%M}.{ext}"


def export(request: Request) -> Response:
    """The dashboard's current view (same filters) as CSV or XLSX."""
    fmt = request.path_params["fmt"]
    if fmt not in ("csv", "xlsx"):
        raise HTTPException(404, detail=message("no_export"))
    filters = Filters.from_query(request.query_params)
    with request_db(request) as db:
        user = auth.require(request, "viewer")
        matrix = filtered_matrix(db, filters)
    headers = {"Content-Disposition": f'attachment; filename="{_download_name(fmt)}"'}
    if fmt == "csv":
        return Response("\ufeff" + matrix_csv(matrix), media_type="text/csv; charset=utf-8", headers=headers)
    buf = io.BytesIO()
    matrix_workbook(matrix, exported_at=now(), exported_by=user.name).save(buf)
    return Response(buf.getvalue(), media_type=XLSX, headers=headers)


def _parent(request: Request) -> str | None:
    return request.query_params.get("parent", "")[:80] or None


def requirements(request: Request) -> Response:
    with request_db(request) as db:
        auth.require(request, "viewer")
        try:
            rows = requirement_list(db, _parent(request))
        except HyError as exc:
            if exc.code is Code.E321_SEVERAL_PLANS:  # several parents, none chosen: choose on the dashboard
                return RedirectResponse("/", status_code=303)
            raise
    return request.app.state.templates.TemplateResponse(
        request, "requirements.html", {"rows": rows, "parent": _parent(request) or ""})


def requirement(request: Request) -> Response:
    with request_db(request) as db:
        auth.require(request, "viewer")
        data = requirement_page(db, request.path_params["code"], _parent(request))
    return request.app.state.templates.TemplateResponse(request, "requirement.html", {"r": data})


def clause_search(request: Request) -> Response:
    query = request.query_params.get("q", "").strip()[:200]
    with request_db(request) as db:
        auth.require(request, "viewer")
        hits = search(db, query) if query else []
    return request.app.state.templates.TemplateResponse(request, "search.html", {"q": query, "hits": hits})


routes = [
    Route("/", index, name="dashboard"),
    Route("/export.{fmt:str}", export, name="export"),
    Route("/requirements", requirements, name="requirements"),
    Route("/requirements/{code:path}", requirement, name="requirement"),
    Route("/search", clause_search, name="search"),
]
