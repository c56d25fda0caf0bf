"""Word footnotes (``word/footnotes.xml``): the notes a plan prints at the foot of its pages.

Real plans cite documents in footnotes ("[1] Chương trình số 30-CTr/TU ngày 29/12/2017 ..."). The body
reader records where each ``w:footnoteReference`` stands (its id and page); ``footnote_blocks`` gives one
block per footnote referenced, in the order of the references, numbered as Word prints them ("[1]",
"[2]" ...), with ``region="note"``: the structure stage keeps them as the plan's notes, out of its body.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

from docx.document import Document as WordDocument
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from lxml import etree
from lxml.etree import _Element

from hycompliance.models import Block

# Footnotes Word keeps for its own layout (the separator lines): not notes.
LAYOUT_TYPES = frozenset({"separator", "continuationSeparator", "continuationNotice"})


def _footnotes(document: WordDocument) -> dict[str, _Element]:
    """The document's footnotes by id (none when it has no footnotes part)."""
    for rel in document.part.rels.values():
        if rel.reltype != RT.FOOTNOTES or rel.is_external:
            continue
        part = rel.target_part
        root = getattr(part, "element", None)
        if root is None:
            parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
            root = etree.fromstring(part.blob, parser)
        return {n.get(qn("w:id")): n for n in root.iter(qn("w:footnote"))
                if n.get(qn("w:type")) not in LAYOUT_TYPES}
    return {}


def footnote_blocks(document: WordDocument, references: Sequence[tuple[str, int]],
                    paragraph_text: Callable[[_Element], str]) -> Iterator[Block]:
    """One ``region="note"`` block per footnote referenced, given the references in body order as (id, page);
    ``paragraph_text`` reads one ``w:p`` as the body reader does (legacy fonts, numbering)."""
    notes = _footnotes(document) if references else {}
    seen: set[str] = set()
    for number, (note_id, page) in enumerate(references, 1):
        element = notes.get(note_id)
        if element is None or note_id in seen:
            continue
        seen.add(note_id)
        text = " ".join(t.strip() for t in (paragraph_text(p) for p in element.iter(qn("w:p"))) if t.strip())
        if text:
            yield Block(text=f"[{number}] {text}", page=page, kind="paragraph", region="note")
