"""Decoding text bytes: BOMs, UTF-16 without BOM, cp1258, legacy TCVN3 and VNI, binary junk."""

from __future__ import annotations

import unicodedata

import pytest

from hycompliance.errors import Code, HyError
from hycompliance.ingest.encoding import decode_bytes, sniff_utf16
from hycompliance.ingest.legacy import (
    detect_legacy,
    tcvn3_to_unicode,
    unicode_to_tcvn3,
    unicode_to_vni,
    vni_to_unicode,
)
from tests.conftest import DEV, PROVINCIAL

SENTENCES = [
    "Kế hoạch thực hiện Nghị quyết số 29-NQ/TW ngày 17/11/2022 của Ban Chấp hành Trung ương Đảng",
    "Chương trình hành động số 34-CTr/TU ngày 15/02/2023 của Tỉnh ủy Hưng Yên",
    "tiếp tục đẩy mạnh công nghiệp hóa, hiện đại hóa đất nước đến năm 2030, tầm nhìn đến năm 2045",
    "Ủy ban nhân dân các huyện, thị xã, thành phố; các sở, ban, ngành chủ trì, phối hợp triển khai",
    "nâng cao chất lượng nguồn nhân lực, phát triển kết cấu hạ tầng đồng bộ, hiện đại",
    "Thủ trưởng các cơ quan, đơn vị; ưu tiên nguồn lực, bảo đảm quốc phòng, an ninh; giữ vững ổn định",
    "Tỷ trọng công nghiệp - xây dựng trong GRDP đạt khoảng 52-53%; thu nhập bình quân đầu người",
    "khuyến khích, hỗ trợ doanh nghiệp đổi mới sáng tạo, chuyển đổi số, ứng dụng khoa học và công nghệ",
]
LOWER_SENTENCES = [s.lower() for s in SENTENCES]


@pytest.mark.parametrize("sentence", SENTENCES)
def test_vni_round_trip(sentence: str) -> None:
    encoded = unicode_to_vni(sentence)
    assert encoded != sentence
    assert detect_legacy(encoded) == "vni"
    assert vni_to_unicode(encoded) == sentence


@pytest.mark.parametrize("sentence", SENTENCES)
def test_tcvn3_round_trip(sentence: str) -> None:
    # VN3 has no toned capitals: a .VnTime text holds them in lower case ("Ủy" is written "ñy").
    encoded = unicode_to_tcvn3(sentence)
    assert detect_legacy(encoded) == "tcvn3"
    decoded = tcvn3_to_unicode(encoded)
    assert decoded.lower() == sentence.lower()
    assert decoded == unicode_to_tcvn3_expected(sentence)


def unicode_to_tcvn3_expected(sentence: str) -> str:
    """What a VN3 round trip gives: toned capitals lower-cased, the seven VN3 capitals kept."""
    kept = set("ĂÂÊÔƠƯĐ")
    return "".join(ch if ch in kept or ch.lower() == ch or ch.isascii() else ch.lower() for ch in sentence)


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        # hand-written from the .VnTime / VNI-Times font charts
        ("KÕ ho¹ch sè 87/KH-UBND", "Kế hoạch số 87/KH-UBND"),
        ("§¶ng bé tØnh H\xadng Yªn", "Đảng bộ tỉnh Hưng Yên"),
        ("¡n ¢m £m ¤ ¥n ¦u §i", "Ăn Âm Êm Ô Ơn Ưu Đi"),
        ("n¨m 2023, ®Èy m¹nh, ­u tiªn", "năm 2023, đẩy mạnh, ưu tiên"),
    ],
)
def test_tcvn3_chart(legacy: str, expected: str) -> None:
    assert tcvn3_to_unicode(legacy) == expected


@pytest.mark.parametrize(
    ("legacy", "expected"),
    [
        ("Keá hoaïch soá 87/KH-UBND", "Kế hoạch số 87/KH-UBND"),
        ("Ñaûng boä tænh Höng Yeân", "Đảng bộ tỉnh Hưng Yên"),
        ("ÑAÛNG COÄNG SAÛN VIEÄT NAM", "ĐẢNG CỘNG SẢN VIỆT NAM"),
        ("naêm 2023, ñaåy maïnh, öu tieân, thôøi gian, möôøi", "năm 2023, đẩy mạnh, ưu tiên, thời gian, mười"),
        ("chæ ñaïo, ngheä só, Taøi lieäu, tyû leä, Nghò quyeát, kyø, yù kieán, hyõ, taêng, chuyeån", "chỉ đạo, nghệ sĩ, Tài liệu, tỷ lệ, Nghị quyết, kỳ, ý kiến, hỹ, tăng, chuyển"),
    ],
)
def test_vni_chart(legacy: str, expected: str) -> None:
    assert vni_to_unicode(legacy) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Kế hoạch thực hiện Nghị quyết số 29-NQ/TW",
        "Hoà bình, thuỷ lợi, quân đội, tiên tiến, khoẻ mạnh, hoá chất",  # oà oá uâ iê: ordinary Unicode
        "The plan is final. Café, naïve, señor, Zürich.",
        "El señor español y la niña pequeña comieron piñatas en España mañana año tras año.",
        "Über die Größe der Bäume hörten wir schöne Märchen, für Kinder gemütlich.",
        "Le garçon a reçu un cadeau à Noël; où est la forêt? Très près de l'hôpital.",
        "87/KH-UBND 2021-2025 12,5%",
        "",
    ],
)
def test_detect_legacy_none_on_unicode(text: str) -> None:
    assert detect_legacy(text) is None


