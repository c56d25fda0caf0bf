"""``make bench``: run every benchmark and print its rows as a table.

Each ``benchmarks/bench_*.py`` module exposes one ``bench_*() -> list[dict]`` function; the table's
columns are the keys its rows use. Speed and memory goals are printed beside the measurements, never asserted
in unit tests.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.table import Table

HERE = Path(__file__).resolve().parent


def _cell(value: object) -> str:
    if value is None:
        return ""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def main(names: list[str]) -> int:
    sys.path.insert(0, str(HERE.parent))
    console = Console(width=None if sys.stdout.isatty() else 200)
    modules = sorted(p.stem for p in HERE.glob("bench_*.py"))
    selected = [m for m in modules if not names or any(n in m for n in names)]
    for name in selected:
        module = importlib.import_module(f"benchmarks.{name}")
        func = getattr(module, name)
        started = time.perf_counter()
        rows = func()
        table = Table(title=f"{name} ({time.perf_counter() - started:.1f} s)")
        keys = list(dict.fromkeys(k for row in rows for k in row))  # rows may differ: a summary row
        for key in keys:
            numeric = any(isinstance(row.get(key), (int, float)) for row in rows)
            table.add_column(key, justify="right" if numeric else "left")
        for row in rows:
            table.add_row(*(_cell(row.get(k)) for k in keys))
        console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
