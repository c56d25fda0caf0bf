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


@dataclass
class _Builder:
    """Mutable state of one build; never shared between calls."""

    nodes: list[_Node] = field(default_factory=list)
    stack: list[_Node] = field(default_factory=list)
    root: _Node = field(default_factory=lambda: _Node("", "", "section", [], 1, None, 0))
    warnings: list[ParseWarning] = field(default_factory=list)

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
            ParseWarning("W201", f"repeated label {label!r} under {where}: kept as {base}-{seen}")
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
        for row in _table_rows(block.rows):
            key, cells = row
            self.nodes.append(
                _Node(self.child_id(parent, key, key), key, "row", [" | ".join(c for c in cells if c)],
                      block.page, table.id, LEAF_RANK, cells=cells)
            )
        self.stack.append(table)

    def expected(self, label: Label) -> bool:
        """Is this numbered label the next one where it would stand (for hard-wrapped text)?"""
        probe = list(self.stack)
        while probe and probe[-1].rank >= label.rank:
            probe.pop()
        parent = probe[-1] if probe else self.root
        last = parent.last_number.get(label.kind + str(label.rank))
        return label.number == (last + 1 if last is not None else 1) or label.number == last


def _table_rows(rows: tuple[tuple[str, ...], ...]) -> list[tuple[str, tuple[str, ...]]]:
    """Row keys by printed number: ``1``, ``2``, sub-rows ``2.1``; unnumbered rows ``r<k>``.

    The first row is a column header when it carries no number and no value.
    """
    out: list[tuple[str, tuple[str, ...]]] = []
    current: str | None = None
    group: str | None = None  # a roman group row ("II | Nông nghiệp, nông thôn") numbers the rows below it
    sub = 0
    for k, row in enumerate(rows):
        cells = tuple(c.strip() for c in row)
        number, cells = _row_number(cells)
        if k == 0 and number is None and not any(re.search(r"\d", c) and not re.search(r"\d{4}", c) for c in cells):
            continue  # header row: "STT | Chỉ tiêu | 2021-2025 | 2026-2030"
        if not any(cells):
            continue
        first_text = next((c for c in cells if c), "")
        if number is not None and ROMAN_ROW.match(number):
            group, current, sub = number, number, 0
            out.append((number, cells))
        elif number is not None:
            current, sub = (f"{group}.{number}" if group else number), 0
            out.append((current, cells))
        elif current is not None and BULLET.match(first_text):
            sub += 1
            out.append((f"{current}.{sub}", cells))
        else:
            out.append((f"r{k + 1}", cells))
    return out


ROW_NUMBER = re.compile(r"^(\d{1,3}|[IVX]{1,5})[.)]?$")
ROMAN_ROW = re.compile(r"^[IVX]{1,5}$")
ROW_LEAD = re.compile(r"^(\d{1,3})[.)]\s+(?=\S)")


