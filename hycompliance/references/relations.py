"""What documents say about each other: repeals, replacements, amendments, implementation.

A law, decree, circular, decision or plan states the fate of older documents in its own words:
"Thông tư số 06/2021/TT-BCA ... hết hiệu lực kể từ ngày Thông tư này có hiệu lực thi hành",
"Thông tư này bãi bỏ Thông tư số 56/2015/TT-BCT", "Bãi bỏ toàn bộ Quyết định số 15/2025/QĐ-UBND",
"Nghị định số 116/2024/NĐ-CP ... sửa đổi, bổ sung một số điều của Nghị định số 138/2020/NĐ-CP",
"Căn cứ Luật ...". ``learn(text)`` turns those sentences into ``Relation`` records; the verbs, the words that
make a repeal partial and the words that name the document itself are in ``rules/relations.yaml``.

Who does what to whom, within one clause (a line or a ";"-separated part of it):

- an active verb ("bãi bỏ", "thay thế", "sửa đổi, bổ sung") acts on the documents cited after it; its
  subject is the document cited right before it ("Nghị định số 116/2024/NĐ-CP ... của Chính phủ sửa đổi"),
  else the document being read ("Thông tư này bãi bỏ ...", an article "Bãi bỏ ...");
- a state verb after a citation ("... hết hiệu lực", "... được thay thế bởi ...", "đã được sửa đổi, bổ sung
  theo Luật số ...") is about the citation before it; the actor is the document after it, else the one read;
- words such as "Điều", "khoản", "một số", "các quy định" between a repealing verb and its object make the
  repeal partial.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

import yaml

from hycompliance.models import Citation
from hycompliance.references import patterns as P
from hycompliance.references.extract import extract, find_own, iso_date
from hycompliance.references.symbols import normal_key, parse_key
from hycompliance.references.rules import Rules, load_rules, rules_dir

Kind = Literal["repeals", "replaces", "amends", "implements"]

# How close (characters) a citation must end before a verb to be its subject, and start after it to be
# its object (a list of objects is read on while each follows the previous one).
SUBJECT_GAP = 80
OBJECT_GAP = 160


@dataclass(frozen=True)
class Relation:
    """``source`` (the acting document) does ``kind`` to ``target``; ``scope`` is whole or part."""

    source_key: str
    source_date: str | None
    kind: Kind
    target_key: str
    target_date: str | None
    scope: Literal["whole", "part"] = "whole"
    effective: str | None = None  # ISO date the relation takes effect, when the text gives it
    evidence: str = ""  # the clause that says it, as written
    origin: str = ""  # the file it was learnt from


@dataclass(frozen=True)
class _Verb:
    kind: Kind
    passive: bool  # about the citation before it ("hết hiệu lực", "được thay thế")
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class _Words:
    verbs: tuple[_Verb, ...]
    partial: re.Pattern[str]
    self_words: re.Pattern[str]
    effective: re.Pattern[str]
    agent: re.Pattern[str]
    acting_types: tuple[str, ...]


@lru_cache(maxsize=2)
def _words() -> _Words:
    data = yaml.safe_load((rules_dir() / "relations.yaml").read_text(encoding="utf-8"))
    verbs = []
    for kind, spec in data["verbs"].items():
        for passive, key in ((False, "active"), (True, "passive")):
            words = spec.get(key) or []
            if words:
                verbs.append(_Verb(kind, passive, re.compile(rf"(?<!\w)(?:{P.alternation(words)})(?!\w)")))
    return _Words(
        verbs=tuple(verbs),
        partial=re.compile(rf"(?<!\w)(?:{P.alternation(data['partial'])})(?!\w)"),
        self_words=re.compile(rf"(?<!\w)(?:{P.alternation(data['self'])}){P.WS}nay(?!\w)"),
        effective=re.compile(rf"(?<!\w)nay{P.WS}co{P.WS}hieu{P.WS}luc(?:{P.WS}thi{P.WS}hanh)?(?:{P.WS}ke)?{P.WS}tu{P.WS}ngay{P.WS}{P.DATE}"),
        agent=re.compile(rf"^[\s,]*(?:{P.alternation(data['agent'])})(?!\w)"),
        acting_types=tuple(data["acting_types"]),
    )


# How far into a file its own header may sit (a web page's menus come before the document).
OWN_SPAN = 30000
_OWN_LINE_RE = re.compile(r"(?<![a-z])so[ \t*]*:[ \t*]*$")
# The header's "<place>, ngày ... tháng ... năm ..." (not a "Căn cứ Luật ... ngày ..." line below it).
_PLACE_DATE_RE = re.compile(rf"(?<![a-z])[a-z][a-z ]{{1,30}},[ \t]*ngay{P.WS}{P.DATE}")
_TITLE_LINE_RE = re.compile(r"^#[ \t]+[a-z ]{2,30}$")


def own_document(text: str, citations: list[Citation], *, own_key: str | None = None, own_date: str | None = None) -> tuple[str | None, str | None]:
    """The key and date of the document being read: given; else its "Số: ..." (or "Luật số: ...") header
    line, dated by the "ngày ... tháng ... năm ..." line after it; else a page whose title (a "# " heading
    on its first lines) names one numbered document, as legal pages do ("# Thông tư 16/2024/TT-BCA ...")."""
    if own_key:
        return own_key, own_date
    folded = P.fold(text[: OWN_SPAN + 200])

    def dated(c: Citation) -> str | None:
        hd = _PLACE_DATE_RE.search(folded, c.end, c.end + 600)
        return iso_date(hd) if hd else None

    own = find_own(citations, text)
    if own:
        return own.key, own_date or dated(own)

    def lead(c: Citation) -> str:
        """The line up to the citation's number ("Số: ", "Luật số: ", "# Thông tư ")."""
        line_start = folded.rfind("\n", 0, c.start) + 1
        written = P.fold(c.as_written)
        return folded[line_start : c.start] + written[: written.find(c.number or "")]

    for c in citations:
        if c.start > OWN_SPAN:
            break
        if _OWN_LINE_RE.search(lead(c)):
            return c.key, dated(c)
    first = next((c for c in citations if c.start < 400), None)
    if first is not None and _TITLE_LINE_RE.match(lead(first).rstrip()):
        return first.key, first.date
    return None, None


