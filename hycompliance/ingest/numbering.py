"""Word automatic numbering (``numbering.xml``) → the labels a reader sees printed.

Word stores "1.", "a)", "I.", "-" of a numbered or bulleted paragraph not in the text but as a list
definition: ``w:num`` (numId) → ``w:abstractNum`` → one ``w:lvl`` per indent level with ``w:start``,
``w:numFmt``, ``w:lvlText`` (``"%1."``, ``"%1.%2."``, ``"%1)"``) and ``w:lvlRestart``. ``Numbering``
keeps the counters while paragraphs are visited in document order and returns each label.

Counters belong to the abstract list, so paragraphs of two ``numId``s over one ``abstractNum`` continue
one sequence (as Word does); a ``w:startOverride`` restarts its level the first time its ``numId`` is
used.

>>> n = Numbering.from_levels({0: Level(fmt="upperRoman", text="%1."), 1: Level(fmt="decimal", text="%2.")})
>>> [n.label(1, 0), n.label(1, 1), n.label(1, 1), n.label(1, 0), n.label(1, 1)]
['I.', '1.', '2.', 'II.', '1.']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from docx.oxml.ns import qn
from lxml.etree import _Element

# Placeholders in lvlText: "%1" is the counter of level 0, "%2" of level 1, ...
LEVEL_PLACEHOLDER = re.compile(r"%([1-9])")
# Bullet glyphs → the printed bullet the structure stage knows. Word bullets are often symbol-font
# code points (U+F0xx private use: "" is Symbol's dot, "" Wingdings' arrow).
PLUS_BULLETS = frozenset("+\uf02b")
DASH_BULLET = "-"
PLUS_BULLET = "+"
# numFmt values that print numbers as decimals.
DECIMAL_FORMATS = frozenset({"decimal", "decimalZero", "decimalEnclosedCircle", "decimalFullWidth", "ordinal"})
ROMAN_NUMERALS = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
                  (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))


@dataclass(frozen=True)
class Level:
    """One indent level of a list definition."""

    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # lvlRestart: 1-based level whose use restarts this one; 0 = never
    legal: bool = False  # isLgl: print every level's counter as a decimal ("1.1." under "I.")


@dataclass
class Numbering:
    """List definitions of one document and the running counters (one object per read)."""

    abstracts: dict[str, dict[int, Level]]
    nums: dict[str, str]  # numId → abstractNumId
    overrides: dict[str, dict[int, Level | int]]  # numId → level → replacement level or start value
    counters: dict[str, dict[int, int]] = field(default_factory=dict)
    started: set[str] = field(default_factory=set)

    @classmethod
    def from_levels(cls, levels: dict[int, Level]) -> Numbering:
        """A numbering with one list (numId 1), for tests and doctests."""
        return cls(abstracts={"0": levels}, nums={"1": "0"}, overrides={})

    @classmethod
    def from_xml(cls, root: _Element | None) -> Numbering:
        """Parse ``w:numbering``; ``None`` (no numbering part) gives an empty numbering."""
        if root is None:
            return cls(abstracts={}, nums={}, overrides={})
        abstracts = {
            a.get(qn("w:abstractNumId"), ""): _levels(a) for a in root.iterchildren(qn("w:abstractNum"))
        }
        nums: dict[str, str] = {}
        overrides: dict[str, dict[int, Level | int]] = {}
        for num in root.iterchildren(qn("w:num")):
            num_id = num.get(qn("w:numId"), "")
            abstract = num.find(qn("w:abstractNumId"))
            nums[num_id] = abstract.get(qn("w:val"), "") if abstract is not None else ""
            overrides[num_id] = _overrides(num)
        return cls(abstracts=abstracts, nums=nums, overrides=overrides)

    def level(self, num_id: str | int, ilvl: int) -> Level | None:
        """The level definition in force for ``numId``/``ilvl`` (an override's own ``w:lvl`` wins)."""
        num_id = str(num_id)
        override = self.overrides.get(num_id, {}).get(ilvl)
        if isinstance(override, Level):
            return override
        return self.abstracts.get(self.nums.get(num_id, ""), {}).get(ilvl)

    def label(self, num_id: str | int, ilvl: int) -> str:
        """Advance the counters for one paragraph and return its printed label ("" for none).

        >>> n = Numbering.from_levels({0: Level(fmt="lowerLetter", text="%1)")})
        >>> [n.label(1, 0) for _ in range(3)]
        ['a)', 'b)', 'c)']
        """
        num_id = str(num_id)
        if num_id == "0" or num_id not in self.nums:
            return ""
        current = self.level(num_id, ilvl)
        if current is None:
            return ""
        counters = self.counters.setdefault(self.nums[num_id], {})
        self._apply_start_overrides(num_id, counters)
        counters[ilvl] = counters[ilvl] + 1 if ilvl in counters else current.start
        self._restart_deeper(num_id, ilvl, counters)
        if current.fmt == "bullet":
            return bullet(current.text)
        return self._render(num_id, current, counters)

    def _apply_start_overrides(self, num_id: str, counters: dict[int, int]) -> None:
        if num_id in self.started:
            return
        self.started.add(num_id)
        for ilvl, override in self.overrides.get(num_id, {}).items():
            start = override if isinstance(override, int) else override.start
            counters[ilvl] = start - 1  # the next label at this level prints ``start``

    def _restart_deeper(self, num_id: str, ilvl: int, counters: dict[int, int]) -> None:
        """Reset deeper levels that restart when level ``ilvl`` is used."""
        for deeper in [d for d in counters if d > ilvl]:
            definition = self.level(num_id, deeper)
            restart = definition.restart if definition and definition.restart is not None else deeper
            if restart != 0 and ilvl < restart:
                del counters[deeper]

    def _render(self, num_id: str, current: Level, counters: dict[int, int]) -> str:
        """Each ``%k`` prints level k-1's counter in that level's format (decimal under ``w:isLgl``)."""

        def value(m: re.Match[str]) -> str:
            at = int(m.group(1)) - 1
            definition = self.level(num_id, at) or Level()
            count = counters.get(at, definition.start)
            return format_number(count, "decimal" if current.legal else definition.fmt)

        return LEVEL_PLACEHOLDER.sub(value, current.text).strip()


def _levels(abstract: _Element) -> dict[int, Level]:
    return {int(lvl.get(qn("w:ilvl"), "0")): _level(lvl) for lvl in abstract.iterchildren(qn("w:lvl"))}


def _level(lvl: _Element) -> Level:
    def val(tag: str) -> str | None:
        child = lvl.find(qn(tag))
        return child.get(qn("w:val")) if child is not None else None

    start = val("w:start")
    restart = val("w:lvlRestart")
    return Level(
        fmt=val("w:numFmt") or "decimal",
        text=val("w:lvlText") or "",
        start=int(start) if start and start.lstrip("-").isdigit() else 1,
        restart=int(restart) if restart and restart.isdigit() else None,
        legal=lvl.find(qn("w:isLgl")) is not None,
    )


def _overrides(num: _Element) -> dict[int, Level | int]:
    out: dict[int, Level | int] = {}
    for override in num.iterchildren(qn("w:lvlOverride")):
        ilvl = int(override.get(qn("w:ilvl"), "0"))
        lvl = override.find(qn("w:lvl"))
        start = override.find(qn("w:startOverride"))
        if lvl is not None:
            out[ilvl] = _level(lvl)
        elif start is not None and (start.get(qn("w:val")) or "").isdigit():
            out[ilvl] = int(start.get(qn("w:val"), "1"))
    return out


def bullet(glyph: str) -> str:
    """The printed bullet for a ``lvlText`` bullet glyph: ``"+"`` for plus, ``"-"`` for any other.

    >>> [bullet(g) for g in ("-", "–", "•", "\\uf0b7", "+", "o")]
    ['-', '-', '-', '-', '+', '-']
    """
    return PLUS_BULLET if glyph.strip() and glyph.strip()[0] in PLUS_BULLETS else DASH_BULLET


def format_number(n: int, fmt: str) -> str:
    """Print counter ``n`` in Word number format ``fmt``.

    >>> [format_number(4, f) for f in ("decimal", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman")]
    ['4', 'd', 'D', 'iv', 'IV']
    >>> format_number(28, "lowerLetter"), format_number(7, "decimalZero"), format_number(3, "none")
    ('bb', '07', '')
    """
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(n)
        return roman.lower() if fmt == "lowerRoman" else roman
    if fmt == "none":
        return ""
    return str(n)


def _roman(n: int) -> str:
    out = []
    for value, numeral in ROMAN_NUMERALS:
        while n >= value:
            out.append(numeral)
            n -= value
    return "".join(out)
