"""Reference extraction on real strings from the provincial plan, the dev plans and the real corpus."""

from __future__ import annotations

import json
import re

import pytest

from hycompliance.references import extract, parse_key
from hycompliance.references.extract import canonical_key

from tests.conftest import DEV, REAL, SHARED
from tests.registries import registry_87

PROVINCIAL = SHARED / "provincial" / "87-KH-UBND-2023.txt"

# Every numbered reference of Kế hoạch 87/KH-UBND with its date (the plan's own number first).
PROVINCIAL_REFERENCES = {
    "87/KH-UBND": "2023-05-23",
    "34-CTr/TU": "2023-02-15",
    "29-NQ/TW": "2022-11-17",
    "07-NQ/TU": "2021-06-15",
    "19-NQ/TW": "2022-06-16",
    "09-NQ/TU": "2021-06-15",
    "108/KH-UBND": "2022-06-02",
    "12-NQ/TU": "2021-10-08",
    "31-NQ/TU": "2022-08-12",
    "06-NQ/TU": "2021-06-15",
    "62/KH-UBND": "2021-04-27",
    "50/NQ-CP": "2020-04-17",
    "43-CTr/TU": "2020-09-18",
    "52-NQ/TW": "2019-09-27",
    "57/KH-UBND": "2021-04-09",
    "696/QĐ-TTg": "2020-05-25",
    "188-KH/TU": "2019-11-04",
    "50-KL/TW": "2019-05-30",
    "2209/QĐ-UBND": "2021-09-22",
    "1130/QĐ-UBND": "2022-05-25",
    "196/KH-UBND": "2022-12-05",
    "129/KH-UBND": "2019-10-17",
    "101/KH-UBND": "2021-06-30",
    "197/KH-UBND": "2022-12-05",
    "142/KH-UBND": "2021-09-16",
    "10-NQ/TU": "2021-06-28",
    "27-NQ/TU": "2021-07-28",
    "55/KH-UBND": "2022-03-28",
    "48-KL/TW": "2023-01-30",
    "29-NQ/TU": "2022-07-05",
    "2609/QĐ-UBND": "2022-11-09",
    "223-KL/TU": "2021-06-24",
    "25-CT/TU": "2022-03-14",
    "28-CT/TU": "2022-08-10",
    "31-CT/TU": "2022-11-17",
    "12/CT-UBND": "2021-09-23",
    "08-NQ/TU": "2021-06-15",
    "15/KH-UBND": "2022-01-15",
}


def _norm(s: str) -> str:
    return " ".join(s.split())


@pytest.fixture(scope="module")
def provincial_text(shared) -> str:
    return PROVINCIAL.read_text(encoding="utf-8")


def test_every_numbered_reference_of_the_provincial_plan_is_found_with_its_date(provincial_text):
    dated = {(c.key, c.date) for c in extract(provincial_text) if c.key and c.date}
    assert set(PROVINCIAL_REFERENCES.items()) <= dated
    # 29/NQ-CP is the plan's own slip (IV.9), the only dated key beyond the list above.
    assert {k for k, _ in dated} - set(PROVINCIAL_REFERENCES) == {"29/NQ-CP"}


