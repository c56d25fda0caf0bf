"""The labelled sets against other parents speak the IDs of their parent's hand-counted catalogue: every ID a
gold block or row covers, and every duty a manifest binds a plan to, is an entry of the catalogue the
manifest names (a label that names no requirement could never be scored, and evidence could never be right)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SETS = sorted((ROOT / "tests" / "fixtures" / "parents").glob("*/manifest.yaml"))


@pytest.mark.parametrize("manifest_path", SETS, ids=[p.parent.name for p in SETS])
def test_gold_ids_are_catalogue_ids(manifest_path):
    manifest = yaml.safe_load(manifest_path.read_text(encoding="utf-8"))
    catalogue = yaml.safe_load((ROOT / manifest["catalogue"]).read_text(encoding="utf-8"))
    kinds = {str(e["id"]): e["kind"] for e in catalogue["requirements"]}
    for plan in manifest["plans"]:
        gold = json.loads((manifest_path.parent / f"{plan}.json").read_text(encoding="utf-8"))
        covered = set()
        for block in gold["blocks"]:
            covered.update(block.get("covers") or [])
            for row in block.get("row_covers") or []:
                covered.update(row)
        assert sorted(covered - set(kinds)) == [], plan
        binds = (manifest.get("binds") or {}).get(plan, [])
        assert [b for b in binds if kinds.get(str(b)) != "duty"] == [], plan
        # a duty is labelled only where it binds the plan
        assert sorted(i for i in covered if kinds[i] == "duty" and i not in binds) == [], plan
