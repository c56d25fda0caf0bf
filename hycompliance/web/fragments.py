"""The pieces a document's page repeats for every requirement, written in Python: a status chip, a text
with its matched words marked, the choice of decision, the evidence, a decision's line, the whole article
of a requirement. As template markup they were most of the page's cost (a page shows them hundreds of
times). Each escapes what it is given (a plan's text may hold
markup); the words come from the label file, passed in when the templates are made."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape


def chips(words: Mapping[str, str]) -> Callable[..., Markup]:
    """``chip(status, text=None)``: the status word (``words``: the label file's statuses) in its chip."""

    @lru_cache(maxsize=64)  # a handful of statuses, shown hundreds of times a page
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


def evidence_list(words: Mapping[str, str]) -> Callable[[Sequence[Mapping[str, Any]]], Markup]:
    """``evidence(items)``: each evidence clause quoted with where it stands and its matched words marked
    (``words``: the label file's page words, ``cite`` and ``no_evidence``)."""
    cite, none = words["cite"], words["no_evidence"]

    def evidence(items: Sequence[Mapping[str, Any]]) -> Markup:
        if not items:
            return Markup(f'<p class="muted">{escape(none)}</p>\n')
        return Markup("".join(
            f'<blockquote class="evidence"><cite>{escape(cite.format(clause=e["clause"], page=e["page"]))}</cite>\n'
            f'<p>{marked(e["segments"])}</p></blockquote>\n' for e in items))

    return evidence


def review_lines(chip: Callable[..., Markup], when: Callable[[str | None], str],
                 stale: str) -> Callable[[Mapping[str, Any] | None], Markup]:
    """``review_line(review)``: a decision's chip, who and when, "stale" when it is, and its note."""

    def review_line(review: Mapping[str, Any] | None) -> Markup:
        if not review:
            return Markup("")
        out = f'{chip(review["status"])} <span class="muted">{escape(review["reviewer"])}, {escape(when(review["at"]))}</span>\n'
        if review["stale"]:
            out += f' <span class="badge stale">{escape(stale)}</span>'
        if review["note"]:
            out += f'<div class="note">{escape(review["note"])}</div>'
        return Markup(out)

    return review_line


@dataclass(frozen=True)
class ArticleWords:
    """The label file's words a requirement's article on a document page shows."""

    page: Mapping[str, str]
    column: Mapping[str, str]
    kinds: Mapping[str, str]
    suspect: str
    stale: str
    machine: str
    reviewed: str


def requirement_articles(words: ArticleWords, *, chip: Callable[..., Markup], number: Callable[[float], str],
                         evidence: Callable[[Sequence[Mapping[str, Any]]], Markup],
                         review_line: Callable[[Mapping[str, Any] | None], Markup],
                         choices: Callable[[str | None], Markup]) -> Callable[..., Markup]:
    """``article(item, plan_key, doc_id, history, can_decide, csrf)``: one requirement of a document's page:
    its verdicts, evidence, the reviewer's form and the decisions' history. A page shows a hundred or more."""
    P = {k: escape(v) for k, v in words.page.items()}  # the fixed words, escaped once
    note_word, kinds = escape(words.column["note"]), {k: escape(v) for k, v in words.kinds.items()}
    suspect = f'<span class="badge suspect" title="{escape(words.suspect)}">{escape(words.column["suspect"])}</span>'
    stale_badge = f'<span class="badge stale">{escape(words.stale)}</span>'
    machine, reviewed = escape(words.machine), escape(words.reviewed)
    undecided = Markup(f'<span class="muted">{P["no_decision"]}</span>')

    def article(item: Mapping[str, Any], plan_key: str, doc_id: int, history: Sequence[Mapping[str, Any]],
                can_decide: bool, csrf: str) -> Markup:
        code, review = escape(item["id"]), item["review"]
        stale = bool(review and review["stale"])
        out = [f'<article class="req s-{escape(item["final"].replace("/", ""))}-edge" id="req-{code}">\n  <header>\n'
               f'    <a class="code" href="/requirements/{code}?parent={escape(quote(plan_key, safe="/"))}">{code}</a>\n'
               f'    <span class="kind">{kinds.get(item["kind"]) or escape(item["kind"])}</span>\n'
               f'    {chip(item["final"])}\n']
        if item["suspect"]:
            out.append(suspect)
        if stale:
            out.append(stale_badge)
        out.append(f'  </header>\n  <p class="req-text">{escape(item["text"])}</p>\n  <div class="verdicts">\n'
                   f'    <div><span class="label">{machine}:</span> {chip(item["status"] or "none")}&nbsp;')
        if not item["applicable"]:
            out.append(f' <span class="muted">{P["not_for_level"]}</span>')
        if item["score"] is not None:
            out.append(f'<span class="muted">{escape(words.page["score"].format(score=number(item["score"])))}</span>')
        if item["why"]:
            out.append(f'<div class="why">{escape(item["why"])}</div>')
        decided = review_line(review) if review else undecided
        out.append(f'</div>\n    <div><span class="label">{reviewed}:</span> {decided}</div>\n  </div>\n'
                   f'  {evidence(item["evidence"])}')
        if can_decide:
            note = review["note"] if review else ""
            out.append(
                f'  <details class="decide no-print"{" open" if stale else ""}>\n    <summary>{P["decide"]}</summary>\n'
                f'    <form method="post" action="/documents/{escape(doc_id)}/decisions">\n'
                f'      <input type="hidden" name="csrf" value="{escape(csrf)}">\n'
                f'      <input type="hidden" name="requirement" value="{code}">\n'
                f'      <fieldset><legend>{P["decision"]}</legend>\n'
                f'      {choices(review["status"] if review else None)}\n      </fieldset>\n'
                f'      <label>{note_word} <textarea name="note" rows="2" maxlength="2000">{escape(note)}</textarea></label>\n'
                f'      <button type="submit">{P["save_decision"]}</button>\n    </form>\n  </details>\n')
        if history:
            lines = "".join(f"<li>{review_line(h)}</li>" for h in history)
            out.append(f'  <details class="history"><summary>{escape(words.page["history"].format(n=len(history)))}</summary>\n'
                       f'    <ol>{lines}</ol>\n  </details>\n')
        out.append("</article>\n")
        return Markup("".join(out))

    return article
