"""The grammar of document symbols (số, ký hiệu): parsing a matched symbol and the canonical keys built from it.

Party ``number-TYPE/ISSUER`` (29-NQ/TW), State normative ``number/year/TYPE-ISSUER`` (30/2020/NĐ-CP), laws
``number/year/QHnn``, administrative ``number/TYPE-ISSUER`` (87/KH-UBND), joint ``…/TTLT-BGDĐT-BNV-BTC`` and
official letters ``number/UNIT-SUBUNIT`` with no type code (6676/BYT-CDS); the codes come from the rules
(``issuers.yaml``, ``doc_types.yaml``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from hycompliance.references.rules import DocType, Rules, System


@dataclass(frozen=True)
class Symbol:
    """A parsed document symbol (số, ký hiệu)."""

    number: str
    year: str | None
    type: DocType | None  # None for laws (60/2024/QH15) and letters (5/VPCP-NN)
    issuer_code: str
    form: System  # the form as written: party (29-NQ/TW) or state (87/KH-UBND)
    system: System  # the system of the issuer; differs from form when the symbol is mixed
    coded: bool = True  # the type code is printed (a letter's 5/VPCP-NN carries none)
    glued: bool = False  # type and issuer written without their hyphen (27/CTTg for 27/CT-TTg)

    @property
    def mixed(self) -> bool:
        return self.system != "unknown" and self.form != self.system

    def key(self, system: System | None = None) -> str:
        """Canonical key in the form of ``system`` (default: the issuer's system, else as written)."""
        form = system or (self.system if self.system != "unknown" else self.form)
        code = self.type.code if self.type and self.coded else None
        if form == "party" and code:
            return f"{self.number}-{code}/{self.issuer_code}"
        head = f"{self.number}/{self.year}" if self.year else self.number
        return f"{head}/{code}-{self.issuer_code}" if code else f"{head}/{self.issuer_code}"

    def symbol_part(self, system: System | None = None) -> str:
        return self.key(system)[len(self.number) + 1 :]


def parse_symbol(match: re.Match[str], text: str, rules: Rules, *, letter: bool = False) -> Symbol | None:
    """Turn a ``SYMBOL_RE`` match into a Symbol, or None when its codes are not a document's.

    ``letter``: the word before is "Công văn"/"văn bản", so number/CODE-CODE is a letter's even when the
    unit codes are not in the rules (11033/STC-CSTH)."""
    if match["p_num"]:
        type_start = match.start("p_type")
        if not text[type_start].isupper():
            return None
        doc_type = rules.type_by_code(match["p_type"])
        if doc_type is None:
            return None
        issuer, code = rules.issuer_by_code(written_code(text, match, "p_issuer"), "party")
        return Symbol(match["p_num"], None, doc_type, code, "party", issuer.system if issuer else "unknown")
    type_start = match.start("s_type")
    if not text[type_start].isupper():
        return None
    doc_type = rules.type_by_code(match["s_type"])
    if doc_type is not None and match["s_issuer"]:
        parts = written_code(text, match, "s_issuer").split("-")
        issuer, code = rules.issuer_by_code(parts[0], "state")
        full = "-".join([code, *(p.upper() for p in parts[1:])])
        return Symbol(match["s_num"], match["s_year"], doc_type, full, "state", issuer.system if issuer else "unknown")
    if doc_type is not None:
        return None  # "12/CT" without an issuer is not a full symbol
    # No type code: a law or Assembly resolution (60/2024/QH15) or a letter (5/VPCP-NN).
    issuer, code = rules.issuer_by_code(written_code(text, match, "s_type"), "state")
    if issuer is None and letter and match["s_issuer"] and not match["s_year"]:
        units = "-".join(p.upper() for p in [written_code(text, match, "s_type"), *written_code(text, match, "s_issuer").split("-")])
        return Symbol(match["s_num"], None, rules.type_by_code("CV"), units, "state", "state", coded=False)
    if issuer is None and not match["s_issuer"]:
        return _glued(match, text, rules)
    if issuer is None:
        return None
    if match["s_issuer"]:
        if match["s_year"]:
            return None
        code = "-".join([code, *(p.upper() for p in written_code(text, match, "s_issuer").split("-"))])
        return Symbol(match["s_num"], None, rules.type_by_code("CV"), code, "state", issuer.system, coded=False)
    if not match["s_year"] or not issuer.term:
        return None
    return Symbol(match["s_num"], match["s_year"], None, code, "state", issuer.system)


def _glued(match: re.Match[str], text: str, rules: Rules) -> Symbol | None:
    """A type code and an issuer code written as one: the longest known type code that starts it, followed
    by a known State issuer code, whole ("27/CTTTg") or sharing its first letter with the type's last
    ("27/CTTg" for 27/CT-TTg)."""
    written = written_code(text, match, "s_type")
    for cut in range(len(written) - 1, 0, -1):
        doc_type = rules.type_by_code(written[:cut])
        if doc_type is None:
            continue
        for rest in (written[cut:], written[cut - 1 :]):
            issuer, code = rules.issuer_by_code(rest, "state")
            if issuer is not None and issuer.system == "state" and len(rest) > 1:
                return Symbol(match["s_num"], match["s_year"], doc_type, code, "state", "state", glued=True)
    return None


def written_code(text: str, match: re.Match[str], group: str) -> str:
    return re.sub(r"\s+", "", text[match.start(group) : match.end(group)])


@dataclass(frozen=True)
class KeyParts:
    number: str
    type_code: str | None
    issuer_code: str
    form: System


_KEY_RE = re.compile(r"^(?P<num>\d+)(?:-(?P<ptype>[^/]+)/(?P<pissuer>.+)|/(?:(?P<year>\d{4})/)?(?P<rest>.+))$")


def parse_key(key: str) -> KeyParts | None:
    """Split a canonical key: ``29-NQ/TW`` -> (29, NQ, TW, party); ``30/2020/NĐ-CP`` -> (30, NĐ, CP, state)."""
    m = _KEY_RE.match(key)
    if not m:
        return None
    if m["ptype"]:
        return KeyParts(m["num"], m["ptype"], m["pissuer"], "party")
    rest = m["rest"]
    type_code, _, issuer = rest.partition("-")
    if not issuer:
        return KeyParts(m["num"], None, type_code, "state")
    return KeyParts(m["num"], type_code, issuer, "state")


def issuing_code(parts: KeyParts, rules: Rules) -> str:
    """The code of the body that issued a document: its issuer code, or for an official letter
    (``6676/BYT-CDS``: no type code, the issuing body first, then its drafting unit) the first code."""
    if parts.form == "state" and parts.type_code and rules.type_by_code(parts.type_code) is None:
        return parts.type_code
    return parts.issuer_code


def normal_key(key: str) -> str:
    """Key with the number's leading zeros dropped, for lookups ("07-NQ/TU" and "7-NQ/TU" are one)."""
    head = re.match(r"^0*(\d+)", key)
    return (head.group(1) + key[head.end() :]) if head else key
