"""The declarative knowledge of the reference checker, read from ``rules/*.yaml``.

Where the rules live: ``$HYCOMPLIANCE_RULES`` when set, else the ``rules/`` directory of the source
checkout (``<repo>/rules``, two levels above this package). The rules are data a legal reviewer can read
and edit; nothing here hard-codes a type word, an issuer name or a message.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Literal

import yaml

from hycompliance.references import patterns as P
from hycompliance.rules import rules_dir

System = Literal["party", "state", "unknown"]


@dataclass(frozen=True)
class DocType:
    code: str  # canonical type code in symbols: "NQ", "CTr", "NĐ"
    name: str  # "Nghị quyết"
    systems: tuple[str, ...]
    words: tuple[str, ...]
    variants: tuple[str, ...] = ()
    symbol_free: bool = False  # cited without a type code (laws) or by name only (Quy hoạch)


@dataclass(frozen=True)
class Issuer:
    code: str  # "TW", "TU", "UBND", "QH"
    system: System
    name: str
    names: tuple[str, ...]
    term: bool = False  # code may carry a term number: QH15, ĐĐQH15
    symbol_code: str | None = None  # Bộ Chính trị signs /TW
    variants: tuple[str, ...] = ()
    symbol_codes: tuple[str, ...] = ()  # every code its symbols may carry (Thành ủy: TU or HU by level)

    @property
    def signs_as(self) -> str:
        return self.symbol_code or self.code

    def signs(self, code: str | None) -> bool:
        """Whether a symbol whose issuer code is ``code`` (term number dropped) can be this body's."""
        base = P.fold((code or "").split("-")[0].rstrip("0123456789"))
        return base in {P.fold(c.rstrip("0123456789")) for c in (self.signs_as, *self.symbol_codes)}


@dataclass(frozen=True)
class Message:
    severity: Literal["error", "warning", "info"]
    template: str
    undated: str | None = None  # the message when the date it names is not known (``undated`` in the rules)


_TERM_RE = re.compile(r"^(?P<base>.*?)(?P<term>\d{1,2})$")


