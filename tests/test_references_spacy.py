"""The spaCy component gives the same keys and spans as the plain extractor."""

from __future__ import annotations

import pytest

from hycompliance.references import extract, load_registry
from hycompliance.references.spacy import SPAN_KEY, blank_pipeline

from tests.conftest import DEV, SHARED

TEXTS = [
    SHARED / "provincial" / "87-KH-UBND-2023.txt",
    DEV / "vanlam-kh-2023.txt",
    DEV / "myhao-kh-2023.txt",
]


@pytest.fixture(scope="module")
def nlp():
    return blank_pipeline()


@pytest.mark.parametrize("path", TEXTS, ids=lambda p: p.name)
def test_component_matches_plain_extractor(shared, nlp, path):
    text = path.read_text(encoding="utf-8")
    plain = [(c.key, c.start, c.end, c.date, c.flags) for c in extract(text, registry=load_registry())]
    doc = nlp(text)
    spans = [(s._.key, s.start_char, s.end_char, s._.date, s._.flags) for s in doc.spans[SPAN_KEY]]
    assert spans == plain
    assert len(spans) > 10


def test_span_attributes(nlp):
    doc = nlp("Căn cứ Nghị quyết số 07- NQ/TU ngày 15/6/2021 của Ban Chấp hành Đảng bộ tỉnh khóa XIX;")
    (span,) = doc.spans[SPAN_KEY]
    assert (span.text, span._.key, span._.type, span._.date, span._.issuer, span._.issuer_code, span._.system) == (
        "Nghị quyết số 07- NQ/TU ngày 15/6/2021", "07-NQ/TU", "Nghị quyết", "2021-06-15",
        "Ban Chấp hành Đảng bộ tỉnh", "TU", "party",
    )