# (text as printed, key, ISO date, type, issuer code, as_written)
MESSY = [
    ("theo Nghị quyết số 07- NQ/TU ngày 15/6/2021 của Ban Chấp hành Đảng bộ tỉnh khóa",
     "07-NQ/TU", "2021-06-15", "Nghị quyết", "TU", "Nghị quyết số 07- NQ/TU ngày 15/6/2021"),
    ("Nghị quyết số 29-\nNQ/TW ngày 17/11/2022 của Ban", "29-NQ/TW", "2022-11-17", "Nghị quyết", "TW",
     "Nghị quyết số 29-\nNQ/TW ngày 17/11/2022"),
    ("HIỆN CHƯƠNG TRÌNH HÀNH ĐỘNG SỐ 34-CTR/TU NGÀY 15/02/2023 CỦA TỈNH ỦY", "34-CTr/TU", "2023-02-15",
     "Chương trình hành động", "TU", "CHƯƠNG TRÌNH HÀNH ĐỘNG SỐ 34-CTR/TU NGÀY 15/02/2023"),
    ("gắn với các Chỉ thị của Ban Thường vụ Tỉnh ủy: sô\n25-CT/TU ngày 14/3/2022 về tăng cường", "25-CT/TU",
     "2022-03-14", "Chỉ thị", "TU", "sô\n25-CT/TU ngày 14/3/2022"),
    ("Nghị quyết số 19-NQ/TW, ngày 16/6/2022, Hội\nnghị lần thứ năm Ban Chấp hành Trung ương Đảng khóa XIII",
     "19-NQ/TW", "2022-06-16", "Nghị quyết", "TW", "Nghị quyết số 19-NQ/TW, ngày 16/6/2022"),
    ("Kế hoạch thực hiện Chương trình hành động số 34-CTr/TU ngày 15 tháng 02 năm 2023 của Tỉnh ủy",
     "34-CTr/TU", "2023-02-15", "Chương trình hành động", "TU",
     "Chương trình hành động số 34-CTr/TU ngày 15 tháng 02 năm 2023"),
    ("theo Nghị định số 30/2020/NĐ-CP ngày 05-3-2020 của Chính phủ về công tác văn thư", "30/2020/NĐ-CP",
     "2020-03-05", "Nghị định", "CP", "Nghị định số 30/2020/NĐ-CP ngày 05-3-2020"),
    ("Luật số 60/2024/QH15 ngày 30/11/2024", "60/2024/QH15", "2024-11-30", "Luật", "QH15",
     "Luật số 60/2024/QH15 ngày 30/11/2024"),
    ("Kế hoạch số 3260-KH/ĐĐQH15 ngày 19/11/2025 của Đảng đoàn Quốc hội", "3260-KH/ĐĐQH15", "2025-11-19",
     "Kế hoạch", "ĐĐQH15", "Kế hoạch số 3260-KH/ĐĐQH15 ngày 19/11/2025"),
    ("Quyết định 696/QĐ-TTg ngày 25/5/2020 của Thủ tướng Chính phủ", "696/QĐ-TTg", "2020-05-25", "Quyết định",
     "TTg", "Quyết định 696/QĐ-TTg ngày 25/5/2020"),
    ("QĐ số 1568/QĐ-UBND ngày 12/7/2022 của UBND tỉnh", "1568/QĐ-UBND", "2022-07-12", "Quyết định", "UBND",
     "QĐ số 1568/QĐ-UBND ngày 12/7/2022"),
    ("Công văn số 5/VPCP-NN ngày 02/01/2025", "5/VPCP-NN", "2025-01-02", "Công văn", "VPCP-NN",
     "Công văn số 5/VPCP-NN ngày 02/01/2025"),
]


@pytest.mark.parametrize("text,key,date,doc_type,issuer_code,as_written", MESSY)
def test_messy_mentions(text, key, date, doc_type, issuer_code, as_written):
    (c,) = [c for c in extract(text) if c.key]
    assert (c.key, c.date, c.type, c.issuer_code, c.as_written) == (key, date, doc_type, issuer_code, as_written)
    assert text[c.start : c.end] == c.as_written


def test_lists_share_the_type_word_and_issuer():
    text = (
        "các Quyết định của UBND tỉnh: số 2209/QĐ-UBND ngày 22/9/2021 phê\nduyệt Chương trình phát triển "
        "thị trường; số 1130/QĐ-UBND ngày 25/5/2022 ban hành Chương trình hỗ trợ"
    )
    got = [(c.key, c.type, c.date, c.issuer, _norm(c.as_written)) for c in extract(text)]
    assert got == [
        ("2209/QĐ-UBND", "Quyết định", "2021-09-22", "UBND tỉnh", "số 2209/QĐ-UBND ngày 22/9/2021"),
        ("1130/QĐ-UBND", "Quyết định", "2022-05-25", "UBND tỉnh", "số 1130/QĐ-UBND ngày 25/5/2022"),
    ]


def test_symbol_decides_the_type_not_the_nearest_word():
    (c,) = extract("UBND tỉnh xây dựng Kế hoạch thực hiện Chương trình hành động số 34-CTr/TU ngày 15/02/2023")
    assert (c.key, c.type, c.system) == ("34-CTr/TU", "Chương trình hành động", "party")


