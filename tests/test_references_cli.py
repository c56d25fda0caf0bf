"""``hycompliance refs`` and ``hycompliance lint`` on the dev plans (text form) and the provincial plan."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hycompliance.cli import _load_commands
from hycompliance.cli.app import app

from tests.conftest import DEV, SHARED

PROVINCIAL = SHARED / "provincial" / "87-KH-UBND-2023.txt"
runner = CliRunner()
_load_commands()


def test_refs_json_shape_and_flags(shared):
    result = runner.invoke(app, ["refs", str(DEV / "vanlam-kh-2023.txt"), "--json", "--plan", str(PROVINCIAL)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    ref_fields = {"key", "type", "number", "symbol", "date", "issuer", "as_written", "page", "clause", "start", "end", "flags",
                  "intended"}
    assert all(set(r) == ref_fields for r in out["references"])
    flagged = {(r["as_written"], tuple(r["flags"])) for r in out["references"] if r["flags"]}
    assert flagged == {
        ("Nghị quyết số 07-NQ/TU ngày 15/7/2021", ("wrong_date",)),
        ("Chương trình hành động số 34/CTr-TU ngày 15/02/2023", ("wrong_symbol_format",)),
    }
    assert [(f["code"], f["severity"], f["clause"]) for f in out["findings"]] == [
        ("wrong_date", "error", "III.3.1"),
        ("wrong_symbol_format", "error", "IV.5.1"),
    ]
    # the reference record keeps what was written and what was meant
    intended = {r["as_written"]: r["intended"] for r in out["references"] if r["flags"]}
    assert intended == {
        "Nghị quyết số 07-NQ/TU ngày 15/7/2021": "07-NQ/TU ngày 15/06/2021",
        "Chương trình hành động số 34/CTr-TU ngày 15/02/2023": "34-CTr/TU",
    }


def test_lint_lines_and_exit_status(shared):
    result = runner.invoke(app, ["lint", str(DEV / "sokhcn-kh-2023.txt"), str(DEV / "myhao-kh-2023.txt"),
                                 "--plan", str(PROVINCIAL)])
    lines = result.output.splitlines()
    assert result.exit_code == 0  # only an info finding: no error
    # a severity word on every finding line, a summary line per file
    assert lines == [
        f"{DEV / 'sokhcn-kh-2023.txt'}: 0 lỗi, 0 cảnh báo, 0 lưu ý",
        lines[1],
        f"{DEV / 'myhao-kh-2023.txt'}: 0 lỗi, 0 cảnh báo, 1 lưu ý",
    ]
    assert lines[1].startswith(f"{DEV / 'myhao-kh-2023.txt'}:1:III.1.3 Lưu ý unknown_document ")
    result = runner.invoke(app, ["lint", str(DEV / "phucu-kh-2023.txt"), "--plan", str(PROVINCIAL)])
    assert result.exit_code == 1
    assert " wrong_date " in result.output
    # without its parent, the province's own documents are unknown (information), never wrong
    result = runner.invoke(app, ["lint", str(DEV / "phucu-kh-2023.txt")])
    assert result.exit_code == 0
    assert " wrong_date " not in result.output and " unknown_document " in result.output


def test_seed_writes_the_registry_and_keeps_manual_entries(shared, tmp_path):
    target = tmp_path / "known.yaml"
    target.write_text("manual:\n- key: 01-NQ/TU\n  type: Nghị quyết\n  date: '2020-01-01'\n", encoding="utf-8")
    result = runner.invoke(app, ["refs", str(PROVINCIAL), "--seed", str(target)])
    assert result.exit_code == 0, result.output
    from hycompliance.references import load_registry

    registry = load_registry(target)
    assert registry.get("01-NQ/TU").source == "manual"
    assert registry.get("34-CTr/TU").date == "2023-02-15"
    assert registry.get("87/KH-UBND").date == "2023-05-23"


def test_lint_json_one_object_per_file(shared):
    result = runner.invoke(app, ["lint", str(DEV / "phucu-kh-2023.txt"), "--plan", str(PROVINCIAL), "--json"])
    assert result.exit_code == 1
    (out,) = json.loads(result.output)
    assert out["file"] == str(DEV / "phucu-kh-2023.txt")
    assert out["counts"]["error"] == sum(1 for f in out["findings"] if f["severity"] == "error") >= 1
    assert {"code", "severity", "message", "key", "corrected", "count", "clauses"} <= set(out["findings"][0])


REPEALING = """BỘ CÔNG THƯƠNG
Số: 61/2025/TT-BCT
Hà Nội, ngày 2 tháng 12 năm 2025

THÔNG TƯ
Điều 5. Hiệu lực thi hành
1. Thông tư này có hiệu lực thi hành kể từ ngày ký.
2. Thông tư này bãi bỏ Thông tư số 56/2015/TT-BCT ngày 31 tháng 12 năm 2015 của Bộ Công Thương.
3. Bãi bỏ Điều 4 của Thông tư số 21/2017/TT-BCT ngày 23 tháng 10 năm 2017 của Bộ Công Thương.
"""
CITING = """ỦY BAN NHÂN DÂN TỈNH HƯNG YÊN
Số: 12/KH-UBND
Hưng Yên, ngày 10 tháng 3 năm 2026

KẾ HOẠCH
Căn cứ Thông tư số 56/2015/TT-BCT ngày 31/12/2015 của Bộ Công Thương; Thông tư số 21/2017/TT-BCT ngày 23/10/2017 của Bộ Công Thương;
"""


def test_registry_learn_then_lint_names_the_repealing_document(tmp_path):
    (tmp_path / "tt61.txt").write_text(REPEALING, encoding="utf-8")
    (tmp_path / "plan.txt").write_text(CITING, encoding="utf-8")
    db = tmp_path / "reg.db"
    learnt = runner.invoke(app, ["registry", "learn", "--db", str(db), str(tmp_path / "tt61.txt")])
    assert learnt.exit_code == 0, learnt.output
    result = runner.invoke(app, ["lint", str(tmp_path / "plan.txt"), "--db", str(db), "--json"])
    (out,) = json.loads(result.output)
    by_code = {f["code"]: f for f in out["findings"] if f["code"] != "unknown_document"}
    assert set(by_code) == {"repealed_document", "partly_repealed_document"}
    assert by_code["repealed_document"]["key"] == "56/2015/TT-BCT"
    assert by_code["repealed_document"]["severity"] == "warning"
    assert "61/2025/TT-BCT ngày 02/12/2025" in by_code["repealed_document"]["message"]
    assert by_code["partly_repealed_document"]["key"] == "21/2017/TT-BCT"
    assert by_code["partly_repealed_document"]["severity"] == "info"
    # before the repeal took effect the citation is fine
    early = CITING.replace("ngày 10 tháng 3 năm 2026", "ngày 10 tháng 3 năm 2025")
    (tmp_path / "early.txt").write_text(early, encoding="utf-8")
    result = runner.invoke(app, ["lint", str(tmp_path / "early.txt"), "--db", str(db), "--json"])
    (out,) = json.loads(result.output)
    assert not [f for f in out["findings"] if f["code"].endswith("repealed_document")]
