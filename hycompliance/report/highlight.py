"""Mark the words an evidence text shares with its requirement (compared without diacritics)."""

from __future__ import annotations

import re
from functools import lru_cache

from hycompliance.store import fold

# Syllables too common to show a match by themselves.
COMMON = frozenset(
    "va cac cua cho trong theo voi de la co duoc tren tai ve nhung mot hoac nay do tu den khi thuc hien "
    "tinh nam tren dia ban ngay".split()
)
TOKEN = re.compile(r"\w+")
# What may stand between two syllables of one run: nothing, or the joints of a symbol ("29-NQ/TW").
JOINERS = ("", "-", "/")

Segment = tuple[str, bool]


@lru_cache(maxsize=1 << 16)
def _fold_word(word: str) -> str:
    """``fold`` of one syllable, remembered: a page folds the same few thousand syllables again and again."""
    return fold(word)


def _pairs(words: list[str]) -> frozenset[tuple[str, str]]:
    return frozenset(zip(words, words[1:]))


@lru_cache(maxsize=4096)
def shared_words(requirement: str) -> frozenset[tuple[str, str]]:
    """The requirement's two-syllable runs (folded): Vietnamese words are mostly two syllables, so a shared
    run shows shared wording where a shared single syllable ("Sở", "công", "2023") would not."""
    return _pairs([w for w in TOKEN.findall(fold(requirement))])


def segments(text: str, requirement: str) -> list[Segment]:
    """``text`` cut into (piece, marked) runs; a syllable that is not a common word is marked when it and a
    neighbour form a run of the requirement; adjacent marked syllables form one run."""
    wanted = shared_words(requirement)
    tokens = list(TOKEN.finditer(text))
    folded = [_fold_word(m.group(0)) for m in tokens]
    hit = [False] * len(tokens)
    for i in range(len(tokens) - 1):
        pair = (folded[i], folded[i + 1])
        gap = text[tokens[i].end() : tokens[i + 1].start()]
        if pair in wanted and gap.strip() in JOINERS:
            weak = [w in COMMON or w.isdigit() for w in pair]  # "năm 2023" is not shared wording
            if not all(weak):
                hit[i] = hit[i] or pair[0] not in COMMON
                hit[i + 1] = pair[1] not in COMMON
    return _runs(text, tokens, hit)


def query_segments(text: str, query: str) -> list[Segment]:
    """``text`` with every word of a search query marked (compared without diacritics)."""
    wanted = {w for w in TOKEN.findall(fold(query))}
    tokens = list(TOKEN.finditer(text))
    return _runs(text, tokens, [_fold_word(m.group(0)) in wanted for m in tokens])


def _runs(text: str, tokens: list[re.Match[str]], hit: list[bool]) -> list[Segment]:
    out: list[Segment] = []
    pos = 0
    for m, marked in zip(tokens, hit):
        gap = text[pos:m.start()]
        if out and out[-1][1] and marked and gap.strip() in JOINERS:
            out[-1] = (out[-1][0] + gap + m.group(0), True)
        else:
            if gap:
                out.append((gap, False))
            out.append((m.group(0), marked))
        pos = m.end()
    if pos < len(text):
        out.append((text[pos:], False))
    merged: list[Segment] = []
    for piece, marked in out:
        if merged and merged[-1][1] == marked:
            merged[-1] = (merged[-1][0] + piece, marked)
        else:
            merged.append((piece, marked))
    return merged
