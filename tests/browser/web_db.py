"""The database the web tests use: real dev plans scanned by the real batch against 87/KH-UBND.

Imported explicitly by the web tests (HTTP and browser); each test session builds its own copy.
"""

from __future__ import annotations

import io
from pathlib import Path

from hycompliance.scan import scan
from tests.conftest import DEV, ROOT

PARENT = ROOT / "corpora" / "87-KH-UBND-2023.txt"
SCANNED = ("phucu-kh-2023", "soct-kh-2023")
SCRIPT = "<script>alert(1)</script>"
XSS_NAME = "myhao-xss"
UPLOAD_DOCX = DEV / "vanlam-kh-2023.docx"


def xss_plan(folder: Path) -> Path:
    """A real plan (Mỹ Hào) with a script tag written into its title and into one of its tasks."""
    lines = (DEV / "myhao-kh-2023.txt").read_text(encoding="utf-8").splitlines()
    title = next(i for i, line in enumerate(lines) if line.strip() == "KẾ HOẠCH") + 1
    lines[title] = f"{lines[title]} {SCRIPT}"
    bullet = next(i for i, line in enumerate(lines) if line.startswith("- ") and i > title + 5)
    lines[bullet] = f"{lines[bullet]} {SCRIPT}"
    path = folder / f"{XSS_NAME}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def build_db(folder: Path) -> Path:
    """Scan two dev plans and the script-tag plan into ``folder/coverage.db``."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "coverage.db"
    plans = [DEV / f"{name}.txt" for name in SCANNED] + [xss_plan(folder)]
    summary = scan(db, PARENT, plans, workers=1, log=io.StringIO(), progress=False)
    assert (summary["scanned"], summary["failed"]) == (3, 0), summary
    return db
