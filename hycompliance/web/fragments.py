"""The small pieces a document's page repeats for every requirement, written in Python: a status chip, a
text with its matched words marked, the choice of decision. As template macros they were most of the
page's cost (a page shows them hundreds of times). Each escapes what it is given (a plan's text may hold
markup); the words come from the label file, passed in when the templates are made."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache

from markupsafe import Markup, escape


def chips(words: Mapping[str, str]) -> Callable[..., Markup]:
    """``chip(status, text=None)``: the status word (``words``: the label file's statuses) in its chip."""

    def chip(status: str, text: str | None = None) -> Markup:
        return Markup(f'<span class="chip s-{escape(status.replace("/", ""))}">{escape(text or words[status])}</span>')

    return chip


def marked(segments: Iterable[tuple[str, bool]]) -> Markup:
    """Pieces of a text (``report.highlight.marked``) with the matched ones in ``<mark>``."""
    return Markup("".join(f"<mark>{escape(piece)}</mark>" if hit else str(escape(piece)) for piece, hit in segments))


def decision_choices(statuses: Sequence[str], words: Mapping[str, str], hints: Mapping[str, str]) -> Callable[[str | None], Markup]:
    """``choices(current)``: one radio button per decision a reviewer may record (``current`` checked), each
    with its word and, for some, a hint (``hints``: status -> words). Made once per status, then reused."""

    @lru_cache(maxsize=len(statuses) + 1)
    def choices(current: str | None) -> Markup:
        return Markup("".join(
            f'<label class="radio"><input type="radio" name="status" value="{escape(s)}" required'
            f'{" checked" if s == current else ""}> {escape(words[s])}'
            f'{" " + str(escape(hints[s])) if s in hints else ""}</label>' for s in statuses))

    return choices
