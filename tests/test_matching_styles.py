"""The held-out style suite (tests/fixtures/styles): plans of styles the dev corpus lacks.

Honest setup: leave-one-plan-out over the five dev plans and the eight style plans pooled (txt form). Each
plan is scored with weights and thresholds fitted on the other twelve, so no number below comes from values
that saw the plan (the shipped rules/matching.yaml was fitted on all thirteen and is not used here).
Measured with six style plans: style P 0.948, R 0.901, F1 0.924; dev F1 0.965. Two plans full of generic
administrative sentences were then added (a ward plan, phuong-phohien-kh-2025, and a department plan with
the provincial group headings over routine duties, sovhttdl-kh-2023): with them, before the specificity
features, style P 0.901, R 0.881, F1 0.891 (dev F1 0.972); after, style P 0.938, R 0.896, F1 0.916,
evidence 1.000; dev P 0.976, R 0.976, F1 0.976, evidence 1.000. The style floor stays at 0.90 because the
suite got harder; the dev floor rises to 0.96.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hycompliance.evaluate import PlanResult, evaluate, read_gold, summarize, text_reader
from tests.conftest import DEV, PROVINCIAL

STYLES = Path(__file__).resolve().parent / "fixtures" / "styles"


@pytest.fixture(scope="module")
def pooled():
    return evaluate(PROVINCIAL.with_suffix(".txt"), [DEV, STYLES], ("txt",), cv=True, reader=text_reader)


def _overall(report, names: set[str]) -> dict[str, float]:
    rows = [r for r in report.rows if r["plan"] in names]
    return summarize([
        PlanResult(r["plan"], r["form"], r["tp"], r["fp"], r["fn"], round(r["evidence"] * r["tp"]), (), ())
        for r in rows
    ])


def test_style_suite_leave_one_plan_out(pooled):
    styles = {p.stem for p in STYLES.glob("*.json")}
    s = _overall(pooled, styles)
    print(f"style suite: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} evidence {s['evidence']:.3f}")
    assert len(styles) == 8
    assert s["f1"] >= 0.90
    assert s["evidence"] >= 0.97


def test_dev_plans_in_the_pooled_fit(pooled):
    dev = {p.stem for p in DEV.glob("*.json")}
    s = _overall(pooled, dev)
    print(f"dev: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} evidence {s['evidence']:.3f}")
    assert s["f1"] >= 0.96
    assert s["evidence"] >= 0.97
    assert len(pooled.configs) == 13  # one fit per held-out plan


@pytest.mark.parametrize("name", sorted(p.stem for p in STYLES.glob("*.json")))
def test_style_plan_has_every_form(name):
    """`make eval` fits each form on the plans it has: a plan missing its .docx or .pdf leaves those
    folds fitted on fewer plans than the txt folds, and a form's score then moves for no reason of its own."""
    missing = [ext for ext in ("txt", "docx", "pdf") if not (STYLES / f"{name}.{ext}").is_file()]
    assert not missing, f"{name}: no {', '.join(missing)} (run tests/fixtures/styles/build.py)"


@pytest.mark.parametrize("name", sorted(p.stem for p in STYLES.glob("*.json")))
def test_style_gold_blocks_are_found_in_the_parsed_plan(name):
    gold = read_gold(STYLES / f"{name}.json")
    plan = text_reader(STYLES / f"{name}.txt")
    texts = {" ".join(c.text.split()) for c in plan.clauses}
    assert [k for k, ids in gold.by_text.items() if ids and k not in texts] == []
    assert plan.header.number == json.loads((STYLES / f"{name}.json").read_text(encoding="utf-8"))["number"]
