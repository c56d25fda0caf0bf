"""The coverage stage: shared words and where they stand, target comparisons, verdicts, the coverage
percent, requirement identity. Expected values are written out by hand from the strings."""

from __future__ import annotations

import pytest

from hycompliance.coverage import (
    compare_target, coverage, normalised_text, period_values, requirement_hash, shared_words, verdict, word_spans,
)
from hycompliance.models import Clause, Header, Plan, Requirement, Target, TargetValue
from hycompliance.text import load_lexicon, make_lexicon


def _marked(text: str, spans) -> list[str]:
    return [text[s:e] for s, e in spans]


@pytest.mark.parametrize(
    "requirement, clause, marked",
    [
        # "trọng" and "cơ" are content syllables of real words, not function words
        ("Chú trọng phát triển cơ sở hạ tầng giao thông", "Chú trọng đầu tư cơ sở hạ tầng giao thông nông thôn",
         ["Chú trọng", "cơ sở hạ tầng", "giao thông"]),
        # abbreviations are expanded on both sides and the abbreviation as printed is marked
        ("Đẩy mạnh cải cách hành chính, giảm thủ tục hành chính", "Tiếp tục đẩy mạnh CCHC, rà soát TTHC",
         ["CCHC", "TTHC"]),
        ("Phát triển các khu công nghiệp", "Quy hoạch các KCN tập trung", ["KCN"]),
        # a number and administrative words are not shared wording
        ("Sở Công Thương hoàn thành năm 2023 việc", "Sở giao việc năm 2023 cho công chức", []),
        ("Tổ chức quán triệt", "Đầu tư hạ tầng", []),
    ],
)
def test_shared_words_are_marked_where_written(requirement, clause, marked):
    lex = load_lexicon()
    words = shared_words(Requirement("III.1.1", "task", requirement), clause, lex)
    spans = word_spans(clause, words, lex)
    assert _marked(clause, spans) == marked
    assert all(0 <= s < e <= len(clause) for s, e in spans)


def test_spans_with_a_hand_made_lexicon():
    lex = make_lexicon({"CNH": "công nghiệp hóa"}, [], {})
    text = "Đẩy mạnh CNH gắn với công nghiệp hóa nông thôn"
    # "công nghiệp" is written once in full and once inside the abbreviation
    assert _marked(text, word_spans(text, ["công nghiệp"], lex)) == ["CNH", "công nghiệp"]
    assert word_spans(text, ["hiện đại"], lex) == ()


def _target_plan(cells: tuple[str, ...]) -> tuple[Plan, Clause]:
    header = ("STT", "Chỉ tiêu", "Đơn vị tính", "Giai đoạn 2021-2025", "Giai đoạn 2026-2030")
    table = Clause("II.2.T1", "", "table", "", 1, 0, 10, parent="II.2", cells=header)
    row = Clause("II.2.2.1", "", "row", " | ".join(cells), 1, 0, 10, parent="II.2.T1", cells=cells)
    return Plan("x.txt", "txt", Header(), (table, row), "", 1), row


def test_period_values_follow_the_column_headers():
    # a sub-row has an empty number cell; a bare "100" is a value, not a row number
    plan, row = _target_plan(("", "- Nông nghiệp, thủy sản", "%", "100", "2,0"))
    assert period_values(plan, row) == {"2021-2025": "100", "2026-2030": "2,0"}


@pytest.mark.parametrize(
    "cells, verdicts",
    [
        (("1", "Tốc độ tăng trưởng", "%/năm", "9,0 - 9,5", "Khoảng 9,5"), ["higher", "higher"]),  # 9,25 > 8; 9,5 > 9
        (("1", "Tốc độ tăng trưởng", "%/năm", "8", "Dưới 9"), ["equal", "equal"]),
        (("1", "Tốc độ tăng trưởng", "%/năm", "7,5", ""), ["lower", "unknown"]),
    ],
)
def test_target_compared_per_period(cells, verdicts):
    target = Target("Tốc độ tăng trưởng", "%/năm", (
        TargetValue("2021-2025", "khoảng", 8.0, None, "Khoảng 8%"), TargetValue("2026-2030", "khoảng", 9.0, None, "Khoảng 9%")))
    req = Requirement("II.2.1", "target", "Tốc độ tăng trưởng", target=target)
    plan, row = _target_plan(cells)
    got = compare_target(req, period_values(plan, row))
    assert [t.verdict for t in got] == verdicts
    assert [t.province for t in got] == ["Khoảng 8%", "Khoảng 9%"]


@pytest.mark.parametrize(
    "finals, percent, applicable",
    [
        (["covered", "covered", "missing", "partial"], 62.5, 4),  # (2 + 0.5) / 4
        (["justified", "missing", "n/a"], 50.0, 2),  # n/a leaves the denominator
        (["covered", "none", "partial"], 50.0, 3),  # (1 + 0.5) / 3
        (["n/a"], None, 0),
    ],
)
def test_coverage_percent(finals, percent, applicable):
    result = coverage(finals)
    assert (result.percent, result.applicable) == (percent, applicable)


@pytest.mark.parametrize(
    "status, applicable, review, stale, expected",
    [
        ("missing", True, None, False, "missing"),
        ("missing", False, None, False, "n/a"),
        ("missing", True, "justified", False, "justified"),
        ("missing", True, "justified", True, "missing"),  # a stale decision no longer counts
        (None, True, None, False, "none"),
    ],
)
def test_verdict(status, applicable, review, stale, expected):
    assert verdict(status, applicable, review, stale) == expected


def test_identity_ignores_layout_but_not_content():
    a = Requirement("III.3.2", "task", "Đẩy mạnh  cải cách hành chính;\ncải thiện PCI.")
    moved = Requirement("III.3.3", "task", "đẩy mạnh cải cách hành chính, cải thiện PCI")
    changed = Requirement("III.3.2", "task", "Đẩy mạnh cải cách hành chính; cải thiện chỉ số PCI.")
    assert requirement_hash(a) == requirement_hash(moved)  # position and punctuation are not identity
    assert requirement_hash(a) != requirement_hash(changed)
    assert normalised_text("Hoà  bình") == normalised_text("hòa bình")  # old and new tone placement


def test_every_error_code_has_a_vietnamese_message():
    from hycompliance.errors import MESSAGES, MESSAGES_VI

    assert set(MESSAGES_VI) == set(MESSAGES)
