"""Does a change to the PDF reader keep its output? Record every text PDF's full reading, then compare.

``record OUT``: for each PDF (the dev plans, the provincial plan, and every cached producer print of
``tests/producers.py``), the reader's document (every block: kind, page, region, text, rows; the page count;
every warning with its details) and the plan built from it (header, clause ids, kinds, pages, texts, cells,
closing) are written as one JSON file. ``compare OUT``: the same reading now, file by file; the first
differing item of each differing file is printed, and the exit status is the number of differing files
(0: identical). A speed change must leave this at 0; the golden stays outside git (it is large).

    python benchmarks/pdf_same_output.py record /tmp/pdf-golden.json
    python benchmarks/pdf_same_output.py compare /tmp/pdf-golden.json [PART]   (only paths containing PART)
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pdfs() -> list[Path]:
    """The dev plans, the provincial plan and the cached producer prints (every stored version)."""
    from tests.conftest import DEV
    from tests.producers import CACHE

    return sorted(DEV.glob("*.pdf")) + [ROOT / "corpora" / "87-KH-UBND-2023.pdf"] + sorted(CACHE.glob("*/*.pdf"))


def reading(path: Path) -> dict:
    """Everything the reader and the structure stage give for one PDF, as JSON-ready values."""
    from hycompliance.errors import HyError
    from hycompliance.ingest import read
    from hycompliance.structure import build_plan

    try:
        document = read(path)
    except HyError as exc:
        return {"error": str(exc)}
    plan = build_plan(document)
    return {
        "pages": document.pages,
        "blocks": [asdict(block) for block in document.blocks],
        "warnings": [asdict(w) for w in document.warnings],
        "header": asdict(plan.header),
        "clauses": [asdict(c) for c in plan.clauses],
        "notes": [asdict(c) for c in plan.notes],
        "closing": asdict(plan.closing),
        "plan_warnings": [asdict(w) for w in plan.warnings],
    }


def _key(path: Path) -> str:
    return str(path.relative_to(path.parent.parent))


def _first_difference(old: object, new: object, where: str = "") -> str:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in dict.fromkeys([*old, *new]):
            if old.get(key) != new.get(key):
                return _first_difference(old.get(key), new.get(key), f"{where}.{key}")
    if isinstance(old, list) and isinstance(new, list):
        for index, (a, b) in enumerate(zip(old, new)):
            if a != b:
                return _first_difference(a, b, f"{where}[{index}]")
        if len(old) != len(new):
            return f"{where}: {len(old)} items, now {len(new)}"
    return f"{where}: {old!r:.300} → {new!r:.300}"


def main(argv: list[str]) -> int:
    sys.path.insert(0, str(ROOT))
    command, out = argv[0], Path(argv[1])
    files = [path for path in pdfs() if len(argv) < 3 or argv[2] in str(path)]
    now = {_key(path): json.loads(json.dumps(reading(path))) for path in files}
    if command == "record":
        out.write_text(json.dumps(now, ensure_ascii=False))
        print(f"recorded {len(now)} PDFs into {out}")
        return 0
    golden = json.loads(out.read_text())
    differing = 0
    for key in dict.fromkeys([*(k for k in golden if len(argv) < 3 or argv[2] in k), *now]):
        if golden.get(key) != now.get(key):
            differing += 1
            print(f"DIFFERS {key}: {_first_difference(golden.get(key), now.get(key))}")
    print(f"{len(now)} PDFs read, {differing} differ from {out}")
    return differing


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
