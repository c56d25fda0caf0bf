"""Find every mention of a document in a text: numbered, short, self and named references.

One implementation: ``extract`` works on a plain string; ``extract_plan`` adds pages and clause IDs; the
spaCy component (``references/spacy.py``) calls ``extract`` and wraps the results as spans.

A numbered mention is found by its symbol (the most reliable part), then grown to the left over its type
word and "số" and to the right over its date and issuer phrase. The document type comes from the symbol's
type code, never from the nearest word ("Kế hoạch thực hiện Chương trình hành động số 34-CTr/TU" cites a
Chương trình hành động).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hycompliance.models import Citation, Plan
from hycompliance.references import patterns as P
from hycompliance.references.rules import DocType, Issuer, Rules, load_rules
from hycompliance.references.symbols import Symbol, parse_key, parse_symbol, written_code

if TYPE_CHECKING:
    from hycompliance.references.resolve import Registry

# How far to look left of a symbol for its type word, and for a list header ("các Quyết định của ...:").
TYPE_WINDOW = 48
LIST_WINDOW = 400
# How far from the top a "Số: ..." line is still the plan's own header.
HEADER_SPAN = 2000

SYMBOL_FLAG = "wrong_symbol_format"
SHORT_FLAG = "ambiguous_short_form"
SPACING_FLAG = "symbol_spacing"
UNFILLED_FLAG = "unfilled_self_reference"


def iso_date(m: re.Match[str]) -> str | None:
    d, mo, y = (m["d1"], m["m1"], m["y1"]) if m["d1"] else (m["d2"], m["m2"], m["y2"])
    day, month = int(d), int(mo)
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return None
    return f"{int(y):04d}-{month:02d}-{day:02d}"


def _issuer_after(folded: str, text: str, pos: int, rules: Rules) -> tuple[str | None, int]:
    m = rules.issuer_after_re.match(folded, pos)
    if not m:
        return None, pos
    return " ".join(text[m.start("issuer") : m.end("issuer")].split()), m.end()


def _list_issuer(folded: str, text: str, start: int, rules: Rules) -> str | None:
    """The issuer of a list header ("các Chỉ thị của Ban Thường vụ Tỉnh ủy: sô 25-CT/TU ...") above ``start``."""
    lo = max(0, start - LIST_WINDOW)
    last = None
    for m in rules.list_header_re.finditer(folded, lo, start):
        last = m
    if last is None:
        return None
    between = text[last.end() : start]
    if re.search(r"\.\s+[A-ZĐÀ-Ỹ]|\n\s*[-+•]", between):
        return None  # a new sentence or item began after the header
    return " ".join(text[last.start("issuer") : last.end("issuer")].split())


@dataclass(frozen=True)
class _Found:
    citation: Citation
    stated: bool  # issuer phrase printed next to the mention


def _numbered(text: str, folded: str, rules: Rules, registry: Registry | None, own_key: str | None) -> list[_Found]:
    found: list[_Found] = []
    for m in P.SYMBOL_RE.finditer(folded):
        start, end = m.start(), m.end()
        window_lo = max(0, start - TYPE_WINDOW)
        before = rules.type_before_re.search(folded, window_lo, start)
        letter = bool(before) and getattr(rules.type_by_word(folded[before.start("word") : before.end("word")]), "code", None) == "CV"
        sym = parse_symbol(m, text, rules, letter=letter)
        if sym is None:
            continue
        word_type: DocType | None = None
        if before:
            start = before.start()
            word_type = rules.type_by_word(folded[before.start("word") : before.end("word")])
        else:
            so = re.search(rf"(?<!\w){P.SO}$", folded[window_lo:m.start()])
            if so:
                start = window_lo + so.start()
        doc_type = sym.type
        if doc_type is None:  # laws and Assembly resolutions share number/year/QHnn: the word decides
            doc_type = word_type if word_type and word_type.code == "NQ" else rules.symbol_free_type("LUAT")
        date = None
        header = m.start() < HEADER_SPAN and P.HEADER_NUMBER_RE.search(folded, max(0, m.start() - 20), m.start())
        dm = P.DATE_AFTER_RE.match(folded, m.end())
        if dm:
            date = iso_date(dm)
            end = dm.end()
        elif header:
            hd = P.HEADER_DATE_RE.search(folded, m.end(), min(len(folded), m.end() + 300))
            date = iso_date(hd) if hd else None
        stated, _ = _issuer_after(folded, text, end, rules)
        if stated is None and not before:
            stated = _list_issuer(folded, text, start, rules)
        key = sym.key()
        issuer = stated or _known_issuer(key, sym, rules, registry)
        flags = (SYMBOL_FLAG,) if sym.mixed else ()
        if P.SPACED_SEPARATOR_RE.search(text, m.start(), m.end()) or sym.glued:
            flags += (SPACING_FLAG,)
        citation = Citation(
            key=key,
            type=doc_type.name,
            number=sym.number,
            symbol=sym.symbol_part(),
            date=date,
            issuer=issuer,
            issuer_code=sym.issuer_code,
            system=sym.system if sym.system != "unknown" else sym.form,
            as_written=text[start:end],
            start=start,
            end=end,
            flags=flags,
        )
        found.append(_Found(citation, stated is not None))
    return found


def _unfilled(text: str, folded: str, rules: Rules, own: Citation | None, taken: list[tuple[int, int]]) -> list[Citation]:
    """A symbol with its number left blank ("Nghị quyết số /NQ-CP ngày 01 tháng 01 năm 2025"): a
    document's mention of itself, never filled in. Taken to be the document's own number when the type
    and issuer codes are its own; its date, blank or printed, is kept as written."""
    out = []
    for m in P.UNFILLED_RE.finditer(folded):
        if _overlaps(m.start(), m.end(), taken) or not text[m.start("u_type")].isupper():
            continue
        doc_type = rules.type_by_code(m["u_type"])
        if doc_type is None:
            continue
        start, end, date = m.start(), m.end(), None
        before = rules.type_before_re.search(folded, max(0, start - TYPE_WINDOW), start)
        if before and before.end() == start:
            start = before.start()
        dm = P.DATE_AFTER_RE.match(folded, end)
        blank = None if dm else P.BLANK_DATE_RE.match(folded, end)
        if dm:
            date, end = iso_date(dm), dm.end()
        elif blank:
            end = blank.end()
        issuer_code = written_code(text, m, "u_issuer").upper() if m["u_issuer"] else None
        mine = own is not None and own.key is not None and _same_symbol(own.key, doc_type.code, issuer_code)
        out.append(
            Citation(
                key=own.key if mine and own else None,
                type=doc_type.name,
                number=None,
                symbol=None,
                date=date,
                issuer=own.issuer if mine and own else _issuer_name(issuer_code, rules),
                issuer_code=issuer_code,
                system="state",
                as_written=text[start:end],
                start=start,
                end=end,
                flags=(UNFILLED_FLAG,),
            )
        )
    return out


def _same_symbol(key: str, type_code: str, issuer_code: str | None) -> bool:
    parts = parse_key(key)
    if parts is None or P.fold(parts.type_code or "") != P.fold(type_code):
        return False
    return issuer_code is None or P.fold(parts.issuer_code) == P.fold(issuer_code)


def _known_issuer(key: str, sym: Symbol, rules: Rules, registry: Registry | None) -> str | None:
    doc = registry.get(key) if registry is not None else None
    if doc is not None and doc.issuer:
        return doc.issuer
    issuer, _ = rules.issuer_by_code(sym.issuer_code.split("-")[0], sym.system if sym.system != "unknown" else sym.form)
    return issuer.name if issuer else None


def _overlaps(start: int, end: int, taken: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in taken)


def _short_forms(
    text: str, folded: str, rules: Rules, registry: Registry | None, numbered: list[Citation], taken: list[tuple[int, int]]
) -> list[Citation]:
    out: list[Citation] = []
    for m in rules.short_form_re.finditer(folded):
        if _overlaps(m.start(), m.end(), taken):
            continue
        after = folded[m.end() : m.end() + 12]
        if not m["so"] and re.match(rf"{P.WS}(?:nam|thang|ngay|tuoi|nguoi|%|ty|trieu|ha|km|lan)\b", after):
            continue
        doc_type = rules.type_by_word(folded[m.start("word") : m.end("word")])
        if doc_type is None or doc_type.symbol_free:
            continue
        stated, end = _issuer_after(folded, text, m.end(), rules)
        want = rules.issuer_by_name(stated)
        number = m["num"]
        # The plan's own mentions first; the registry only when the plan does not say which.
        keys = {c.key for c in numbered if c.key and _same_doc(c.key, number, doc_type.code, want)}
        if registry is not None and not keys:
            keys = {d.key for d in registry.by_number_type(number, doc_type.code) if _same_doc(d.key, number, doc_type.code, want)}
        if not keys and not m["so"] and stated is None:
            continue  # "Chương trình 135 ..." without "số" and with nothing to resolve: not a citation
        key = next(iter(keys)) if len(keys) == 1 else None
        parts = parse_key(key) if key else None
        issuer_code = parts.issuer_code if parts else (want.signs_as if want else None)
        out.append(
            Citation(
                key=key,
                type=doc_type.name,
                number=number,
                symbol=key[len(parts.number) + 1 :] if key and parts else None,
                date=None,
                issuer=stated or _issuer_name(issuer_code, rules),
                issuer_code=issuer_code,
                system=(parts.form if parts else (want.system if want else "unknown")),
                as_written=text[m.start() : m.end()],
                start=m.start(),
                end=m.end(),
                flags=() if key else (SHORT_FLAG,),
            )
        )
    return out


def _issuer_name(code: str | None, rules: Rules) -> str | None:
    if not code:
        return None
    issuer, _ = rules.issuer_by_code(code.split("-")[0])
    return issuer.name if issuer else None


def _same_doc(key: str, number: str, type_code: str, want: Issuer | None) -> bool:
    parts = parse_key(key)
    if parts is None or parts.type_code != type_code or parts.number.lstrip("0") != number.lstrip("0"):
        return False
    return want is None or want.signs(parts.issuer_code)


def _self_references(text: str, folded: str, rules: Rules, own: Citation | None, taken: list[tuple[int, int]]) -> list[Citation]:
    out = []
    for m in rules.self_reference_re.finditer(folded):
        if _overlaps(m.start(), m.end(), taken):
            continue
        doc_type = rules.type_by_word(folded[m.start("word") : m.end("word")])
        if doc_type is None or doc_type.symbol_free:
            continue
        out.append(
            Citation(
                key=own.key if own else None,
                type=own.type if own else doc_type.name,
                number=own.number if own else None,
                symbol=own.symbol if own else None,
                date=own.date if own else None,
                issuer=own.issuer if own else None,
                issuer_code=own.issuer_code if own else None,
                system=own.system if own else "unknown",
                as_written=text[m.start() : m.end()],
                start=m.start(),
                end=m.end(),
            )
        )
    return out


def _named(text: str, folded: str, rules: Rules, taken: list[tuple[int, int]]) -> list[Citation]:
    out = []
    for m in P.NAMED_RE.finditer(folded):
        if _overlaps(m.start(), m.end(), taken):
            continue
        if m["planning"]:
            doc_type, code = rules.symbol_free_type("QH-PLAN"), None
        else:
            doc_type = rules.type_by_code("NQ")
            local = m["congress"] and not m["national"] and re.search(r"dang\s+bo", m.group())
            code = "TU" if local else "TW"
        out.append(
            Citation(
                key=None,
                type=doc_type.name if doc_type else None,
                number=None,
                symbol=None,
                date=None,
                issuer=_issuer_name(code, rules),
                issuer_code=code,
                system="party" if code else "state",
                as_written=text[m.start() : m.end()],
                start=m.start(),
                end=m.end(),
            )
        )
    return out


def _titled(text: str, folded: str, rules: Rules, taken: list[tuple[int, int]]) -> list[Citation]:
    """An unnumbered document named by its type and issuer in the title of another, before the numbered
    document it carries out: "Chương trình hành động của Chính phủ thực hiện Nghị quyết số 57-NQ/TW",
    "Kế hoạch hành động của Ban Thường vụ Thành ủy Hà Nội về triển khai Nghị quyết số 57-NQ/TW". It is a
    reference of its own (no key); the numbered one is found by its symbol."""
    out = []
    for m in rules.titled_re.finditer(folded):
        if _overlaps(m.start(), m.end(), taken) or not text[m.start()].isupper():
            continue
        doc_type = rules.type_by_word(folded[m.start("word") : m.end("word")])
        issuer = rules.issuer_by_name(text[m.start("issuer") : m.end("issuer")])
        if doc_type is None or issuer is None:
            continue
        out.append(
            Citation(
                key=None,
                type=doc_type.name,
                number=None,
                symbol=None,
                date=None,
                issuer=" ".join(text[m.start("issuer") : m.end("issuer")].split()),
                issuer_code=issuer.signs_as,
                system=issuer.system,
                as_written=" ".join(text[m.start() : m.end("issuer")].split()),
                start=m.start(),
                end=m.end("issuer"),
            )
        )
    return out


def _bare(key: str, rules: Rules) -> Citation | None:
    """A citation standing for a document known only by its key (the plan's own number)."""
    parts = parse_key(key)
    if parts is None:
        return None
    doc_type = rules.type_by_code(parts.type_code) if parts.type_code else None
    return Citation(
        key=key,
        type=doc_type.name if doc_type else None,
        number=parts.number,
        symbol=key[len(parts.number) + 1 :],
        date=None,
        issuer=_issuer_name(parts.issuer_code, rules),
        issuer_code=parts.issuer_code,
        system=parts.form,
        as_written=key,
        start=0,
        end=0,
    )


def find_own(citations: list[Citation], text: str) -> Citation | None:
    """The plan's own number in its header ("Số: 87/KH-UBND"), when the text starts with a header."""
    folded = P.fold(text[: HEADER_SPAN + 40])
    for c in citations:
        if c.start >= HEADER_SPAN:
            break
        line_start = re.search(r"(?:^|\n)[ \t|]*$", folded[max(0, c.start - 20) : c.start])
        if c.key and line_start and re.match(rf"so{P.GAP}:", P.fold(c.as_written)):
            return c
    return None


def extract(
    text: str, *, registry: Registry | None = None, own_key: str | None = None, rules: Rules | None = None
) -> list[Citation]:
    """Every mention of a document in ``text``, in order, with spans into ``text``.

    ``own_key`` is the plan's own number when known from elsewhere (``Plan.header``); otherwise the
    "Số: ..." line of the header, if present, gives it. "Kế hoạch này" resolves to it.
    """
    rules = rules or load_rules()
    folded = P.fold(text)
    found = _numbered(text, folded, rules, registry, own_key)
    numbered = [f.citation for f in found]
    own = find_own(numbered, text)
    if own_key and (own is None or own.key != own_key):
        own = next((c for c in numbered if c.key == own_key), None) or _bare(own_key, rules)
    taken = [(c.start, c.end) for c in numbered]
    blanks = _unfilled(text, folded, rules, own, taken)
    taken += [(c.start, c.end) for c in blanks]
    named = _named(text, folded, rules, taken)
    taken += [(c.start, c.end) for c in named]
    named += _titled(text, folded, rules, taken)
    taken += [(c.start, c.end) for c in named]
    short = _short_forms(text, folded, rules, registry, numbered, taken)
    taken += [(c.start, c.end) for c in short]
    selfs = _self_references(text, folded, rules, own, taken)
    return sorted(numbered + blanks + named + short + selfs, key=lambda c: c.start)


def extract_plan(plan: Plan, registry: Registry | None = None, *, rules: Rules | None = None) -> list[Citation]:
    """``extract`` over ``plan.text``, each mention placed on its page and clause."""
    own_key = canonical_key(plan.header.number, rules or load_rules()) if plan.header.number else None
    out = []
    for c in extract(plan.text, registry=registry, own_key=own_key, rules=rules):
        clause = plan.clause_at(c.start)
        out.append(replace(c, page=clause.page if clause else 1, clause=clause.id if clause else None))
    return out


def canonical_key(symbol_text: str, rules: Rules | None = None) -> str | None:
    """Canonical key of a bare symbol as printed ("34-CTR/TU" -> "34-CTr/TU"), or None."""
    rules = rules or load_rules()
    m = P.SYMBOL_RE.search(P.fold(symbol_text))
    sym = parse_symbol(m, symbol_text, rules) if m else None
    return sym.key() if sym else None
