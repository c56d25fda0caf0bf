"""Speed of requirement x clause matching on the dev plans: pairs per second and seconds per plan.

``bench_matching()`` returns one row per plan (and a cold-cache row for segmentation), for ``make bench``.
"""

from __future__ import annotations

import time
from pathlib import Path

from hycompliance.evaluate import text_reader
from hycompliance.matching import load_config, score_plan
from hycompliance.requirements import build_catalogue
from hycompliance.text import segment

ROOT = Path(__file__).resolve().parent.parent
PARENT = ROOT / "corpora" / "87-KH-UBND-2023.txt"
DEV = ROOT.parent / "shared" / "corpus" / "dev"


def bench_matching(parent: Path = PARENT, plans_dir: Path = DEV) -> list[dict]:
    """Per plan: requirements, clauses, pairs (R x C), candidate pairs scored, seconds cold and warm."""
    segment.cache_clear()
    t0 = time.perf_counter()
    catalogue = build_catalogue(text_reader(parent))
    rows: list[dict] = [{"bench": "matching", "case": "catalogue", "seconds": round(time.perf_counter() - t0, 3)}]
    config = load_config()
    for path in sorted(plans_dir.glob("*.txt")):
        plan = text_reader(path)
        timings = []
        for _ in range(2):  # first run segments the plan's text; the second hits the cache
            t = time.perf_counter()
            scored = score_plan(plan, catalogue, config=config)
            timings.append(time.perf_counter() - t)
        r, c = scored.matrix.shape
        rows.append({
            "bench": "matching", "case": path.stem, "requirements": r, "clauses": c, "pairs": r * c,
            "candidates": int(len(scored.features.pairs)),
            "seconds_cold": round(timings[0], 3), "seconds_warm": round(timings[1], 3),
            "pairs_per_second_cold": int(r * c / timings[0]), "pairs_per_second_warm": int(r * c / timings[1]),
        })
    return rows


if __name__ == "__main__":
    for row in bench_matching():
        print(row)
