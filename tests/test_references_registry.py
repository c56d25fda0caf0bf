"""The registry per parent: layers (parent's own references, national documents, reviewer's files) and keys
that identify a document by number *and* year; nothing learnt from one province's plan reaches another's."""

from __future__ import annotations

import shutil

import pytest

from hycompliance.models import Header, Plan
from hycompliance.references import extract, lint, load_registry, parent_registry
from hycompliance.references.resolve import KnownDocument, Registry, parent_registry_path, parent_slug, registry_yaml
from hycompliance.references.rules import rules_dir
from hycompliance.structure import parse_file

from tests.conftest import REAL
from tests.registries import BUNDLED_PARENT, registry_87

BACNINH = REAL / "plans" / "bacninh_kh_144_2025.txt"
ERRORS = ("wrong_date", "wrong_issuer", "wrong_number", "wrong_symbol_format")


def _codes(text: str, registry: Registry) -> list[tuple[str, str | None]]:
    plan = Plan(source="t", form="txt", header=Header(), clauses=(), text=text)
    return [(f.code, f.expected) for f in lint(plan, extract(text, registry=registry), registry)]


# A commune of another province citing its own provincial documents, whose numbers Hưng Yên also used;
# what the same sentence gives when it is checked against Hưng Yên's parent (87/KH-UBND) instead.
OTHER_PROVINCE = [
    ("Thực hiện Nghị quyết số 07-NQ/TU ngày 10/3/2022 của Ban Chấp hành Đảng bộ tỉnh về phát triển công nghiệp;",
     [("wrong_date", "15/06/2021")]),
    # a State plan of 2025 is not Hưng Yên's 87/KH-UBND of 2023, whoever checks it
    ("Căn cứ Kế hoạch số 87/KH-UBND ngày 02/4/2025 của UBND tỉnh về chuyển đổi số;", [("unknown_document", None)]),
    ("Thực hiện Chương trình hành động số 34-CTr/TU ngày 20/01/2023 của Tỉnh ủy;", [("wrong_date", "15/02/2023")]),
]


@pytest.mark.parametrize("text,under_hung_yen", OTHER_PROVINCE)
def test_second_province_gets_no_error_from_hung_yen(shared, text, under_hung_yen):
    bacninh = parent_registry(parse_file(BACNINH))
    assert [c for c, _ in _codes(text, bacninh)] == ["unknown_document"]
    assert _codes(text, registry_87()) == under_hung_yen


def test_hung_yen_documents_stay_out_of_other_registries(shared):
    bacninh = parent_registry(parse_file(BACNINH))
    assert bacninh.get("07-NQ/TU") is None and bacninh.get("34-CTr/TU") is None
    assert bacninh.get("17/KH-UBND").date == "2025-08-11"  # Bắc Ninh's own reference
    assert bacninh.get("57-NQ/TW").date == "2024-12-22"
    assert bacninh.get("29-NQ/TW").date == "2022-11-17"  # national: shared by every parent
    assert bacninh.get("144/KH-UBND").date == "2025-11-24"  # the parent itself


SAME_NUMBER = [
    # 50/NQ-CP of 17/4/2020 is in the national registry; the Government's 50/NQ-CP of 2025 is another document
    ("Nghị quyết số 50/NQ-CP ngày 13 tháng 3 năm 2025 của Chính phủ ban hành Kế hoạch", []),
    ("Nghị quyết số 50/NQ-CP ngày 17/5/2020 của Chính phủ", [("wrong_date", "17/04/2020")]),
    # Party documents are numbered through a term: 29-NQ/TW of 4/11/2013 (education) is not the one of 2022
    ("Nghị quyết số 29-NQ/TW ngày 04/11/2013 của Ban Chấp hành Trung ương Đảng", []),
    ("Nghị quyết số 29-NQ/TW ngày 17/10/2022 của Ban Chấp hành Trung ương Đảng", [("wrong_date", "17/11/2022")]),
]


@pytest.mark.parametrize("text,errors", SAME_NUMBER)
def test_a_same_number_document_of_another_year_is_not_confused(text, errors):
    assert [(c, e) for c, e in _codes(text, load_registry()) if c in ERRORS] == errors


