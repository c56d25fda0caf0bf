"""Linting citations: planted errors of the dev plans, the provincial plan's own slips, each rule on real strings."""

from __future__ import annotations

import json

import pytest

from hycompliance.models import Header, Plan
from hycompliance.references import check, extract, extract_plan, lint, load_registry, seed_registry
from hycompliance.references.resolve import KnownDocument, Registry, registry_yaml

from tests.conftest import DEV, SHARED
from tests.registries import registry_87

PROVINCIAL = SHARED / "provincial" / "87-KH-UBND-2023.txt"
DEV_NAMES = ["myhao-kh-2023", "phucu-kh-2023", "soct-kh-2023", "sokhcn-kh-2023", "vanlam-kh-2023"]


def _plan(text: str, source: str = "test", header: Header | None = None) -> Plan:
    return Plan(source=source, form="txt", header=header or Header(), clauses=(), text=text)


def _norm(s: str) -> str:
    return " ".join(s.split())


def _findings(text: str, *, parent: str | None = None) -> list[tuple[str, str, str | None]]:
    registry = registry_87()
    plan = _plan(text)
    found = lint(plan, extract(text, registry=registry), registry, parent=_plan(parent) if parent else None)
    return [(f.code, f.as_written, f.expected) for f in found]


@pytest.mark.parametrize("name", DEV_NAMES)
def test_dev_plans_planted_errors_and_nothing_else(shared, name):
    gold = json.loads((DEV / f"{name}.json").read_text(encoding="utf-8"))
    text = (DEV / f"{name}.txt").read_text(encoding="utf-8")
    registry = registry_87()
    parent = _plan(PROVINCIAL.read_text(encoding="utf-8"))
    cits, findings = check(_plan(text), extract(text, registry=registry), registry, parent=parent)
    assert sorted((f.code, f.as_written) for f in findings) == sorted(
        (e["error"], _norm(e["as_written"])) for e in gold["planted_errors"]
    )
    # the flag sits on the mention itself
    for e in gold["planted_errors"]:
        (c,) = [c for c in cits if _norm(c.as_written) == _norm(e["as_written"])]
        assert e["error"] in c.flags


def test_provincial_plan_own_slips(shared):
    text = PROVINCIAL.read_text(encoding="utf-8")
    assert _findings(text) == [
        # a space after the hyphen inside the symbol (line 205): a slip of form, with its corrected form
        ("symbol_spacing", "Nghị quyết số 07- NQ/TU ngày 15/6/2021", "07-NQ/TU"),
        ("symbol_spacing", "Nghị quyết số 29- NQ/TU ngày 05/7/2022", "29-NQ/TU"),
        ("wrong_issuer", "Nghị quyết số 29/NQ-CP ngày 17/11/2022", "29-NQ/TW"),
        ("wrong_symbol_format", "Chương trình hành động số 34/CTr-TU ngày 15/02/2023", "34-CTr/TU"),
        ("conflicting_issuer", "Nghị quyết 29-NQ/TU", None),
        ("deadline_before_plan_date", "hoàn thành trước ngày 15/5/2023", "23/05/2023"),
    ]


RULES = [
    # registry knows 07-NQ/TU: the same number and type under TW is the wrong issuer
    ("theo Nghị quyết số 07-NQ/TW ngày 15/6/2021 về phát triển công nghiệp", "wrong_issuer", "07-NQ/TW", "07-NQ/TU"),
    # the stated issuer is the Party's Central Committee, the symbol says the provincial committee
    ("Nghị quyết số 29-NQ/TU ngày 17/11/2022 của Ban Chấp hành Trung ương Đảng", "wrong_issuer",
     "29-NQ/TU", "29-NQ/TW"),
    ("Kế hoạch số 87/KH-UBND ngày 25/5/2023 của UBND tỉnh", "wrong_date", "87/KH-UBND", "23/05/2023"),
    # type, issuer and date point at 2209/QĐ-UBND
    ("Quyết định số 2290/QĐ-UBND ngày 22/9/2021 của UBND tỉnh", "wrong_number", "2290/QĐ-UBND", "2209/QĐ-UBND"),
    ("Quyết định số 1568/QĐ-UBND ngày 12/7/2022 của UBND tỉnh", "unknown_document", "1568/QĐ-UBND", None),
    ("Chương trình hành động số 34/CTr-TU ngày 15/02/2023 của Tỉnh ủy", "wrong_symbol_format", "34-CTr/TU",
     "34-CTr/TU"),
    ("Căn cứ Nghị quyết số 29-NQ/TW, Nghị quyết số 29-NQ/TU ngày 05/7/2022; quán triệt Nghị quyết 29",
     "ambiguous_short_form", None, None),
]