@dataclass(frozen=True)
class Rules:
    doc_types: tuple[DocType, ...]
    issuers: tuple[Issuer, ...]
    messages: Mapping[str, Message]

    # --- indexes (built once per Rules) ---

    @cached_property
    def _types_by_code(self) -> Mapping[str, DocType]:
        index: dict[str, DocType] = {}
        for t in self.doc_types:
            if not t.symbol_free:
                for c in (t.code, *t.variants):
                    index[P.fold(c)] = t
        return MappingProxyType(index)

    @cached_property
    def _types_by_word(self) -> Mapping[str, DocType]:
        index: dict[str, DocType] = {}
        for t in self.doc_types:
            for w in t.words:
                index.setdefault(" ".join(P.fold(w).split()), t)
        return MappingProxyType(index)

    @cached_property
    def _issuers_by_code(self) -> Mapping[tuple[str, str], Issuer]:
        index: dict[tuple[str, str], Issuer] = {}
        for i in self.issuers:
            for c in (i.code, *i.variants):
                index[(i.system, P.fold(c))] = i
        return MappingProxyType(index)

    @cached_property
    def _issuers_by_name(self) -> Mapping[str, Issuer]:
        index: dict[str, Issuer] = {}
        for i in self.issuers:
            for n in i.names:
                index.setdefault(" ".join(P.fold(n).split()), i)
        return MappingProxyType(index)

    @cached_property
    def type_words(self) -> tuple[str, ...]:
        return tuple(w for t in self.doc_types for w in t.words)

    @cached_property
    def issuer_names(self) -> tuple[str, ...]:
        return tuple(n for i in self.issuers for n in i.names)

    # --- compiled patterns over the rule words ---

    @cached_property
    def type_before_re(self) -> re.Pattern[str]:
        return P.type_before_re(self.type_words)

    @cached_property
    def issuer_after_re(self) -> re.Pattern[str]:
        return P.issuer_after_re(self.issuer_names)

    @cached_property
    def issuer_name_re(self) -> re.Pattern[str]:
        return P.issuer_name_re(self.issuer_names)

    @cached_property
    def short_form_re(self) -> re.Pattern[str]:
        numbered = [w for t in self.doc_types if not t.symbol_free for w in t.words]
        return P.short_form_re(numbered)

    @cached_property
    def titled_re(self) -> re.Pattern[str]:
        """An unnumbered document named in a title: type words, "của" and an issuer, then what it carries
        out ("thực hiện", "triển khai", "về triển khai") and a numbered document ("... số"). The issuer may
        be followed by a place ("Thành ủy Hà Nội")."""
        long_words = [w for t in self.doc_types if not t.symbol_free for w in t.words if len(w) > 4]
        return re.compile(
            rf"(?<!\w)(?P<word>{P.alternation(long_words)}){P.WS}cua{P.WS}(?P<issuer>{P.alternation(self.issuer_names)})"
            rf"(?:{P.WS}[a-z]+){{0,3}}?{P.WS}(?:ve{P.WS})?(?:thuc{P.WS}hien|trien{P.WS}khai)"
            rf"(?={P.WS}[^.;\n]{{0,40}}?(?<!\w)so{P.WS}\d)"
        )

    @cached_property
    def type_word_re(self) -> re.Pattern[str]:
        """Any type word ("Chương trình hành động", "Kế hoạch") anywhere in a folded phrase."""
        return re.compile(rf"(?<!\w)(?:{P.alternation(self.type_words)})(?!\w)")

    @cached_property
    def self_reference_re(self) -> re.Pattern[str]:
        return P.self_reference_re(self.type_words)

    @cached_property
    def list_header_re(self) -> re.Pattern[str]:
        return re.compile(
            rf"(?<!\w)cac{P.WS}(?:{P.alternation(self.type_words)}){P.WS}cua{P.WS}"
            rf"(?P<issuer>{P.alternation(self.issuer_names)})[^:;.\n]{{0,30}}?{P.GAP}:"
        )

    # --- lookups ---

    def type_by_code(self, code: str) -> DocType | None:
        return self._types_by_code.get(P.fold(code))

    def type_by_word(self, word: str) -> DocType | None:
        return self._types_by_word.get(" ".join(P.fold(word).split()))

    def symbol_free_type(self, code: str) -> DocType:
        """A type cited without a type code (``LUAT``, ``QH-PLAN``); the rules must define it."""
        return next(t for t in self.doc_types if t.code == code)

    def type_by_name(self, name: str | None) -> DocType | None:
        for t in self.doc_types:
            if name and t.name == name:
                return t
        return None

    def issuer_by_code(self, code: str, system: System | None = None) -> tuple[Issuer | None, str]:
        """The issuer a symbol code stands for, and the code spelled canonically (``ddqh15`` -> ``ĐĐQH15``).

        ``system`` says which family to try first (the symbol's form); the other is tried next.
        """
        folded = P.fold(code)
        order = [system] if system in ("party", "state") else []
        order += [s for s in ("party", "state") if s not in order]
        for s in order:
            hit = self._issuers_by_code.get((s, folded))
            if hit:
                return hit, hit.code
            m = _TERM_RE.match(folded)
            if m:
                hit = self._issuers_by_code.get((s, m["base"]))
                if hit and hit.term:
                    return hit, hit.code + m["term"]
        return None, code.upper()

    def issuer_by_name(self, words: str | None) -> Issuer | None:
        """The body named by ``words`` ("Ban Chấp hành Đảng bộ tỉnh" -> TU), or None."""
        if not words:
            return None
        return self._issuers_by_name.get(" ".join(P.fold(words).split()))

    def message(self, code: str) -> Message:
        return self.messages[code]


def _tuple(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(str(v) for v in value)  # type: ignore[union-attr]


@lru_cache(maxsize=8)
def load_rules(directory: Path | None = None) -> Rules:
    """Read ``doc_types.yaml``, ``issuers.yaml`` and ``lint_messages.yaml`` from the rules directory."""
    base = directory or rules_dir()
    types_raw = yaml.safe_load((base / "doc_types.yaml").read_text(encoding="utf-8"))
    issuers_raw = yaml.safe_load((base / "issuers.yaml").read_text(encoding="utf-8"))
    messages_raw = yaml.safe_load((base / "lint_messages.yaml").read_text(encoding="utf-8"))
    doc_types = tuple(
        DocType(
            code=str(t["code"]),
            name=str(t["name"]),
            systems=_tuple(t.get("systems")),
            words=_tuple(t.get("words")),
            variants=_tuple(t.get("variants")),
            symbol_free=bool(t.get("symbol_free", False)),
        )
        for t in types_raw
    )
    issuers = tuple(
        Issuer(
            code=str(i["code"]),
            system=i["system"],
            name=str(i["name"]),
            names=_tuple(i.get("names")),
            term=bool(i.get("term", False)),
            symbol_code=i.get("symbol_code"),
            variants=_tuple(i.get("variants")),
            symbol_codes=_tuple(i.get("symbol_codes")),
        )
        for i in issuers_raw
    )
    messages = MappingProxyType(
        {code: Message(severity=m["severity"], template=str(m["message"]),
                       undated=str(m["undated"]) if m.get("undated") else None) for code, m in messages_raw.items()}
    )
    return Rules(doc_types=doc_types, issuers=issuers, messages=messages)
