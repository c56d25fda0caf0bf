"""Vietnamese tokens for matching: normalisation, references, abbreviations, terms, weights."""

from __future__ import annotations

import pytest

from hycompliance.text import (
    expand_abbreviations,
    key_of,
    load_lexicon,
    normalize,
    protect_references,
    reference_keys,
    terms,
    words,
)


@pytest.fixture(scope="module")
def lex():
    return load_lexicon()


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("hoà bình", "hòa bình"),
        ("Uỷ ban nhân dân", "Ủy ban nhân dân"),
        ("thuỷ lợi,  sức khoẻ", "thủy lợi, sức khỏe"),
        ("công nghiệp hoá, hiện đại hoá", "công nghiệp hóa, hiện đại hóa"),
        ("quý, hoàng", "quý, hoàng"),
        ("Hu\u031bng Yên", "Hưng Yên"),  # decomposed ư -> NFC
        ("Số:\u00a087/KH-UBND", "Số: 87/KH-UBND"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    "text, keys",
    [
        ("theo Nghị quyết số 07- NQ/TU ngày 15/6/2021", ("07-NQ/TU",)),
        ("Kế hoạch số 87/KH-UBND ngày 23/5/2023", ("87/KH-UBND",)),
        ("Chương trình hành động số 34/CTr-TU", ("34/CTr-TU",)),
        ("Nghị định 13/2023/NĐ-CP", ("13/2023/NĐ-CP",)),
        ("giai đoạn 2021-2025, ngày 15/6/2021", ()),
    ],
)
def test_reference_keys(text, keys):
    assert reference_keys(text) == keys


def test_loose_keys_agree_across_formatting():
    assert key_of("07-NQ/TU") == key_of("7-NQ/TU") == "7nqtu"
    assert key_of("34-CTr/TU") == key_of("34/CTr-TU") == "34ctrtu"


def test_references_protected_from_segmentation():
    body, keys = protect_references("Thực hiện Nghị quyết số 29-NQ/TW và Kết luận số 48-KL/TW")
    assert keys == ("29nqtw", "48kltw")
    assert "NQ" not in body and "KL/TW" not in body


@pytest.mark.parametrize(
    "text, expanded",
    [
        ("đẩy mạnh CNH, HĐH", "đẩy mạnh công nghiệp hóa, hiện đại hóa"),
        ("hạ tầng các KCN, CCN", "hạ tầng các khu công nghiệp, cụm công nghiệp"),
        ("phát triển KT-XH", "phát triển kinh tế - xã hội"),
        ("ứng dụng KH&CN, ĐMST", "ứng dụng khoa học và công nghệ, đổi mới sáng tạo"),
        ("Sở NN&PTNT", "Sở nông nghiệp và phát triển nông thôn"),
        ("đẩy mạnh CCHC, TTHC", "đẩy mạnh cải cách hành chính, thủ tục hành chính"),
        ("CNTT và KCNx", "công nghệ thông tin và KCNx"),  # whole tokens only
    ],
)
def test_abbreviations(lex, text, expanded):
    assert expand_abbreviations(text, lex) == expanded


def test_words_drop_function_words_and_numbers(lex):
    assert words("Phát triển các khu công nghiệp của tỉnh đến năm 2030", lex) == ("phát triển", "khu", "công nghiệp")


def test_abbreviated_and_spelled_out_text_share_terms(lex):
    short = set(terms("Phát triển TMĐT, kinh tế số; hỗ trợ DN", lex))
    full = set(terms("phát triển thương mại điện tử, kinh tế số; hỗ trợ doanh nghiệp", lex))
    assert short == full


def test_old_and_new_tone_marks_give_the_same_terms(lex):
    assert terms("công nghiệp hoá, hiện đại hoá", lex) == terms("công nghiệp hóa, hiện đại hóa", lex)


@pytest.mark.parametrize(
    "term, weight",
    [("thực hiện", 0.15), ("nghiêm túc", 0.1), ("khu", 1.0), ("~khu", 0.5), ("ref:10nqtu", 1.0)],
)
def test_boilerplate_weights(lex, term, weight):
    assert lex.weight(term) == weight