def test_lookup_and_merge_keep_documents_of_other_years():
    a = KnownDocument("50/NQ-CP", "Nghị quyết", "2020-04-17", "Chính phủ")
    b = KnownDocument("50/NQ-CP", "Nghị quyết", "2025-03-13", "Chính phủ")
    corrected = KnownDocument("50/NQ-CP", "Nghị quyết", "2020-04-18", "Chính phủ", source="manual")
    registry = Registry((a,)).merged(Registry((b,)))
    assert [d.date for d in registry.documents] == ["2020-04-17", "2025-03-13"]
    assert registry.get("50/NQ-CP", "2025-03-13") == b
    assert registry.get("50/NQ-CP", "2020-01-01") == a
    assert registry.get("50/NQ-CP", "2023-01-01") is None
    assert registry.get("50/NQ-CP") == b  # no date: the later layer
    assert [d.date for d in registry.merged(Registry((corrected,))).documents] == ["2025-03-13", "2020-04-18"]


def test_parent_slug_names_symbol_year_and_issuer():
    header = Header(issuer="UBND tỉnh Hưng Yên", number="87/KH-UBND", date="2023-05-23")
    assert parent_slug(header) == "87-kh-ubnd-2023-ubnd-tinh-hung-yen"
    other = Header(issuer="UBND tỉnh Bắc Ninh", number="87/KH-UBND", date="2023-03-02")
    assert parent_slug(other) == "87-kh-ubnd-2023-ubnd-tinh-bac-ninh"


@pytest.fixture()
def rules_copy(tmp_path, monkeypatch):
    target = tmp_path / "rules"
    shutil.copytree(rules_dir(), target)
    monkeypatch.setenv("HYCOMPLIANCE_RULES", str(target))
    return target


def test_reviewer_file_of_a_parent_applies_to_its_children_only(shared, rules_copy):
    hungyen, bacninh = parse_file(BUNDLED_PARENT), parse_file(BACNINH)
    path = parent_registry_path(hungyen.header)
    assert path == rules_copy / "registry" / "parents" / "87-kh-ubnd-2023-ubnd-tinh-hung-yen.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    manual = [KnownDocument("1568/QĐ-UBND", "Quyết định", "2022-07-12", "UBND tỉnh Hưng Yên"),
              KnownDocument("07-NQ/TU", "Nghị quyết", "2021-06-16", "Ban Chấp hành Đảng bộ tỉnh")]
    path.write_text(registry_yaml(Registry(), manual), encoding="utf-8")
    mine, theirs = parent_registry(hungyen), parent_registry(bacninh)
    assert mine.get("1568/QĐ-UBND").source == "manual" and theirs.get("1568/QĐ-UBND") is None
    assert mine.get("07-NQ/TU").date == "2021-06-16"  # the reviewer's correction wins over the plan's date


def test_legacy_known_documents_file_is_scoped_to_its_parent(shared, rules_copy):
    seeded = Registry((KnownDocument("07-NQ/TU", "Nghị quyết", "2021-06-15", "Tỉnh ủy", source="87/KH-UBND"),))
    extra = [KnownDocument("1/2024/NĐ-CP", "Nghị định", "2024-01-05", "Chính phủ")]
    (rules_copy / "known_documents.yaml").write_text(registry_yaml(seeded, extra), encoding="utf-8")
    bacninh = parent_registry(parse_file(BACNINH))
    assert bacninh.get("07-NQ/TU") is None
    assert bacninh.get("1/2024/NĐ-CP").date == "2024-01-05"  # legacy manual entries are shared
    assert parent_registry(parse_file(BUNDLED_PARENT)).get("07-NQ/TU").date == "2021-06-15"


def test_seed_parent_writes_the_parents_own_file(shared, rules_copy):
    from typer.testing import CliRunner

    from hycompliance.cli import _load_commands
    from hycompliance.cli.app import app

    _load_commands()
    result = CliRunner().invoke(app, ["refs", str(BACNINH), "--seed-parent"])
    assert result.exit_code == 0, result.output
    path = rules_copy / "registry" / "parents" / "144-kh-ubnd-2025-ubnd-tinh-bac-ninh.yaml"
    written = load_registry(path)
    assert written.get("17/KH-UBND").date == "2025-08-11" and written.get("07-NQ/TU") is None
