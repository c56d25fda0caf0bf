"""The app's routes, one module per page family; each module exports ``routes``."""

from __future__ import annotations

from starlette.routing import BaseRoute

from hycompliance.web.routes import account, dashboard, documents, registry, uploads

ROUTES: list[BaseRoute] = [*dashboard.routes, *documents.routes, *registry.routes, *uploads.routes, *account.routes]
