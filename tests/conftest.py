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
