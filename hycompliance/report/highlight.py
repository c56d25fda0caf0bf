"""Mark the words an evidence text shares with its requirement (compared without diacritics)."""

from __future__ import annotations

import re

from hycompliance.store import fold

# Syllables too common to show a match by themselves.
COMMON = frozenset(
    "va cac cua cho trong theo voi de la co duoc tren tai ve nhung mot hoac nay do tu den khi thuc hien "
    "tinh nam tren dia ban ngay".split()
)
TOKEN = re.compile(r"\w+")

Segment = tuple[str, bool]


def shared_words(requirement: str) -> frozenset[str]:
    return frozenset(w for w in TOKEN.findall(fold(requirement)) if len(w) > 1 and w not in COMMON)


def segments(text: str, requirement: str) -> list[Segment]:
    """``text`` cut into (piece, marked) runs; adjacent shared words form one marked run."""
    wanted = shared_words(requirement)
    out: list[Segment] = []
    pos = 0
    for m in TOKEN.finditer(text):
        marked = fold(m.group(0)) in wanted
        gap = text[pos:m.start()]
        if out and out[-1][1] and marked and not gap.strip():
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