@pytest.mark.parametrize("text,code,key,expected", RULES)
def test_each_rule(text, code, key, expected):
    registry = registry_87()
    found = lint(_plan(text), extract(text, registry=registry), registry)
    assert [(f.code, f.key, f.expected) for f in found] == [(code, key, expected)]
    from hycompliance.references.rules import load_rules

    assert found[0].severity == load_rules().message(code).severity
    assert found[0].message.startswith(load_rules().message(code).template.split("{")[0])


@pytest.mark.parametrize("code,severity", [("wrong_date", "error"), ("unknown_document", "info"),
                                           ("ambiguous_short_form", "warning"), ("conflicting_issuer", "warning")])
def test_severities_come_from_the_rules(code, severity):
    from hycompliance.references.rules import load_rules

    assert load_rules().message(code).severity == severity


def test_date_disagreement_within_the_plan_for_an_unregistered_document():
    text = ("Quyết định số 4711/QĐ-UBND ngày 02/3/2021 của UBND tỉnh; Quyết định số 4711/QĐ-UBND ngày 02/3/2021; "
            "Quyết định số 4711/QĐ-UBND ngày 03/2/2021")
    codes = [(c, w) for c, w, _ in _findings(text)]
    assert ("wrong_date", "Quyết định số 4711/QĐ-UBND ngày 03/2/2021") in codes
    assert [c for c, _ in codes].count("wrong_date") == 1


def test_missing_required_reference_only_with_a_parent(shared):
    parent = PROVINCIAL.read_text(encoding="utf-8")
    child = ("Số: 12/KH-UBND    Phù Cừ, ngày 20 tháng 7 năm 2023\n"
             "Căn cứ Kế hoạch số 87/KH-UBND ngày 23/5/2023 của UBND tỉnh;\nI. MỤC ĐÍCH\n")
    assert _findings(child) == []
    assert [(c, e) for c, _, e in _findings(child, parent=parent)] == [
        ("missing_required_reference", "34-CTr/TU ngày 15/02/2023"),
        ("missing_required_reference", "29-NQ/TW ngày 17/11/2022"),
    ]


def test_deadline_before_the_plan_date():
    text = "Số: 112/KH-UBND    Văn Lâm, ngày 16 tháng 6 năm 2023\n- Xây dựng kế hoạch, hoàn thành trước ngày 15/6/2023.\n- Báo cáo chậm nhất ngày 30/6/2023."
    assert [(c, w) for c, w, _ in _findings(text)] == [
        ("deadline_before_plan_date", "hoàn thành trước ngày 15/6/2023"),
    ]


def test_extract_plan_places_mentions_on_clauses():
    from hycompliance.models import Clause

    text = "Căn cứ Nghị quyết số 29-NQ/TW ngày 17/11/2022.\nThực hiện Kế hoạch số 87/KH-UBND ngày 23/5/2023."
    cut = text.index("\n") + 1
    plan = Plan("t", "txt", Header(number="112/KH-UBND", date="2023-06-16"),
                (Clause("preamble", "", "paragraph", text[:cut], 1, 0, cut),
                 Clause("I.1", "1.", "item", text[cut:], 2, cut, len(text))), text)
    cits = extract_plan(plan, load_registry())
    assert [(c.key, c.page, c.clause) for c in cits] == [("29-NQ/TW", 1, "preamble"), ("87/KH-UBND", 2, "I.1")]


def test_registry_of_the_provincial_plan_is_its_seed_and_the_national_documents(shared):
    seeded = seed_registry(PROVINCIAL.read_text(encoding="utf-8"))
    registry = registry_87()
    assert len(seeded) == 38
    assert {(d.key, d.date) for d in seeded.documents} <= {(d.key, d.date) for d in registry.documents}
    assert registry.get("29-NQ/TW").date == "2022-11-17"
    assert registry.get("7-NQ/TU").key == "07-NQ/TU"  # leading zeros do not matter
    assert registry.get("29/NQ-CP") is None  # the plan's slip is not seeded
    assert registry.get("87/KH-UBND").date == "2023-05-23"  # the plan itself, from its header
    # the shared registry holds national documents only: nothing of the province's own
    national = load_registry()
    assert national.get("29-NQ/TW").date == "2022-11-17"
    assert [d.key for d in national.documents if d.issuer_code in ("TU", "UBND", "HĐND")] == []


def test_manual_entries_win_over_seeded(tmp_path):
    seeded = Registry((KnownDocument("48-KL/TW", "Kết luận", "2023-01-30", "Bộ Chính trị", source="87/KH-UBND"),))
    manual = [KnownDocument("48-KL/TW", "Kết luận", "2023-01-31", "Bộ Chính trị", validity="in_force")]
    path = tmp_path / "known.yaml"
    path.write_text(registry_yaml(seeded, manual), encoding="utf-8")
    registry = load_registry(path)
    assert (len(registry), registry.get("48-KL/TW").date, registry.get("48-KL/TW").validity) == (1, "2023-01-31", "in_force")


