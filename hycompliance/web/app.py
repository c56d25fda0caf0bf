"""The reviewers' web app: a small server-rendered Starlette application over the coverage database.

``create_app(db_path, ...)`` builds it; ``hycompliance serve`` runs it with uvicorn. Each request opens its
own short-lived SQLite connection (the batch may be writing at the same time; WAL lets both proceed).
App-wide state (settings, templates, the upload worker) lives on ``app.state``; pages are in ``routes/``.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import AsyncIterator, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from hycompliance.database import side_path, writable
from hycompliance.database_pg import is_url
from hycompliance.errors import Code, HyError
from hycompliance.report import labels
from hycompliance.web import auth, fragments
from hycompliance.web.cache import DATA_ENTRIES, PageCache
from hycompliance.web.routes import ROUTES
from hycompliance.store import REVIEW_STATUSES, REVIEWER_ENV
from hycompliance.web.messages import message
from hycompliance.web.schema import connect, open_web_readable
from hycompliance.web.uploads import MAX_UPLOAD_MB, requeue, run_upload
from hycompliance.web.vault import default_path, session_key, vault
from hycompliance.web.warm import PageData, Warmer

PACKAGE_DIR = Path(__file__).resolve().parent
SESSION_HOURS = 8
FORM_BODY_LIMIT = 256 * 1024  # decisions, sign-in: small forms


WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", ""})
HSTS = "max-age=31536000; includeSubDomains"


@dataclass(frozen=True)
class Settings:
    db_path: str
    plan_path: str | None
    uploads_dir: Path
    loopback: bool
    secrets_path: Path
    allowed_hosts: frozenset[str]
    reviewer: str | None = None
    secure: bool = False
    throttle: auth.Throttle = auth.Throttle()
    max_upload_mb: int = MAX_UPLOAD_MB
    session_hours: int = SESSION_HOURS


# Pages load only this app's own script and stylesheet; the self-contained HTML report (inline CSS, no
# scripts) gets its own, looser style rule.
CSP = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'"
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"


def _hostname(value: str) -> str:
    """The host part of a Host header or an origin's netloc: "[::1]:8000" → "::1", "Hy.Example:80" → "hy.example"."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class HostGuard:
    """Refuses (400) a request whose Host is not a name this server answers to, and (403) one whose Origin is
    another site: a page on a name that rebinds to 127.0.0.1 (DNS rebinding) gets nothing."""

    def __init__(self, app: ASGIApp, allowed: frozenset[str]) -> None:
        self.app, self.allowed = app, allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        refusal = None
        if _hostname(headers.get("host", "")) not in self.allowed:
            refusal = (400, message("host_refused"))
        else:
            origin = headers.get("origin")
            if origin is not None and (origin == "null" or _hostname(urlsplit(origin).netloc) not in self.allowed):
                refusal = (403, message("origin_refused"))
        if refusal is None:
            await self.app(scope, receive, send)
            return
        response = PlainTextResponse(refusal[1], status_code=refusal[0], headers={"Cache-Control": "no-store"})
        await response(scope, receive, send)


class SecurityHeaders:
    """Adds CSP, no-sniff, no-framing and same-origin referrer headers to every response (with "no-referrer"
    browsers send ``Origin: null`` on this site's own forms, which ``HostGuard`` must refuse), ``Cache-Control: no-store`` to
    all but the static files (pages and exports hold plan text), and HSTS when served over TLS."""

    def __init__(self, app: ASGIApp, secure: bool = False) -> None:
        self.app, self.secure = app, secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_report = scope["path"].endswith("/report")
        is_static = scope["path"].startswith("/static/")

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["Content-Security-Policy"] = REPORT_CSP if is_report else CSP
                headers["X-Content-Type-Options"] = "nosniff"
                headers["X-Frame-Options"] = "DENY"
                headers["Referrer-Policy"] = "same-origin"
                if not is_static:
                    headers["Cache-Control"] = "no-store"
                if self.secure:
                    headers["Strict-Transport-Security"] = HSTS
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
    chip = fragments.chips(labels.STATUS)
    choices = fragments.decision_choices(REVIEW_STATUSES, labels.STATUS, {"justified": labels.PAGE["justified_hint"]})
    evidence = fragments.evidence_list(labels.PAGE)
    review_line = fragments.review_lines(chip, labels.when, labels.STALE)
    words = fragments.ArticleWords(page=labels.PAGE, column=labels.COLUMN, kinds=labels.REQUIREMENT_KIND,
                                   suspect=labels.SUSPECT, stale=labels.STALE, machine=labels.MACHINE,
                                   reviewed=labels.REVIEWED)
    env.globals.update(S=labels.STATUS, C=labels.COLUMN, H=labels.HEADING, K=labels.DOC_KIND, G=labels.GROUP,
                       SEV=labels.SEVERITY, RK=labels.REQUIREMENT_KIND, CMP=labels.COMPARE, STALE=labels.STALE,
                       SUSPECT=labels.SUSPECT, MACHINE=labels.MACHINE, REVIEWED=labels.REVIEWED, P=labels.PAGE, W=labels.WEB, LINT=labels.LINT_WORDS,
                       ROLE=labels.ROLE, num=labels.number, pct=labels.percent, heat=_heat,
                       chip=chip, marked=fragments.marked, choices=choices, evidence=evidence, review_line=review_line,
                       article=fragments.requirement_articles(words, chip=chip, number=labels.number, evidence=evidence,
                                                              review_line=review_line, choices=choices))
    return Jinja2Templates(env=env, context_processors=[_page_context])


