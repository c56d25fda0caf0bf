from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HYCOMPLIANCE_SHARED", ROOT.parent / "shared"))
PROVINCIAL = ROOT / "corpora" / "87-KH-UBND-2023"
DEV = SHARED / "corpus" / "dev"
REAL = SHARED / "corpus" / "real"


def dev_names() -> list[str]:
    return sorted(p.stem for p in DEV.glob("*.json"))


@pytest.fixture(scope="session")
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.fail(f"shared data not found at {SHARED} (set HYCOMPLIANCE_SHARED)")
    return SHARED


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A coverage database of real dev plans scanned by the real batch (built once; copy before writing)."""
    from tests.browser.harness import build_db

    return build_db(tmp_path_factory.mktemp("web"))


@pytest.fixture()
def db_path(built: Path, tmp_path: Path) -> Path:
    """A private copy of ``built`` for one test."""
    from tests.browser.harness import copy_db

    return copy_db(built, tmp_path / "coverage.db")


@pytest.fixture(scope="session")
def pg_server():
    """A throwaway PostgreSQL server for the session (``tests.pg_server``); skips with the reason when it
    cannot start here."""
    from tests.pg_server import Unavailable, start

    try:
        server = start()
    except Unavailable as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    yield server
    server.stop()


@pytest.fixture()
def pg_url(pg_server, request: pytest.FixtureRequest) -> str:
    """A fresh, empty database on the session's server for one test (dropped after it)."""
    import re
    import uuid

    import psycopg

    name = "t_" + re.sub(r"\W", "_", request.node.name.lower())[:30] + "_" + uuid.uuid4().hex[:8]
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING \'UTF8\' LC_COLLATE \'C\' LC_CTYPE \'C\'')
    yield pg_server.database_url(name)
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The same test on both stores: a SQLite file path, then a PostgreSQL URL (skipped where there is none)."""
    if request.param == "sqlite":
        return str(tmp_path / "coverage.db")
    return request.getfixturevalue("pg_url")
