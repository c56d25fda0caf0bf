"""The reviewers' web app: a small server-rendered Starlette application over the coverage database.

``create_app(db_path, ...)`` builds it; ``hycompliance serve`` runs it with uvicorn. Each request opens its
own short-lived SQLite connection (the batch may be writing at the same time; WAL lets both proceed).
App-wide state (settings, templates, the upload worker) lives on ``app.state``; pages are in ``routes/``.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hycompliance.errors import HyError
from hycompliance.report import labels
from hycompliance.web import auth
from hycompliance.web.routes import ROUTES
from hycompliance.web.schema import connect, open_web_db, session_secret
from hycompliance.web.uploads import MAX_UPLOAD_MB, run_upload, unfinished

PACKAGE_DIR = Path(__file__).resolve().parent
SESSION_HOURS = 8
FORM_BODY_LIMIT = 256 * 1024  # decisions, sign-in: small forms


@dataclass(frozen=True)
class Settings:
    db_path: str
    plan_path: str | None
    uploads_dir: Path
    loopback: bool
    max_upload_mb: int = MAX_UPLOAD_MB
    session_hours: int = SESSION_HOURS


# Pages load only this app's own script and stylesheet; the self-contained HTML report (inline CSS, no
# scripts) gets its own, looser style rule.
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


class SecurityHeaders:
    """Adds CSP, no-sniff, no-framing and no-referrer headers to every response (pure ASGI middleware)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_report = scope["path"].endswith("/report")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = REPORT_CSP if is_report else CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "no-referrer"
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _heat(value: float | None) -> str:
    """A CSS class for a coverage percent: h0 (none met) … h4 (all met); hx when nothing applies."""
    if value is None:
        return "hx"
    return f"h{min(4, int(value // 25))}"


def templates() -> Jinja2Templates:
    env = Environment(loader=PackageLoader("hycompliance.web", "templates"), autoescape=select_autoescape(default=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["when"] = labels.when
    env.filters["day"] = labels.day
    env.filters["warning"] = labels.warning_text
    env.globals.update(S=labels.STATUS, C=labels.COLUMN, H=labels.HEADING, K=labels.DOC_KIND, G=labels.GROUP,
                       SEV=labels.SEVERITY, RK=labels.REQUIREMENT_KIND, CMP=labels.COMPARE, STALE=labels.STALE,
                       SUSPECT=labels.SUSPECT, MACHINE=labels.MACHINE, REVIEWED=labels.REVIEWED, P=labels.PAGE, num=labels.number, pct=labels.percent, heat=_heat,
                       ROLE=auth.ROLE_WORDS)
    return Jinja2Templates(env=env, context_processors=[_page_context])


def _page_context(request: Request) -> dict[str, Any]:
    """What every page needs: who is signed in and the CSRF token for its forms."""
    with connect(request.app.state.settings.db_path) as db:
        user = auth.current_user(request, db)
    return {"user": user, "csrf": auth.csrf_token(request)}


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if request.method == "GET":
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return Response("Cần đăng nhập.", status_code=401, media_type="text/plain; charset=utf-8")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({"error": exc.detail}, status_code=exc.status_code)
    if exc.status_code == 413:
        message = f"Tệp lớn hơn giới hạn {MAX_UPLOAD_MB} MB."
    elif exc.status_code in (400, 403, 404):
        message = exc.detail
    else:
        message = "Đã có lỗi xảy ra."
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": exc.status_code, "message": message}, status_code=exc.status_code)


async def _hy_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HyError)
    status = 404 if exc.code.value in ("E302", "E304", "E305") else 400
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": status, "message": exc.line_vi()}, status_code=status)


def create_app(db_path: str | Path, *, plan_path: str | Path | None = None, host: str = "127.0.0.1",
               uploads_dir: str | Path | None = None) -> Starlette:
    """The app for one database. ``host`` decides whether local mode (no sign-in) may apply."""
    db_path = str(Path(db_path).resolve())
    db = open_web_db(db_path)
    try:
        secret = session_secret(db)
    finally:
        db.close()
    uploads = Path(uploads_dir) if uploads_dir else Path(db_path).with_name(Path(db_path).stem + "-uploads")
    settings = Settings(db_path=db_path, plan_path=str(Path(plan_path).resolve()) if plan_path else None,
                        uploads_dir=uploads.resolve(), loopback=host in auth.LOOPBACK_HOSTS)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        with connect(db_path) as db:  # uploads a stopped server left unscanned
            for upload_id in unfinished(db):
                app.state.jobs.submit(run_upload, db_path, settings.plan_path, upload_id)
        yield
        app.state.jobs.shutdown(wait=False, cancel_futures=True)

    app = Starlette(
        routes=[*ROUTES, Mount("/static", StaticFiles(packages=[("hycompliance.web", "static")]), name="static")],
        middleware=[Middleware(SecurityHeaders), Middleware(SessionMiddleware, secret_key=secret, session_cookie="hyc_session",
                               max_age=settings.session_hours * 3600, same_site="strict")],
        exception_handlers={auth.SignInRequired: _sign_in_required, HTTPException: _http_error, HyError: _hy_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.loopback = settings.loopback
    app.state.templates = templates()
    app.state.jobs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hyc-upload")
    return app
