"""Bytes of a text file → Unicode NFC text, whatever the office saved it as.

Order of decisions (first that applies wins):

1. a byte-order mark: UTF-8, UTF-16 LE/BE (and UTF-32, which some exporters write);
2. BOM-less UTF-16, recognised by NUL bytes at every other position (ASCII-heavy text);
3. binary junk (many NULs or control bytes) → ``E112``;
4. strict UTF-8; if that fails, the bytes are 8-bit: cp1258 (Windows Vietnamese) unless they are legacy;
5. legacy TCVN3/VNI, detected statistically in the text (see ``legacy.detect_legacy``) and converted;
6. NFC.

>>> decode_bytes("Kế hoạch".encode("utf-16"), "a.txt")
'Kế hoạch'
>>> decode_bytes("KÕ ho¹ch thùc hiÖn NghÞ quyÕt".encode("cp1252"), "a.txt")
'Kế hoạch thực hiện Nghị quyết'
"""

from __future__ import annotations

import codecs
import unicodedata

from hycompliance.errors import Code, HyError
from hycompliance.ingest.legacy import DETECT_SAMPLE_CHARS, better_reading, detect_legacy, measure, to_unicode

# Byte-order marks, longest first (the UTF-32 LE mark starts with the UTF-16 LE one).
BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# How many leading bytes the statistical checks look at.
SNIFF_BYTES = 64 * 1024
# BOM-less UTF-16: share of NULs at one parity (ASCII letters, digits, spaces have a NUL high byte;
# Vietnamese letters U+1EA0.. do not, so the share is well below 1) and the most the other parity may have.
UTF16_MIN_NUL_SHARE = 0.3
UTF16_MAX_OTHER_NUL_SHARE = 0.02
# Bytes that never occur in text: C0 controls except tab, LF, VT, FF, CR, and ESC/SUB used by old
# editors. A text with more than this share of them is binary.
TEXT_CONTROLS = frozenset(b"\t\n\x0b\x0c\r\x1a\x1b")
MAX_CONTROL_SHARE = 0.02
# Once decoded, the same limit on control characters (a UTF-16 decode of binary data).
MAX_DECODED_CONTROL_SHARE = 0.02


def decode_bytes(data: bytes, path: str) -> str:
    """Decode a text file's bytes to NFC Unicode, converting legacy TCVN3/VNI; ``E112`` on binary data.

    >>> decode_bytes(b"\\xef\\xbb\\xbfS\\xe1\\xbb\\x91: 87/KH-UBND", "a.txt")
    'Số: 87/KH-UBND'
    >>> decode_bytes("Hưng Yên".encode("cp1258"), "a.txt")
    'Hưng Yên'
    """
    text = _decode_unicode_forms(data, path)
    if text is None:
        _refuse_binary(data, path)
        text = _decode_8bit(data)
    _refuse_binary_text(text, path)
    legacy = detect_legacy(text)
    if legacy is not None:
        text = to_unicode(text, legacy)
    return unicodedata.normalize("NFC", text)


def _decode_unicode_forms(data: bytes, path: str) -> str | None:
    """Text if ``data`` carries a BOM or looks like BOM-less UTF-16, else ``None``."""
    for bom, codec in BOMS:
        if data.startswith(bom):
            return _strict(data[len(bom):], codec, path)
    codec = sniff_utf16(data)
    if codec is not None:
        return _strict(data, codec, path)
    return None


def _strict(data: bytes, codec: str, path: str) -> str:
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        raise HyError(Code.E113_ENCODING, path=path, detail=f"invalid {codec} at byte {exc.start}") from None


def sniff_utf16(data: bytes) -> str | None:
    """``"utf-16-le"``/``"utf-16-be"`` when NUL bytes sit at one parity only, else ``None``.

    >>> sniff_utf16("Số 87".encode("utf-16-le"))
    'utf-16-le'
    >>> sniff_utf16("Số 87".encode("utf-8")) is None
    True
    """
    head = data[:SNIFF_BYTES]
    head = head[: len(head) - len(head) % 2]
    if len(head) < 4:
        return None
    half = len(head) // 2
    even_nuls = head[0::2].count(0) / half
    odd_nuls = head[1::2].count(0) / half
    if odd_nuls >= UTF16_MIN_NUL_SHARE and even_nuls <= UTF16_MAX_OTHER_NUL_SHARE:
        return "utf-16-le"
    if even_nuls >= UTF16_MIN_NUL_SHARE and odd_nuls <= UTF16_MAX_OTHER_NUL_SHARE:
        return "utf-16-be"
    return None


def looks_binary(data: bytes) -> bool:
    """True when the leading bytes hold a notable share of NUL and other control bytes.

    >>> looks_binary(b"\\x89PNG\\r\\n\\x1a\\n\\x00\\x00\\x00\\rIHDR")
    True
    >>> looks_binary("Kế hoạch\\n".encode())
    False
    """
    head = data[:SNIFF_BYTES]
    if not head:
        return False
    controls = sum(1 for b in head if b < 0x20 and b not in TEXT_CONTROLS)
    return controls / len(head) > MAX_CONTROL_SHARE


def _refuse_binary(data: bytes, path: str) -> None:
    if looks_binary(data):
        raise HyError(Code.E112_BINARY, path=path)


def _refuse_binary_text(text: str, path: str) -> None:
    head = text[:SNIFF_BYTES]
    if not head:
        return
    controls = sum(1 for ch in head if ch < "\x20" and ch not in "\t\n\x0b\x0c\r\x1a\x1b") + head.count("\ufffd")
    if controls / len(head) > MAX_DECODED_CONTROL_SHARE:
        raise HyError(Code.E112_BINARY, path=path)


def _decode_8bit(data: bytes) -> str:
    """UTF-8 if valid; otherwise the most Vietnamese of cp1258, TCVN3 and VNI.

    Legacy text is returned as cp1252 characters; ``decode_bytes`` converts it after detection.
    """
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    windows = unicodedata.normalize("NFC", data.decode("cp1258", errors="replace"))
    as_cp1252 = cp1252_view(data)
    legacy = detect_legacy(as_cp1252)
    sample = slice(0, DETECT_SAMPLE_CHARS)
    if legacy is not None and better_reading(
        measure(windows[sample]), measure(to_unicode(as_cp1252[sample], legacy))
    ):
        return as_cp1252
    return windows


def cp1252_view(data: bytes) -> str:
    """``data`` as cp1252, with the five bytes cp1252 leaves undefined taken as Latin-1.

    Legacy TCVN3/VNI tables are keyed on these characters.

    >>> cp1252_view(b"ho\\xb9ch \\x81")
    'ho¹ch \\x81'
    """
    return codecs.charmap_decode(data, "strict", _CP1252_OR_LATIN1)[0]


def _byte_to_char(b: int) -> str:
    try:
        return bytes([b]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(b)


# Decoding table for codecs.charmap_decode: 256 characters, one per byte value.
_CP1252_OR_LATIN1: str = "".join(_byte_to_char(b) for b in range(256))
