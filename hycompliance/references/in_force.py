"""What the registry learnt about cited documents (repealed, partly repealed, amended), brought to the
findings a scan stored.

A scan learns from every document it reads, in any order, and skips the documents that did not change: a
legal text read tonight says something about the documents that plans read last week cite. So after the
batch, ``refresh_validity`` judges the stored citations of every current document of the parent plan
again with ``lint.validity_findings`` (the judgement ``refs --db`` and ``lint --db`` make) against the
parent's registry merged with the learnt one, and replaces that document's ``repealed_document``,
``partly_repealed_document`` and ``amended_document`` findings, beside its other reference findings. The
web app's document page and the reports read them from there.
"""

from __future__ import annotations

import json
from typing import Any

from hycompliance.database import writing
from hycompliance.models import Citation
from hycompliance.references.extract import canonical_key
from hycompliance.references.learnt import db_registry
from hycompliance.references.lint import VALIDITY_CODES, validity_findings
from hycompliance.references.resolve import Registry
from hycompliance.references.rules import load_rules
from hycompliance.results import finding_row


def _citation(row: dict[str, Any]) -> Citation:
    return Citation(
        key=row["key"], type=row["type"], number=row["number"], symbol=row["symbol"], date=row["date"],
        issuer=row["issuer"], issuer_code=row["issuer_code"], system=row["system"] or "unknown",
        as_written=row["as_written"], start=row["span_start"] or 0, end=row["span_end"] or 0, page=row["page"] or 1,
        clause=row["clause"], flags=tuple(json.loads(row["flags"] or "[]")), intended=row["intended"],
    )


def refresh_validity(db: Any, plan_id: int, registry: Registry) -> int:
    """Judge again the validity of what every analysed document of ``plan_id`` cites, against ``registry``
    merged with what ``db`` has learnt; store the findings. Returns how many validity findings are stored."""
    known = db_registry(db).merged(registry)
    rules = load_rules()
    docs = list(db.query("SELECT id, number, date FROM documents WHERE plan_id = ? AND status = 'ok'", [plan_id]))
    marks = ", ".join("?" for _ in VALIDITY_CODES)
    total = 0
    with writing(db):
        for doc in docs:
            rows = db.query("SELECT * FROM citations WHERE document_id = ? ORDER BY span_start, id", [doc["id"]])
            citations = [_citation(r) for r in rows]
            own_key = canonical_key(doc["number"], rules) if doc["number"] else None
            found = validity_findings(citations, known, own_key=own_key, own_date=doc["date"], rules=rules)
            db.execute(f"DELETE FROM findings WHERE document_id = ? AND code IN ({marks})", [doc["id"], *VALIDITY_CODES])
            if found:
                db["findings"].insert_all([finding_row(doc["id"], f) for f in found])
            total += len(found)
    return total
