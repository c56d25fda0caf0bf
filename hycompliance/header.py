"""The document's opening: issuer, number and symbol, place and date, type and title.

Vietnamese administrative documents open with a two-column block (issuer and number on the left, the
quốc hiệu and "place, ngày d tháng m năm y" on the right), then the type word in capitals (KẾ HOẠCH)
and the trích yếu. Readers put the block in the ``header`` region when they can see it; when they cannot
(a PDF without a table), the lines before the title are used.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

from hycompliance.models import Block, Header

# "Số: 87/KH-UBND", "Số 1025/KH-SCT", "Luật số: 60/2024/QH15"
NUMBER_LINE = re.compile(r"(?:^|\s)[Ss]ố\s*[:.]?\s*([0-9][0-9A-Za-zĐđ/\-.]*[0-9A-Za-zĐđ])")
# "Hưng Yên, ngày 23 tháng 5 năm 2023" (also wrapped over two lines, joined before matching)
PLACE_DATE = re.compile(
    r"(?P<place>[^\d,;|]{2,40}?)\s*,\s*ngày\s*(?P<d>\d{1,2})\s*tháng\s*(?P<m>\d{1,2})\s*năm\s*(?P<y>\d{4})",
    re.IGNORECASE,
)
RULE_LINE = re.compile(r"^[-_=–—.\s]{3,}$")
# A decorative rule standing inside a line: "UỶ BAN NHÂN DÂN TỈNH BẮC NINH -------"
RULE_INSIDE = re.compile(r"\s*[-_=–—]{3,}\s*")
# Header place-unit words: a second issuer line starting with one names where, not who.
PLACE_UNIT = re.compile(r"^(TỈNH|HUYỆN|THỊ XÃ|THÀNH PHỐ|QUẬN|XÃ|PHƯỜNG|THỊ TRẤN|ĐẶC KHU)\b")
# How far into the body the title may stand.
TITLE_SEARCH_BLOCKS = 25


def read_header(blocks: tuple[Block, ...], cfg: dict[str, Any], parse_label: Callable[[str], Any],
                ) -> tuple[Header, list[Block], list[Block]]:
    """Split blocks into (header, body blocks after the title, title blocks)."""
    # a header cell may hold two lines: the superior body over the issuer ("UBND TỈNH ..." / "UBND XÃ ...")
    header_lines = [ln.strip() for b in blocks if b.region == "header" for ln in b.text.split("\n") if ln.strip()]
    body = [b for b in blocks if b.region != "header"]
    title_at = _find_title(body, cfg)
    title_blocks: list[Block] = []
    if title_at is not None:
        if not header_lines:
            header_lines = [b.text.strip() for b in body[:title_at] if b.kind != "table"]
            header_lines += [c for b in body[:title_at] if b.kind == "table" for row in b.rows for c in row]
            body = body[title_at:]
            title_at = 0
        end = _title_end(body, title_at, cfg, parse_label)
        title_blocks = body[title_at:end]
        body = body[:title_at] + body[end:]
    doc_type, title = _title(title_blocks, cfg)
    joined = " ".join(header_lines)
    number = m.group(1) if (m := NUMBER_LINE.search(joined)) else None
    place, date = _place_date(header_lines)
    if number is None:  # a republished text without its header: "Nghị quyết số 57-NQ/TW" on a line of its own
        number, doc_type = _number_line(body[:5], cfg, number, doc_type)
    issuer, parent = _issuer(header_lines, cfg)
    return Header(issuer, parent, number, doc_type, place, date, title), body, title_blocks


# "Nghị quyết số 57-NQ/TW", "Kết luận số 69-KL/TW" standing alone
TYPED_NUMBER = re.compile(r"^(?P<type>[^\d:]{2,40}?)\s+số[:\s]+(?P<num>\d[\w/\-.]*\w)$")


def _number_line(blocks: list[Block], cfg: dict[str, Any], number: str | None, doc_type: str | None) -> tuple[str | None, str | None]:
    types = {v.lower(): v for v in cfg["title_types"].values()}
    for block in blocks:
        m = TYPED_NUMBER.match(block.text.strip().strip("*").strip())
        if m and m.group("type").lower() in types:
            return m.group("num"), doc_type or types[m.group("type").lower()]
    return number, doc_type


def _place_date(lines: list[str]) -> tuple[str | None, str | None]:
    """Place and ISO date from the line holding "..., ngày d tháng m năm y" (or it and the next)."""
    candidates = lines + [" ".join(lines[i : i + 2]) for i in range(len(lines) - 1)]
    for text in candidates:
        if m := PLACE_DATE.search(text):
            place = m.group("place").strip(" ,")
            date = f"{int(m.group('y')):04d}-{int(m.group('m')):02d}-{int(m.group('d')):02d}"
            return place, date
    return None, None


def _upper_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0


def _find_title(body: list[Block], cfg: dict[str, Any]) -> int | None:
    words = sorted(cfg["title_types"], key=len, reverse=True)
    for i, block in enumerate(body[:TITLE_SEARCH_BLOCKS]):
        text = block.text.strip().strip("*").strip()
        if any(text.startswith(w) for w in words) and _upper_share(text.split(" ", 3)[0]) > 0.9:
            if not NUMBER_LINE.search(text.split("\n")[0]):  # "KẾ HOẠCH\nThực hiện KH số 87/..." is a title
                return i
    return None


def _title_end(body: list[Block], at: int, cfg: dict[str, Any], parse_label: Callable[[str], Any]) -> int:
    """``parse_label``: the label grammar, which lives with the tree (``structure.parse_label``)."""
    starts = tuple(cfg["preamble_starts"])
    first = body[at].text.strip()
    typed_alone = first.upper() == first and any(first.rstrip(" .") == w for w in cfg["title_types"])
    end = at + 1
    while end < len(body) and end - at < 12:
        block = body[end]
        text = block.text.strip()
        label = parse_label(text)
        if block.kind == "table" or not text or label and (_upper_share(text) < 0.9 or label.kind == "section"):
            break  # a labelled line ends the title, also "I. MỤC ĐÍCH, YÊU CẦU" in capitals right after it
        first_after_type = typed_alone and end == at + 1
        if not first_after_type:
            if text.startswith(starts) or block.kind == "paragraph" and _upper_share(text) < 0.9:
                break
            previous = body[end - 1].text.strip()
            if re.search(r"[.;:]$", previous):
                break
        end += 1
    return end


def _title(title_blocks: list[Block], cfg: dict[str, Any]) -> tuple[str | None, str | None]:
    if not title_blocks:
        return None, None
    text = re.sub(r"\s+", " ", " ".join(b.text.strip().strip("*") for b in title_blocks)).strip()
    for word in sorted(cfg["title_types"], key=len, reverse=True):
        if text.startswith(word):
            rest = text[len(word) :].strip(" :-–")
            doc_type = cfg["title_types"][word]
            if rest[:1].isupper() and not rest.split(" ")[0].isupper():
                rest = rest[0].lower() + rest[1:]  # "Kế hoạch Thực hiện ..." reads "Kế hoạch thực hiện ..."
            return doc_type, unicodedata.normalize("NFC", f"{doc_type} {rest}".strip())
    return None, text


def _issuer(lines: list[str], cfg: dict[str, Any]) -> tuple[str | None, str | None]:
    motto = [m.upper() for m in cfg["national_motto"]]
    issuer_lines: list[str] = []
    for line in lines:
        text = RULE_INSIDE.sub(" ", line).strip()
        upper = text.upper()
        cut = min((upper.find(m) for m in motto if len(m) > 20 and upper.find(m) > 0), default=-1)
        if cut > 0:  # "CHÍNH PHỦ CỘNG HÒA XÃ HỘI ..." : two columns collapsed into one line
            text, upper = text[:cut].strip(), upper[:cut].strip()
        if NUMBER_LINE.search(text) or PLACE_DATE.search(text) or re.search(r",\s*ngày", text):
            break
        if RULE_LINE.match(text) or any(upper.startswith(m) or m.startswith(upper) for m in motto):
            continue
        issuer_lines.append(text)
    issuer_lines = _unwrap_issuer([ln for ln in issuer_lines if _upper_share(ln) > 0.8], cfg)[:3]
    if not issuer_lines:
        return None, None
    if len(issuer_lines) >= 2 and not PLACE_UNIT.match(issuer_lines[1].upper()):
        return normalise_issuer(issuer_lines[-1], cfg), normalise_issuer(" ".join(issuer_lines[:-1]), cfg)
    return normalise_issuer(" ".join(issuer_lines), cfg), None


def _unwrap_issuer(lines: list[str], cfg: dict[str, Any]) -> list[str]:
    """Join issuer lines a narrow column wrapped: a line that starts with no body or place word
    ("QUỲNH" after "ỦY BAN NHÂN DÂN XÃ NHƯ") goes on the line before."""
    starts = tuple(sorted(cfg["issuer_words"], key=len, reverse=True))
    out: list[str] = []
    for line in lines:
        if out and not line.upper().startswith(starts):
            out[-1] = f"{out[-1]} {line}"
        else:
            out.append(line)
    return out


def normalise_issuer(text: str, cfg: dict[str, Any]) -> str:
    """Put an issuer written in capitals back into ordinary case.

    >>> normalise_issuer("ỦY BAN NHÂN DÂN HUYỆN VĂN LÂM", {"issuer_words": {"ỦY BAN NHÂN DÂN": "UBND", "HUYỆN": "huyện"}})
    'UBND huyện Văn Lâm'
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()
    if _upper_share(text) < 0.8:
        return text
    words = cfg["issuer_words"]
    out: list[str] = []
    rest = text
    agency = False
    while rest:
        for word in sorted(words, key=len, reverse=True):
            if rest.upper().startswith(word) and (len(rest) == len(word) or rest[len(word)] == " "):
                out.append(words[word])
                agency = agency or words[word] in ("Sở", "Ban", "Văn phòng", "Thanh tra")
                rest = rest[len(word) :].strip()
                break
        else:
            head, _, rest = rest.partition(" ")
            if agency and out and out[-1] not in ("Sở", "Ban", "Văn phòng", "Thanh tra", "và"):
                out.append(head.lower() if head.upper() != "VÀ" else "và")
            else:
                out.append("và" if head.upper() == "VÀ" else head.capitalize())
            rest = rest.strip()
    return " ".join(out)