MIXED = [
    # State form with a Party issuer: read as the Party document, flagged
    ("Chương trình hành động số 34/CTr-TU ngày 15/02/2023 của Tỉnh ủy", "34-CTr/TU", ("wrong_symbol_format",)),
    # State form, State issuer: well formed (the stated issuer contradiction is the linter's)
    ("Nghị quyết số 29/NQ-CP ngày 17/11/2022 của Ban Chấp hành trung ương Đảng", "29/NQ-CP", ()),
    # Party form with a State issuer
    ("Nghị quyết số 50-NQ/CP ngày 17/4/2020 của Chính phủ", "50/NQ-CP", ("wrong_symbol_format",)),
]


@pytest.mark.parametrize("text,key,flags", MIXED)
def test_mixed_forms(text, key, flags):
    (c,) = extract(text)
    assert (c.key, c.flags) == (key, flags)


NAMED = [
    ("Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng, Nghị quyết Đại hội",
     "Nghị quyết Đại hội đại biểu toàn quốc lần thứ XIII của Đảng", "Nghị quyết", "TW"),
    ("Nghị quyết Đại hội\nXIX Đảng bộ tỉnh, Chương trình", "Nghị quyết Đại hội\nXIX Đảng bộ tỉnh", "Nghị quyết", "TU"),
    ("tiếp tục thực hiện Nghị quyết Trung\nương 6 khoá XI về phát triển KH&CN", "Nghị quyết Trung\nương 6 khoá XI",
     "Nghị quyết", "TW"),
    ("theo Quy hoạch tỉnh Hưng Yên thời kỳ 2021 -\n2030, tầm nhìn đến năm 2050", 
     "Quy hoạch tỉnh Hưng Yên thời kỳ 2021 -\n2030, tầm nhìn đến năm 2050", "Quy hoạch", None),
]


@pytest.mark.parametrize("text,as_written,doc_type,issuer_code", NAMED)
def test_named_documents_have_no_key(text, as_written, doc_type, issuer_code):
    (c,) = [c for c in extract(text) if c.key is None]
    assert (c.as_written, c.type, c.issuer_code, c.key) == (as_written, doc_type, issuer_code, None)


SHORT = [
    # resolved within the text
    ("Nghị quyết số 29-NQ/TW ngày 17/11/2022. Quán triệt Nghị quyết 29 tới cán bộ", "Nghị quyết 29", "29-NQ/TW", ()),
    ("Chương trình hành động số 34-CTr/TU ngày 15/02/2023; thực hiện CTr 34 của Tỉnh ủy", "CTr 34", "34-CTr/TU", ()),
    # resolved against the registry, the stated issuer choosing between 10-NQ/TU and nothing else
    ("thực hiện NQ số 10 của BCH Đảng bộ tỉnh về giao thông", "NQ số 10", "10-NQ/TU", ()),
    ("theo Kế hoạch số 87 của UBND tỉnh", "Kế hoạch số 87", "87/KH-UBND", ()),
    # two documents share number and type: not guessed
    ("Nghị quyết số 29-NQ/TW, Nghị quyết số 29-NQ/TU ngày 05/7/2022 và Nghị quyết 29", "Nghị quyết 29", None,
     ("ambiguous_short_form",)),
    ("quán triệt Nghị quyết số 29 tới cán bộ", "Nghị quyết số 29", None, ("ambiguous_short_form",)),
    # nothing resolves it
    ("theo Quyết định số 4711 của UBND tỉnh", "Quyết định số 4711", None, ("ambiguous_short_form",)),
]


@pytest.mark.parametrize("text,as_written,key,flags", SHORT)
def test_short_forms(text, as_written, key, flags):
    registry = registry_87()
    (c,) = [c for c in extract(text, registry=registry) if c.as_written == as_written]
    assert (c.key, c.flags) == (key, flags)


def test_plan_names_itself():
    text = "Số: 112/KH-UBND    Văn Lâm, ngày 16 tháng 6 năm 2023\nKế hoạch số 87/KH-UBND và Kế hoạch này đến toàn thể"
    cits = extract(text)
    assert [(c.key, c.date, _norm(c.as_written)) for c in cits] == [
        ("112/KH-UBND", "2023-06-16", "Số: 112/KH-UBND"),
        ("87/KH-UBND", None, "Kế hoạch số 87/KH-UBND"),
        ("112/KH-UBND", "2023-06-16", "Kế hoạch này"),
    ]


