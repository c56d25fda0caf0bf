"""A document's page, its file, its HTML report, and the reviewer's decisions on its cells."""

from __future__ import annotations

from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from hycompliance.copies import stored_copy
from hycompliance.errors import Code, HyError
from hycompliance.report import report_output
from hycompliance.store import REVIEW_STATUSES, add_review
from hycompliance.web import auth
from hycompliance.web.cache import cached_html
from hycompliance.web.detail import document_row
from hycompliance.web.messages import message
from hycompliance.web.params import path_id
from hycompliance.web.schema import connect, request_db

MAX_NOTE = 2000
MEDIA = {"pdf": "application/pdf", "txt": "text/plain; charset=utf-8",
         "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


def page(request: Request) -> Response:
    doc_id = request.path_params["doc_id"]
    saved = request.query_params.get("saved", "")
    with request_db(request) as db:
        user = auth.require(request, "viewer")
        html = cached_html(request, (doc_id, saved), "document.html",
                           lambda: {"r": request.app.state.warmer.document_data(db, path_id(request, "doc_id")),
                                    "can_decide": user.can("reviewer"),
                                    "decisions": REVIEW_STATUSES, "saved": saved},
                           user, auth.csrf_token(request))
    return HTMLResponse(html)


def download(request: Request) -> Response:
    """The stored copy of this document's file (``hycompliance.copies``), never a path from the scanned folders."""
    with request_db(request) as db:
        auth.require(request, "viewer")
        doc = document_row(db, path_id(request, "doc_id"))
    copy = stored_copy(request.app.state.settings.db_path, doc["content_hash"], doc["form"])
    if copy is None:
        raise HTTPException(404, detail=message("no_stored_copy"))
    return FileResponse(copy, media_type=MEDIA.get(doc["form"], "application/octet-stream"),
                        filename=f"{doc['name']}.{doc['form']}")


def report(request: Request) -> Response:
    with request_db(request) as db:
        auth.require(request, "viewer")
        doc = document_row(db, path_id(request, "doc_id"))
        html = report_output(db, str(doc["id"]), "html")
    return HTMLResponse(str(html))


def _record(db_path: str, doc_id: int, requirement: str, status: str, note: str, reviewer: str) -> None:
    with connect(db_path) as db:
        doc = document_row(db, doc_id)
        add_review(db, str(doc["id"]), requirement, status, note, reviewer=reviewer, plan_id=doc["plan_id"])


async def decide(request: Request) -> Response:
    """Record one decision (append-only), then back to the requirement on the document's page."""
    form = await auth.checked_form(request)
    doc_id = path_id(request, "doc_id")
    user = auth.require(request, "reviewer")
    requirement = str(form.get("requirement", ""))
    status = str(form.get("status", ""))
    note = str(form.get("note", "")).strip()[:MAX_NOTE]
    if status not in REVIEW_STATUSES:
        raise HTTPException(400, detail=message("choose_decision"))
    try:
        await run_in_threadpool(_record, request.app.state.settings.db_path, doc_id, requirement, status, note,
                                auth.reviewer_name(request, user))
        request.app.state.warmer.poke()  # the database changed: warm its pages again now
    except HyError as exc:  # E301: the database stayed busy past the wait budget (or is full, read-only)
        raise HTTPException(503 if exc.code is Code.E301_DB else 400, detail=exc.line_vi()) from exc
    anchor = quote(f"req-{requirement}")
    return RedirectResponse(f"/documents/{doc_id}?saved={quote(requirement)}#{anchor}", status_code=303)


routes = [
    Route("/documents/{doc_id:int}", page, name="document"),
    Route("/documents/{doc_id:int}/file", download, name="document_file"),
    Route("/documents/{doc_id:int}/report", report, name="document_report"),
    Route("/documents/{doc_id:int}/decisions", decide, methods=["POST"], name="decide", max_body_size=64 * 1024),
]