_SIGNED_RE = re.compile(rf"(?<!\w)nay{P.WS}co{P.WS}hieu{P.WS}luc(?:{P.WS}thi{P.WS}hanh)?(?:{P.WS}ke)?{P.WS}tu{P.WS}ngay{P.WS}(?:ky|ban{P.WS}hanh)(?!\w)")


def effective_date(text: str, own_date: str | None = None) -> str | None:
    """"... này có hiệu lực (thi hành) (kể) từ ngày 01 tháng 7 năm 2025" -> 2025-07-01; "... kể từ
    ngày ký" / "ngày ban hành" -> the document's own date."""
    folded = P.fold(text)
    m = _words().effective.search(folded)
    if m:
        return iso_date(m)
    return own_date if _SIGNED_RE.search(folded) else None


def _clauses(text: str) -> list[tuple[int, int]]:
    """Spans of clauses: lines, split again at ";"."""
    spans, pos = [], 0
    for part in re.split(r"(\n|;)", text):
        if part not in ("\n", ";"):
            spans.append((pos, pos + len(part)))
        pos += len(part)
    return [(s, e) for s, e in spans if e > s]


def learn(text: str, *, own_key: str | None = None, own_date: str | None = None, origin: str = "",
          rules: Rules | None = None) -> tuple[list[Citation], list[Relation]]:
    """Every numbered citation of ``text`` and every relation it states between documents."""
    rules = rules or load_rules()
    words = _words()
    citations = [c for c in extract(text, rules=rules) if c.key and c.number]
    if own_key and not own_date:  # a parsed header without its date: the "Số: ..." line may still date it
        found_key, found_date = own_document(text, citations)
        own_date = found_date if found_key and normal_key(found_key) == normal_key(own_key) else None
    own_key, own_date = own_document(text, citations, own_key=own_key, own_date=own_date)
    in_force = effective_date(text, own_date)
    folded = P.fold(text)
    out: list[Relation] = []
    for lo, hi in _clauses(text):
        inside = [c for c in citations if lo <= c.start < hi and not (own_key and normal_key(c.key or "") == normal_key(own_key))]
        if not inside:
            continue
        hits = sorted(((m.start(), m.end(), v) for v in words.verbs for m in v.pattern.finditer(folded, lo, hi)), key=lambda h: (h[0], -h[1]))
        taken_until = -1
        for vstart, vend, verb in hits:
            if vstart < taken_until:
                continue  # a shorter verb inside a longer one ("thay thế" in "được thay thế bởi")
            taken_until = vend
            before = [c for c in inside if c.end <= vstart]
            after = [c for c in inside if c.start >= vend]
            nxt = min((h[0] for h in hits if h[0] >= vend), default=hi)
            after_here = [c for c in after if c.start < nxt]
            gap_text = folded[before[-1].end : vstart] if before else ""
            near = bool(before) and vstart - before[-1].end <= SUBJECT_GAP and not words.self_words.search(gap_text)
            clause_text = " ".join(text[lo:hi].split())
            date = _explicit_date(folded, vend, hi) or in_force
            gap_start = before[-1].end if before else vstart
            unnamed = any(text[m.start()].isupper() for m in rules.type_word_re.finditer(folded, gap_start, vstart)) \
                and not words.self_words.search(gap_text)
            if verb.passive:
                if not before or vstart - before[-1].end > SUBJECT_GAP or unnamed:
                    continue  # what is acted upon is not the citation before ("... thực hiện Nghị quyết số 57 về ... được sửa đổi")
                target = before[-1]
                agent = after_here[0] if after_here and words.agent.match(folded[vend : after_here[0].start]) else None
                if agent is None and verb.kind != "repeals":
                    continue  # "được sửa đổi, bổ sung" by a document the clause does not number
                src_key, src_date = (agent.key, agent.date) if agent else (own_key, own_date)
                if src_key is None:
                    continue
                scope = "part" if verb.kind == "amends" or words.partial.search(folded, max(lo, target.start - 60), target.start) else "whole"
                out.append(Relation(src_key, src_date, verb.kind, target.key or "", target.date, scope,
                                    date if not agent else agent.date, clause_text, origin))
                continue
            tail = folded[max(lo, vstart - 40) : vstart]
            last = list(rules.type_word_re.finditer(folded, max(lo, vstart - 40), vstart))
            if last and text[last[-1].start()].isupper() and not folded[last[-1].end() : vstart].strip() \
                    and not words.self_words.search(tail):
                continue  # an unnumbered document acts ("Luật sửa đổi, bổ sung một số điều của ..."): unknown actor
            src_key, src_date = (before[-1].key, before[-1].date) if near else (own_key, own_date)
            if not near and verb.kind != "implements" and not _states_facts(own_key, rules) and not words.self_words.search(tail):
                continue  # a plan's or programme's "sửa đổi Nghị định số ..." is a task, not a fact
            if src_key is None:
                continue
            for target in after_here:
                between = folded[vend : target.start]
                named = [m for m in rules.type_word_re.finditer(folded, vend, target.start) if text[m.start()].isupper()
                         and not _own_name(folded, m.end(), target)]
                if len(between) > OBJECT_GAP or (target is after_here[0] and named):
                    continue  # the verb acts on something else ("sửa đổi, bổ sung Chương trình hành động ... thực hiện Nghị quyết số 57")
                scope = "part" if verb.kind == "amends" or words.partial.search(between) else "whole"
                eff = date if src_key == own_key else src_date
                out.append(Relation(src_key, src_date, verb.kind, target.key or "", target.date, scope, eff, clause_text, origin))
    out += _listed(text, folded, citations, own_key, own_date, in_force, origin, words)
    return citations, _unique(out)


