"""Signing in and out, and the admins' user list."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hycompliance.errors import HyError
from hycompliance.web import auth
from hycompliance.web.messages import message
from hycompliance.web.vault import vault


def _safe_next(target: str) -> str:
    """Only a path of this site (no scheme, no host, no "//"), else the dashboard."""
    if target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def login_page(request: Request) -> Response:
    return request.app.state.templates.TemplateResponse(
        request, "login.html", {"next": _safe_next(request.query_params.get("next", "/")), "failed": False})


def _attempt(settings: object, name: str, password: str, address: str) -> auth.User | None:
    with vault(settings.secrets_path) as db:  # type: ignore[attr-defined]
        return auth.attempt(db, name, password, address, settings.throttle)  # type: ignore[attr-defined]


async def login(request: Request) -> Response:
    form = await auth.checked_form(request)
    name, password = str(form.get("name", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "/")))
    address = request.client.host if request.client else ""
    try:
        user = await run_in_threadpool(_attempt, request.app.state.settings, name, password, address)
    except auth.Locked:
        raise HTTPException(429, detail=message("locked")) from None
    if user is None:
        return request.app.state.templates.TemplateResponse(
            request, "login.html", {"next": target, "failed": True}, status_code=401)
    auth.sign_in(request, user)
    return RedirectResponse(target, status_code=303)


async def logout(request: Request) -> Response:
    await auth.checked_form(request)
    auth.sign_out(request)
    return RedirectResponse("/login", status_code=303)


def users_page(request: Request) -> Response:
    auth.require(request, "admin")
    with vault(request.app.state.settings.secrets_path) as db:
        users = auth.list_users(db)
    return request.app.state.templates.TemplateResponse(
        request, "users.html", {"users": users, "roles": auth.ROLES, "saved": request.query_params.get("saved", "")})


def _add(secrets_path: str, name: str, role: str, password: str) -> None:
    with vault(secrets_path) as db:
        auth.add_user(db, name, role, password)


async def add_user(request: Request) -> Response:
    form = await auth.checked_form(request)
    auth.require(request, "admin")
    name, role, password = str(form.get("name", "")), str(form.get("role", "")), str(form.get("password", ""))
    try:
        await run_in_threadpool(_add, request.app.state.settings.secrets_path, name, role, password)
    except HyError as exc:
        raise HTTPException(400, detail=exc.message) from exc
    return RedirectResponse(f"/users?saved={name}", status_code=303)


routes = [
    Route("/login", login_page, name="login_page"),
    Route("/login", login, methods=["POST"], name="login", max_body_size=16 * 1024),
    Route("/logout", logout, methods=["POST"], name="logout", max_body_size=16 * 1024),
    Route("/users", users_page, name="users"),
    Route("/users", add_user, methods=["POST"], name="add_user", max_body_size=16 * 1024),
]