def test_not_references():
    text = "Kế hoạch 5 năm 2021-2025; tăng 15/20 chỉ tiêu; xem https://x.vn/123/tai-lieu; 12/CT chưa đủ"
    assert extract(text) == []


@pytest.mark.parametrize("printed,key", [("34-CTR/TU", "34-CTr/TU"), ("30/2020/ND-CP", "30/2020/NĐ-CP"),
                                         ("60/2024/QH15", "60/2024/QH15"), ("3260-KH/DDQH15", "3260-KH/ĐĐQH15")])
def test_canonical_key(printed, key):
    assert canonical_key(printed) == key
    assert parse_key(key) is not None


def _dev(name: str) -> tuple[dict, str]:
    return json.loads((DEV / f"{name}.json").read_text(encoding="utf-8")), (DEV / f"{name}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", ["myhao-kh-2023", "phucu-kh-2023", "soct-kh-2023", "sokhcn-kh-2023", "vanlam-kh-2023"])
def test_dev_plans_every_gold_reference_is_found(shared, name):
    gold, text = _dev(name)
    cits = extract(text, registry=registry_87())
    written = {_norm(c.as_written) for c in cits}
    keys = {c.key for c in cits if c.key}
    own = parse_key(gold["number"]) and gold["number"]
    for ref in gold["references"]:
        assert ref["key"] in keys, ref
        assert _norm(ref["as_written"]) in written or any(e["error"] for e in gold["planted_errors"]), ref
    for err in gold["planted_errors"]:
        assert _norm(err["as_written"]) in written, err
    # Nothing numbered beyond the gold list, the plan's own number, and the miswritten forms of gold keys.
    miswritten = {canonical_key(e["as_written"]) for e in gold["planted_errors"]}
    extra = keys - {r["key"] for r in gold["references"]} - {own} - miswritten
    assert extra == set(), extra


# An independent, plain symbol pattern (known type codes only, outside URLs) to measure recall against.
PLAIN_SYMBOL = re.compile(
    r"(?<![\w/.-])\d{1,5}(?:\.\d)?(?:/\d{4})?\s?[-/]\s?(?:NQ|QĐ|KH|CTr|CT|KL|TB|HD|NĐ|TT|ĐA|TTr|BC)[-/][A-ZĐ][A-ZĐa-z0-9]*"
)


def test_real_corpus_runs_through_extract(shared):
    files = sorted(p for p in REAL.rglob("*") if p.is_file() and p.suffix in (".txt", ".md") and p.name != "README.md")
    assert len(files) >= 115
    plain = found = numbered = 0
    for p in files:
        text = p.read_text(encoding="utf-8")
        spans = [(c.start, c.end) for c in extract(text) if c.key]
        numbered += len(spans)
        for m in PLAIN_SYMBOL.finditer(text):
            plain += 1
            found += any(s <= m.start() < e for s, e in spans)
    print(f"\nreal corpus: {len(files)} files, {numbered} numbered references; plain symbols found {found}/{plain}")
    assert plain > 1000
    assert found == plain


TITLED = [
    ("Nghị quyết số 03/NQ-CP ngày 09/01/2025 của Chính phủ về ban hành Chương trình hành động của Chính phủ thực hiện "
     "Nghị quyết số 57-NQ/TW ngày 22/12/2024 của Bộ Chính trị",
     [("03/NQ-CP", None), (None, "Chương trình hành động của Chính phủ"), ("57-NQ/TW", None)]),
    ("Kế hoạch hành động của Ban Thường vụ Thành ủy Hà Nội về triển khai Nghị quyết số 57-NQ/TW ngày 22/12/2024",
     [(None, "Kế hoạch hành động của Ban Thường vụ Thành ủy"), ("57-NQ/TW", None)]),
    # no numbered document after it: not a title naming one
    ("xây dựng Chương trình hành động của Chính phủ trong năm tới", []),
]


@pytest.mark.parametrize("text,expected", TITLED)
def test_numbered_document_inside_the_title_of_another(text, expected):
    got = [(c.key, None if c.key else c.as_written) for c in extract(text)]
    assert got == expected