# A type word that is the object's own, its name between ("Luật Giao dịch điện tử số 20/2023/QH15").
_OWN_NAME_RE = re.compile(r"[^,;:]{0,80}?(?<!\w)so\s*$")
def _own_name(folded: str, end: int, target: Citation) -> bool:
    """Whether the words from ``end`` to ``target`` are the name of the target itself ("Luật Giao dịch
    điện tử [số 20/2023/QH15]")."""
    if _OWN_NAME_RE.match(folded, end, target.start):
        return True
    return P.fold(target.as_written).startswith("so") and re.fullmatch(r"[^,;:]{0,80}", folded[end : target.start]) is not None


_ITEM_RE = re.compile(r"[ \t*]*(?:[a-zđ]\)|[-–+•])[ \t*]*")


def _listed(text: str, folded: str, citations: list[Citation], own_key: str | None, own_date: str | None,
            in_force: str | None, origin: str, words: _Words) -> list[Relation]:
    """A lead-in that ends with ":" and repeals or replaces what its items list ("2. Các văn bản quy phạm
    pháp luật sau đây hết hiệu lực kể từ ngày Nghị định này có hiệu lực thi hành:" then "a) Nghị định số
    06/2010/NĐ-CP ...", "b) ..."): the document read acts on the first document of each item."""
    if own_key is None or not _states_facts_key(own_key):
        return []
    out: list[Relation] = []
    lines = text.split("\n")
    pos = 0
    starts = []
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    for n, line in enumerate(lines):
        lead = folded[starts[n] : starts[n] + len(line)].rstrip(" *")
        if not lead.endswith(":"):
            continue
        verb = next((v for v in words.verbs if v.kind in ("repeals", "replaces") and v.pattern.search(lead)), None)
        if verb is None or any(starts[n] <= c.start < starts[n] + len(line) for c in citations):
            continue
        date = _explicit_date(folded, starts[n], starts[n] + len(line)) or in_force
        for m in range(n + 1, len(lines)):
            item = lines[m]
            if not item.strip():
                continue
            head = _ITEM_RE.match(P.fold(item))
            first = next((c for c in citations if starts[m] <= c.start < starts[m] + len(item)), None)
            # an item: a marked line ("a)", "-") or, once the markers are stripped, a line that opens
            # with the document it names
            if first is None or first.start - starts[m] > (head.end() if head else 0) + 2:
                break
            scope = "part" if words.partial.search(folded, starts[m], first.start) else "whole"
            out.append(Relation(own_key, own_date, verb.kind, first.key or "", first.date, scope, date,
                                " ".join(f"{line} {item}".split()), origin))
    return out


