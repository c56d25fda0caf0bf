"""The registry the reference tests check against: the bundled parent plan's (Hưng Yên 87/KH-UBND)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from hycompliance.references import parent_registry
from hycompliance.references.resolve import Registry
from hycompliance.structure import parse_file

BUNDLED_PARENT = Path(__file__).resolve().parents[1] / "corpora" / "87-KH-UBND-2023.txt"


@cache
def registry_87() -> Registry:
    """What children of 87/KH-UBND are checked against: its own references and the national registry."""
    return parent_registry(parse_file(BUNDLED_PARENT))
