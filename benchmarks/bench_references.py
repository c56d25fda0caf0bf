"""Reference extraction speed over the real corpus (goal: at least 5 MB/s).

``bench_references()`` returns one row per corpus folder and a total: name, MB of text, seconds, MB/s.
Rules are loaded and patterns compiled before timing (a warm-up run), as in a long batch scan.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from hycompliance.references import extract, load_registry

ROOT = Path(__file__).resolve().parent.parent
REAL = Path(os.environ.get("HYCOMPLIANCE_SHARED", ROOT.parent / "shared")) / "corpus" / "real"


def _texts(folder: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "README.md"]


def bench_references(corpus: Path = REAL) -> list[dict]:
    registry = load_registry()
    extract("Nghị quyết số 29-NQ/TW ngày 17/11/2022", registry=registry)  # warm-up: rules and patterns
    rows = []
    total_mb = total_s = 0.0
    for folder in sorted(p for p in corpus.iterdir() if p.is_dir()):
        texts = _texts(folder)
        mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
        start = time.perf_counter()
        refs = sum(len(extract(t, registry=registry)) for t in texts)
        seconds = time.perf_counter() - start
        rows.append({"name": f"references/{folder.name}", "mb": round(mb, 3), "seconds": round(seconds, 3),
                     "mb_per_s": round(mb / seconds, 2), "references": refs})
        total_mb += mb
        total_s += seconds
    rows.append({"name": "references/total", "mb": round(total_mb, 3), "seconds": round(total_s, 3),
                 "mb_per_s": round(total_mb / total_s, 2)})
    return rows


if __name__ == "__main__":
    for row in bench_references():
        print(row)
