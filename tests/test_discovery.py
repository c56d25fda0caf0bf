"""Files stay inside the scanned folders: links, FIFOs, sockets, devices and anything outside are skipped,
each named with its code; the scan never reads them and the download never serves them."""

from __future__ import annotations

import json
import os
import shutil
import socket
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hycompliance.cli import _load_commands
from hycompliance.cli.app import app
from hycompliance.discovery import discover
from hycompliance.store import open_db
from tests.conftest_db import PARENT_TXT, SOKHCN_TXT

_load_commands()
SECRET_TEXT = "mat-khau-quan-tri: khong-duoc-lo\n"


@pytest.fixture()
def folder(tmp_path: Path) -> Path:
    """A submitted folder with one real plan and every kind of entry a scan must not read."""
    outside = tmp_path / "ngoai"
    outside.mkdir()
    (outside / "bi-mat.txt").write_text(SECRET_TEXT, encoding="utf-8")
    (outside / "thu-muc").mkdir()
    (outside / "thu-muc" / "ke-hoach.txt").write_text(SECRET_TEXT, encoding="utf-8")
    root = tmp_path / "nop"
    (root / "xa").mkdir(parents=True)
    shutil.copy(SOKHCN_TXT, root / "xa" / "ke-hoach-so-khcn.txt")
    (root / "xa" / "lien-ket.txt").symlink_to(outside / "bi-mat.txt")
    (root / "xa" / "passwd.txt").symlink_to("/etc/passwd")
    (root / "thu-muc-lien-ket").symlink_to(outside / "thu-muc", target_is_directory=True)
    os.mkfifo(root / "xa" / "ong.txt")
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(root / "xa" / "o-cam.txt"))
    sock.close()
    (root / "xa" / "bien-ban.doc").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 64)
    (root / "xa" / "quyet-dinh.odt").write_bytes(b"PK\x03\x04")
    (root / "xa" / "to-trinh.rtf").write_text("{\\rtf1 Kế hoạch}", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "config.txt").write_text("x")
    return root


EXPECTED_SKIPPED = [
    (".git", "E124", "hidden or temporary file; skipped"),
    ("thu-muc-lien-ket", "E121", "symbolic link not followed (files must be inside the scanned folders)"),
    ("xa/bien-ban.doc", "E104", "unsupported file type '.doc' (expected .pdf, .docx or .txt)"),
    ("xa/lien-ket.txt", "E121", "symbolic link not followed (files must be inside the scanned folders)"),
    ("xa/o-cam.txt", "E122", "not a regular file (socket); skipped"),
    ("xa/ong.txt", "E122", "not a regular file (FIFO); skipped"),
    ("xa/passwd.txt", "E121", "symbolic link not followed (files must be inside the scanned folders)"),
    ("xa/quyet-dinh.odt", "E104", "unsupported file type '.odt' (expected .pdf, .docx or .txt)"),
    ("xa/to-trinh.rtf", "E104", "unsupported file type '.rtf' (expected .pdf, .docx or .txt)"),
]


def test_discovery_reads_only_regular_files_inside_the_roots(folder: Path) -> None:
    found = discover([folder])
    assert [f.relative_to(folder).as_posix() for f in found.files] == ["xa/ke-hoach-so-khcn.txt"]
    assert [(Path(s.file).relative_to(folder).as_posix(), s.code, s.message) for s in found.skipped] == EXPECTED_SKIPPED
    assert all(s.line == f"{s.file}: {s.code} {s.message}" for s in found.skipped)


def test_a_link_given_by_name_is_not_followed_either(folder: Path) -> None:
    found = discover([folder / "xa" / "passwd.txt", folder / "xa" / "ke-hoach-so-khcn.txt"])
    assert [f.name for f in found.files] == ["ke-hoach-so-khcn.txt"]
    assert [(Path(s.file).name, s.code) for s in found.skipped] == [("passwd.txt", "E121")]


def test_a_device_is_not_read(tmp_path: Path) -> None:
    try:
        os.mknod(tmp_path / "null.txt", 0o600 | 0o020000, os.makedev(1, 3))  # a character device, like /dev/null
    except PermissionError:
        pytest.skip("creating a device node needs CAP_MKNOD")
    found = discover([tmp_path])
    assert found.files == []
    assert [(Path(s.file).name, s.code, s.message) for s in found.skipped] == [
        ("null.txt", "E122", "not a regular file (character device); skipped")]


def test_the_scan_lists_every_skipped_file_and_stores_nothing_from_outside(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    result = CliRunner().invoke(app, ["scan", "--plan", str(PARENT_TXT), "--db", str(db), "-j", "1", str(folder)])
    assert result.exit_code == 0, result.output
    summary = json.loads(result.stdout)
    assert summary["ignored"] == len(EXPECTED_SKIPPED)
    assert [(Path(e["file"]).relative_to(folder).as_posix(), e["code"]) for e in summary["ignored_files"]] == [
        (name, code) for name, code, _ in EXPECTED_SKIPPED]
    for name, code, message in EXPECTED_SKIPPED:  # one line naming each, on stderr
        assert f"skipped {folder / name}: {code} {message}" in result.stderr
    con = open_db(db)
    assert [r["name"] for r in con.query("SELECT name FROM documents")] == ["ke-hoach-so-khcn"]
    assert "khong-duoc-lo" not in "".join(r["text"] for r in con.query("SELECT text FROM clauses"))
    stored = json.loads(con.execute("SELECT ignored_files FROM runs").fetchone()[0])
    assert stored == summary["ignored_files"]
    con.close()


def test_the_web_app_lists_the_skipped_files_with_their_codes(folder: Path, tmp_path: Path) -> None:
    import html

    from hycompliance.web.app import create_app
    from tests.browser.harness import client

    db = tmp_path / "coverage.db"
    result = CliRunner().invoke(app, ["scan", "--plan", str(PARENT_TXT), "--db", str(db), "-j", "1", str(folder)])
    assert result.exit_code == 0, result.output
    page = html.unescape(client(create_app(db)).get("/").text)
    assert f"{len(EXPECTED_SKIPPED)} tệp bỏ qua" in page
    for name, code, message in EXPECTED_SKIPPED:
        assert f"<tr><td>{folder / name}</td><td>{code}</td><td>{message}</td></tr>" in page
