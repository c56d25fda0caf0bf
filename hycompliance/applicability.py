"""Who a requirement binds, and what kind of body a document comes from.

- ``document_level(issuer, parent_issuer)``: commune, district, agency, province, ministry or party, from the
  innermost body of a header; a "thành phố" is a province when it is centrally run (named in the rules and no
  province above it), else a district.
- ``addressees(parent)``: the kinds of body a parent plan addresses, read from its own text and recipients
  ("các sở, ban, ngành, UBND các xã, phường"; "địa phương" is the level below the parent's).
- ``bind_applicability(parent, catalogue)``: each task, sub-task and reference binds the parent's addressees
  (and the bodies it names); each target binds only the territorial ones: a department is not scored on GRDP.
- ``applies(requirement, kind, issuer)``: whether a requirement binds a document of that kind and issuer.

The words are in ``rules/applicability.yaml``; nothing here lists one province's implementers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from hycompliance import rules
from hycompliance.models import Plan, Requirement
from hycompliance.normalize import fold

KINDS = ("commune", "district", "agency", "province", "ministry", "party")
RULES_FILE = "applicability.yaml"


def _cfg() -> dict[str, Any]:
    return rules.load(RULES_FILE)


def _fold(text: str) -> str:
    return fold(text).strip()


def _has(words: str, text: str) -> bool:
    """``words`` occur in ``text`` (both lower case) as whole words."""
    return re.search(rf"(?<!\w){re.escape(words)}(?!\w)", text) is not None


def document_level(issuer: str | None, parent_issuer: str | None = None) -> str | None:
    """The kind of body that issued a document, from its issuer (and the line above it, if any).

    The innermost body decides: "UBND tỉnh Hưng Yên Sở Công Thương" (both header lines run together) is an agency.
    """
    if not issuer:
        return None
    cfg = _cfg()
    starts = [0] + [m.start() for m in re.finditer(r"(?<= )(?=[A-ZĐ])", issuer)]
    for start in reversed(starts):
        body = issuer[start:]
        for entry in cfg["levels"]:
            if re.search(entry["pattern"], body):
                kind = str(entry["kind"])
                return _city(body, f"{issuer[:start]} {parent_issuer or ''}", cfg) if kind == "city" else kind
    return None


def _city(body: str, above: str, cfg: dict[str, Any]) -> str:
    """A "UBND thành phố X": a province when X is centrally run and no province stands above it."""
    if any(_has(w.strip(), above.lower()) for w in cfg["province_above"]):
        return "district"
    name = _fold(body.split("thành phố", 1)[-1])
    return "province" if name in {_fold(c) for c in cfg["central_cities"]} else "district"


def parent_level(parent: Plan) -> str | None:
    """The parent's own level, or ``national`` when its symbol carries a national issuer code."""
    from hycompliance.references.extract import parse_key

    parts = parse_key(parent.header.number or "")
    code = re.sub(r"\d+$", "", parts.issuer_code) if parts else ""
    if code in _cfg()["national_issuer_codes"]:
        return "national"
    return document_level(parent.header.issuer, parent.header.parent_issuer)


def collective_kinds(text: str) -> list[str]:
    """Kinds named collectively in ``text`` ("các sở, ban, ngành" -> agency), in the rules' order."""
    low = text.lower()
    return list(dict.fromkeys(str(c["kind"]) for c in _cfg()["collectives"] if _has(c["words"], low)))


def _assigning_text(parent: Plan, cfg: dict[str, Any]) -> str:
    """The text of the sections that say who does what ("Tổ chức thực hiện", "Phân công nhiệm vụ"), from
    each such heading to the next section; the whole text when the plan has none."""
    sections = [c for c in parent.clauses if c.kind == "section"]
    words = tuple(w.lower() for w in cfg["addressee_sections"])
    parts = []
    for i, c in enumerate(sections):
        if re.sub(r"^[\dIVXLC]+\s*[.\-–)]\s*", "", c.text.strip()).lower().startswith(words):
            end = sections[i + 1].start if i + 1 < len(sections) else len(parent.text)
            parts.append(parent.text[c.start : end])
    return "\n".join(parts) if parts else parent.text


def addressees(parent: Plan) -> tuple[str, ...]:
    """The kinds of body a parent plan addresses: collectives in its recipients and in the sections that
    assign duties, and for "địa phương" the level below its own. Empty when it names none (then its tasks
    bind everyone)."""
    cfg = _cfg()
    text = "\n".join((*parent.closing.recipients, _assigning_text(parent, cfg)))
    level = parent_level(parent) or ""
    kinds = collective_kinds(text)
    if any(_has(w, text.lower()) for w in cfg["localities"]):
        kinds += list(cfg["below"].get(level, []))
    allowed = cfg["addressable"].get(level, KINDS)
    return tuple(k for k in KINDS if k in kinds and k in allowed)


def _named(applies_to: Sequence[str]) -> tuple[str, ...]:
    """The named bodies of an applies_to list ("Sở Công Thương"), without kinds and collectives."""
    return tuple(w for w in applies_to if w not in KINDS and not collective_kinds(w))


def bind_applicability(parent: Plan, catalogue: Sequence[Requirement]) -> list[Requirement]:
    """Each requirement's ``applies_to`` from the parent's own addressees (duties keep their agency)."""
    addressed = addressees(parent)
    territorial = [str(k) for k in _cfg()["territorial"]]
    targets = tuple(k for k in addressed if k in territorial) or tuple(territorial)
    out = []
    for r in catalogue:
        if r.kind in ("duty", "assignment"):  # "assignment": catalogues written before duties had a kind
            out.append(r)
            continue
        named = _named(r.applies_to)
        if r.kind == "target":
            binds = (*targets, *named)
        else:  # the parent's addressees, and the kinds and bodies the requirement names itself
            binds = (*addressed, *collective_kinds(r.text), *named) if addressed else ()
        out.append(replace(r, applies_to=tuple(dict.fromkeys(binds))))
    return out


def applies(requirement: Requirement, kind: str | None, issuer: str | None) -> bool:
    """Whether a requirement binds a document of this kind and issuer (no ``applies_to``: everyone; a
    document of unknown kind: everything, since nothing says otherwise).

    An entry is a kind (``agency``), a collective ("sở, ban, ngành", "UBND cấp huyện") or a named body
    ("Sở Công Thương", compared with the issuer without diacritics); a commune, since 7/2025, answers for the
    abolished district level (``successors``).
    """
    if not requirement.applies_to or kind is None:
        return True
    kinds = {kind, *_cfg().get("successors", {}).get(kind, [])}
    folded_issuer = _fold(issuer or "")
    for who in requirement.applies_to:
        meant = {who} if who in KINDS else set(collective_kinds(who))
        if meant:
            if kinds & meant:
                return True
        elif folded_issuer and (_fold(who) in folded_issuer or folded_issuer in _fold(who)):
            return True
    return False
