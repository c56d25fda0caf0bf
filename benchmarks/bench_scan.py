"""Batch speed and memory: full scan, rescan with nothing changed, where the time goes, a real batch.

The batch (cached under ``benchmarks/_work/``) is N plans rendered from the labelled dev plans with
variations: half DOCX written with python-docx (the plan, one bullet dropped, a new number, plus a
task-assignment appendix table, about ten pages), half the dev PDFs with a per-copy trailer (distinct
content hashes). ``HYCOMPLIANCE_BENCH_N`` sets N (default 1000); ``HYCOMPLIANCE_SHARED`` the shared folder.
Goals are printed beside the numbers, never asserted.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import time
from pathlib import Path
from typing import Any

from docx import Document as DocxDocument

from hycompliance.pipeline import load_context
from hycompliance.scan import scan

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "benchmarks" / "_work"
PARENT = ROOT / "corpora" / "87-KH-UBND-2023.txt"
SHARED = Path(os.environ.get("HYCOMPLIANCE_SHARED", ROOT.parent / "shared"))
DEV = SHARED / "corpus" / "dev"
REAL = SHARED / "corpus" / "real" / "plans"
NUMBER_LINE = re.compile(r"^(Số:\s*)\d+(/\S+)", re.M)


def _docx(text: str, path: Path, variant: int) -> None:
    """One plan as DOCX: its lines as paragraphs, pipe rows as a real table, then an appendix table."""
    text = NUMBER_LINE.sub(lambda m: f"{m.group(1)}{100 + variant}{m.group(2)}", text, count=1)
    lines = [ln for ln in text.splitlines() if ln.strip()]
    bullets = [i for i, ln in enumerate(lines) if ln.startswith("- ")]
    if bullets:
        del lines[bullets[variant % len(bullets)]]
    doc = DocxDocument()
    rows: list[list[str]] = []

    def flush() -> None:
        if rows:
            width = max(len(r) for r in rows)
            table = doc.add_table(rows=len(rows), cols=width)
            for i, r in enumerate(rows):
                for j, cell in enumerate(r):
                    table.cell(i, j).text = cell
            rows.clear()

    for ln in lines:
        if " | " in ln:
            rows.append([c.strip() for c in ln.split("|")])
            continue
        flush()
        doc.add_paragraph(ln)
    flush()
    doc.add_paragraph("PHỤ LỤC: PHÂN CÔNG NHIỆM VỤ")
    tasks = [ln[2:] for ln in lines if ln.startswith("- ")]
    table = doc.add_table(rows=len(tasks) + 1, cols=4)
    for j, head in enumerate(("STT", "Nhiệm vụ", "Đơn vị chủ trì", "Thời gian hoàn thành")):
        table.cell(0, j).text = head
    for i, task in enumerate(tasks, 1):
        for j, value in enumerate((str(i), task, "Phòng Kinh tế", f"Năm {2023 + i % 5}")):
            table.cell(i, j).text = value
    doc.save(path)


def build_batch(n: int) -> Path:
    """``n`` plans under ``_work/batch-N`` (reused when already there)."""
    folder = WORK / f"batch-{n}"
    stamp = folder / ".complete"
    if stamp.exists():
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    names = sorted(p.stem for p in DEV.glob("*.json"))
    texts = {name: (DEV / f"{name}.txt").read_text(encoding="utf-8") for name in names}
    for i in range(n):
        name = names[i % len(names)]
        if i % 2 == 0:
            _docx(texts[name], folder / f"{name}-{i:04d}.docx", i)
        else:
            data = (DEV / f"{name}.pdf").read_bytes()
            (folder / f"{name}-{i:04d}.pdf").write_bytes(data + f"\n% copy {i}\n".encode())
    stamp.touch()
    return folder


def _peak_mb() -> tuple[float, float]:
    """Peak resident memory of this process and of its largest finished child (MB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def stage_times(folder: Path, sample: int = 20) -> dict[str, float]:
    """Seconds per document in each stage, measured on a sample of the batch in this process."""
    from hycompliance.ingest import read
    from hycompliance.matching import match_plan
    from hycompliance.references import extract_plan, lint
    from hycompliance.scope import decide
    from hycompliance.structure import build_plan

    context = load_context(PARENT)
    files = sorted(p for p in folder.iterdir() if p.suffix in (".pdf", ".docx"))[:sample]
    totals = {"extraction": 0.0, "segmentation": 0.0, "references": 0.0, "scope": 0.0, "matching": 0.0}
    for f in files:
        t0 = time.perf_counter()
        doc = read(f)
        t1 = time.perf_counter()
        plan = build_plan(doc)
        t2 = time.perf_counter()
        citations = extract_plan(plan, context.registry)
        lint(plan, list(citations), context.registry, parent=context.plan)
        t3 = time.perf_counter()
        assert context.scope_profile is not None
        decide(plan, citations, context.scope_profile)
        t4 = time.perf_counter()
        match_plan(plan, list(context.catalogue))
        t5 = time.perf_counter()
        for key, dt in zip(totals, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            totals[key] += dt
    return {k: v / max(1, len(files)) for k, v in totals.items()}


def _row(what: str, files: int, summary: dict[str, Any], goal: str) -> dict[str, Any]:
    own, children = _peak_mb()
    seconds = summary["seconds"]
    done = summary["scanned"] + summary["failed"]
    return {"run": what, "files": files, "scanned": summary["scanned"], "skipped": summary["skipped"],
            "failed": summary["failed"], "seconds": round(seconds, 3),
            "plans/s": round(done / seconds, 2) if done and seconds else 0.0,
            "peak MB": f"{own:.0f} main, {children:.0f} worker", "goal": goal}


def _info(what: str, files: int, seconds: float, goal: str = "") -> dict[str, Any]:
    return {"run": what, "files": files, "scanned": 0, "skipped": 0, "failed": 0, "seconds": round(seconds, 3),
            "plans/s": 0.0, "peak MB": "", "goal": goal}


def bench_scan() -> list[dict[str, Any]]:
    n = int(os.environ.get("HYCOMPLIANCE_BENCH_N", "1000"))
    workers = int(os.environ.get("HYCOMPLIANCE_BENCH_WORKERS", str(os.cpu_count() or 1)))
    folder = build_batch(n)
    db = WORK / f"bench-{n}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    quiet = open(os.devnull, "w")
    full = scan(db, PARENT, [folder], workers=workers, log=quiet)
    rows = [_row("full scan", n, full, "≥ 5 plans/s on 2 cores")]
    rows.append(_row("rescan, nothing changed", n, scan(db, PARENT, [folder], workers=workers, log=quiet),
                     "≤ 5 s for 1,000"))
    per_doc = stage_times(folder)
    per_doc["writing (main process)"] = full["write_seconds"] / max(1, full["scanned"] + full["failed"])
    rows += [_info(f"stage: {k} (s/plan)", 20, v) for k, v in per_doc.items()]
    from hycompliance.store import open_db

    t0 = time.perf_counter()
    database = open_db(db)
    cells = database.execute("SELECT count(*) FROM matrix").fetchone()[0]
    database.close()
    rows.append(_info(f"matrix view ({cells} cells)", n, time.perf_counter() - t0))
    if REAL.is_dir():
        real_db = WORK / "bench-real.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{real_db}{suffix}").unlink(missing_ok=True)
        real_files = sum(1 for p in REAL.rglob("*.txt"))
        rows.append(_row("real batch (shared/corpus/real/plans)", real_files,
                         scan(real_db, PARENT, [REAL], workers=workers, log=quiet), "no crash; errors recorded"))
    return rows


if __name__ == "__main__":
    for r in bench_scan():
        print(r)
