"""What the registry learnt about cited documents (repealed, partly repealed, amended), brought to the
findings a scan stored.

A scan learns from every document it reads, in any order, and skips the documents that did not change: a
legal text read tonight says something about the documents that plans read last week cite. So after the
batch, ``refresh_validity`` judges the stored citations of the current documents of the parent plan again
with ``lint.validity_findings`` (the judgement ``refs --db`` and ``lint --db`` make) against the parent's
registry merged with the learnt one, and replaces that document's ``repealed_document``,
``partly_repealed_document`` and ``amended_document`` findings, beside its other reference findings. The
web app's document page and the reports read them from there.

Only what may have changed is judged again: each document records the stamp of the registry it was judged
against (``documents.validity_registry``: what the judgement reads of the registry, ``lint.validity_basis``,
with the rules and tool versions); a document written again has none. A rescan that changed nothing judges
nothing; one that learnt a new relation (a scan, ``registry learn``) judges every document again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from hycompliance import __version__
from hycompliance.database import writing
from hycompliance.models import Citation
from hycompliance.references.extract import canonical_key
from hycompliance.references.learnt import db_registry
from hycompliance.references.lint import VALIDITY_CODES, validity_basis, validity_findings
from hycompliance.references.resolve import Registry
from hycompliance.references.rules import load_rules
from hycompliance.results import finding_row
from hycompliance.rules import rules_version


def _citation(row: dict[str, Any]) -> Citation:
    return Citation(
        key=row["key"], type=row["type"], number=row["number"], symbol=row["symbol"], date=row["date"],
        issuer=row["issuer"], issuer_code=row["issuer_code"], system=row["system"] or "unknown",
        as_written=row["as_written"], start=row["span_start"] or 0, end=row["span_end"] or 0, page=row["page"] or 1,
        clause=row["clause"], flags=tuple(json.loads(row["flags"] or "[]")), intended=row["intended"],
    )


@dataclass(frozen=True)
class Refreshed:
    judged: int  # documents whose citations were judged again
    findings: int  # validity findings the parent's current documents hold afterwards


def registry_stamp(registry: Registry) -> str:
    """A short hash of what the validity judgement reads of ``registry``, and of the rules and tool versions."""
    digest = hashlib.sha256(json.dumps(validity_basis(registry), ensure_ascii=False).encode())
    digest.update(f"{rules_version()} {__version__}".encode())
    return digest.hexdigest()[:16]


def refresh_validity(db: Any, plan_id: int, registry: Registry) -> Refreshed:
    """Judge again the validity of what the analysed documents of ``plan_id`` cite, against ``registry``
    merged with what ``db`` has learnt, for every document not yet judged against that registry; store the
    findings and the registry's stamp."""
    known = db_registry(db).merged(registry)
    stamp = registry_stamp(known)
    rules = load_rules()
    docs = list(db.query("SELECT id, number, date FROM documents WHERE plan_id = ? AND status = 'ok' "
                         "AND validity_registry IS NOT ?", [plan_id, stamp]))
    marks = ", ".join("?" for _ in VALIDITY_CODES)
    with writing(db):
        for doc in docs:
            rows = db.query("SELECT * FROM citations WHERE document_id = ? ORDER BY span_start, id", [doc["id"]])
            citations = [_citation(r) for r in rows]
            own_key = canonical_key(doc["number"], rules) if doc["number"] else None
            found = validity_findings(citations, known, own_key=own_key, own_date=doc["date"], rules=rules)
            db.execute(f"DELETE FROM findings WHERE document_id = ? AND code IN ({marks})", [doc["id"], *VALIDITY_CODES])
            if found:
                db["findings"].insert_all([finding_row(doc["id"], f) for f in found])
            db.execute("UPDATE documents SET validity_registry = ? WHERE id = ?", [stamp, doc["id"]])
    total = db.execute(
        f"SELECT COUNT(*) FROM findings f JOIN documents d ON d.id = f.document_id "
        f"WHERE d.plan_id = ? AND d.status = 'ok' AND f.code IN ({marks})", [plan_id, *VALIDITY_CODES]).fetchone()[0]
    return Refreshed(judged=len(docs), findings=int(total))
