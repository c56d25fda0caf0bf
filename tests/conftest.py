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
