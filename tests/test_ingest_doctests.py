"""The examples in the ingest and normalize docstrings are true."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "hycompliance.ingest",
    "hycompliance.ingest.encoding",
    "hycompliance.ingest.legacy",
    "hycompliance.ingest.numbering",
    "hycompliance.ingest.pdf",
    "hycompliance.ingest.pdf_tables",
    "hycompliance.ingest.pdf_layout",
    "hycompliance.ingest.pdf_page_ends",
    "hycompliance.ingest.pdf_paragraphs",
    "hycompliance.ingest.pdf_rules",
    "hycompliance.ingest.ocr",
    "hycompliance.normalize",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0
