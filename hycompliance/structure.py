"""Blocks -> Plan: header fields, the printed clause tree with path IDs, tables, closing.

IDs follow the printed path (../shared/corpus/README.md): ``III.3.2`` is section III, item 3, its second
``-`` bullet; ``III.7.1.2`` that bullet's second ``+``; ``II.2.4`` row 4 of the table under II.2; a label
repeated among siblings gets ``-2`` (``IV.3-2``). Unlabelled paragraphs are ``<parent>.p<k>`` (``p<k>``
before the first section), tables ``<parent>.T<k>``, the title ``title``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path

from hycompliance import rules
from hycompliance.errors import Code, HyError
from hycompliance.header import read_header
from hycompliance.normalize import OPEN_END
from hycompliance.models import Block, Clause, ClauseKind, Closing, Document, ParseWarning, Plan
from hycompliance.structure_closing import ClosingReader, appendix_number
from hycompliance.structure_tables import table_rows

# --- label patterns -------------------------------------------------------------------------------
# Markdown emphasis wrapped around a whole line in some exports: "**1. Mục đích**".
EMPHASIS = re.compile(r"^[*_]{1,3}|[*_]{1,3}$")
# Roman section: "I.", "IV." (also "Phần I", "Chương II").
ROMAN = re.compile(
    r"^(?:(?:PHẦN|Phần|CHƯƠNG|Chương)\s+(?P<pre>[IVXLC]{1,6})[.:]?(?:\s+|$)"  # "Chương II", "Phần I:"
    r"|(?P<bare>[IVXLC]{1,6})(?:[.)/:]|\s*[-–]\s*)(?:\s+|$|(?=[A-ZĐ])))"  # "III.", "I-", "II –"
)
# Numbered item, possibly decimal: "1.", "2)", "1.2.", "2.3.1".
NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,3})(?:[.)](?!\d)\s*|\s+)(?=\S)")
# Article of a legal text: "Điều 5."
ARTICLE = re.compile(r"^(Điều\s+\d{1,3})[.:]?\s+")
# Lettered item: "a)", "đ)", "b."
LETTER = re.compile(r"^([a-zđ])[).]\s+")
# Bullets: "-", "–", "•" (first level) and "+" (second level).
BULLET = re.compile(r"^[-–—•·]\s*(?=\S)")
SUBBULLET = re.compile(r"^\+\s*(?=\S)")
# A sentence or lead-in ends here; what follows a wrap after it may start something new.
SENTENCE_END = re.compile(r"[.;:!?…]\s*[\"”’)]*\s*$")
# An item that carries its content after a colon: "4. Sở Tài chính: Phối hợp với ..."
INLINE_CONTENT = re.compile(r":\s*\S")
# A wrapped line shorter than this share of the usual line length ended its paragraph.
SHORT_LINE_SHARE = 0.5
# A wrapped line at least this share of the usual line length ran to the margin: its sentence goes on.
FULL_LINE_SHARE = 0.85
# An item longer than this (words) is running text, not a title that may end at a wrap.
HEADING_WORDS = 20
# Vietnamese list letters in order (no f, j, w, z); "đ" follows "d".
LETTER_ORDER = "abcdđeghiklmnopqrstuvxy"
# The largest number a real item label carries (years and amounts are not labels).
MAX_ITEM_NUMBER = 60

RANK: dict[str, int] = {"section": 1, "item": 2, "letter": 5, "bullet": 6, "subbullet": 7}
LEAF_RANK = 8
ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


@dataclass(frozen=True)
class Label:
    kind: ClauseKind
    printed: str  # as printed: "III.", "1.", "a)", "-", "+"
    key: str  # the path component: "III", "1", "a"
    number: int  # ordinal for sequence checks (0 when not numbered)
    rank: int
    rest: str  # text after the label


def roman_value(s: str) -> int:
    total = 0
    for a, b in zip(s, s[1:] + " "):
        v = ROMAN_VALUES.get(a, 0)
        total += -v if ROMAN_VALUES.get(b, 0) > v else v
    return total


def parse_label(text: str) -> Label | None:
    """The printed label at the start of a line, if any.

    >>> parse_label("III. NHIỆM VỤ, GIẢI PHÁP").key
    'III'
    >>> parse_label("1.2. Phát triển").rank
    3
    >>> parse_label("- Chủ trì").kind
    'bullet'
    """
    if m := ROMAN.match(text):
        rest = text[m.end() :]
        if not rest or rest[:1].isupper() or rest[:1].isdigit() or not rest[:1].isalpha():
            key = m.group("pre") or m.group("bare")
            return Label("section", m.group(0).strip(), key, roman_value(key), 1, rest)
    if m := ARTICLE.match(text):
        num = int(m.group(1).split()[-1])
        return Label("item", m.group(1), m.group(1).replace(" ", ""), num, 2, text[m.end() :])
    if m := NUMBERED.match(text):
        parts = m.group(1).split(".")
        rest = text[m.end() :]
        tail = text[len(m.group(1)) : m.end()]
        if not tail.strip() and len(parts) == 1:
            return None  # "2030 năm" is not a label; items print a dot or a parenthesis
        if int(parts[-1]) <= MAX_ITEM_NUMBER and all(p.isdigit() for p in parts):
            return Label("item", m.group(0).strip(), parts[-1], int(parts[-1]), 1 + len(parts), rest)
    if m := LETTER.match(text):
        number = LETTER_ORDER.find(m.group(1)) + 1
        return Label("letter", m.group(0).strip(), m.group(1), number, 5, text[m.end() :])
    if m := SUBBULLET.match(text):
        return Label("subbullet", "+", "", 0, 7, text[m.end() :])
    if m := BULLET.match(text):
        return Label("bullet", "-", "", 0, 6, text[m.end() :])
    return None


@dataclass
class _Node:
    id: str
    label: str
    kind: ClauseKind
    parts: list[str]
    page: int
    parent: str | None
    rank: int
    number: int = 0
    cells: tuple[str, ...] = ()
    counters: dict[str, int] = field(default_factory=dict)
    child_keys: dict[str, int] = field(default_factory=dict)
    last_number: dict[str, int] = field(default_factory=dict)
    row_group: str | None = None  # the group row in force in this node's tables (continued tables)
    inline_seen: int = 0  # parts already searched for INLINE_CONTENT (see ``_inline_content``)
    inline: bool = False


@dataclass
class _Builder:
    """Mutable state of one build; never shared between calls."""

    nodes: list[_Node] = field(default_factory=list)
    stack: list[_Node] = field(default_factory=list)
    root: _Node = field(default_factory=lambda: _Node("", "", "section", [], 1, None, 0))
    warnings: list[ParseWarning] = field(default_factory=list)
    appendices: int = 0

    def parent(self) -> _Node:
        return self.stack[-1] if self.stack else self.root

    def pop_to(self, rank: int) -> None:
        while self.stack and self.stack[-1].rank >= rank:
            self.stack.pop()

    def child_id(self, parent: _Node, key: str, label: str) -> str:
        base = f"{parent.id}.{key}" if parent.id else key
        seen = parent.child_keys.get(key, 0) + 1
        parent.child_keys[key] = seen
        if seen == 1:
            return base
        where = parent.id or "the document"
        self.warnings.append(
            ParseWarning("W201", f"repeated label {label!r} under {where}: kept as {base}-{seen}",
                         (("label", label), ("where", parent.id or "văn bản"), ("kept", f"{base}-{seen}")))
        )
        return f"{base}-{seen}"

    def counted_key(self, parent: _Node, counter: str, prefix: str = "") -> str:
        n = parent.counters.get(counter, 0) + 1
        parent.counters[counter] = n
        return f"{prefix}{n}"

    def open(self, label: Label, page: int) -> _Node:
        self.pop_to(label.rank)
        parent = self.parent()
        if label.kind in ("bullet", "subbullet"):
            key = self.counted_key(parent, label.kind)
        else:
            key = label.key
            parent.last_number[label.kind + str(label.rank)] = label.number
        node = _Node(
            self.child_id(parent, key, label.printed), label.printed, label.kind, [label.rest.strip()],
            page, parent.id or None, label.rank, label.number,
        )
        self.nodes.append(node)
        self.stack.append(node)
        return node

    def paragraph(self, text: str, page: int) -> _Node:
        self.pop_to(RANK["bullet"])
        self.pop_to(LEAF_RANK)
        parent = self.parent()
        node = _Node(
            self.child_id(parent, self.counted_key(parent, "p", "p"), "¶"), "", "paragraph", [text],
            page, parent.id or None, LEAF_RANK,
        )
        self.nodes.append(node)
        self.stack.append(node)
        return node

    def table(self, block: Block) -> None:
        self.pop_to(RANK["bullet"])
        parent = self.parent()
        table = _Node(
            self.child_id(parent, self.counted_key(parent, "T", "T"), "table"), "", "table", [],
            block.page, parent.id or None, LEAF_RANK, cells=block.rows[0] if block.rows else (),
        )
        self.nodes.append(table)
        rows, parent.row_group = table_rows(block.rows, parent.row_group)
        for row in rows:
            key, cells = row
            self.nodes.append(
                _Node(self.child_id(parent, key, key), key, "row", [" | ".join(c for c in cells if c)],
                      block.page, table.id, LEAF_RANK, cells=cells)
            )
        self.stack.append(table)

    def appendix(self, text: str, number: str | None, page: int) -> _Node:
        """Open an appendix at the top level: ``PL<n>`` by its printed number in arabic (Phụ lục II -> PL2),
        an unnumbered one by its order (a single unnumbered appendix is PL1). Its sections nest under it."""
        self.appendices += 1
        n = self.appendices if number is None else int(number) if number.isdigit() else roman_value(number)
        return self.open(Label("section", "PL", f"PL{n}", n, 0, text), page)

    def expected(self, label: Label) -> bool:
        """Is this numbered label the next one where it would stand (for hard-wrapped text)?"""
        probe = list(self.stack)
        while probe and probe[-1].rank >= label.rank:
            probe.pop()
        parent = probe[-1] if probe else self.root
        last = parent.last_number.get(label.kind + str(label.rank))
        return label.number == (last + 1 if last is not None else 1) or label.number == last


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip()
    return EMPHASIS.sub("", text).strip()


def _starts_lower(text: str) -> bool:
    """Does the text start with a lower-case word ("phát triển ...")? A figure ("100% các dự án") does not."""
    first = next((ch for ch in text if ch.isalnum()), "")
    return first.islower()


def build_plan(doc: Document) -> Plan:
    """Structure a read document into a Plan (pure function of the blocks)."""
    cfg = rules.load("structure.yaml")
    header, body, title_blocks = read_header(doc.blocks, cfg, parse_label)
    body = _split_soft_breaks(body)
    b = _Builder()
    closing = ClosingReader(cfg)
    prev_text, prev_page = "", 0
    laid_out = _layout_marks_paragraphs(doc, body)
    wrap_width = _wrap_width(body)
    next_labels = _next_labels(body, recipients_marker=cfg["recipients_marker"])
    title_text = " ".join(_clean(t.text) for t in title_blocks)
    if title_text:
        b.nodes.append(_Node("title", "", "paragraph", [title_text], title_blocks[0].page, None, LEAF_RANK))
    for index, block in enumerate(body):
        if block.kind == "table":
            if closing.mode != "body" or closing.closing_table(block):
                closing.take_table(block)
                continue
            b.table(block)
            prev_text = ""
            continue
        text = _clean(block.text)
        if not text:
            continue
        if block.region == "note":  # a footnote the reader found (DOCX): a note wherever it stands
            closing.take_note(text, block.page)
            continue
        if closing.starts_closing(text):
            closing.mode = "recipients"
            rest = text[len(cfg["recipients_marker"]) :].lstrip("*_: ")
            if rest:
                closing.recipients.append(rest)
            continue
        action = closing.take_line(text, block.kind, block.page) if closing.mode != "body" else "body"
        if action == "closing":
            continue
        if action == "attachment":
            b.pop_to(0)  # the attached document's own title, then its sections, at the top level
        is_appendix, number = appendix_number(text, in_body=True) if action == "body" else (action == "appendix", None)
        if is_appendix:
            number = number if number is not None else appendix_number(text, in_body=False)[1]
            b.appendix(text, number, block.page)
            prev_text = text
            continue
        label = parse_label(text)
        wrapped = block.kind == "line"
        if label and label.kind in ("bullet", "subbullet") and _starts_lower(label.rest) and prev_text and not SENTENCE_END.search(prev_text):
            label = None  # "- phát triển ..." continues the previous sentence after a hard wrap
        if label and laid_out and wrapped and block.page == prev_page and _runs_on(b, prev_text):
            label = None  # the layout says this line goes on: "(qua Phòng Tài chính" + "- Kế hoạch)"
        if (label and wrapped and label.kind in ("bullet", "subbullet") and _runs_on(b, prev_text)
                and len(prev_text) >= wrap_width * FULL_LINE_SHARE):
            label = None  # a full line that did not end its sentence wrapped: "sông Bần" + "- Vũ Xá; ..."
        if label and wrapped and label.kind in ("section", "item", "letter") and not (
            b.expected(label) or SENTENCE_END.search(prev_text) or not prev_text
        ):
            label = None
        if label and label.kind == "section" and label.number == 0:
            label = None
        if label and label.key.startswith("Điều") and not any(n.rank == 0 or n.label.startswith(("Chương", "CHƯƠNG", "Phần", "PHẦN")) for n in b.stack):
            b.pop_to(0)  # an issuing article stands apart from the sections of what it issues
        if label:
            b.open(label, block.page)
        elif (b.nodes and b.nodes[-1].kind == "section" and text.isupper() and len(b.nodes[-1].parts) <= HEADING_WORDS
              and " ".join(b.nodes[-1].parts).isupper()):
            b.nodes[-1].parts.append(text)  # a title in capitals set over several paragraphs
        elif b.nodes and b.nodes[-1].kind not in ("table", "row") and (
            wrapped and not _new_paragraph(text, prev_text, b.nodes[-1], wrap_width)
            or (_starts_lower(text) and prev_text and not SENTENCE_END.search(prev_text))
        ):
            b.nodes[-1].parts.append(text)
        elif b.nodes and b.nodes[-1].kind in ("bullet", "subbullet") and next_labels[index + 1] == b.nodes[-1].kind:
            b.nodes[-1].parts.append(text)  # a paragraph between two bullets carries on the first one
        else:
            b.paragraph(text, block.page)
        prev_text, prev_page = text, block.page
    clauses, full_text = _materialise(b.nodes)
    if closing.left_out:
        b.warnings.append(ParseWarning("W203", f"{closing.left_out} characters after the signature were left out (neither an appendix nor an attached document)"))
    if not any(c.kind in ("section", "item", "bullet") for c in clauses):
        b.warnings.append(ParseWarning("W202", "no sections, items or bullets found"))
    return Plan(
        source=doc.path, form=doc.form, header=header, clauses=clauses, text=full_text, pages=doc.pages,
        closing=Closing(tuple(closing.recipients), tuple(closing.signer)),
        warnings=tuple(doc.warnings) + tuple(b.warnings), notes=closing.note_clauses(len(full_text) + 1),
    )


# Share of text blocks a reader marks as paragraph starts when it can see the layout (indents, gaps).
LAYOUT_PARAGRAPH_SHARE = 0.15


def _split_soft_breaks(body: list[Block]) -> list[Block]:
    """A paragraph holding line breaks (Word's Shift+Enter) is read as its lines: the first keeps the
    paragraph's start, the others may continue it ("PHỤ LỤC" / "DANH MỤC ...", "Nơi nhận:" / "- UBND tỉnh;")."""
    out: list[Block] = []
    for block in body:
        lines = [ln for ln in block.text.split("\n") if ln.strip()] if block.kind != "table" else []
        if len(lines) <= 1:
            out.append(block)
            continue
        out.append(replace(block, text=lines[0]))
        out.extend(replace(block, text=ln, kind="line") for ln in lines[1:])
    return out


def _wrap_width(body: list[Block]) -> float:
    """The usual length of a hard-wrapped line (the upper quartile: wrapped lines run to the margin)."""
    lengths = sorted(len(b.text) for b in body if b.kind == "line")
    return float(lengths[3 * len(lengths) // 4]) if lengths else 0.0


def _next_labels(body: list[Block], *, recipients_marker: str) -> list[str | None]:
    """For each index, the label kind of the first text block from there on (looking past empty blocks),
    None when a table, an unlabelled paragraph or the closing ("Nơi nhận:", whose "- UBND tỉnh;" are no
    bullets of the body) comes first. One backward pass: asking at every block stays linear in the length
    of the text."""
    out: list[str | None] = [None] * (len(body) + 1)
    for index in range(len(body) - 1, -1, -1):
        block = body[index]
        text = _clean(block.text)
        if block.kind == "table" or text.startswith(recipients_marker):
            out[index] = None
        elif not text:
            out[index] = out[index + 1]
        elif label := parse_label(text):
            out[index] = label.kind
        else:
            out[index] = out[index + 1] if block.kind == "line" else None
    return out


def _runs_on(b: _Builder, prev_text: str) -> bool:
    """Is the clause being written a sentence still running (not a heading waiting for its children)?"""
    if not prev_text or SENTENCE_END.search(prev_text) or not b.nodes:
        return False
    current = b.nodes[-1]
    return current.kind in ("bullet", "subbullet", "letter", "paragraph") or _inline_content(current)


def _inline_content(node: _Node) -> bool:
    """Does the clause carry content after a colon (``INLINE_CONTENT`` over its joined parts)?

    Only the parts added since the last call are searched (with the last one seen, for a colon that ended
    it), so asking at every wrapped line costs the length of the text once, not once per line."""
    if not node.inline and node.inline_seen < len(node.parts):
        start = node.inline_seen - 1
        while start > 0 and not node.parts[start]:
            start -= 1
        node.inline = bool(INLINE_CONTENT.search(" ".join(node.parts[max(start, 0):])))
        node.inline_seen = len(node.parts)
    return node.inline


def _layout_marks_paragraphs(doc: Document, body: list[Block]) -> bool:
    """Does the reader see paragraph starts in the layout (a PDF with indents or spacing)?

    Then a label on a plain continuation line is a hard wrap, not a new clause.
    """
    if doc.form != "pdf":
        return False
    text_blocks = [b for b in body if b.kind != "table"]
    starts = sum(b.kind == "paragraph" for b in text_blocks)
    return bool(text_blocks) and starts / len(text_blocks) >= LAYOUT_PARAGRAPH_SHARE and starts < len(text_blocks)


def _starts_upper(text: str) -> bool:
    return text[:1].isalpha() and text[:1].isupper()


def _new_paragraph(text: str, prev: str, current: _Node, wrap_width: float) -> bool:
    """In hard-wrapped text, does an unlabelled line start a new paragraph?

    Bullets and lettered items run on to the next label. A heading (an item or section title with no
    sentence end yet) wraps on unless the line starts a capitalised word after a complete title; a
    paragraph ends at a sentence end or a ``;`` followed by a capital, or after a line much shorter than
    the text's wrap width ("Ghi chú: (*) tính đến cuối kỳ" / "Giai đoạn 2031-2045: ...").
    """
    if not prev:
        return True
    short = len(prev) < wrap_width * SHORT_LINE_SHARE
    if current.kind in ("bullet", "subbullet", "letter"):
        # a short line that ends a sentence ended the bullet: "... theo quy định." / "Trên đây là ..."
        return short and bool(re.search(r"[.!?]\s*$", prev)) and _starts_upper(text)
    # A heading has at most HEADING_WORDS words, so at most that many (non-empty) parts: longer clauses are
    # never joined here (joining at every wrapped line would cost the square of the paragraph's length).
    short_enough = len(current.parts) <= HEADING_WORDS + 1
    heading = " ".join(current.parts) if short_enough else ""
    if (current.kind in ("section", "item") and short_enough and not SENTENCE_END.search(heading)
            and len(heading.split()) <= HEADING_WORDS):
        if heading.isupper():
            return not text.isupper()  # a title in capitals goes on in capitals only
        if (not _starts_upper(text) or OPEN_END.search(prev) or INLINE_CONTENT.search(heading)
                or len(prev) >= wrap_width * FULL_LINE_SHARE):
            return False  # "... Nghị quyết số" + "29-NQ/TW", "... Sở Kế hoạch và" + "Đầu tư", a full line
        return True
    ended = re.search(r"[.!?:;]\s*$", prev) or short and not OPEN_END.search(prev) or _closed_aside(current, prev)
    return bool(ended) and _starts_upper(text)


def _closed_aside(current: _Node, prev: str) -> bool:
    """Is the paragraph a remark set wholly in brackets that the line above closed ("(Kèm theo Kế hoạch số
    456/KH-SKHCN ngày 09/6/2023 ...)"), so a capitalised line after it starts something new? (Only looked
    at when a line ends with ")", and only for a paragraph that opened with "(".)"""
    if not prev.rstrip().endswith(")") or current.kind != "paragraph" or not current.parts[:1] or not current.parts[0].startswith("("):
        return False
    text = " ".join(current.parts)
    return text.count("(") == text.count(")")


# A wrapped line that ended inside a hyphenated word or symbol: "29-" + "NQ/TW", "2021-" + "2025".
OPEN_HYPHEN = re.compile(r"[\wĐđ]-$")


def _join_parts(parts: list[str]) -> str:
    """Parts joined with spaces, except after an open hyphen (looked for in the last characters only)."""
    pieces: list[str] = []
    tail = ""
    for part in (p for p in parts if p):
        piece = part if not pieces or OPEN_HYPHEN.search(tail) else f" {part}"
        pieces.append(piece)
        tail = (tail + piece)[-2:]
    return "".join(pieces)


def _materialise(nodes: list[_Node]) -> tuple[tuple[Clause, ...], str]:
    clauses: list[Clause] = []
    pieces: list[str] = []
    offset = 0
    for node in nodes:
        text = re.sub(r"\s+", " ", _join_parts(node.parts)).strip()
        clauses.append(
            Clause(node.id, node.label, node.kind, text, node.page, offset, offset + len(text), node.parent, node.cells)
        )
        pieces.append(text)
        offset += len(text) + 1
    return tuple(clauses), "\n".join(pieces)


STRUCTURED_KINDS = frozenset({"section", "item", "bullet", "subbullet", "letter", "row", "table"})


def require_structure(plan: Plan, path: str | Path) -> Plan:
    """The plan, when it has any section, item, bullet or table; text with none is no plan (E201)."""
    if not any(c.kind in STRUCTURED_KINDS for c in plan.clauses):
        raise HyError(Code.E201_NO_STRUCTURE, str(path))
    return plan


def parse_file(path: str | Path) -> Plan:
    """Read a PDF, DOCX or text file and structure it (any text; ``require_structure`` asks for a plan)."""
    from hycompliance.ingest import read

    return build_plan(read(path))
