"""Every word a person reads, in Vietnamese, from ``rules/labels.yaml``; and the one way to write a
percent, a date and a moment.

Code, logs and the CLI speak English; pages, reports, XLSX and CSV files take their words from here only.
``STATUS``, ``COLUMN``, ``HEADING`` ... are read from the label file when used (module attributes).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from hycompliance import dates, rules

# Module attribute -> key of rules/labels.yaml.
SECTIONS = MappingProxyType({
    "STATUS": "status", "STALE": "stale", "SUSPECT": "suspect", "MACHINE": "machine", "REVIEWED": "reviewed",
    "DOC_KIND": "doc_kind", "REQUIREMENT_KIND": "requirement_kind", "SEVERITY": "severity", "GROUP": "group",
    "COMPARE": "compare", "COLUMN": "column", "HEADING": "heading", "REASON": "reason", "SHEET": "sheet",
    "YES": "yes_word", "NO": "no_word", "PAGE": "page", "LINT_WORDS": "lint_words", "WEB": "web", "ROLE": "role",
    "UPLOAD_STATE": "upload_state",
})


def _frozen(value: Any) -> Any:
    return MappingProxyType(dict(value)) if isinstance(value, Mapping) else value


def __getattr__(name: str) -> Any:
    if name in SECTIONS:
        return _frozen(rules.load("labels.yaml")[SECTIONS[name]])
    raise AttributeError(name)


def word(section: str, key: str) -> str:
    """One label; the key itself when the label file lacks it (never an exception on a page)."""
    return str((rules.load("labels.yaml").get(section) or {}).get(key, key))


def percent(value: float | None) -> str:
    """A coverage percent as every face writes it: one decimal, decimal comma ("58,3%"); "—" when None."""
    return "—" if value is None else f"{value:.1f}%".replace(".", ",")


def number(value: float | None) -> str:
    """A number the Vietnamese way: "9,5", "1.500"."""
    if value is None:
        return "—"
    text = f"{value:,.2f}".rstrip("0").rstrip(".")
    return text.replace(",", " ").replace(".", ",").replace(" ", ".")


def day(value: str | None) -> str:
    """An ISO date as dd/mm/yyyy (``hycompliance.dates``)."""
    return dates.day(value)


def when(value: str | None) -> str:
    """An ISO timestamp as dd/mm/yyyy hh:mm in the server's time zone (``hycompliance.dates``)."""
    return dates.moment(value)


as_date = dates.as_date
as_datetime = dates.as_datetime


def reason_text(reason: Mapping[str, Any]) -> str:
    """One reason of a cell (``hycompliance.coverage.Reason`` as stored) in words."""
    return _reason_text(rules.load("labels.yaml"), reason)


def _reason_text(book: Mapping[str, Any], reason: Mapping[str, Any]) -> str:
    """``reason_text`` with the label file already read (``book``): a page says why for a hundred cells."""
    items = list(reason.get("items") or [])
    template = str((book.get("reason") or {}).get(reason["code"], reason["code"]))
    key = items[0] if items else ""
    rest = items[1:] if reason["code"] == "cited_with_errors" else items
    if reason["code"] == "restated":  # a closeness stored as "0.82", written "0,82"
        rest = [number(float(i)) for i in rest]
    return template.format(clause=reason.get("clause") or "", page=reason.get("page") or "", count=reason.get("count"),
                           key=key, items=", ".join(str(i) for i in rest))


def text(name: str) -> str:
    """A top-level sentence of the label file (``stale``, ``target_line``)."""
    return str(rules.load("labels.yaml")[name])


def target_text(target: Mapping[str, Any]) -> str:
    """A target comparison in words: "2021-2025: kế hoạch 9,0 - 9,5, tỉnh Khoảng 8% (cao hơn)"."""
    return _target_text(rules.load("labels.yaml"), target)


def _target_text(book: Mapping[str, Any], target: Mapping[str, Any]) -> str:
    verdict = str((book.get("compare") or {}).get(target["verdict"], target["verdict"]))
    return str(book["target_line"]).format(period=target["period"], plan=target.get("plan") or book["target_none"],
                                           province=target["province"], verdict=verdict.lower())


def why(reasons: Sequence[Mapping[str, Any]], targets: Sequence[Mapping[str, Any]] = (), *,
        book: Mapping[str, Any] | None = None) -> str:
    """A cell's reasons and target comparisons as one text (``book``: the label file, when already read)."""
    book = book if book is not None else rules.load("labels.yaml")
    parts = [_reason_text(book, r) for r in reasons] + [_target_text(book, t) for t in targets if t.get("plan")]
    return ". ".join(parts) + ("." if parts else "")


def warning_text(warning: Mapping[str, Any]) -> str:
    """A stored warning about a file (code, message, details) in Vietnamese."""
    from hycompliance.errors import message_vi

    return message_vi(warning["code"], dict(warning.get("details") or {}), warning.get("message", ""))


def review_line(review: Mapping[str, Any] | None, escape: Any = str) -> str:
    """A reviewer's decision in words: "Có giải trình: note (who, dd/mm/yyyy hh:mm) — Cần xem lại"; ``escape``
    is the output format's escaping of the free text (note, reviewer)."""
    if not review:
        return ""
    stale = f" — {text('stale')}" if review["stale"] else ""
    return (f"{word('status', review['status'])}: {escape(review['note'])} "
            f"({escape(review['reviewer'])}, {when(review['at'])}){stale}")
