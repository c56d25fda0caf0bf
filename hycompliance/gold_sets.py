"""Labelled gold sets on disk: which gold files a directory holds, which parent plan it is labelled against
(its ``manifest.yaml``) and which requirement IDs each plan is scored on."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from hycompliance.models import Requirement

SCORED_KINDS = ("task", "subtask", "target")
GoldDirs = str | Path | Sequence[str | Path]
MANIFEST = "manifest.yaml"
ALL_PARENTS = "all"


def _dirs(gold_dirs: GoldDirs) -> list[Path]:
    return [Path(gold_dirs)] if isinstance(gold_dirs, (str, Path)) else [Path(d) for d in gold_dirs]


def gold_paths(gold_dirs: GoldDirs) -> list[Path]:
    """The gold files of one directory or of several (a style suite evaluated with the dev plans)."""
    return [p for d in _dirs(gold_dirs) for p in sorted(d.glob("*.json"))]


def _manifest(gold_dir: Path) -> dict[str, Any] | None:
    """The gold directory's manifest.yaml as a mapping, None when it has none."""
    import yaml

    manifest = gold_dir / MANIFEST
    if not manifest.is_file():
        return None
    data = yaml.safe_load(manifest.read_text(encoding="utf-8")) or {}
    return data if isinstance(data, dict) else {}


def _named_file(gold_dir: Path, named: str, field_name: str) -> Path:
    """A file a manifest names, relative to the gold directory, else to the working directory."""
    from hycompliance.errors import Code, HyError

    for candidate in (gold_dir / named, Path(named)):
        if candidate.is_file():
            return candidate
    raise HyError(Code.E101_NOT_FOUND, f"{named} ({field_name} named in {gold_dir / MANIFEST})")


def gold_parent(gold_dir: Path, default: str | Path) -> Path:
    """The parent plan a gold directory is labelled against: ``parent:`` of its manifest.yaml (relative to
    the directory, else to the working directory), else ``default``."""
    from hycompliance.errors import Code, HyError

    data = _manifest(gold_dir)
    if data is None:
        return Path(default)
    named = data.get("parent")
    if not named:
        raise HyError(Code.E901_USAGE, detail=f"{gold_dir / MANIFEST}: no 'parent:' naming the parent plan file")
    return _named_file(gold_dir, str(named), "parent")


def scored_ids(gold_dir: Path, catalogue: Sequence[Requirement], plan: str | None = None) -> frozenset[str]:
    """The requirement IDs a gold directory's ``plan`` is scored on: those of its manifest's hand-counted
    ``catalogue:`` whose kind is in ``scored_kinds:`` (default ``SCORED_KINDS``); without a catalogue file,
    those of the parent's own ``catalogue``. Duties bind some plans only: when ``duty`` is a scored kind, a
    plan is scored on the duties its manifest lists under ``binds:`` (the others do not apply to it)."""
    import yaml

    from hycompliance.errors import Code, HyError

    data = _manifest(gold_dir) or {}
    kinds = tuple(data.get("scored_kinds") or SCORED_KINDS)
    duties = frozenset(str(i) for i in (data.get("binds") or {}).get(plan, ())) if "duty" in kinds else frozenset()
    named = data.get("catalogue")
    if not named:
        return frozenset(r.id for r in catalogue if r.kind in kinds and r.kind != "duty") | duties
    path = _named_file(gold_dir, str(named), "catalogue")
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("requirements")
    if not entries:
        raise HyError(Code.E901_USAGE, detail=f"{path}: no 'requirements:' to score")
    return frozenset(str(e["id"]) for e in entries if e.get("kind") in kinds and e.get("kind") != "duty") | duties
