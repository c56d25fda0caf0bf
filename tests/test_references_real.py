"""The reference checker on real documents, against fixtures written by reading them (tests/fixtures/legal).

- references_real.yaml: every numbered reference of nine real plans -> extraction precision and recall;
- lint_real.yaml: the real slips and the former false alarms of eleven real plans -> the linter's findings;
- relations.yaml: repeals and amendments stated by real legal texts -> ``registry learn``.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache
from pathlib import Path

import pytest
import yaml

from hycompliance.references import KnownDocument, Registry, check, extract, extract_plan, parent_registry
from hycompliance.references.extract import UNFILLED_FLAG
from hycompliance.ingest import read
from hycompliance.references.learnt import db_registry, document_text, learn_plan
from hycompliance.references.relations import learn
from hycompliance.store import open_db
from hycompliance.structure import build_plan, parse_file

from tests.conftest import SHARED

FIXTURES = Path(__file__).parent / "fixtures" / "legal"
PLANS = SHARED / "corpus" / "real" / "plans"
LEGAL = SHARED / "corpus" / "real" / "legal"


def _load(name: str):
    return yaml.safe_load((FIXTURES / name).read_text(encoding="utf-8"))


# --- extraction ------------------------------------------------------------------------------------


EXTRACTION = _load("references_real.yaml")


@lru_cache(maxsize=None)
def _header_lines(name: str) -> frozenset[int]:
    """The file's header "Số: ..." line (the plan's own number: ``Plan.header``, not a mention in its text)."""
    lines = (PLANS / name).read_text(encoding="utf-8").splitlines()
    return frozenset(i for i, line in enumerate(lines, 1) if line.startswith("Số:"))


def _printed(citations) -> Counter[tuple[str, str | None]]:
    # a numbered mention prints a number ("Kế hoạch này" resolves to the plan's own key but prints none)
    return Counter((c.key, c.date) for c in citations
                   if c.key and (re.search(r"\d", c.as_written) or UNFILLED_FLAG in c.flags))


def _measure(got_of, *, skip_header: bool) -> tuple[float, float, int]:
    """Precision, recall and the number of hand-listed mentions, over the hand-listed plans."""
    hit = found = wanted = 0
    for name, refs in EXTRACTION.items():
        skipped = _header_lines(name) if skip_header else frozenset()
        gold = Counter((r["key"], r["date"]) for r in refs if r["line"] not in skipped)
        got = got_of(name)
        hit += sum((gold & got).values())
        found += sum(got.values())
        wanted += sum(gold.values())
    return hit / found, hit / wanted, wanted


def test_extraction_precision_and_recall_on_hand_listed_plans(shared):
    """On the file's text as it is (the header's "Số: ..." line included)."""
    assert len(EXTRACTION) >= 8
    read = lambda name: _printed(extract((PLANS / name).read_text(encoding="utf-8")))  # noqa: E731
    precision, recall, wanted = _measure(read, skip_header=False)
    assert wanted >= 140
    assert precision >= 0.99 and recall >= 0.99, (precision, recall)


def test_extraction_on_parsed_plans_reads_the_notes_after_the_signature(shared):
    """As the product reads a plan (parsed, the header apart, the footnotes kept as notes): every hand-listed
    mention but the header's own number, and nothing else."""
    read = lambda name: _printed(extract_plan(parse_file(PLANS / name)))  # noqa: E731
    precision, recall, wanted = _measure(read, skip_header=True)
    assert wanted >= 130
    assert precision >= 0.99 and recall >= 0.99, (precision, recall)


# --- the linter on real plans --------------------------------------------------------------------


@lru_cache(maxsize=1)
def _learnt_from_plans():
    """What a nightly scan of the corpus learns: every real plan read once."""
    db = open_db(":memory:")
    for path in sorted(PLANS.glob("*.txt")):
        learn_plan(db, parse_file(path), path.name)
    return db_registry(db)


LINT = _load("lint_real.yaml")


