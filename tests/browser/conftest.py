from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hycompliance.web.app import create_app
from hycompliance.web.auth import add_user
from tests.browser import live
from tests.browser.harness import accounts, build_db

ADMIN = ("admin", "mat-khau-admin")


@pytest.fixture(scope="session")
def browser_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db_path = build_db(tmp_path_factory.mktemp("browser"))
    db = accounts(db_path)
    add_user(db, ADMIN[0], "admin", ADMIN[1])
    db.close()
    return db_path


@pytest.fixture(scope="session")
def base_url(browser_db: Path) -> Iterator[str]:
    app = create_app(browser_db)
    with live.serve(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = live.chromium_missing()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = live.launch(p)
        yield b
        b.close()


@pytest.fixture()
def page(browser: Any, base_url: str) -> Iterator[Any]:
    """A fresh browser context at 1366x768, signed in as the admin."""
    context = browser.new_context(viewport=live.VIEWPORT, locale="vi-VN", accept_downloads=True)
    p = context.new_page()
    p.set_default_timeout(20_000)
    live.sign_in(p, base_url, *ADMIN)
    yield p
    context.close()
