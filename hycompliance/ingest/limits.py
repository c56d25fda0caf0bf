"""What every reader shares: the size limits and the one part name a Word file must have (a module of its
own so that the readers need not import the dispatching package, and the package imports the readers)."""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
DOCX_MAIN_PART = "word/document.xml"


@dataclass(frozen=True)
class Limits:
    """Size limits a reader refuses beyond; pass smaller ones in tests or for a web upload.

    >>> Limits().max_bytes // MB, Limits(max_pages=10).max_pages
    (50, 10)
    """

    max_bytes: int = 50 * MB
    max_docx_uncompressed: int = 200 * MB
    max_pages: int = 2000


DEFAULT_LIMITS = Limits()
