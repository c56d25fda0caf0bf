"""The hand-counted catalogues (tests/fixtures/catalogues) are consistent with themselves and with the plans.

These fixtures are the oracle for the catalogue code, so they are checked against the printed documents
only: every text_start is found in the plan, counts match the listed requirements, IDs are unique and
follow the printed-path scheme of the README. No project code is used here.
"""

from __future__ import annotations

import collections
import re
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
CATALOGUES = sorted((HERE / "fixtures" / "catalogues").glob("*.yaml"))
PLANS = HERE.parent.parent / "shared" / "corpus" / "real" / "plans"
KINDS = ("task", "subtask", "duty", "target")
SEGMENT = r"(?:[IVX]+(?:-\d+)?|\d+(?:-\d+)?|[a-zđ](?:-\d+)?|PL\d+)"
ID = re.compile(rf"^{SEGMENT}(?:\.{SEGMENT})*$")


def _flat(text: str) -> str:
    return " ".join(text.replace("*", "").split())


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_catalogue_fixture_is_consistent(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["source"] == f"{path.stem}.txt"
    reqs = data["requirements"]
    counted = collections.Counter(r["kind"] for r in reqs)
    assert data["counts"] == {k: counted.get(k, 0) for k in KINDS}
    ids = [r["id"] for r in reqs]
    assert len(ids) == len(set(ids))
    assert all(ID.match(i) for i in ids), [i for i in ids if not ID.match(i)]
    for r in reqs:
        assert r["kind"] in KINDS
        if r["kind"] == "duty":
            assert r.get("agency"), r["id"]
        if r["kind"] == "target":
            assert r["comparator"] in (">=", ">", "<=", "<", "=", "range"), r["id"]
            assert isinstance(r["value"], (int, float, list)) and r.get("year"), r["id"]


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda p: p.stem)
def test_catalogue_text_starts_are_printed_in_the_plan(path: Path) -> None:
    source = PLANS / f"{path.stem}.txt"
    if not source.exists():
        pytest.skip(f"{source} is not available")
    printed = _flat(source.read_text(encoding="utf-8"))
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    missing = [r["id"] for r in data["requirements"] if _flat(r["text_start"]) not in printed]
    assert not missing
