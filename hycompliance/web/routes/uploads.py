"""Uploading a plan: the drop page, the upload itself (admins), and the scan's status for polling."""

from __future__ import annotations

import shutil

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from hycompliance.errors import Code, HyError
from hycompliance.report import labels
from hycompliance.store import current_plan, plan_keys
from hycompliance.web import auth
from hycompliance.web import uploads as store_uploads
from hycompliance.web.messages import message
from hycompliance.web.params import path_id
from hycompliance.web.schema import connect, request_db

STATE_STEP = {"queued": 1, "scanning": 2, "done": 3, "error": 3}


def page(request: Request) -> Response:
    with request_db(request) as db:
        auth.require(request, "admin")
        recent = store_uploads.recent(db)
        parents = plan_keys(db)
    settings = request.app.state.settings
    return request.app.state.templates.TemplateResponse(
        request, "upload.html", {"recent": recent, "words": labels.UPLOAD_STATE, "limit_mb": settings.max_upload_mb,
                                 "parents": parents, "chosen": request.query_params.get("parent", "")})


def _store(settings: object, chunks_file: object, original: str, user: str, parent: str | None) -> int:
    stored, form, size = store_uploads.receive(
        store_uploads.file_chunks(chunks_file), original, settings.uploads_dir, settings.max_upload_mb)  # type: ignore[attr-defined]
    try:
        with connect(settings.db_path) as db:  # type: ignore[attr-defined]
            return store_uploads.record(db, stored, original, form, size, user, parent)
    except BaseException:  # no row (database busy past the wait, full, read-only): no file either
        shutil.rmtree(stored.parent, ignore_errors=True)
        raise


def _wants_json(request: Request) -> bool:
    return "application/json" in request.headers.get("accept", "")


async def upload(request: Request) -> Response:
    """Check and store the file, queue its scan; answer with where to follow it."""
    form = await auth.checked_form(request)
    user = auth.require(request, "admin")
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        raise HTTPException(400, detail=message("choose_file"))
    settings = request.app.state.settings
    parent = str(form.get("parent") or "")[:80] or None
    try:
        if parent is not None:
            with request_db(request) as db:
                current_plan(db, parent)  # an unknown parent is refused before the file is stored
        upload_id = await run_in_threadpool(_store, settings, file.file, file.filename, user.name, parent)
    except HyError as exc:  # a refused file (400), or the database busy, full or read-only (503): nothing kept
        status = 503 if exc.code is Code.E301_DB else 400
        if _wants_json(request):
            return JSONResponse({"error": exc.line_vi()}, status_code=status)
        raise HTTPException(status, detail=exc.line_vi()) from exc
    finally:
        await form.close()
    request.app.state.jobs.submit(store_uploads.run_upload, settings.db_path, settings.plan_path, upload_id)
    status_url = f"/upload/{upload_id}/status"
    if _wants_json(request):
        return JSONResponse({"id": upload_id, "status": status_url}, status_code=202)
    return RedirectResponse(f"/upload?job={upload_id}", status_code=303)


def status(request: Request) -> Response:
    with request_db(request) as db:
        auth.require(request, "admin")
        up = store_uploads.get(db, path_id(request, "upload_id"))
    if up is None:
        raise HTTPException(404, detail=message("no_upload"))
    return JSONResponse({
        "id": up["id"], "file": up["original"], "state": up["state"], "label": labels.UPLOAD_STATE[up["state"]],
        "step": STATE_STEP[up["state"]], "steps": 3, "error": up["error_line"],
        "document": f"/documents/{up['document_id']}" if up["document_id"] and up["state"] == "done" else None,
    })


routes = [
    Route("/upload", page, name="upload_page"),
    Route("/upload", upload, methods=["POST"], name="upload",
          max_body_size=store_uploads.MAX_UPLOAD_MB * 1024 * 1024 + 64 * 1024),
    Route("/upload/{upload_id:int}/status", status, name="upload_status"),
]
