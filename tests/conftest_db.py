"""Test helpers for the store, scan and report tests (imported explicitly; not a pytest conftest).

The batch is driven here by a parent context and an analyzer built from real parsed plans (the text
reader and the structure stage) and from Match/Citation/Finding records constructed from the plans' real
strings, so these tests pin down the store and the batch whatever the matcher scores. The shipped scan
calls ``hycompliance.pipeline``; these functions are passed in explicitly.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from hycompliance import __version__, rules
from hycompliance.coverage import plan_cells
from hycompliance.errors import Code, HyError
from hycompliance.ingest.encoding import decode_bytes
from hycompliance.ingest.text import read_text
from hycompliance.models import Citation, Evidence, Finding, Match, Plan, Requirement
from hycompliance.pipeline import DocumentResult as Result
from hycompliance.pipeline import ParentContext as Context
from hycompliance.references.resolve import Registry
from hycompliance.store import fold
from hycompliance.structure import build_plan
from hycompliance.text import load_lexicon

ROOT = Path(__file__).resolve().parent.parent
PARENT_TXT = ROOT / "corpora" / "87-KH-UBND-2023.txt"
EXAMPLES = ROOT / "corpora" / "examples"
SOKHCN_TXT = EXAMPLES / "sokhcn-kh-2023.txt"

# Documents the parent plan carries out; a child plan should cite them.
REFERENCE_KEYS = ("29-NQ/TW", "34-CTr/TU", "10-NQ/TU")
# "Số 29-NQ/TW ngày 17/11/2022": a key with the date written after it.
CITATION = re.compile(r"(\d{1,4}-(?:NQ|CTr)/(?:TW|TU))(?: ngày (\d{1,2})/(\d{1,2})/(\d{4}))?")
TRUE_DATES = {"29-NQ/TW": "2022-11-17", "34-CTr/TU": "2023-02-15", "10-NQ/TU": "2021-06-28"}


def parse_txt(path: str | Path) -> Plan:
    data = Path(path).read_bytes()
    if not data.strip():
        raise HyError(Code.E102_EMPTY, str(path))
    return build_plan(read_text(str(path), decode_bytes(data, str(path))))


def sample_catalogue(parent: Plan) -> tuple[Requirement, ...]:
    """Task bullets of III.1-III.3 and the targets rows of II.2, from the parent plan's clauses."""
    out = []
    for c in parent.clauses:
        group = c.parent or ""
        if c.kind == "bullet" and re.fullmatch(r"III\.[123]", group):
            out.append(Requirement(c.id, "task", c.text, group=group, page=c.page))
        elif c.kind == "row" and c.id.startswith("II.2.") and c.id.count(".") == 2:
            out.append(Requirement(c.id, "target", c.text, group="II.2", page=c.page))
    return tuple(out)


def load_test_context(parent_path: str, catalogue_path: str | None = None) -> Context:
    parent = parse_txt(parent_path)
    refs = tuple(Requirement(k, "reference", f"Văn bản {k}", group="references") for k in REFERENCE_KEYS)
    digest = hashlib.sha256(Path(parent_path).read_bytes() + rules.rules_version().encode() + __version__.encode())
    return Context(str(parent_path), parent, citations_of(parent), sample_catalogue(parent), refs, Registry(),
                   digest.hexdigest()[:16])


def words(text: str) -> set[str]:
    return set(re.findall(r"\w{2,}", fold(text)))


def citations_of(plan: Plan) -> tuple[Citation, ...]:
    out = []
    for m in CITATION.finditer(plan.text):
        number, symbol = m.group(1).split("-", 1)
        date = f"{m.group(4)}-{int(m.group(3)):02d}-{int(m.group(2)):02d}" if m.group(2) else None
        clause = plan.clause_at(m.start())
        out.append(Citation(m.group(1), "Nghị quyết", number, symbol, date, None, symbol.split("/")[1], "party",
                            m.group(0), m.start(), m.end(), 1, clause.id if clause else None))
    return tuple(out)


def findings_of(citations: tuple[Citation, ...]) -> tuple[Finding, ...]:
    return tuple(
        Finding("wrong_date", "error", f"Ngày ban hành của văn bản {c.key} ghi là {c.date}", c.as_written, c.page,
                c.clause, c.key, TRUE_DATES[c.key])
        for c in citations if c.key in TRUE_DATES and c.date and c.date != TRUE_DATES[c.key]
    )


def matches_of(plan: Plan, catalogue: tuple[Requirement, ...]) -> tuple[Match, ...]:
    """Covered when some clause shares at least half of the requirement's words; partial from a quarter."""
    clause_words = [(c, words(c.text)) for c in plan.clauses if c.text]
    out = []
    for r in catalogue:
        if r.kind == "reference":
            continue
        need = words(r.text)
        best, best_share = None, 0.0
        for c, ws in clause_words:
            share = len(need & ws) / max(1, len(need))
            if share > best_share:
                best, best_share = c, share
        status = "covered" if best_share >= 0.5 else "partial" if best_share >= 0.25 else "missing"
        evidence = (Evidence(best.id, best.page, best.text, best_share),) if best and status != "missing" else ()
        out.append(Match(r.id, status, round(best_share, 3), evidence))
    return tuple(out)


def analyze_test(path: str, context: Context) -> Result:
    plan = parse_txt(path)
    citations = citations_of(plan)
    findings = findings_of(citations)
    matches = matches_of(plan, context.catalogue)
    cells = plan_cells(context.requirements, plan, matches, citations, findings, load_lexicon())
    return Result(path, plan, citations, findings, matches, cells)


def analyze_slow(path: str, context: Context) -> Result:
    """As ``analyze_test``, a quarter second slower: gives a crash test time to kill the scan mid-run."""
    import time

    time.sleep(0.25)
    return analyze_test(path, context)


def analyze_hostile(path: str, context: Context) -> Result:
    """As ``analyze_test``, except for files named to misbehave the way hostile files make the real reader do:
    ``slow-*`` never finishes, ``stuck-*`` never finishes and cannot be interrupted (it ignores the alarm, as
    code busy inside a C library does), ``greedy-*`` asks for ever more memory, ``crash-*`` kills its process."""
    import os
    import signal
    import time

    name = Path(path).name
    if name.startswith("slow-"):
        time.sleep(600)
    elif name.startswith("stuck-"):
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        time.sleep(600)
    elif name.startswith("greedy-"):
        hoard = []
        while True:
            hoard.append(bytearray(64 * 1024 * 1024))
    elif name.startswith("crash-"):
        os.kill(os.getpid(), signal.SIGSEGV)
    return analyze_test(path, context)