def _states_facts(key: str | None, rules: Rules) -> bool:
    """Whether the document ``key`` repeals or amends by its own articles: a normative document (its
    symbol carries a year) or a type listed in ``rules/relations.yaml`` (decisions). A plan or programme
    that says "sửa đổi Nghị định số ..." assigns a task."""
    if not key:
        return False
    if re.match(r"^\d+/\d{4}/", key):
        return True
    parts = parse_key(key)
    return bool(parts and parts.type_code and P.fold(parts.type_code) in {P.fold(t) for t in _words().acting_types})


def _states_facts_key(key: str) -> bool:
    return _states_facts(key, load_rules())


def _explicit_date(folded: str, lo: int, hi: int) -> str | None:
    m = re.search(rf"(?:ke{P.WS})?tu{P.WS}ngay{P.WS}{P.DATE}", folded[lo:hi])
    return iso_date(m) if m else None


def _year(key: str, date: str | None) -> int | None:
    m = re.match(r"^\d+/(\d{4})/", key)
    return int(m.group(1)) if m else (int(date[:4]) if date else None)


def _unique(relations: list[Relation]) -> list[Relation]:
    seen: dict[tuple[str, str, str, str], Relation] = {}
    for r in relations:
        src, tgt = _year(r.source_key, r.source_date), _year(r.target_key, r.target_date)
        if r.kind != "implements" and src and tgt and src < tgt:
            continue  # an older document cannot repeal or amend a newer one: the clause was misread
        k = (normal_key(r.source_key), r.kind, normal_key(r.target_key), r.scope)
        if r.source_key and r.target_key and normal_key(r.source_key) != normal_key(r.target_key) and k not in seen:
            seen[k] = r
    # a document that repeals, replaces or amends another does not also implement it
    acted = {(k[0], k[2]) for k in seen if k[1] != "implements"}
    return [r for k, r in seen.items() if k[1] != "implements" or (k[0], k[2]) not in acted]
