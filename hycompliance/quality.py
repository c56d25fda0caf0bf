"""Is the text a reader returned whole? Signs that extraction damaged it, page by page.

A damaged extraction does not fail: it silently gives a plan whose tasks look missing. So every document
(PDF, DOCX, text) is checked, and a damaged page gets warning ``W109`` with its page number (the range of pages for a document-wide sign):

- ``punctuation``: lines made only of punctuation (". ," left behind when glyphs of one line split apart);
- ``syllables``: too many lower-case words that are no Vietnamese syllable ("u đãi cư", "ng yêu cứ ầu"
  when letters come out of order or split);
- ``labels``: a long document in which almost no line starts with a label (I., 1., a), -, +): its structure
  collapsed into running text;
- ``disagreement``: the built lines hold far fewer letters than pdfium's own plain text of the page (text
  lost on the way), for PDFs (``plain_pages``).

Thresholds and the words a reviewer sees are in ``rules/quality.yaml``.

>>> is_syllable("nghiêng"), is_syllable("ng"), is_syllable("ưu"), is_syllable("cư")
(True, False, True, True)
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

import numpy as np

from hycompliance.errors import WarningCode, warning
from hycompliance.models import Block, ParseWarning

# A Vietnamese syllable without its tone and vowel marks: onset, one to three vowels, coda.
SYLLABLE = re.compile(r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnpqrstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$")
WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
LABEL = re.compile(r"^\s*(?:[IVXLC]+\.|\d+(?:\.\d+)*\.?\s|[a-zđ]\)|[-+•–])", re.IGNORECASE)
PUNCTUATION_ONLY = re.compile(r"^[\s.,;:!?…'\"“”‘’()\[\]/\\*·]+$")


@dataclass(frozen=True)
class Thresholds:
    """When a page counts as damaged (the values of ``rules/quality.yaml``)."""

    punctuation_lines: int = 2
    min_words: int = 40
    bad_syllable_share: float = 0.06
    min_label_chars: int = 4000
    max_chars_per_label: int = 1500
    min_plain_letters: int = 200
    lost_letter_share: float = 0.05


def thresholds() -> Thresholds:
    """The thresholds of ``rules/quality.yaml``."""
    from hycompliance import rules

    data = rules.load("quality.yaml")
    return Thresholds(**{name: data[name] for name in Thresholds.__dataclass_fields__})


def describe(warnings: Iterable[ParseWarning]) -> str:
    """The Vietnamese line shown beside a document's coverage, "" when its text looks whole:
    "Văn bản có thể bị lỗi trích xuất: trang 2, 3 (dấu câu tách thành dòng riêng)"."""
    from hycompliance import rules
    from hycompliance.errors import DETAIL_WORDS_VI

    found = [dict(w.details) for w in warnings if w.code == WarningCode.W109_DAMAGED_TEXT.value]
    if not found:
        return ""
    words = rules.load("quality.yaml")
    pages = sorted({d.get("page", "") for d in found}, key=lambda p: (not p.isdigit(), int(p) if p.isdigit() else 0, p))
    signs = ", ".join(dict.fromkeys(DETAIL_WORDS_VI.get(d.get("sign", ""), d.get("sign", "")) for d in found))
    return f"{words['label']}: {words['pages']} {', '.join(p for p in pages if p)} ({signs})"


@lru_cache(maxsize=65536)
def is_syllable(word: str) -> bool:
    """Does a lower-case word spell a Vietnamese syllable (marks ignored)? (Cached: a plan repeats its words.)"""
    base = "".join(c for c in unicodedata.normalize("NFD", word.lower()) if not unicodedata.combining(c))
    return SYLLABLE.match(base.replace("đ", "d")) is not None


@lru_cache(maxsize=65536)
def _token_syllables(token: str) -> tuple[int, int]:
    """How many lower-case words without a hyphen one whitespace-free token holds, and how many of them
    spell no Vietnamese syllable: the words ``WORD`` finds in it (a token of letters only is one word, no
    search needed). Cached: a plan repeats its tokens.

    >>> _token_syllables("đãi"), _token_syllables("(ng,"), _token_syllables("KH-UBND"), _token_syllables("5/cư")
    ((1, 0), (1, 1), (0, 0), (1, 0))
    """
    words = (token,) if token.isalpha() else WORD.findall(token)
    lower = [word for word in words if word.islower() and "-" not in word]
    return len(lower), len(lower) - sum(map(is_syllable, lower))


def _page_lines(blocks: Iterable[Block]) -> dict[int, list[str]]:
    pages: dict[int, list[str]] = defaultdict(list)
    for block in blocks:
        if block.kind != "table" and "\n" not in block.text:  # (most blocks: one line; its page listed even if blank)
            lines = pages[block.page]
            if block.text.strip():
                lines.append(block.text)
            continue
        texts = [cell for row in block.rows for cell in row] if block.kind == "table" else [block.text]
        pages[block.page] += [line for text in texts for line in text.split("\n") if line.strip()]
    return pages


def _letters(text: str) -> Counter[str]:
    """How many times each letter occurs (NFC, lower case): every code counted at once, then the letters kept."""
    folded = unicodedata.normalize("NFC", text).lower().encode("utf-32-le", "surrogatepass")
    codes, counts = np.unique(np.frombuffer(folded, dtype=np.uint32), return_counts=True)
    return Counter({chr(code): count for code, count in zip(codes.tolist(), counts.tolist()) if chr(code).isalpha()})


def _lost_pages(
    pages: dict[int, list[str]], plain_pages: dict[int, str], dropped_pages: dict[int, str], limits: Thresholds
) -> list[int]:
    """Pages whose letters the built text lacks, when the document as a whole lacks them (a table
    continued on the next page is one block on its first page, so single pages may differ). What the
    reader took out on purpose (``dropped_pages``: running headers/footers, a browser's date and address,
    a table's heading row printed again) counts as kept."""
    built_texts = {
        page: "\n".join(pages.get(page, [])) + "\n" + dropped_pages.get(page, "") for page in set(pages) | set(dropped_pages)
    }
    # the whole document's letters first, counted at once ("\n" joins nothing: no page's count changes)
    all_plain = _letters("\n".join(plain_pages.values()))
    all_built = _letters("\n".join(built_texts.values()))
    total = all_plain.total()
    lost = (all_plain - all_built).total()
    if total < limits.min_plain_letters or lost <= limits.lost_letter_share * total:
        return []
    plain = {page: _letters(text) for page, text in plain_pages.items()}
    built = {page: _letters(text) for page, text in built_texts.items()}
    flagged = [
        page for page, letters in sorted(plain.items())
        if sum((letters - built.get(page, Counter())).values()) > limits.lost_letter_share * max(sum(letters.values()), 1)
    ]
    return flagged or [0]


def check_text(
    blocks: tuple[Block, ...],
    *,
    plain_pages: dict[int, str] | None = None,
    dropped_pages: dict[int, str] | None = None,
    limits: Thresholds | None = None,
) -> tuple[ParseWarning, ...]:
    """``W109`` warnings for the pages (or the document, page 0) whose extracted text looks damaged.
    ``dropped_pages``: text the reader took out on purpose, by page (not lost)."""
    limits = limits or thresholds()
    pages = _page_lines(blocks)
    found: list[tuple[int | str, str]] = []
    for page, lines in sorted(pages.items()):
        punctuation = len(list(filter(PUNCTUATION_ONLY.match, lines)))
        if punctuation >= limits.punctuation_lines:
            found.append((page, "punctuation"))
            continue
        # (a page's whitespace-separated tokens: no word runs across a space or a line break)
        counts = list(map(_token_syllables, "\n".join(lines).split()))
        words, bad = sum(map(itemgetter(0), counts)), sum(map(itemgetter(1), counts))
        if words >= limits.min_words and bad > limits.bad_syllable_share * words:
            found.append((page, "syllables"))
            continue
    whole = f"{min(pages)}–{max(pages)}" if pages else "1"
    if plain_pages:
        found += [(page or whole, "disagreement") for page in _lost_pages(pages, plain_pages, dropped_pages or {}, limits)]
    chars = sum(sum(map(len, lines)) for lines in pages.values())
    labels = sum(len(list(filter(LABEL.match, lines))) for lines in pages.values())
    if chars >= limits.min_label_chars and chars > limits.max_chars_per_label * max(labels, 1):
        found.append((whole, "labels"))
    return tuple(warning(WarningCode.W109_DAMAGED_TEXT, page=str(page), sign=sign) for page, sign in found)