@pytest.mark.parametrize("path", [PROVINCIAL.with_suffix(".txt"), *sorted(DEV.glob("*.txt"))], ids=lambda p: p.name)
def test_real_unicode_files_are_not_legacy(path) -> None:
    data = path.read_bytes()
    assert detect_legacy(data.decode("utf-8")) is None
    assert decode_bytes(data, str(path)) == data.decode("utf-8")


TEXT = SENTENCES[0] + "\n" + SENTENCES[1] + "\n"
# cp1258 has the toneless letters (â ă đ ê ô ơ ư) but only combining tone marks.
CP1258_TONES = "\u0300\u0301\u0303\u0309\u0323"


def to_cp1258(text: str) -> bytes:
    """Encode as Windows-1258 the way Vietnamese Windows does: toneless letter + combining tone."""
    out = bytearray()
    for ch in text:
        decomposed = unicodedata.normalize("NFD", ch)
        tones = "".join(c for c in decomposed if c in CP1258_TONES)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in CP1258_TONES))
        out += (base + tones).encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (TEXT.encode("utf-8"), TEXT),
        (b"\xef\xbb\xbf" + TEXT.encode("utf-8"), TEXT),
        (TEXT.encode("utf-16"), TEXT),  # with BOM, native order
        (b"\xff\xfe" + TEXT.encode("utf-16-le"), TEXT),
        (b"\xfe\xff" + TEXT.encode("utf-16-be"), TEXT),
        (TEXT.encode("utf-16-le"), TEXT),  # BOM-less, found by NUL pattern
        (TEXT.encode("utf-16-be"), TEXT),
        (TEXT.encode("utf-32"), TEXT),
        (to_cp1258(TEXT), TEXT),  # Windows Vietnamese: not UTF-8
        (unicode_to_vni(TEXT).encode("cp1252"), TEXT),  # VNI bytes
        (unicode_to_vni(TEXT).encode("utf-8"), TEXT),  # VNI text pasted into a UTF-8 file
        (unicode_to_tcvn3(TEXT).encode("cp1252"), unicode_to_tcvn3_expected(TEXT)),  # TCVN3 bytes
        (unicode_to_tcvn3(TEXT).encode("utf-8"), unicode_to_tcvn3_expected(TEXT)),
        ("Kê\u0301 hoa\u0323ch".encode("utf-8"), "Kế hoạch"),  # NFD → NFC
    ],
    ids=[
        "utf8", "utf8-bom", "utf16-bom", "utf16le-bom", "utf16be-bom", "utf16le-nobom", "utf16be-nobom",
        "utf32", "cp1258", "vni-bytes", "vni-in-utf8", "tcvn3-bytes", "tcvn3-in-utf8", "nfd",
    ],
)
def test_decode_bytes(data: bytes, expected: str) -> None:
    assert decode_bytes(data, "plan.txt") == expected


@pytest.mark.parametrize(
    "data",
    [
        bytes(range(256)) * 4,
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00" * 50,
        b"\x00" * 1000,
        bytes((i * 7919) % 256 for i in range(5000)),
    ],
    ids=["all-bytes", "png-header", "nuls", "pseudo-random"],
)
def test_decode_bytes_refuses_binary(data: bytes) -> None:
    with pytest.raises(HyError) as info:
        decode_bytes(data, "junk.txt")
    assert info.value.code is Code.E112_BINARY
    assert info.value.line().startswith("junk.txt: E112 ")


def test_decode_bytes_bad_utf16_after_bom() -> None:
    with pytest.raises(HyError) as info:
        decode_bytes(b"\xff\xfe" + "Kế".encode("utf-16-le") + b"\x00\xd8", "bad.txt")
    assert info.value.code is Code.E113_ENCODING
    assert info.value.line().startswith("bad.txt: E113 ")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Số 87/KH-UBND".encode("utf-16-le"), "utf-16-le"),
        ("Số 87/KH-UBND".encode("utf-16-be"), "utf-16-be"),
        ("Số 87/KH-UBND".encode("utf-8"), None),
        (b"ab", None),
    ],
)
def test_sniff_utf16(data: bytes, expected: str | None) -> None:
    assert sniff_utf16(data) == expected
