"""The reference extractor as a spaCy component, for users who run their own pipelines.

    import spacy
    import hycompliance.references.spacy  # registers the "hy_references" factory
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.add_pipe("hy_references")
    doc = nlp(text)
    for span in doc.spans["references"]:
        span._.key, span._.type, span._.date, span._.issuer, span._.flags

The component calls ``extract`` (one implementation, two interfaces): the spans are the extractor's
character spans; a token a mention starts or ends inside is split there. The blank
Vietnamese pipeline with ``use_pyvi: False`` splits on whitespace and needs no model or download.
"""

from __future__ import annotations

from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from hycompliance.models import Citation
from hycompliance.references.extract import extract
from hycompliance.references.resolve import Registry, load_registry

SPAN_KEY = "references"
FACTORY = "hy_references"
# Span extensions, each the Citation field of the same name; ``citation`` holds the whole record.
ATTRIBUTES = ("key", "type", "number", "symbol", "date", "issuer", "issuer_code", "system", "flags", "citation")


def _register_extensions() -> None:
    for name in ATTRIBUTES:
        if not Span.has_extension(name):
            Span.set_extension(name, default=None)


class ReferenceComponent:
    """Puts every cited document in ``doc.spans["references"]`` with its attributes."""

    def __init__(self, registry: Registry) -> None:
        _register_extensions()
        self.registry = registry

    def __call__(self, doc: Doc) -> Doc:
        citations = extract(doc.text, registry=self.registry)
        _split_at(doc, {b for c in citations for b in (c.start, c.end)})
        spans = []
        for c in citations:
            span = doc.char_span(c.start, c.end, alignment_mode="expand")
            if span is None:
                continue
            _fill(span, c)
            spans.append(span)
        doc.spans[SPAN_KEY] = spans
        return doc


def _split_at(doc: Doc, bounds: set[int]) -> None:
    """Split the tokens a mention starts or ends inside ("29-NQ/TW," -> "29-NQ/TW" ","), so that spans are
    exactly the extractor's character spans."""
    with doc.retokenize() as retokenizer:
        for token in doc:
            cuts = sorted(b - token.idx for b in bounds if token.idx < b < token.idx + len(token.text))
            if not cuts:
                continue
            pieces = [token.text[i:j] for i, j in zip([0, *cuts], [*cuts, len(token.text)])]
            retokenizer.split(token, pieces, heads=[(token, 0)] * len(pieces))


def _fill(span: Span, c: Citation) -> None:
    for name in ATTRIBUTES:
        span._.set(name, c if name == "citation" else getattr(c, name))


@Language.factory(FACTORY, default_config={"registry_path": None})
def make_reference_component(nlp: Language, name: str, registry_path: str | None) -> ReferenceComponent:
    return ReferenceComponent(load_registry(Path(registry_path) if registry_path else None))


def blank_pipeline(registry_path: str | None = None) -> Language:
    """A blank Vietnamese pipeline (no pyvi, nothing downloaded) with the reference component."""
    nlp = spacy.blank("vi", config={"nlp": {"tokenizer": {"use_pyvi": False}}})
    nlp.add_pipe(FACTORY, config={"registry_path": registry_path})
    return nlp
