"""Budgets (``rules/limits.yaml``): what one file, one worker and one wait for the database may cost.

>>> b = budgets()
>>> b.worker_memory_mb >= 512 and b.file_seconds > 0
True
"""

from __future__ import annotations

from dataclasses import dataclass

from hycompliance import rules

MB = 1024 * 1024


@dataclass(frozen=True)
class Budgets:
    lock_wait_seconds: float
    scan_wait_seconds: float
    file_seconds: float
    worker_memory_mb: int
    docx_xml_bytes: int
    docx_elements: int
    clauses: int
    table_cells: int
    pairs: int


def budgets() -> Budgets:
    """The budgets of ``rules/limits.yaml`` (re-read when the file changes)."""
    cfg = rules.load("limits.yaml")
    return Budgets(
        lock_wait_seconds=float(cfg["database"]["lock_wait_seconds"]),
        scan_wait_seconds=float(cfg["database"]["scan_wait_seconds"]),
        file_seconds=float(cfg["file"]["seconds"]),
        worker_memory_mb=int(cfg["file"]["worker_memory_mb"]),
        docx_xml_bytes=int(float(cfg["docx"]["xml_mb"]) * MB),
        docx_elements=int(cfg["docx"]["elements"]),
        clauses=int(cfg["structure"]["clauses"]),
        table_cells=int(cfg["structure"]["table_cells"]),
        pairs=int(cfg["matching"]["pairs"]),
    )
