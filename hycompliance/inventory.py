"""Documents and the files that hold them: one document per content, any number of paths, and withdrawal.

- A file whose path the database knows stays that path's document (edited in place: rescanned).
- A new path whose content (sha256) a document already has joins that document: a copy under a second
  name is one document with two paths, and a moved or renamed file keeps its document — so its reviewer
  decisions, which belong to the document.
- Two paths of one document whose contents now differ are split: the one whose content changed goes to
  the document with that content, or to a new one.
- A path under a scanned folder that the scan no longer finds is marked gone; a document with no path left
  is *withdrawn* (``documents.withdrawn_at``): kept with its results and decisions, shown apart, left out of
  the matrix and every count. It comes back when its file does.

A file checked against two parent plans is a document under each (``plan_id``): paths and names are unique
per parent. A file that is gone is gone for every parent.

Invariant: ``documents.path`` is always one of the document's own paths (the first present one), so the
column stays unique per parent whatever moves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from hycompliance.database import writing
from hycompliance.errors import Code, HyError

STATE_COLUMNS = "id, path, name, status, content_hash, fingerprint, rules_version, tool_version"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class DocState:
    id: int
    path: str
    name: str
    status: str
    content_hash: str | None
    fingerprint: str | None
    rules_version: str | None
    tool_version: str | None

    def current(self, content_hash: str, fingerprint: str, rules_version: str, tool_version: str) -> bool:
        """Unchanged since it was last analysed successfully: the scan may skip it."""
        return (self.status == "ok", self.content_hash, self.fingerprint, self.rules_version, self.tool_version) == (
            True, content_hash, fingerprint, rules_version, tool_version)


def _unique_name(path: Path, taken: set[str]) -> str:
    stem = path.stem
    candidates = [stem, f"{stem}-{path.suffix.lstrip('.').lower()}"] + [f"{stem}-{n}" for n in range(2, 10_000)]
    for name in candidates:
        if name not in taken:
            return name
    raise HyError(Code.E301_DB, str(path), detail="no free document name")


def _set_path(db: Database, plan_id: int, path: str, doc_id: int) -> None:
    db.execute("INSERT INTO document_paths (plan_id, path, document_id, gone_at) VALUES (?, ?, ?, NULL) "
               "ON CONFLICT(plan_id, path) DO UPDATE SET document_id = excluded.document_id, gone_at = NULL",
               [plan_id, path, doc_id])


def _diverged(paths: list[str], owner: Mapping[str, int], docs: Mapping[int, dict[str, Any]],
              digests: Mapping[str, str]) -> dict[str, str]:
    """Paths that must leave their document because another of its paths now holds other content; each
    mapped to a path that stays. The paths still holding the document's recorded content stay (if none
    does, the first path stays: edited in place)."""
    groups: dict[int, list[str]] = {}
    for path in paths:
        if path in owner and path in digests:
            groups.setdefault(owner[path], []).append(path)
    leaving: dict[str, str] = {}
    for doc_id, group in groups.items():
        if len({digests[p] for p in group}) < 2:
            continue
        recorded = docs[doc_id]["content_hash"]
        keep = recorded if recorded in {digests[p] for p in group} else digests[group[0]]
        stays = next(p for p in group if digests[p] == keep)
        leaving.update({p: stays for p in group if digests[p] != keep})
    return leaving


def register_documents(db: Database, paths: Iterable[str | Path], plan_id: int,
                       hashes: Mapping[str, str] | None = None) -> dict[str, DocState]:
    """Make sure each file belongs to a document under parent plan ``plan_id`` (``pending`` when new);
    return the states by path.

    ``hashes`` (resolved path → sha256) lets a new path join the document that has its content. Names are
    given in the order of ``paths`` (the scan passes them sorted), so a rerun names alike.
    """
    resolved = [str(Path(p).resolve()) for p in paths]
    digests = dict(hashes or {})
    states: dict[str, DocState] = {}
    with writing(db):
        docs = {r["id"]: dict(r) for r in db.query(f"SELECT {STATE_COLUMNS} FROM documents WHERE plan_id = ?",
                                                    [plan_id])}
        owner = {r["path"]: r["document_id"] for r in db.query(
            "SELECT path, document_id FROM document_paths WHERE plan_id = ?", [plan_id])}
        by_hash: dict[str, int] = {}
        for d in docs.values():
            if d["content_hash"]:
                by_hash.setdefault(d["content_hash"], d["id"])
        taken = {d["name"] for d in docs.values()}
        leaving = _diverged(resolved, owner, docs, digests)

        def new_document(path: str) -> int:
            name = _unique_name(Path(path), taken)
            taken.add(name)
            doc_id = int(db["documents"].insert(
                {"plan_id": plan_id, "path": path, "name": name, "form": Path(path).suffix.lstrip(".").lower(),
                 "status": "pending"}
            ).last_pk)
            docs[doc_id] = {"id": doc_id, "path": path, "name": name, "status": "pending", "content_hash": None,
                            "fingerprint": None, "rules_version": None, "tool_version": None}
            return doc_id

        for path in resolved:
            digest = digests.get(path)
            doc_id = owner.get(path)
            if path in leaving and doc_id is not None:
                old, stays = doc_id, leaving[path]
                if docs[old]["path"] == path:
                    db.execute("UPDATE documents SET path = ? WHERE id = ?", [stays, old])
                    docs[old]["path"] = stays
                db.execute("DELETE FROM document_paths WHERE plan_id = ? AND path = ?", [plan_id, path])
                doc_id = by_hash.get(digest) if digest else None
                doc_id = None if doc_id == old else doc_id
            elif doc_id is None and digest:
                doc_id = by_hash.get(digest)
            if doc_id is None:
                doc_id = new_document(path)
            if digest:
                by_hash.setdefault(digest, doc_id)
            _set_path(db, plan_id, path, doc_id)
            owner[path] = doc_id
            states[path] = DocState(**docs[doc_id])
    return states


def _under(path: str, roots: Iterable[Path]) -> bool:
    p = Path(path)
    return any(p == root or p.is_relative_to(root) for root in roots)


def withdraw_missing(db: Database, roots: Iterable[str | Path], found: Iterable[str | Path]) -> dict[str, list[str]]:
    """After a scan of ``roots`` that found ``found``: paths under the roots not found are gone; documents
    left with no path are withdrawn, those with one again are back. Returns the names withdrawn and restored."""
    roots = [Path(r) for r in roots]
    present = {str(Path(f)) for f in found}
    at = _now()
    withdrawn: list[str] = []
    restored: list[str] = []
    with writing(db):
        for row in list(db.query("SELECT path FROM document_paths WHERE gone_at IS NULL")):
            if row["path"] not in present and _under(row["path"], roots):
                db.execute("UPDATE document_paths SET gone_at = ? WHERE path = ?", [at, row["path"]])
        live: dict[int, list[str]] = {}
        for row in db.query("SELECT document_id, path FROM document_paths WHERE gone_at IS NULL ORDER BY path"):
            live.setdefault(row["document_id"], []).append(row["path"])
        for doc in list(db.query("SELECT id, name, path, withdrawn_at FROM documents")):
            paths = live.get(doc["id"], [])
            if not paths and doc["withdrawn_at"] is None:
                db.execute("UPDATE documents SET withdrawn_at = ? WHERE id = ?", [at, doc["id"]])
                withdrawn.append(doc["name"])
            elif paths and doc["withdrawn_at"] is not None:
                db.execute("UPDATE documents SET withdrawn_at = NULL WHERE id = ?", [doc["id"]])
                restored.append(doc["name"])
            if paths and doc["path"] not in paths:
                db.execute("UPDATE documents SET path = ? WHERE id = ?", [paths[0], doc["id"]])
    return {"withdrawn": sorted(withdrawn), "restored": sorted(restored)}


def document_at(db: Database, path: str | Path, plan_id: int | None = None) -> dict[str, Any] | None:
    """The document a file path belongs to (any of its paths), under parent ``plan_id`` when given, or None."""
    within, extra = (" AND p.plan_id = ?", [plan_id]) if plan_id is not None else ("", [])
    rows = list(db.query("SELECT d.* FROM document_paths p JOIN documents d ON d.id = p.document_id "
                         f"WHERE p.path = ?{within} ORDER BY d.id", [str(Path(path).resolve()), *extra]))
    return rows[0] if rows else None


def paths_of(db: Database, doc_id: int) -> list[dict[str, Any]]:
    """Every path of a document: path, gone_at (None while the file is there)."""
    return list(db.query("SELECT path, gone_at FROM document_paths WHERE document_id = ? ORDER BY path", [doc_id]))


def resolve_document(db: Database, ref: str, plan_id: int | None = None) -> dict[str, Any]:
    """A document by name, any of its paths, or id, under parent plan ``plan_id`` when given. A name or path
    checked against several parents and no parent chosen is an error (E323) naming them."""
    within, extra = (" AND d.plan_id = ?", [plan_id]) if plan_id is not None else ("", [])
    lookups = (
        ("SELECT d.* FROM documents d WHERE d.name = ?", ref),
        ("SELECT DISTINCT d.* FROM document_paths p JOIN documents d ON d.id = p.document_id WHERE p.path = ?",
         str(Path(ref).resolve())),
        ("SELECT d.* FROM documents d WHERE d.id = ?", int(ref) if ref.isdigit() else None),  # typed: PostgreSQL
    )
    for sql, arg in lookups:
        rows = list(db.query(f"{sql}{within} ORDER BY d.id", [arg, *extra]))
        if len(rows) > 1:
            keys = [r["key"] for r in db.query(
                f"SELECT key FROM plans WHERE id IN ({', '.join('?' for _ in rows)}) ORDER BY id",
                [r["plan_id"] for r in rows])]
            raise HyError(Code.E323_DOCUMENT_PLANS, ref, detail=", ".join(keys))
        if rows:
            return rows[0]
    raise HyError(Code.E304_NO_DOCUMENT, ref)
