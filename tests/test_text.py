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


@pytest.mark.parametrize(
    "text, keys",
    [
        ("Quán triệt NQ 29, CTr 34 và KH 87 tới CB, ĐV, CC, VC, NLĐ", ("nq29", "ctr34", "kh87")),
        ("Thực hiện NQ số 07 của BCH Đảng bộ tỉnh; tổ chức thực hiện KL 48", ("nq7", "kl48")),
        ("Thực hiện NQ số 29-NQ/TU ngày 05/7/2022", ()),  # written in full: a reference, not a short form
        ("KH sử dụng đất năm 2025", ()),  # "KH" without a number
    ],
)
def test_short_reference_keys(text, keys):
    from hycompliance.text import short_reference_keys

    assert short_reference_keys(text) == keys


@pytest.mark.parametrize(
    "printed, short",
    [("29-NQ/TW", "nq29"), ("07- NQ/TU", "nq7"), ("34-CTr/TU", "ctr34"), ("87/KH-UBND", "kh87"),
     ("223-KL/TU", "kl223"), ("2609/QĐ-UBND", "qd2609"), ("12/CT-UBND", "ct12")],
)
def test_short_key_of_full_references(printed, short):
    from hycompliance.text import key_of, short_key

    assert short_key(key_of(printed)) == short


@pytest.mark.parametrize(
    "text, expected",
    [
        ("bố trí quỹ đất xây dựng NOXH cho CN, NLĐ", "bố trí quỹ đất xây dựng nhà ở xã hội cho công nhân, người lao động"),
        ("Tỷ trọng CN-XD trong cơ cấu kinh tế", "Tỷ trọng công nghiệp - xây dựng trong cơ cấu kinh tế"),
        ("xây dựng NTM nâng cao", "xây dựng nông thôn mới nâng cao"),
        ("Cải thiện MTĐT-KD, đẩy mạnh CCHC", "Cải thiện môi trường đầu tư kinh doanh, đẩy mạnh cải cách hành chính"),
        ("Trung tâm DVVL tỉnh", "Trung tâm dịch vụ việc làm tỉnh"),
    ],
)
def test_administrative_abbreviations(text, expected):
    from hycompliance.text import expand_abbreviations, load_lexicon

    assert expand_abbreviations(text, load_lexicon()) == expected
