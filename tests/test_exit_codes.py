"""One exit-status table for every command (README "Exit status"), through the real entry point."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import pytest

from hycompliance import __version__
from hycompliance.cli import main
from hycompliance.errors import Code, exit_status
from hycompliance.pipeline import analyze, load_context
from hycompliance.store import open_db
from hycompliance.structure import parse_file, require_structure
from tests.conftest_db import PARENT_TXT, ROOT, SOKHCN_TXT

LETTER = ("UBND XÃ AN VIÊN\nKính gửi: Văn phòng UBND huyện.\n"
          "Xã An Viên xin gửi danh sách cán bộ tham dự hội nghị tập huấn chuyển đổi số ngày 12/11/2026.\n"
          "Trân trọng.\n")


@pytest.fixture()
def place(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "rong").mkdir()
    (tmp_path / "trong.txt").write_bytes(b"")
    (tmp_path / "hong.docx").write_bytes(b"PK\x03\x04 khong phai docx")
    open_db(tmp_path / "chua-co-ke-hoach.db").close()
    return {"tmp": str(tmp_path), "missing": str(tmp_path / "khong-co.txt"), "dir": str(tmp_path / "rong"),
            "empty": str(tmp_path / "trong.txt"), "broken": str(tmp_path / "hong.docx"),
            "nodb": str(tmp_path / "khong-co.db"), "db": str(tmp_path / "chua-co-ke-hoach.db"),
            "plan": str(PARENT_TXT)}


# (arguments, exit status, the code its one line names); every command, every kind of problem
CASES = [
    (["parse", "{missing}"], 3, "E101"),
    (["parse", "{dir}"], 3, "E120"),
    (["parse", "{empty}"], 4, "E102"),
    (["parse", "{broken}"], 4, "E109"),
    (["refs", "{missing}"], 3, "E101"),
    (["requirements", "{dir}"], 3, "E120"),
    (["scan", "--plan", "{missing}", "--db", "{tmp}/c.db", "{tmp}"], 3, "E101"),
    (["scan", "--plan", "{dir}", "--db", "{tmp}/c.db", "{tmp}"], 3, "E120"),
    (["scan", "--plan", "{plan}", "--db", "{tmp}/c.db", "{dir}"], 3, "E307"),
    (["matrix", "--db", "{nodb}"], 3, "E308"),
    (["matrix", "--db", "{dir}"], 3, "E120"),
    (["matrix", "--db", "{db}"], 5, "E302"),
    (["report", "an-vien", "--db", "{nodb}"], 3, "E308"),
    (["review", "an-vien", "III.1.1", "--status", "covered", "--reviewer", "Lan", "--db", "{nodb}"], 3, "E308"),
    (["review", "an-vien", "III.1.1", "--status", "covered", "--reviewer", "Lan", "--db", "{db}"], 2, "E304"),
    (["serve", "--db", "{nodb}"], 3, "E308"),
    (["user", "add", "lan", "--db", "{nodb}", "--password-stdin"], 3, "E308"),
    (["user", "unlock", "lan", "--db", "{nodb}"], 3, "E308"),
    (["user", "deactivate", "lan", "--db", "{nodb}"], 3, "E308"),
]


def _run(args: list[str], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["hycompliance", *args])
    with pytest.raises(SystemExit) as stop:
        main()
    out = capsys.readouterr()
    return int(stop.value.code or 0), out.out, out.err


@pytest.mark.parametrize(("args", "status", "code"), CASES, ids=lambda v: " ".join(v) if isinstance(v, list) else str(v))
def test_exit_status_by_problem(place, monkeypatch, capsys, args: list[str], status: int, code: str) -> None:
    argv = [a.format(**place) for a in args]
    got, _, err = _run(argv, monkeypatch, capsys)
    lines = err.strip().splitlines()
    assert (got, re.search(r"\bE\d{3}\b", lines[-1]).group(0)) == (status, code), err
    assert "Traceback" not in err
    assert not Path(place["nodb"]).exists()  # only scan creates a database


def test_version_and_usage(monkeypatch, capsys) -> None:
    assert _run(["--version"], monkeypatch, capsys)[:2] == (0, f"hycompliance {__version__}\n")
    assert _run(["khong-co-lenh"], monkeypatch, capsys)[0] == 2


def test_text_that_is_no_plan_is_E201(tmp_path: Path, monkeypatch, capsys) -> None:
    letter = tmp_path / "cong-van.txt"
    letter.write_text(LETTER, encoding="utf-8")
    with pytest.raises(Exception) as info:
        require_structure(parse_file(letter), letter)
    assert str(info.value) == f"{letter}: E201 no plan structure found (no sections, items or bullets)"
    assert require_structure(parse_file(SOKHCN_TXT), SOKHCN_TXT).clauses  # a real plan passes
    with pytest.raises(Exception, match="E201"):
        analyze(letter, load_context(PARENT_TXT))
    status, out, _ = _run(["scan", "--plan", str(PARENT_TXT), "--db", str(tmp_path / "c.db"), "-j", "1", str(tmp_path)],
                          monkeypatch, capsys)
    assert status == 1 and '"code": "E201"' in out


def test_readme_table_is_the_code_s() -> None:
    """The README's exit-status table lists each status once, with exactly the error codes that end in it."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Exit status", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| (\d+) \| ([^|]+) \|([^|]*)\|$", section, re.M)
    table = {int(s): set(re.findall(r"E\d{3}", codes)) for s, _, codes in rows}
    assert set(table) == {0, 1, 2, 3, 4, 5, 70, 130}
    for code in Code:
        if code.value.startswith(("E12",)) and code is not Code.E120_IS_DIRECTORY:
            continue  # skipped entries of a scan, listed in its summary: never a command's exit
        assert code.value in table[exit_status(code)], code
    assert sum(len(codes) for codes in table.values()) == len(Code) - 4


@pytest.mark.parametrize(("flag", "env", "expected"), [
    ([], None, None),
    (["--reviewer", "Nguyễn Thị Lan"], None, "Nguyễn Thị Lan"),
    ([], "Trần Văn Bình", "Trần Văn Bình"),
    (["--reviewer", "Nguyễn Thị Lan"], "Trần Văn Bình", "Nguyễn Thị Lan"),
])
def test_a_decision_carries_a_reviewer_s_name_never_the_login(tmp_path: Path, monkeypatch, capsys, flag, env,
                                                               expected) -> None:
    from hycompliance.scan import scan
    from tests.conftest_db import analyze_test, load_test_context

    folder = tmp_path / "nop"
    folder.mkdir()
    (folder / "an-vien.txt").write_text(SOKHCN_TXT.read_text(encoding="utf-8"), encoding="utf-8")
    db = tmp_path / "c.db"
    scan(db, PARENT_TXT, [folder], workers=1, loader=load_test_context, analyze=analyze_test, progress=False,
         log=open(os.devnull, "w"))
    if env is None:
        monkeypatch.delenv("HYCOMPLIANCE_REVIEWER", raising=False)
    else:
        monkeypatch.setenv("HYCOMPLIANCE_REVIEWER", env)
    status, out, err = _run(["review", "an-vien", "III.1.1", "--status", "covered", *flag, "--db", str(db)],
                            monkeypatch, capsys)
    if expected is None:
        assert (status, err.strip()) == (2, "E901 who decides? give --reviewer NAME or set HYCOMPLIANCE_REVIEWER")
        return
    assert status == 0 and json.loads(out)["reviewer"] == expected
