"""The package works outside the checkout: a wheel built from it, installed into a folder of its own,
scans plans and writes reports from another working directory, with rules, templates and static files taken
from the installed package (the shared environment supplies only the third-party dependencies)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT / "corpora"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
                            "-w", str(work / "dist"), str(ROOT)], capture_output=True, timeout=600)
    assert built.returncode == 0, built.stderr.decode()[-2000:]
    wheel = next((work / "dist").glob("hycompliance-*.whl"))
    target = work / "site"
    done = subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target),
                           str(wheel)], capture_output=True, timeout=600)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return wheel, target, work


def test_wheel_holds_rules_templates_and_static_files(installed):
    wheel, _, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("hycompliance/rules/structure.yaml", "hycompliance/rules/labels.yaml",
                   "hycompliance/rules/catalogue/derive.yaml", "hycompliance/report/templates/report.html",
                   "hycompliance/web/templates/document.html", "hycompliance/web/static/app.css",
                   "hycompliance/web/static/app.js"):
        assert needed in names, needed
    assert not any(n.startswith(("tests/", "corpora/")) for n in names)


def test_installed_package_scans_and_reports_from_another_folder(installed):
    _, target, work = installed
    elsewhere = work / "elsewhere"
    plans = elsewhere / "plans"
    plans.mkdir(parents=True)
    (plans / "sokhcn.txt").write_bytes((CORPORA / "examples" / "sokhcn-kh-2023.txt").read_bytes())
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "HYCOMPLIANCE_RULES")}
    env["PYTHONPATH"] = str(target)

    def run(*args: str, code: str | None = None) -> subprocess.CompletedProcess:
        cmd = [sys.executable, "-c", code] if code else [sys.executable, "-m", "hycompliance", *args]
        done = subprocess.run(cmd, cwd=elsewhere, env=env, capture_output=True, timeout=900)
        assert done.returncode == 0, done.stderr.decode()[-2000:]
        return done

    where = json.loads(run(code=(
        "import json, hycompliance, hycompliance.rules as r, hycompliance.report.html as h, hycompliance.web.app as w;"
        "print(json.dumps([hycompliance.__file__, str(r.rules_dir()), str(h.TEMPLATES), w.__file__]))")).stdout)
    assert all(Path(p).resolve().is_relative_to(target.resolve()) for p in where), where
    summary = json.loads(run("scan", "--plan", str(CORPORA / "87-KH-UBND-2023.txt"), "--db", "c.db", "plans",
                             "-j", "1").stdout)
    assert (summary["scanned"], summary["failed"]) == (1, 0)
    run("report", "sokhcn", "--db", "c.db", "--format", "html", "-o", "r.html")
    run("matrix", "--db", "c.db", "--format", "xlsx", "-o", "m.xlsx")
    page = (elsewhere / "r.html").read_text(encoding="utf-8")
    assert "456/KH-SKHCN" in page and "Tỷ lệ đáp ứng" in page
    assert (elsewhere / "m.xlsx").stat().st_size > 0
    # the web app's templates and static files come from the installed package too
    run(code=("from starlette.testclient import TestClient; from hycompliance.web.app import create_app;"
              "a = create_app('c.db'); c = TestClient(a, base_url='http://' + sorted(a.state.settings.allowed_hosts)[0], client=('127.0.0.1', 50000), follow_redirects=False);"
              "r = c.get('/static/app.css'); assert r.status_code == 200 and len(r.text) > 100, r.status_code;"
              "p = c.get('/'); assert p.status_code == 200 and 'sokhcn' in p.text, p.status_code"))
