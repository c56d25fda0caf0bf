"""Parsing speed (read + structure) for PDF, DOCX and text: pages/s and chars/s."""

from __future__ import annotations

import os
import time
from pathlib import Path

from hycompliance.ingest import read
from hycompliance.structure import build_plan

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("HYCOMPLIANCE_SHARED", ROOT.parent / "shared"))


def _files() -> dict[str, list[Path]]:
    dev = SHARED / "corpus" / "dev"
    return {
        "pdf": sorted(dev.glob("*.pdf")) + [ROOT / "corpora" / "87-KH-UBND-2023.pdf"],
        "docx": sorted(dev.glob("*.docx")) + [ROOT / "corpora" / "87-KH-UBND-2023.docx"],
        "txt (real corpus)": sorted((SHARED / "corpus" / "real").rglob("*.txt"))
        + sorted((SHARED / "corpus" / "real").rglob("*.md")),
    }


def bench_parse(repeat: int = 3) -> list[dict]:
    rows = []
    for form, files in _files().items():
        pages = chars = clauses = 0
        started = time.perf_counter()
        for _ in range(repeat):
            for path in files:
                doc = read(path)
                plan = build_plan(doc)
                pages += doc.pages
                chars += len(plan.text)
                clauses += len(plan.clauses)
        seconds = time.perf_counter() - started
        rows.append({
            "form": form, "files": len(files), "pages": pages // repeat, "clauses": clauses // repeat,
            "seconds": seconds / repeat, "pages/s": pages / seconds, "chars/s": chars / seconds,
        })
    return rows