@pytest.mark.parametrize("name", sorted(LINT))
def test_real_plan_slips_flagged_and_nothing_else(shared, name):
    doc = parse_file(PLANS / name)
    registry = _learnt_from_plans().merged(parent_registry(None))
    cits, findings = check(doc, extract_plan(doc, registry), registry)
    raised = sorted((f.code, f.key) for f in findings if f.severity in ("error", "warning"))
    seen = [s for s in LINT[name]["slips"] if s.get("needs") != "registry"]
    wanted = sorted((s["code"], s["key"]) for s in seen)
    assert raised == wanted
    for slip in seen:
        (f,) = [f for f in findings if f.code == slip["code"] and f.key == slip["key"]]
        if slip.get("note"):  # in a footnote after the signature: found there, and placed on it
            assert slip["note"] in (f.clause, *f.clauses)
        assert " ".join(f.as_written.split()) == slip["written"]
        assert f.corrected == slip["corrected"]
        assert f.count == slip.get("count", 1)
        # the reference record keeps what was written and what was meant
        assert slip["corrected"] is None or any(c.intended and slip["corrected"] in c.intended for c in cits)
    for alarm in LINT[name]["false_alarms"]:
        assert not [f for f in findings if f.key == alarm["key"] and f.severity != "info"], alarm["why"]


def test_hand_checked_set_size_and_share_flagged():
    """At least ten real plans hand-checked; three slips sit in footnotes after the signature; at least 80%
    of the real slips flagged. A slip only a registry that knows the document could see ("needs: registry":
    the plan cites it once, nothing in the corpus dates it) is a miss, listed."""
    slips = [s for spec in LINT.values() for s in spec["slips"]]
    assert len(LINT) >= 10 and len(slips) >= 15
    assert [s["key"] for s in slips if s.get("note")] == ["75/KH-UBND", "27/CT-TTg", "27/CT-TTg"]
    missed = [s["key"] for s in slips if s.get("needs") == "registry"]
    assert missed == ["01-KL/TW"]
    assert (len(slips) - len(missed)) / len(slips) >= 0.8


def test_a_registry_that_knows_the_document_catches_the_missed_slip(shared):
    """The miss above is the registry's, not the linter's: given the conclusion's date, the slip is flagged."""
    doc = parse_file(PLANS / "daklak_kh_0124_2025.txt")
    registry = Registry((KnownDocument("01-KL/TW", "Kết luận", "2021-05-18", "Bộ Chính trị"),)).merged(
        parent_registry(None))
    _, findings = check(doc, extract_plan(doc, registry), registry)
    assert [(f.code, f.key, f.corrected) for f in findings if f.severity != "info"] == [
        ("wrong_date", "01-KL/TW", "01-KL/TW ngày 18/05/2021")]


def test_real_slips_without_a_learnt_registry(shared):
    """Every slip that does not need the corpus is found with the shipped registry alone."""
    registry = parent_registry(None)
    missed = []
    for name, spec in LINT.items():
        doc = parse_file(PLANS / name)
        _, findings = check(doc, extract_plan(doc, registry), registry)
        got = {(f.code, f.key) for f in findings}
        missed += [(name, s["code"], s["key"]) for s in spec["slips"]
                   if s.get("needs") not in ("corpus", "registry") and (s["code"], s["key"]) not in got]
    assert missed == []
    # Cần Thơ 153 prints "163/2024/QH15 ngày 27 tháng 11 năm 2025" in its body; its footnote [1] gives the
    # resolution's date twice as 27/11/2024: a wrong date in the body, which the plan's own notes settle.
    doc = parse_file(PLANS / "cantho_kh_153_2025.txt")
    _, findings = check(doc, extract_plan(doc, registry), registry)
    assert [(f.code, f.key, f.corrected, f.clause) for f in findings if f.severity != "info"] == [
        ("wrong_date", "163/2024/QH15", "163/2024/QH15 ngày 27/11/2024", "I.1.a")]


# --- relations learnt from legal texts -----------------------------------------------------------


RELATIONS = _load("relations.yaml")


@lru_cache(maxsize=None)
def _relations_of(file: str, parsed: bool):
    """As the file's text reads, or as ``registry learn`` reads it (the reader's lines, the parsed header)."""
    if parsed:
        doc = read(LEGAL / file)
        plan = build_plan(doc)
        return learn(document_text(doc), own_key=plan.header.number, own_date=plan.header.date, origin=file)[1]
    return learn((LEGAL / file).read_text(encoding="utf-8"), origin=file)[1]


@pytest.mark.parametrize("parsed", [False, True], ids=["text", "parsed"])
@pytest.mark.parametrize("rel", RELATIONS, ids=lambda r: f"{r['source']}-{r['kind']}-{r['target']}")
def test_hand_listed_relation_learnt(shared, rel, parsed):
    got = [r for r in _relations_of(rel["file"], parsed) if r.source_key == rel["source"] and r.target_key == rel["target"]]
    assert [r.kind for r in got] == [rel["kind"]]
    if rel["scope"]:
        assert got[0].scope == rel["scope"]
    if rel["effective"]:
        assert got[0].effective == rel["effective"]