GRAMMAR = [
    # official letters: number/UNIT-SUBUNIT, no type code; the first code is the issuing body
    ("Công văn số 6676/BYT-CDS ngày 29 tháng 10 năm 2024 của Bộ Y tế về việc triển khai", set()),
    ("Công văn số 574/UBND-NC ngày 23/9/2024 của UBND tỉnh về việc nâng cao hiệu quả", set()),
    ("công văn số 83/BKHCN-BTTTT-VP ngày 08 tháng 01 năm 2025 của Bộ Khoa học và Công nghệ", set()),
    # a joint circular: TYPE then every issuer
    ("Thông tư liên tịch số 07/2013/TTLT-BGDĐT-BNV-BTC ngày 08 tháng 03 năm 2013 của Bộ Giáo dục và Đào tạo", set()),
    # a centrally-run city's Party committee signs /TU, a provincial city's /HU
    ("Chương trình số 30-CTr/TU ngày 29/12/2017 của Thành ủy Cần Thơ", set()),
    ("Nghị quyết số 05-NQ/HU ngày 10/3/2021 của Thành ủy", set()),
    # the letter's issuer contradicts the printed body: wrong
    ("Công văn số 574/BYT-NC ngày 23/9/2024 của UBND tỉnh", {"wrong_issuer"}),
    # spaces beside a separator: a slip with its corrected form; a line break (PDF wrap) is not
    ("Kết luận số 132- KL/TW của Bộ Chính trị", {"symbol_spacing"}),
    ("Nghị quyết số 71/NQ -CP ngày 01/4/2025 của Chính phủ", {"symbol_spacing"}),
    ("Nghị quyết số 29-\nNQ/TW ngày 17/11/2022 của Ban Chấp hành Trung ương Đảng", set()),
    # a Party symbol in State form (with a stray space): one finding, the format
    ("Nghị quyết số 27/NQ- TW ngày 09/11/2022 của Ban Chấp hành Trung ương Đảng", {"wrong_symbol_format"}),
    # the year in a normative symbol is the year it was issued
    ("Quyết định số 46/2002/QĐ-UBND ngày 12/09/2022 của UBND tỉnh", {"symbol_year_mismatch"}),
    ("Nghị định số 80/2021/NĐ-CP ngày 26/8/2021 của Chính phủ", set()),
]


@pytest.mark.parametrize("text,codes", GRAMMAR)
def test_symbol_grammar(text, codes):
    registry = Registry(())
    found = lint(_plan(text), extract(text, registry=registry), registry)
    assert {f.code for f in found} == codes


SELF = [
    # the plan cites itself with a blank number and a date of its own making: one finding, the header's form
    ("Số: 03/NQ-CP\nHà Nội, ngày 09 tháng 01 năm 2025\n\nNGHỊ QUYẾT\n(Kèm theo Nghị quyết số /NQ-CP ngày 01 tháng 01 năm 2025 của Chính phủ)\n"
     "(Kèm theo Nghị quyết số  /NQ-CP ngày 01 tháng 01 năm 2025 của Chính phủ)",
     "unfilled_self_reference", "Nghị quyết số 03/NQ-CP ngày 09/01/2025", 2),
    ("Số: 310/KH-UBND | Hà Nội, ngày 24 tháng 11 năm 2025\n\nKẾ HOẠCH\nPHỤ LỤC\n(Kèm theo Kế hoạch số: /KH-UBND ngày / /2025 của UBND thành phố Hà Nội)",
     "unfilled_self_reference", "Kế hoạch số 310/KH-UBND ngày 24/11/2025", 1),
    ("Số: 310/KH-UBND | Hà Nội, ngày 24 tháng 11 năm 2025\n\nKẾ HOẠCH\nPHỤ LỤC\n(Kèm theo Kế hoạch số 310/KH-UBND ngày 20/11/2025 của UBND thành phố)",
     "wrong_date", "310/KH-UBND ngày 24/11/2025", 1),
]


@pytest.mark.parametrize("text,code,corrected,count", SELF)
def test_self_reference_slips(text, code, corrected, count):
    registry = Registry(())
    (f,) = lint(_plan(text), extract(text, registry=registry), registry)
    assert (f.code, f.corrected, f.count) == (code, corrected, count)


def test_one_finding_per_document_and_problem():
    text = ("Căn cứ Quyết định số 1568/QĐ-UBND ngày 12/7/2022 của UBND tỉnh; thực hiện Quyết định số 1568/QĐ-UBND; "
            "Kết luận số 132- KL/TW; quán triệt Kết luận số 132- KL/TW")
    registry = registry_87()
    found = lint(_plan(text), extract(text, registry=registry), registry)
    assert sorted((f.code, f.key, f.count) for f in found) == [
        ("symbol_spacing", "132-KL/TW", 2),
        ("unknown_document", "132-KL/TW", 2),
        ("unknown_document", "1568/QĐ-UBND", 2),
    ]
