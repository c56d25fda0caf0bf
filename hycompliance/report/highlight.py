"""Text cut into (piece, marked) runs for display: evidence by the spans the coverage stage stored, search
hits by the words of a query. No judging here: which words an evidence clause shares with its requirement
is decided once, in ``hycompliance.coverage``."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hycompliance.normalize import fold

TOKEN = re.compile(r"\w+")

Segment = tuple[str, bool]


def marked(text: str, spans: Iterable[Sequence[int]]) -> list[Segment]:
    """``text`` cut at ``spans`` (character offsets, as stored): marked pieces and the text between."""
    out: list[Segment] = []
    pos = 0
    for start, end in sorted((int(s), int(e)) for s, e in spans):
        start, end = max(start, pos), min(end, len(text))
        if start >= end:
            continue
        if start > pos:
            out.append((text[pos:start], False))
        out.append((text[start:end], True))
        pos = end
    if pos < len(text):
        out.append((text[pos:], False))
    return out


def query_segments(text: str, query: str) -> list[Segment]:
    """``text`` with every word of a search query marked (compared without diacritics; ``fold`` keeps
    offsets)."""
    wanted = set(TOKEN.findall(fold(query)))
    folded = fold(text)
    return marked(text, [(m.start(), m.end()) for m in TOKEN.finditer(folded) if m.group(0) in wanted])
