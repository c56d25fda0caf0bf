"""Vietnamese tokens for matching: normalisation, abbreviations, word segmentation, term weights.

A sentence of a plan becomes a bag of *terms* in four steps, each a small pure function:

1. ``normalize``: NFC, new-style tone marks ("hoà" -> "hòa"), folded whitespace;
2. ``protect_references``: document numbers ("29-NQ/TW", "07- NQ/TU") are cut out before segmentation
   (underthesea would split them) and come back as ``ref:`` terms with a loose key ("ref:29nqtw");
3. ``expand_abbreviations``: "CNH, HĐH" -> "công nghiệp hóa, hiện đại hóa" (rules/abbreviations.yaml), and
   ``fold_variants``: two spellings of one word written one way ("hàng năm" -> "hằng năm", rules/variants.yaml);
4. ``segment``: underthesea word segmentation (cached per text), lower case; function words dropped.

Each segmented word also yields its syllables as ``~`` terms, so that "khu công nghiệp" and
"khu" + "công nghiệp" still share something when the segmenter cuts them differently.
Term weights (rules/boilerplate.yaml) down-weight the verbs every task uses ("thực hiện", "đẩy mạnh").

>>> normalize("Hoà  bình")
'Hòa bình'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType

from hycompliance import rules
from hycompliance.normalize import fold_whitespace, nfc, normalize_tone_marks

# A document number with its symbol: "29-NQ/TW", "07- NQ/TU", "87/KH-UBND", "34/CTr-TU", "1568/QĐ-UBND",
# "13/2023/NĐ-CP". The symbol starts with a capital and holds capitals, "&", "-", "/" and lower-case
# letters inside ("CTr").
REFERENCE = re.compile(
    r"(?<![\w/])(\d{1,5})(?:/(\d{4}))?\s?[-/]\s?([A-ZĐ][A-Za-zĐđ&]*(?:\s?[-/]\s?[A-ZĐ][A-Za-zĐđ&0-9]*){1,3})(?![\w])"
)
# Something a bag of words can use: a word with at least one letter.
HAS_LETTER = re.compile(r"[^\W\d_]")
# The marker that a term is a reference key, and the marker of a syllable term.
REF_PREFIX = "ref:"
SYLLABLE_PREFIX = "~"


# Spellings of one word folded to one form before comparison ("hàng năm" / "hằng năm").
VARIANTS = "variants.yaml"


@dataclass(frozen=True, eq=False)
class Lexicon:
    """The declarative knowledge the tokenizer uses (from rules/). Hashed by identity, so tokenizing with
    one lexicon can be cached; ``load_lexicon`` hands out the same object while the rules are unchanged."""

    abbreviations: Mapping[str, str]
    stopwords: frozenset[str]
    weights: Mapping[str, float]
    abbreviation_pattern: re.Pattern[str] | None = None
    variants: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))  # lower-case spelling -> the one it is written as
    variant_pattern: re.Pattern[str] | None = None

    def weight(self, term: str) -> float:
        """The boilerplate weight of a term (1.0 for ordinary words; syllables count half)."""
        if term.startswith(REF_PREFIX):
            return 1.0
        if term.startswith(SYLLABLE_PREFIX):
            word = term[len(SYLLABLE_PREFIX) :]
            return 0.5 * self.weights.get(word, 0.0 if word in self.stopwords else 1.0)
        return self.weights.get(term, 1.0)


def make_lexicon(abbreviations: Mapping[str, str], stopwords: list[str], weights: Mapping[str, float],
                 variants: Mapping[str, str] | None = None) -> Lexicon:
    """Build a lexicon; the abbreviation pattern matches whole tokens, longest first; the variant pattern
    whole words in any case, longest first."""
    keys = sorted(abbreviations, key=len, reverse=True)
    pattern = (
        re.compile(r"(?<![\w&/-])(" + "|".join(re.escape(k) for k in keys) + r")(?![\w&-])") if keys else None
    )
    norm = {normalize(k).lower(): float(v) for k, v in weights.items()}
    folded = {normalize(k).lower(): normalize(str(v)).lower() for k, v in (variants or {}).items()}
    spellings = sorted(folded, key=len, reverse=True)
    variant_pattern = (
        re.compile(r"(?<!\w)(" + "|".join(re.escape(k) for k in spellings) + r")(?!\w)", re.IGNORECASE)
        if spellings else None
    )
    return Lexicon(
        abbreviations=MappingProxyType({k: normalize(str(v)) for k, v in abbreviations.items()}),
        stopwords=frozenset(normalize(w).lower() for w in stopwords),
        weights=MappingProxyType(norm),
        abbreviation_pattern=pattern,
        variants=MappingProxyType(folded),
        variant_pattern=variant_pattern,
    )


def load_lexicon() -> Lexicon:
    """The lexicon of rules/abbreviations.yaml, rules/boilerplate.yaml and rules/variants.yaml (one object per
    rules state)."""
    files = [rules.rules_dir() / name for name in ("abbreviations.yaml", "boilerplate.yaml", VARIANTS)]
    return _lexicon(tuple((str(f), f.stat().st_mtime if f.exists() else 0.0) for f in files))


@lru_cache(maxsize=4)
def _lexicon(state: tuple[tuple[str, float], ...]) -> Lexicon:
    abbreviations = rules.load("abbreviations.yaml") or {}
    boiler = rules.load("boilerplate.yaml") or {}
    # an edited rules copy made before the file existed has none
    variants = (rules.load(VARIANTS) or {}) if (rules.rules_dir() / VARIANTS).exists() else {}
    return make_lexicon(abbreviations, boiler.get("stopwords", []), boiler.get("weights", {}), variants)


def normalize(text: str) -> str:
    """NFC, new-style tone marks, one space between words.

    >>> normalize("thuỷ lợi\\u00a0và  sức khoẻ")
    'thủy lợi và sức khỏe'
    """
    return fold_whitespace(normalize_tone_marks(nfc(text)))


def loose_key(number: str, symbol: str, year: str | None = None) -> str:
    """A forgiving form of a document key for overlap: digits without leading zeros, letters folded.

    "07-NQ/TU", "7-NQ/TU" and "07 - NQ/TU" agree; "34-CTr/TU" and "34/CTr-TU" agree too (the order of
    "-" and "/" is a formatting error the reference checker reports, not a different document).

    >>> loose_key("07", "NQ/TU"), loose_key("34", "CTr-TU")
    ('7nqtu', '34ctrtu')
    """
    letters = re.sub(r"[^0-9A-Za-zĐđ&]", "", symbol).lower().replace("đ", "d")
    return f"{int(number)}{year or ''}{letters}"


def reference_keys(text: str) -> tuple[str, ...]:
    """Document keys written in ``text`` as printed, spaces removed, first occurrence order.

    A minimal reader for matching only; the reference checker (hycompliance.references) is the
    authority on what a citation is.

    >>> reference_keys("theo Nghị quyết số 07- NQ/TU ngày 15/6/2021 và Kế hoạch số 87/KH-UBND")
    ('07-NQ/TU', '87/KH-UBND')
    """
    out: list[str] = []
    for m in REFERENCE.finditer(normalize(text)):
        key = re.sub(r"\s+", "", m.group(0))
        if key not in out:
            out.append(key)
    return tuple(out)


def key_of(printed: str) -> str:
    """The loose key of a printed document key ("29-NQ/TW" -> "29nqtw")."""
    m = REFERENCE.match(printed.strip())
    if not m:
        return re.sub(r"\W", "", printed).lower()
    return loose_key(m.group(1), m.group(3), m.group(2))


# A document cited by its type and number only, as plans shorten them once written in full: "NQ 29",
# "CTr số 34", "KH 87", "KL 48". The types are the abbreviations of rules/abbreviations.yaml's last block.
SHORT_REFERENCE = re.compile(r"(?<![\w/-])(NQ|CTr|KH|KL|QĐ|CT)\s+(?:số\s+)?(\d{1,5})(?![\w/-]|\s?[-/]\s?[A-ZĐ])")


def short_key(loose: str) -> str:
    """The type-and-number form of a loose document key: "29nqtw" -> "nq29", "87khubnd" -> "kh87".

    >>> short_key("29nqtw"), short_key("34ctrtu"), short_key("12ctubnd")
    ('nq29', 'ctr34', 'ct12')
    """
    m = re.match(r"(\d+)(?:\d{4})?(ctr|nq|kh|kl|qd|ct)", loose)
    return f"{m.group(2)}{m.group(1)}" if m else loose


def short_reference_keys(text: str) -> tuple[str, ...]:
    """Documents cited by type and number only, as short keys.

    >>> short_reference_keys("Quán triệt NQ 29, CTr số 34 và KH 87; thực hiện NQ số 29-NQ/TU")
    ('nq29', 'ctr34', 'kh87')
    """
    out: list[str] = []
    for m in SHORT_REFERENCE.finditer(normalize(text)):
        key = m.group(1).lower().replace("đ", "d") + str(int(m.group(2)))
        if key not in out:
            out.append(key)
    return tuple(out)


def protect_references(text: str) -> tuple[str, tuple[str, ...]]:
    """Cut document keys out of ``text`` (replaced by a comma) and return them as loose keys.

    >>> protect_references("Thực hiện Nghị quyết số 29-NQ/TW ngày 17/11/2022")
    ('Thực hiện Nghị quyết số , ngày 17/11/2022', ('29nqtw',))
    """
    keys: list[str] = []

    def cut(m: re.Match[str]) -> str:
        keys.append(loose_key(m.group(1), m.group(3), m.group(2)))
        return ","

    return REFERENCE.sub(cut, text), tuple(keys)


def expand_abbreviations(text: str, lexicon: Lexicon) -> str:
    """Write abbreviations out in full (whole tokens, case-sensitive).

    >>> lex = make_lexicon({"CNH": "công nghiệp hóa", "KCN": "khu công nghiệp"}, [], {})
    >>> expand_abbreviations("đẩy mạnh CNH; các KCN, KCNx", lex)
    'đẩy mạnh công nghiệp hóa; các khu công nghiệp, KCNx'
    """
    if lexicon.abbreviation_pattern is None:
        return text
    return lexicon.abbreviation_pattern.sub(lambda m: lexicon.abbreviations[m.group(1)], text)


def fold_variants(text: str, lexicon: Lexicon) -> str:
    """Write each spelling of rules/variants.yaml as the one form it stands for (whole words, any case).

    >>> lex = make_lexicon({}, [], {}, {"hàng năm": "hằng năm"})
    >>> fold_variants("Tổ chức tập huấn hàng năm; Hàng năm báo cáo", lex)
    'Tổ chức tập huấn hằng năm; hằng năm báo cáo'
    """
    if lexicon.variant_pattern is None:
        return text
    return lexicon.variant_pattern.sub(lambda m: lexicon.variants[normalize(m.group(1)).lower()], text)


# Where a clause is cut for segmentation: after a sentence end, ";" or ":" (words never span these).
PIECE_END = re.compile(r"(?<=[;.!?:])\s+")


@lru_cache(maxsize=50_000)
def segment(text: str) -> tuple[str, ...]:
    """underthesea words of ``text`` (cached: the same sentence is segmented once per process)."""
    from underthesea import word_tokenize

    return tuple(word_tokenize(text, use_token_normalize=False))


@lru_cache(maxsize=200_000)
def words(text: str, lexicon: Lexicon) -> tuple[str, ...]:
    """Lower-case content words of ``text`` (no references, numbers, punctuation or function words)."""
    body, _ = protect_references(normalize(text))
    body = fold_variants(expand_abbreviations(body, lexicon), lexicon)
    out: list[str] = []
    # segmented sentence by sentence: a clause and the pieces it is split into share one cache
    for token in (t for piece in PIECE_END.split(body) for t in segment(piece)):
        w = token.lower()
        if HAS_LETTER.search(w) and w not in lexicon.stopwords and len(w) > 1 or w in ("ý",):
            out.append(w)
    return tuple(out)


@lru_cache(maxsize=200_000)
def terms(text: str, lexicon: Lexicon) -> tuple[str, ...]:
    """The matching terms of ``text``: content words, their syllables (``~``) and references (``ref:``).

    >>> lex = make_lexicon({"KCN": "khu công nghiệp"}, ["các"], {})
    >>> terms("Phát triển các KCN theo 07-NQ/TU", lex)
    ('phát triển', '~phát', '~triển', 'khu', '~khu', 'công nghiệp', '~công', '~nghiệp', 'theo', '~theo', 'ref:7nqtu')
    """
    _, keys = protect_references(normalize(text))
    out: list[str] = []
    for w in words(text, lexicon):
        out.append(w)
        out.extend(SYLLABLE_PREFIX + s for s in w.split() if s not in lexicon.stopwords)
    out.extend(REF_PREFIX + k for k in keys)
    return tuple(out)
