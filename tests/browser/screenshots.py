"""``make screenshots``: the dashboard and a document page at 1366x768, for the README.

Builds the web tests' database (real dev plans, real scan) in a temporary folder, records two decisions,
serves it in local mode and photographs it with Debian's Chromium.

    python -m tests.browser.screenshots docs/screenshots
"""

from __future__ import annotations

import sqlite3
import sys
import tempfile
from pathlib import Path

from hycompliance.store import add_review
from hycompliance.web.app import create_app
from hycompliance.web.schema import open_web_db
from tests.browser import live
from tests.browser.harness import build_db


def _first_covered(db_path: Path, document: str) -> str:
    with sqlite3.connect(db_path) as con:
        return str(con.execute(
            "SELECT m.requirement FROM matches m JOIN documents d ON d.id = m.document_id JOIN requirements r "
            "ON r.id = m.requirement_id WHERE d.name = ? AND m.status = 'covered' AND r.kind = 'task' "
            "ORDER BY r.position LIMIT 1", [document]).fetchone()[0])


def main(out: Path) -> list[Path]:
    reason = live.chromium_missing()
    if reason:
        raise SystemExit(f"screenshots: {reason}")
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db_path = build_db(Path(tmp))
        requirement = _first_covered(db_path, "soct-kh-2023")
        db = open_web_db(db_path)
        add_review(db, "soct-kh-2023", requirement, "covered", "Đã đối chiếu với bản giấy", reviewer="lan.nguyen")
        add_review(db, "phucu-kh-2023", "III.2.1", "justified", "Huyện không có khu công nghiệp", reviewer="lan.nguyen")
        doc_id = db.execute("SELECT id FROM documents WHERE name = 'soct-kh-2023'").fetchone()[0]
        db.close()
        shots = [("dashboard.png", "/"), ("dashboard-drilldown.png", "/?group=III.2#drill"),
                 ("document.png", f"/documents/{doc_id}"),
                 ("document-evidence.png", f"/documents/{doc_id}#req-{requirement}")]
        written = []
        with live.serve(create_app(db_path)) as base, sync_playwright() as p:
            browser = live.launch(p)
            page = browser.new_page(viewport=live.VIEWPORT, locale="vi-VN")
            for name, path in shots:
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                target = out / name
                page.screenshot(path=str(target))
                written.append(target)
            browser.close()
    return written


if __name__ == "__main__":
    for path in main(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")):
        print(path)
