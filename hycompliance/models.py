"""Typed, frozen records that flow through the data path.

file --ingest--> Block* --structure--> Plan (Header, Clause*) --references--> Citation*, Finding*
parent Plan --requirements--> Requirement* ; Plan x Requirement --matching--> Match* --coverage--> Cell*

Every record is immutable; spans are character offsets into ``Plan.text``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["line", "paragraph", "table"]
Region = Literal["header", "body", "note"]  # note: a footnote (DOCX), kept as the plan's notes


@dataclass(frozen=True)
class Block:
    """One piece of text as a reader found it, before any structure is known.

    ``kind`` tells the structure stage how much to trust the boundary:
    ``line`` is a visual line (PDF, hard-wrapped web text) that may continue the previous one;
    ``paragraph`` is a real paragraph end (DOCX, one-paragraph-per-line text);
    ``table`` carries ``rows`` of cell texts and no ``text`` of its own.
    ``text`` keeps the printed label (``1.``, ``a)``, ``-``), rebuilt from Word numbering when needed.
    """

    text: str
    page: int = 1
    kind: BlockKind = "paragraph"
    rows: tuple[tuple[str, ...], ...] = ()
    region: Region = "body"


@dataclass(frozen=True)
class Document:
    """What a reader returns: the blocks plus facts about the file."""

    path: str
    blocks: tuple[Block, ...]
    pages: int
    form: str  # "txt" | "docx" | "pdf"
    warnings: tuple["ParseWarning", ...] = ()


@dataclass(frozen=True)
class ParseWarning:
    code: str
    message: str  # English, for logs and the CLI
    details: tuple[tuple[str, str], ...] = ()  # what fills in its Vietnamese text (hycompliance.errors)


ClauseKind = Literal[
    "section",  # I., II.
    "item",  # 1., 2., 1.1.
    "letter",  # a), b)
    "bullet",  # -
    "subbullet",  # +
    "paragraph",  # unlabelled text
    "table",  # a table as a whole
    "row",  # one table row
    "note",  # a footnote or note after the signature ("[1] ...", "Ghi chú: ..."): kept, not body
]


@dataclass(frozen=True)
class Clause:
    """A node of the plan's printed tree with the ID of its printed path (``III.3.2``)."""

    id: str
    label: str
    kind: ClauseKind
    text: str
    page: int
    start: int
    end: int
    parent: str | None = None
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class Header:
    issuer: str | None = None
    parent_issuer: str | None = None
    number: str | None = None  # "87/KH-UBND"
    type: str | None = None  # "Kế hoạch"
    place: str | None = None
    date: str | None = None  # ISO
    title: str | None = None


@dataclass(frozen=True)
class Closing:
    recipients: tuple[str, ...] = ()
    signer: tuple[str, ...] = ()


@dataclass(frozen=True)
class Plan:
    source: str
    form: str
    header: Header
    clauses: tuple[Clause, ...]
    text: str
    pages: int = 1
    closing: Closing = field(default_factory=Closing)
    warnings: tuple[ParseWarning, ...] = ()
    # Footnotes and notes after the signature (``GC1``, ``GC2``...): not part of the body's tree or ``text``;
    # their offsets continue past ``text`` into ``text_with_notes``, which reference extraction reads.
    notes: tuple[Clause, ...] = ()

    @property
    def text_with_notes(self) -> str:
        """``text`` followed by the notes, one a line (the notes' ``start``/``end`` point into it)."""
        return "\n".join((self.text, *(n.text for n in self.notes))) if self.notes else self.text

    def clause(self, clause_id: str) -> Clause | None:
        for c in self.clauses:
            if c.id == clause_id:
                return c
        return None

    def clause_at(self, offset: int) -> Clause | None:
        """The innermost clause (or note, past ``text``) whose span holds ``offset``."""
        best = None
        for c in self.clauses if offset < len(self.text) else self.notes:
            if c.start <= offset < c.end and (best is None or c.end - c.start <= best.end - best.start):
                best = c
        return best


@dataclass(frozen=True)
class Citation:
    """One mention of a document in a plan."""

    key: str | None  # canonical key "29-NQ/TW", "87/KH-UBND"; None for unnumbered named documents
    type: str | None  # "Nghị quyết"
    number: str | None  # "29"
    symbol: str | None  # "NQ/TW" as canonical symbol part
    date: str | None  # ISO
    issuer: str | None  # issuing body in words, when stated or known
    issuer_code: str | None  # "TW", "UBND"
    system: Literal["party", "state", "unknown"]
    as_written: str
    start: int
    end: int
    page: int = 1
    clause: str | None = None
    flags: tuple[str, ...] = ()
    intended: str | None = None  # the corrected form when a finding says the mention is wrong (eyecite's corrected citation)


Severity = Literal["error", "warning", "info"]


@dataclass(frozen=True)
class Finding:
    code: str
    severity: Severity
    message: str
    as_written: str = ""
    page: int | None = None
    clause: str | None = None
    key: str | None = None
    expected: str | None = None
    count: int = 1  # mentions of the document with this problem (one finding per document and problem)
    clauses: tuple[str, ...] = ()  # the clauses of those mentions, in order
    corrected: str | None = None  # the mention as it should be written, when there is one form


@dataclass(frozen=True)
class TargetValue:
    period: str  # "2021-2025"
    comparator: str  # "khoảng" | "trên" | "dưới" | "đạt" | "từ"
    value: float | None
    high: float | None = None  # upper bound of a range "9,0 - 9,5"
    text: str = ""
    unit: str | None = None  # when a sentence sets several values with their own units ("2% GDP", "60%")


@dataclass(frozen=True)
class Target:
    indicator: str
    unit: str | None
    values: tuple[TargetValue, ...]


# ``duty``: what one agency is assigned ("Phân công nhiệm vụ", "Tổ chức thực hiện"); ``assignment`` is the
# older name, still read from reviewed catalogue files.
RequirementKind = Literal["task", "subtask", "target", "duty", "assignment", "reference"]


@dataclass(frozen=True)
class Requirement:
    id: str
    kind: RequirementKind
    text: str
    group: str | None = None
    group_title: str | None = None
    references: tuple[str, ...] = ()
    applies_to: tuple[str, ...] = ()
    deadline: str | None = None
    target: Target | None = None
    keywords: tuple[str, ...] = ()
    weight: float = 1.0
    page: int = 1
    agency: str | None = None  # a duty's agency, a task row's lead agency ("Cơ quan chủ trì")
    rule: str = ""  # the rule of the catalogue derivation that gave it (``requirements --explain``)


MatchStatus = Literal["covered", "partial", "missing"]


@dataclass(frozen=True)
class Evidence:
    clause: str
    page: int
    text: str
    score: float
    semantic: float | None = None  # closeness when the semantic re-rank (hycompliance.rerank) kept this clause


@dataclass(frozen=True)
class Match:
    """The matcher's verdict on one requirement; why it holds is judged by ``hycompliance.coverage``."""

    requirement: str
    status: MatchStatus
    score: float
    evidence: tuple[Evidence, ...]
    nearest: Evidence | None = None  # the closest clause, when none addresses the requirement
