"""The labelled plans of other parents (tests/fixtures/parents/<parent-key>/) are consistent.

Checks the gold files against the hand-counted catalogue of their parent and against their own renderings:
every ID a block covers is a requirement of that parent, every plan named by the manifest has its four forms,
the text rendering carries the blocks that cover something, and references are well formed. No project code.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PARENTS = sorted(p for p in (HERE / "fixtures" / "parents").iterdir() if (p / "manifest.yaml").exists())
PLANS = [(p, name) for p in PARENTS for name in yaml.safe_load((p / "manifest.yaml").read_text(encoding="utf-8"))["plans"]]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _catalogue_ids(parent_dir: Path) -> set[str]:
    manifest = yaml.safe_load((parent_dir / "manifest.yaml").read_text(encoding="utf-8"))
    catalogue = yaml.safe_load((ROOT / manifest["catalogue"]).read_text(encoding="utf-8"))
    return {r["id"] for r in catalogue["requirements"]}


def _covers(gold: dict) -> set[str]:
    ids = {c for b in gold["blocks"] for c in b["covers"]}
    return ids | {c for b in gold["blocks"] for rc in b.get("row_covers", []) for c in rc}


@pytest.mark.parametrize(("parent_dir", "name"), PLANS, ids=lambda x: x if isinstance(x, str) else x.name)
def test_labelled_plan_covers_only_requirements_of_its_parent(parent_dir: Path, name: str) -> None:
    gold = json.loads((parent_dir / f"{name}.json").read_text(encoding="utf-8"))
    covered = _covers(gold)
    assert covered, "a labelled plan that covers nothing measures nothing"
    assert covered <= _catalogue_ids(parent_dir), sorted(covered - _catalogue_ids(parent_dir))


@pytest.mark.parametrize(("parent_dir", "name"), PLANS, ids=lambda x: x if isinstance(x, str) else x.name)
def test_labelled_plan_has_its_renderings_and_header(parent_dir: Path, name: str) -> None:
    gold = json.loads((parent_dir / f"{name}.json").read_text(encoding="utf-8"))
    for ext in ("txt", "docx", "pdf"):
        assert (parent_dir / f"{name}.{ext}").stat().st_size > 1000, ext
    assert gold["doc_id"] == name and DATE.match(gold["date"])
    assert any(gold["number"] in b["text"] for b in gold["blocks"][:8]), "the number is printed in the header"
    text = (parent_dir / f"{name}.txt").read_text(encoding="utf-8")
    for block in gold["blocks"]:
        if block["covers"] and block["type"] != "table":
            assert block["text"] in text, block["text"][:60]
    for ref in gold["references"]:
        assert ref["key"] and DATE.match(ref["date"]) and ref["as_written"], ref
    for row_covers, rows in ((b["row_covers"], b["rows"]) for b in gold["blocks"] if b["type"] == "table"):
        assert len(row_covers) == len(rows)


@pytest.mark.parametrize("parent_dir", PARENTS, ids=lambda p: p.name)
def test_binds_name_duties_of_the_parent(parent_dir: Path) -> None:
    manifest = yaml.safe_load((parent_dir / "manifest.yaml").read_text(encoding="utf-8"))
    catalogue = yaml.safe_load((ROOT / manifest["catalogue"]).read_text(encoding="utf-8"))
    duties = {r["id"] for r in catalogue["requirements"] if r["kind"] == "duty"}
    for name, ids in (manifest.get("binds") or {}).items():
        assert name in manifest["plans"]
        assert set(ids) <= duties, sorted(set(ids) - duties)
        gold = json.loads((parent_dir / f"{name}.json").read_text(encoding="utf-8"))
        assert _covers(gold) & duties <= set(ids), "a plan covers only duties that bind it"
