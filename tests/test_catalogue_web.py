"""The web app says when the parent's catalogue is empty: an upload checked against a parent that states no
requirement ends in an error naming E309, never in an empty matrix that looks like a result."""

from __future__ import annotations


from hycompliance.store import open_db
from hycompliance.web.app import create_app
from tests.browser.harness import client, csrf_of, wait_for_upload
from tests.conftest import DEV
from tests.test_derive import EMPTY


def test_upload_against_a_parent_without_requirements_is_an_error(tmp_path, shared):
    parent = tmp_path / "kh-khong-nhiem-vu.txt"  # purposes and background only: no task, target or duty
    parent.write_text(EMPTY, encoding="utf-8")
    open_db(tmp_path / "coverage.db").close()  # a database with no parent yet: the app serves --plan's
    app = create_app(tmp_path / "coverage.db", plan_path=parent, uploads_dir=tmp_path / "uploads")
    with client(app) as web:
        page = web.get("/upload").text
        headers = {"X-CSRF-Token": csrf_of(page), "Accept": "application/json"}
        response = web.post("/upload", files={"file": ("vanlam.txt", (DEV / "vanlam-kh-2023.txt").read_bytes())},
                            headers=headers)
        assert response.status_code == 202, response.text
        state = wait_for_upload(web, response.json()["status"])
    assert state["state"] == "error"
    assert "E309" in state.get("error", "") + state.get("error_line", ""), state