def _row_number(cells: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The printed row number: an STT cell (``3``) or a label leading the first cell (``3. Tỷ lệ``)."""
    if not cells:
        return None, cells
    if ROW_NUMBER.match(cells[0]):
        return cells[0].rstrip(".)"), cells
    if m := ROW_LEAD.match(cells[0]):
        return m.group(1), cells
    return None, cells


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\u00a0", " ").strip()
    return EMPHASIS.sub("", text).strip()


def _starts_lower(text: str) -> bool:
    first = next((ch for ch in text if ch.isalpha()), "")
    return first.islower()


def build_plan(doc: Document) -> Plan:
    """Structure a read document into a Plan (pure function of the blocks)."""
    cfg = rules.load("structure.yaml")
    header, body, title_blocks = read_header(doc.blocks, cfg)
    body = _split_soft_breaks(body)
    b = _Builder()
    closing_recipients: list[str] = []
    signer: list[str] = []
    mode = "body"  # body | recipients | signer
    prev_text, prev_page = "", 0
    laid_out = _layout_marks_paragraphs(doc, body)
    wrap_width = _wrap_width(body)
    title_text = " ".join(_clean(t.text) for t in title_blocks)
    if title_text:
        b.nodes.append(_Node("title", "", "paragraph", [title_text], title_blocks[0].page, None, LEAF_RANK))
    for index, block in enumerate(body):
        if block.kind == "table":
            if mode != "body":
                for row in block.rows:
                    for cell in row:
                        target = closing_recipients if cell.strip().startswith("-") else signer
                        target.extend(x.strip() for x in re.split(r"(?=- )", cell) if x.strip())
                continue
            b.table(block)
            prev_text = ""
            continue
        text = _clean(block.text)
        if not text:
            continue
        if text.startswith(cfg["recipients_marker"]):
            mode = "recipients"
            rest = text[len(cfg["recipients_marker"]) :].lstrip(": ")
            if rest:
                closing_recipients.append(rest)
            continue
        if mode != "body":
            if any(text.startswith(a) for a in cfg["appendix_starts"]):
                mode = "body"
                b.pop_to(0)
                b.stack.append(b.root)
                node = b.open(Label("section", "PL", _appendix_key(b, text), 0, 1, text), block.page)
                node.id = node.id
                prev_text = text
                continue
            if mode == "recipients" and BULLET.match(text) and not _is_signer(text, cfg):
                closing_recipients.append(text)
            elif mode == "recipients" and block.kind == "line" and closing_recipients and not _is_signer(text, cfg) and not SENTENCE_END.search(closing_recipients[-1]):
                closing_recipients[-1] += " " + text
            else:
                mode = "signer"
                signer.append(text)
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
        if label:
            b.open(label, block.page)
        elif b.nodes and b.nodes[-1].kind == "section" and text.isupper() and " ".join(b.nodes[-1].parts).isupper():
            b.nodes[-1].parts.append(text)  # a title in capitals set over several paragraphs
        elif b.nodes and b.nodes[-1].kind not in ("table", "row") and (
            wrapped and not _new_paragraph(text, prev_text, b.nodes[-1], wrap_width)
            or (_starts_lower(text) and prev_text and not SENTENCE_END.search(prev_text))
        ):
            b.nodes[-1].parts.append(text)
        elif b.nodes and b.nodes[-1].kind in ("bullet", "subbullet") and _next_is(body, index, b.nodes[-1].kind):
            b.nodes[-1].parts.append(text)  # a paragraph between two bullets carries on the first one
        else:
            b.paragraph(text, block.page)
        prev_text, prev_page = text, block.page
    clauses, full_text = _materialise(b.nodes)
    if not any(c.kind in ("section", "item", "bullet") for c in clauses):
        b.warnings.append(ParseWarning("W202", "no sections, items or bullets found"))
    return Plan(
        source=doc.path, form=doc.form, header=header, clauses=clauses, text=full_text, pages=doc.pages,
        closing=Closing(tuple(closing_recipients), tuple(signer)),
        warnings=tuple(doc.warnings) + tuple(b.warnings),
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


def _next_is(body: list[Block], index: int, kind: str) -> bool:
    """Is the next text block a label of ``kind`` (looking past empty blocks)?"""
    for block in body[index + 1 :]:
        text = _clean(block.text)
        if block.kind == "table":
            return False
        if text:
            label = parse_label(text)
            if label:
                return label.kind == kind
            if block.kind != "line":
                return False
    return False


def _runs_on(b: _Builder, prev_text: str) -> bool:
    """Is the clause being written a sentence still running (not a heading waiting for its children)?"""
    if not prev_text or SENTENCE_END.search(prev_text) or not b.nodes:
        return False
    current = b.nodes[-1]
    return current.kind in ("bullet", "subbullet", "letter", "paragraph") or bool(
        INLINE_CONTENT.search(" ".join(current.parts))
    )


def _layout_marks_paragraphs(doc: Document, body: list[Block]) -> bool:
    """Does the reader see paragraph starts in the layout (a PDF with indents or spacing)?

    Then a label on a plain continuation line is a hard wrap, not a new clause.
    """
    if doc.form != "pdf":
        return False
    text_blocks = [b for b in body if b.kind != "table"]
    starts = sum(b.kind == "paragraph" for b in text_blocks)
    return bool(text_blocks) and starts / len(text_blocks) >= LAYOUT_PARAGRAPH_SHARE and starts < len(text_blocks)


def _appendix_key(b: _Builder, text: str) -> str:
    m = re.match(r"(?:PHỤ LỤC|Phụ lục)\s*(?:số\s*)?([IVX\d]+)?", text)
    if m and m.group(1):
        return f"PL{m.group(1)}"
    return "PL"


def _is_signer(text: str, cfg: dict) -> bool:
    return any(text.upper().startswith(s) for s in cfg["signer_starts"])


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
    heading = " ".join(current.parts)
    if current.kind in ("section", "item") and not SENTENCE_END.search(heading) and len(heading.split()) <= HEADING_WORDS:
        if heading.isupper():
            return not text.isupper()  # a title in capitals goes on in capitals only
        if (not _starts_upper(text) or OPEN_END.search(prev) or INLINE_CONTENT.search(heading)
                or len(prev) >= wrap_width * FULL_LINE_SHARE):
            return False  # "... Nghị quyết số" + "29-NQ/TW", "... Sở Kế hoạch và" + "Đầu tư", a full line
        return True
    ended = re.search(r"[.!?:;]\s*$", prev) or short and not OPEN_END.search(prev)
    return bool(ended) and _starts_upper(text)


# A wrapped line that ended inside a hyphenated word or symbol: "29-" + "NQ/TW", "2021-" + "2025".
OPEN_HYPHEN = re.compile(r"[\wĐđ]-$")


def _join_parts(parts: list[str]) -> str:
    out = ""
    for part in (p for p in parts if p):
        out = out + part if OPEN_HYPHEN.search(out) else f"{out} {part}" if out else part
    return out


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
