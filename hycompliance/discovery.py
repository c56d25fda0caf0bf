"""Which files a scan reads: the plans inside the folders given, and every other entry named with a code.

A scan reads only regular files that are inside the roots it was given. It never follows a symbolic link
(a link in a submitted folder could point at ``/etc/passwd``), never opens a FIFO, device or socket (a read
could block or have effects), and skips anything whose real path is outside the roots. Each file it does
not read is listed with its code, so nothing disappears into a count:

- E104 an extension other than .pdf/.docx/.txt, E121 a symbolic link, E122 a FIFO, device or socket,
  E123 a real path outside the roots, E124 a hidden or temporary file (or a hidden folder, listed once).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hycompliance.errors import Code, HyError

SUPPORTED = (".pdf", ".docx", ".txt")
HIDDEN_PREFIXES = (".", "~$")
SPECIAL_KINDS = ((stat.S_ISFIFO, "FIFO"), (stat.S_ISCHR, "character device"), (stat.S_ISBLK, "block device"),
                 (stat.S_ISSOCK, "socket"))


@dataclass(frozen=True)
class Skipped:
    """A file the scan did not read, and why (``code`` is an ``errors.Code`` value, ``line`` what people see)."""

    file: str
    code: str
    message: str
    line: str

    @classmethod
    def of(cls, path: Path, code: Code, **details: object) -> Skipped:
        error = HyError(code, str(path), **details)
        return cls(str(path), code.value, error.message, error.line())

    def as_dict(self) -> dict[str, str]:
        return {"file": self.file, "code": self.code, "message": self.message}


@dataclass(frozen=True)
class Discovery:
    files: list[Path]
    skipped: list[Skipped]
    roots: list[Path]  # the real paths of the folders and files given (not the links among them)


def _special_kind(mode: int) -> str | None:
    for test, kind in SPECIAL_KINDS:
        if test(mode):
            return kind
    return None


def _inside(path: Path, roots: list[Path]) -> bool:
    real = path.resolve()
    return any(real == root or real.is_relative_to(root) for root in roots)


def _judge(path: Path, roots: list[Path], hidden: bool) -> Path | Skipped:
    """The file's real path when the scan may read it, else why not."""
    try:
        info = path.lstat()
    except OSError:
        return Skipped.of(path, Code.E101_NOT_FOUND)
    if stat.S_ISLNK(info.st_mode):
        return Skipped.of(path, Code.E121_SYMLINK)
    kind = _special_kind(info.st_mode)
    if kind is not None or not stat.S_ISREG(info.st_mode):
        return Skipped.of(path, Code.E122_SPECIAL_FILE, kind=kind or "unknown kind")
    if not _inside(path, roots):
        return Skipped.of(path, Code.E123_OUTSIDE)
    if hidden:
        return Skipped.of(path, Code.E124_HIDDEN)
    if path.suffix.lower() not in SUPPORTED:
        return Skipped.of(path, Code.E104_UNSUPPORTED, ext=path.suffix.lower() or "(none)")
    return path.resolve()


def _walk(root: Path, roots: list[Path]) -> Iterable[Path | Skipped]:
    for folder, dirs, names in os.walk(root, followlinks=False):
        here = Path(folder)
        keep = []
        for d in sorted(dirs):
            sub = here / d
            if sub.is_symlink():
                yield Skipped.of(sub, Code.E121_SYMLINK)
            elif d.startswith(HIDDEN_PREFIXES):
                yield Skipped.of(sub, Code.E124_HIDDEN)
            else:
                keep.append(d)
        dirs[:] = keep  # os.walk descends only into these
        for name in sorted(names):
            yield _judge(here / name, roots, name.startswith(HIDDEN_PREFIXES))


def discover(paths: Iterable[str | Path]) -> Discovery:
    """Supported regular files under ``paths`` (files or folders, recursive), sorted, and every entry skipped.

    A path that does not exist raises E101; one that is a symbolic link is skipped like any other."""
    given = [Path(p) for p in paths]
    for p in given:
        if not p.exists() and not p.is_symlink():
            raise HyError(Code.E101_NOT_FOUND, str(p))
    roots = [p.resolve() for p in given if not p.is_symlink()]
    found: set[Path] = set()
    skipped: dict[str, Skipped] = {}
    for p in given:
        if p.is_dir() and not p.is_symlink():
            verdicts: Iterable[Path | Skipped] = _walk(p, roots)
        else:
            verdicts = [_judge(p, roots, hidden=False)]
        for v in verdicts:
            if isinstance(v, Skipped):
                skipped.setdefault(v.file, v)
            else:
                found.add(v)
    return Discovery(sorted(found), sorted(skipped.values(), key=lambda s: s.file), roots)
