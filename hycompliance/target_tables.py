"""Target tables: one target per row of an indicator table, with its values parsed.

A value cell is "Khoảng 8%", "Trên 48%", "5.100", "10-11%", "≥ 9,5"; a row's indicator carries its unit
in parentheses ("Tốc độ tăng trưởng bình quân GRDP (%/năm)") or in a unit column.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from hycompliance.models import Clause, Requirement, Target, TargetValue
from hycompliance.quantities import parse_number, period_of
from hycompliance.text import normalize

# A period column or a period in a sentence: "2021-2025", "Giai đoạn 2026 - 2030".
PERIOD = re.compile(r"(\d{4})\s*[-–]\s*(\d{4})")
# A Vietnamese number: "5.100" (thousands dot), "3,6" (decimal comma), "1.234,5", "8".
NUMBER = r"\d{1,3}(?:\.\d{3})+(?:,\d+)?|\d+(?:[.,]\d+)?"
# A value cell: optional comparator, a number, optionally "- number" (range), optional unit.
VALUE = re.compile(rf"^(?P<cmp>[^\d]*?)\s*(?P<a>{NUMBER})\s*%?\s*(?:[-–]\s*(?P<b>{NUMBER}))?\s*(?P<unit>%|[^\d\s].*)?$")
# A row label printed in the first cell: "1. ", "10) ", "- ".
ROW_LABEL = re.compile(r"^(?:\d{1,3}[.)]\s*|[-–+]\s*)")
# A unit in parentheses at the end of an indicator: "(%/năm)", "(USD)", "(% GRDP)".
UNIT_IN_PARENS = re.compile(r"\s*\(([^()]*)\)\s*\**\s*$")


def parse_value(period: str, text: str, comparators: dict[str, str]) -> TargetValue:
    """One target cell: "Khoảng 8%", "Trên 48%", "5.100", "10-11%", "≥ 9,5".

    >>> cmp = {"khoảng": "khoảng", "trên": "trên", "≥": "trên"}
    >>> v = parse_value("2021-2025", "Khoảng 8%", cmp); (v.period, v.comparator, v.value)
    ('2021-2025', 'khoảng', 8.0)
    >>> v = parse_value("2021-2030", "10-11%", cmp); (v.comparator, v.value, v.high)
    ('từ', 10.0, 11.0)
    >>> v = parse_value("2045", "20% - 50%", cmp); (v.comparator, v.value, v.high)
    ('từ', 20.0, 50.0)
    """
    clean = normalize(text)
    m = VALUE.match(clean)
    if not m:
        return TargetValue(period, "đạt", None, None, clean)
    word = m.group("cmp").strip().lower()
    comparator = next((comparators[k] for k in sorted(comparators, key=len, reverse=True) if word.startswith(k)), None)
    high = parse_number(m.group("b")) if m.group("b") else None
    if comparator is None:
        comparator = "từ" if high is not None else "đạt"
    return TargetValue(period, comparator, parse_number(m.group("a")), high, clean)


def _split_indicator(cell: str, unit_in_cell: bool = True) -> tuple[str, str | None]:
    """ "1. Tốc độ tăng trưởng bình quân GRDP (%/năm)" -> ("Tốc độ tăng trưởng bình quân GRDP", "%/năm").

    A table with a unit column keeps the parentheses: "Kinh phí chi cho nghiên cứu phát triển (R&D)"."""
    text = ROW_LABEL.sub("", normalize(cell)).strip()
    unit = None
    if unit_in_cell and (m := UNIT_IN_PARENS.search(text)):
        unit = m.group(1).strip()
        text = text[: m.start()]
    return text.rstrip("* ").strip(), unit


def target_rows(d: Any, table: Clause, rows: Sequence[Clause], roles: dict[str, int], periods: dict[int, str]) -> list[Requirement]:
    """One ``target`` per row of an indicator table that states a value; sub-rows name their parent row.

    Values come from the period columns ("2021-2025"), else from a value column ("Kết quả", "Mục tiêu")
    with the period of the group row above ("I | Đến năm 2030") or of the table's heading.
    """
    cfg = d.cfg
    unit_col = roles.get("unit")
    value_col = roles.get("value")
    by_id = {r.id: r for r in rows}
    parent = d.plan.clause(table.parent) if table.parent else None
    context = period_of(parent.text if parent else "")
    group_period: dict[str, str | None] = {}
    out: list[Requirement] = []
    for row in rows:
        cells = tuple(row.cells)
        key = row.id.rsplit(".", 1)[-1]
        if re.fullmatch(r"[IVX]{1,5}|[A-Z]", key) and sum(1 for c in cells if c) <= 2:
            group_period[row.id] = period_of(" ".join(cells)) or context
            continue
        label_cell = roles.get("indicator", 1 if re.fullmatch(r"\d{1,3}(?:\.\d{1,3})*[.)]?", cells[0] or "") or not cells[0] else 0)
        indicator, unit = _split_indicator(cells[label_cell] if label_cell < len(cells) else "", unit_col is None)
        own = indicator
        if unit_col is not None and unit_col < len(cells) and cells[unit_col]:
            unit = cells[unit_col]
        parent_row = by_id.get(row.id.rsplit(".", 1)[0])
        if parent_row is not None and parent_row is not row and not re.fullmatch(r"[IVX]{1,5}|[A-Z]", parent_row.id.rsplit(".", 1)[-1]):
            p_ind, p_unit = _split_indicator(parent_row.cells[label_cell], unit_col is None)
            indicator, unit = f"{p_ind}: {indicator}", unit or p_unit
        if periods:
            values = tuple(parse_value(period, cells[i], cfg["comparators"]) for i, period in periods.items() if i < len(cells))
        elif value_col is not None and value_col < len(cells):
            group = next((g for g in group_period if row.id.startswith(g + ".")), None)
            values = (parse_value(group_period.get(group) or context or "", cells[value_col], cfg["comparators"]),)
        else:
            values = ()
        if not any(v.value is not None for v in values):
            continue  # a heading row of sub-rows ("11 | Chỉ tiêu về thủ tục hành chính |  |"), or no figure

        if unit is None and any("%" in v.text for v in values):
            unit = "%"
        group_id = table.parent or ""
        out.append(Requirement(
            id=row.id, kind="target", text=own, group=group_id, group_title=parent.text if parent else None,
            target=Target(indicator, unit, values), page=row.page, applies_to=tuple(cfg["general_implementers"]),
            agency=(cells[roles["lead"]] or None) if "lead" in roles and roles["lead"] < len(cells) else None,
            rule="target.table_row",
        ))
    return out
