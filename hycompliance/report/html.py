"""Self-contained HTML (inline CSS, no scripts, no network): the matrix with its heatmap, one document's report.

Every value from a document is escaped by Jinja2's autoescape; evidence highlighting is built from
(piece, marked) segments, so no document text is ever emitted as markup.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from hycompliance.report import labels
from hycompliance.report.data import heatmap

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _color(value: float | None) -> str:
    """Red (0%) to green (100%); grey when nothing applies."""
    if value is None:
        return "background:#eeeeee"
    return f"background:hsl({round(1.2 * value)},70%,78%)"


def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.globals.update(
        S=labels.STATUS, C=labels.COLUMN, H=labels.HEADING, K=labels.DOC_KIND, G=labels.GROUP, SEV=labels.SEVERITY,
        CMP=labels.COMPARE, STALE=labels.STALE, SUSPECT=labels.SUSPECT, MACHINE=labels.MACHINE, pct=labels.percent, color=_color,
        day=labels.day, when=labels.when,
    )
    return env


def matrix_html(matrix: dict[str, Any]) -> str:
    cells = {(c["document"], c["requirement"]): c for c in matrix["cells"]}
    return environment().get_template("matrix.html").render(m=matrix, heat=heatmap(matrix), cells=cells)


def report_html(report: dict[str, Any]) -> str:
    return environment().get_template("report.html").render(r=report)
