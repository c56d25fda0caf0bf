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
    ref_fields = {"key", "type", "number", "symbol", "date", "issuer", "as_written", "page", "clause", "start", "end", "flags"}
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


def test_lint_lines_and_exit_status(shared):
    result = runner.invoke(app, ["lint", str(DEV / "sokhcn-kh-2023.txt"), str(DEV / "myhao-kh-2023.txt"),
                                 "--plan", str(PROVINCIAL)])
    lines = result.output.splitlines()
    assert result.exit_code == 0  # only an info finding: no error
    assert len(lines) == 1 and lines[0].startswith(f"{DEV / 'myhao-kh-2023.txt'}:1:III.1.3 unknown_document ")
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