def _page_context(request: Request) -> dict[str, Any]:
    """What every page needs: who is signed in and the CSRF token for its forms."""
    return {"user": auth.current_user(request), "csrf": auth.csrf_token(request)}


async def _sign_in_required(request: Request, exc: Exception) -> Response:
    if request.method == "GET":
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    return Response(message("sign_in_required"), status_code=401, media_type="text/plain; charset=utf-8")


def _refusal_words(request: Request, exc: HTTPException) -> str:
    """What a refusal says to people: this app's own sentence, never Starlette's English default phrase
    ("Not Found" for an unknown address)."""
    if exc.status_code == 413:
        return message("too_large").format(limit=request.app.state.settings.max_upload_mb)
    if exc.status_code == 404 and exc.detail == HTTPStatus.NOT_FOUND.phrase:
        return message("not_found")
    if exc.status_code in (400, 403, 404, 429, 503) and exc.detail != HTTPStatus(exc.status_code).phrase:
        return str(exc.detail)
    return message("failed")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    text = _refusal_words(request, exc)
    if request.headers.get("accept", "").startswith("application/json"):
        return JSONResponse({"error": text}, status_code=exc.status_code)
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": exc.status_code, "message": text}, status_code=exc.status_code)


async def _hy_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HyError)
    # E301: the database is busy past the wait budget, full or read-only; nothing was written, try again later
    status = 404 if exc.code.value in ("E302", "E304", "E305") else 503 if exc.code.value == "E301" else 400
    return request.app.state.templates.TemplateResponse(
        request, "error.html", {"status": status, "message": exc.line_vi()}, status_code=status)


def served_names(host: str, allowed_hosts: Iterable[str]) -> frozenset[str]:
    """The names the Host header may carry: the loopback names when bound to loopback, the bound address
    (unless a wildcard) and the configured names. Empty for a wildcard bind with no configured name."""
    names = {_hostname(h) for h in allowed_hosts if h.strip()}
    if host in auth.LOOPBACK_HOSTS:
        names |= auth.LOOPBACK_HOSTS
    elif host not in WILDCARD_HOSTS:
        names.add(_hostname(host) if ":" not in host or host.startswith("[") else host.lower())
    return frozenset(names)


def create_app(db_path: str | Path, *, plan_path: str | Path | None = None, host: str = "127.0.0.1",
               uploads_dir: str | Path | None = None, allowed_hosts: Iterable[str] = (),
               secrets_path: str | Path | None = None, reviewer: str | None = None, secure: bool = False,
               throttle: auth.Throttle = auth.Throttle()) -> Starlette:
    """The app for one database. ``host`` decides whether local mode (no sign-in) may apply and, with
    ``allowed_hosts``, which names the Host header may carry; ``secure`` (served over TLS, directly or by a
    proxy) makes cookies Secure and adds HSTS; ``reviewer`` names local mode's decisions."""
    db_path = str(db_path) if is_url(str(db_path)) else str(Path(db_path).resolve())
    names = served_names(host, allowed_hosts)
    if not names:
        raise HyError(Code.E901_USAGE, detail=f"serving on {host or 'all addresses'} needs the names people use to "
                      "reach it: give --allowed-host NAME (repeatable)")
    vault_file = Path(secrets_path) if secrets_path else default_path(db_path)
    open_web_readable(db_path, secrets_path=vault_file).close()  # read-only: pages read, writes answer E301
    with vault(vault_file) as keys:
        secret = session_key(keys)
    uploads = Path(uploads_dir) if uploads_dir else side_path(db_path, "-uploads")
    settings = Settings(db_path=db_path, plan_path=str(Path(plan_path).resolve()) if plan_path else None,
                        uploads_dir=uploads.resolve(), loopback=host in auth.LOOPBACK_HOSTS,
                        secrets_path=vault_file.resolve(), allowed_hosts=names,
                        reviewer=reviewer or os.environ.get(REVIEWER_ENV) or None, secure=secure, throttle=throttle)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if writable(db_path):
            with connect(db_path) as db:  # uploads a stopped server left unscanned (not those over a budget)
                for upload_id in requeue(db):
                    app.state.jobs.submit(run_upload, db_path, settings.plan_path, upload_id)
        app.state.warmer.start()  # the pages' data, before anyone asks (again whenever the database changes)
        yield
        app.state.warmer.stop()
        app.state.pages.close()
        app.state.warmer.cache.close()
        app.state.jobs.shutdown(wait=False, cancel_futures=True)

    app = Starlette(
        routes=[*ROUTES, Mount("/static", StaticFiles(packages=[("hycompliance.web", "static")]), name="static")],
        middleware=[Middleware(HostGuard, allowed=names), Middleware(SecurityHeaders, secure=secure),
                    Middleware(SessionMiddleware, secret_key=secret, session_cookie="hyc_session",
                               max_age=settings.session_hours * 3600, same_site="strict", https_only=secure)],
        exception_handlers={auth.SignInRequired: _sign_in_required, HTTPException: _http_error, HyError: _hy_error},
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.templates = templates()
    app.state.jobs = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hyc-upload")
    app.state.pages = PageCache(db_path)  # HTML per reader's account
    app.state.warmer = Warmer(PageCache(db_path, entries=DATA_ENTRIES), PageData())  # pages' data, shared
    app.state.csrf_slot = secrets.token_hex(16)  # where a cached page gets each session's CSRF token
    return app
