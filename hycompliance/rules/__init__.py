"""Where the declarative knowledge lives: the ``rules/`` directory, as YAML a non-programmer can review.

The directory is ``$HYCOMPLIANCE_RULES`` when set (an edited copy), else this package's own folder: the YAML
files ship inside the wheel beside this module. Files are read once per process.
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml


def rules_dir() -> Path:
    env = os.environ.get("HYCOMPLIANCE_RULES")
    return Path(env) if env else Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def _load(path: str, mtime: float) -> Any:
    with open(path, encoding="utf-8") as fh:
        return yaml.safe_load(fh)


def load(name: str) -> Any:
    """Parsed content of ``rules/<name>`` (re-read when the file changes)."""
    path = rules_dir() / name
    return _load(str(path), path.stat().st_mtime)


# Files that only say how results are shown, not what they are: editing them rescans nothing.
PRESENTATION = frozenset({"labels.yaml"})


def rules_version() -> str:
    """A short hash of every rules file but the labels: results computed under other rules are stale."""
    digest = hashlib.sha256()
    for path in sorted(rules_dir().rglob("*")):
        if path.is_file() and path.suffix in {".yaml", ".yml", ".json", ".jsonl"} and path.name not in PRESENTATION:
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]
