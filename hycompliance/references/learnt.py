"""The registry learnt from documents, kept in the coverage database.

``learn_file`` reads one document (law, decree, circular, decision, plan), records the documents it cites
(key, date, type, issuer) and what it says about them (``relations.learn``) in the tables
``registry_documents`` and ``registry_relations`` (migration ``i14_registry_tables``);
``db_registry`` reads them back as a ``Registry`` layer that ``refs --db`` and ``lint --db`` add to the
parent's registry. A later reading of the same relation replaces the earlier one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import yaml
from sqlite_utils import Database

from hycompliance.models import Document, Plan
from hycompliance.references.relations import Relation, learn
from hycompliance.references.resolve import KnownDocument, Registry
from hycompliance.rules import rules_dir


@dataclass(frozen=True)
class Learnt:
    documents: int
    relations: int


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def document_text(doc: Document) -> str:
    """A read file's text line by line, as printed (list markers kept, table rows as "cell | cell"), for
    what the structured ``Plan.text`` leaves out (a web page's header, the "a)" of a list of repeals)."""
    lines = []
    for b in doc.blocks:
        if b.rows:
            lines += [" | ".join(row) for row in b.rows]
        elif b.text:
            lines.append(b.text)
    return "\n".join(lines)


def learnt_rows(plan: Plan, origin: str, *, text: str | None = None) -> dict[str, list[dict[str, Any]]]:
    """The registry rows one document gives (computed where the document is parsed, e.g. a scan worker):
    the documents it cites with a date, itself, which of them it cites with which date, and the relations
    it states. ``text``: the file's text as printed (``document_text``), when at hand; else the plan's, with
    its notes (a footnote often gives a document's full date)."""
    citations, relations = learn(text or plan.text_with_notes, own_key=plan.header.number, own_date=plan.header.date, origin=origin)
    now = _now()
    docs: dict[tuple[str, str], dict[str, Any]] = {}
    for c in citations:
        if c.key and c.date:
            docs.setdefault((c.key, c.date), {"key": c.key, "date": c.date, "type": c.type, "issuer": c.issuer,
                                              "title": None, "source": origin, "learnt_at": now})
    if plan.header.number and plan.header.date:
        docs[(plan.header.number, plan.header.date)] = {
            "key": plan.header.number, "date": plan.header.date, "type": plan.header.type,
            "issuer": plan.header.issuer, "title": plan.header.title, "source": origin, "learnt_at": now,
        }
    return {
        "origin": [{"origin": origin}],
        "registry_documents": list(docs.values()),
        "registry_mentions": [{"key": k, "date": d, "origin": origin} for k, d in docs],
        "registry_relations": [_relation_row(r, now) for r in relations],
    }


def record(db: Database, rows: dict[str, list[dict[str, Any]]]) -> Learnt:
    """Write ``learnt_rows`` to the database; a file read again replaces what it said before."""
    origin = rows["origin"][0]["origin"]
    with db.conn:
        db.execute("DELETE FROM registry_mentions WHERE origin = ?", [origin])
        db.execute("DELETE FROM registry_relations WHERE origin = ?", [origin])
        if rows["registry_documents"]:
            db["registry_documents"].upsert_all(rows["registry_documents"], pk=("key", "date"))
        if rows["registry_mentions"]:
            db["registry_mentions"].insert_all(rows["registry_mentions"], pk=("key", "date", "origin"), ignore=True)
        if rows["registry_relations"]:
            db["registry_relations"].upsert_all(rows["registry_relations"], pk=("source_key", "kind", "target_key", "scope"))
    return Learnt(len(rows["registry_documents"]), len(rows["registry_relations"]))


def learn_plan(db: Database, plan: Plan, origin: str) -> Learnt:
    """Record what ``plan`` cites and what it says about the documents it cites."""
    return record(db, learnt_rows(plan, origin))


def _relation_row(r: Relation, now: str) -> dict[str, Any]:
    return {
        "source_key": r.source_key, "source_date": r.source_date or "", "kind": r.kind, "target_key": r.target_key,
        "target_date": r.target_date or "", "scope": r.scope, "effective": r.effective, "evidence": r.evidence[:500],
        "origin": r.origin, "learnt_at": now,
    }


def db_registry(db: Database) -> Registry:
    """The registry layer the database has learnt: documents and their relations."""
    if "registry_documents" not in db.table_names():
        return Registry()
    votes = {(r["key"], r["date"]): r["n"] for r in db.query(
        "SELECT key, date, COUNT(DISTINCT origin) AS n FROM registry_mentions GROUP BY key, date")}
    docs = tuple(
        KnownDocument(key=r["key"], type=r["type"] or "", date=r["date"] or None, issuer=r["issuer"], title=r["title"],
                      validity="unknown", source=r["source"])
        for r in db.query("SELECT * FROM registry_documents ORDER BY key, date")
        if not _outvoted(r["key"], r["date"], votes)
    )
    relations = tuple(
        Relation(r["source_key"], r["source_date"] or None, r["kind"], r["target_key"], r["target_date"] or None,
                 r["scope"], r["effective"], r["evidence"], r["origin"])
        for r in db.query("SELECT * FROM registry_relations ORDER BY source_key, target_key, kind, scope")  # total: the key
    )
    return Registry(docs, relations=relations)


def _outvoted(key: str, date: str, votes: dict[tuple[str, str], int]) -> bool:
    """A date of ``key`` that fewer files give than another date of the same year: a slip, not a second
    document (71/NQ-CP cited "ngày 01/5/2025" by one plan, "ngày 01/4/2025" by eight)."""
    mine = votes.get((key, date), 0)
    rivals = [n for (k, d), n in votes.items() if k == key and d != date and d[:4] == date[:4]]
    return bool(rivals) and max(rivals) >= 2 and max(rivals) > mine


def relation_labels() -> dict[str, dict[str, str]]:
    """The Vietnamese words for each relation and scope (``rules/relations.yaml``, ``labels``)."""
    data = yaml.safe_load((rules_dir() / "relations.yaml").read_text(encoding="utf-8"))
    return {k: dict(v) for k, v in data["labels"].items()}


def document_page(db: Database, key: str) -> dict[str, Any]:
    """A document of the registry: its entries (key and date), what it cites (``implements``: its bases and
    what it carries out), what it repealed, replaced or amended, what cites it, and what repealed,
    replaced or amended it. Empty lists when the database has not met it."""
    if "registry_documents" not in db.table_names():
        return {"key": key, "documents": [], "acts_on": [], "acted_on_by": [], "cited_by": []}
    rows = list(db.query("SELECT * FROM registry_documents WHERE key = ? ORDER BY date", [key]))
    rel = list(db.query("SELECT * FROM registry_relations WHERE source_key = ? OR target_key = ? "
                        "ORDER BY kind, source_key, target_key", [key, key]))
    cited_by = [r["origin"] for r in db.query(
        "SELECT DISTINCT origin FROM registry_mentions WHERE key = ? ORDER BY origin", [key])]
    return {
        "key": key,
        "documents": rows,
        "acts_on": [r for r in rel if r["source_key"] == key],
        "acted_on_by": [r for r in rel if r["target_key"] == key],
        "cited_by": cited_by,
    }
