"""Table rows of the clause tree: the key of each row by its printed number.

``1``, ``2`` and decimal sub-rows ``11.1`` keep their printed number; a roman (or capital-letter) group
row ("II | Nông nghiệp, nông thôn", "A | Nhiệm vụ chung") prefixes the rows below it (``II.3``), also in
the next table under the same heading (a table continued across pages); a ``-`` row under a numbered row
is its sub-row (``2.1``); in a table with an STT column, a row printed without its STT under a numbered row
(the STT cell spans several rows, each with its own task) repeats that number with ``-2``, ``-3``
(``II.1-2``); other unnumbered rows are ``r<k>``.
"""

from __future__ import annotations

import re

# An STT cell: "3", "3.", "11.1", "II", "II.", "A".
ROW_NUMBER = re.compile(r"^(\d{1,3}(?:\.\d{1,3}){0,2}|[IVX]{1,5}|[A-Z])[.)]?$")
GROUP_ROW = re.compile(r"^(?:[IVX]{1,5}|[A-Z])$")
# The header of a numbering column.
STT_HEADER = re.compile(r"^(?:stt|tt|số tt|số thứ tự)$", re.IGNORECASE)
ROW_LEAD = re.compile(r"^(\d{1,3})[.)]\s+(?=\S)")
# A sub-row printed as a dash in the first cell: "- Nông nghiệp, thủy sản".
SUB_ROW = re.compile(r"^[-–—•·]\s*(?=\S)")


def row_number(cells: tuple[str, ...]) -> str | None:
    """The printed row number: an STT cell (``3``) or a label leading the first cell (``3. Tỷ lệ``)."""
    if not cells:
        return None
    if ROW_NUMBER.match(cells[0]):
        return cells[0].rstrip(".)")
    if m := ROW_LEAD.match(cells[0]):
        return m.group(1)
    return None


def table_rows(
    rows: tuple[tuple[str, ...], ...], group: str | None = None
) -> tuple[list[tuple[str, tuple[str, ...]]], str | None]:
    """(row key, cells) for every row but the column header, and the group row in force at the end.

    ``group`` is the group row in force before this table (a table continued from the previous page).
    The first row is a column header when it carries no number and no value.

    >>> rows = (("TT", "Nhiệm vụ", "Chủ trì"), ("II", "Hạ tầng", ""), ("1", "Xây dựng", "Sở Tài chính"),
    ...         ("Sao lưu dữ liệu", "Sở Khoa học và Công nghệ"), ("11.1", "Tỉ lệ", "Văn phòng"))
    >>> [key for key, _ in table_rows(rows)[0]], table_rows(rows)[1]
    (['II', 'II.1', 'II.1-2', 'II.11.1'], 'II')
    >>> [key for key, _ in table_rows((("2", "Đầu tư", "Sở Tài chính"),), "II")[0]]
    ['II.2']
    """
    out: list[tuple[str, tuple[str, ...]]] = []
    current: str | None = None
    sub = 0
    stt = False  # the table numbers its rows in an STT column
    spanned = 1
    for k, row in enumerate(rows):
        cells = tuple(c.strip() for c in row)
        number = row_number(cells)
        if k == 0 and number is None and not any(re.search(r"\d", c) and not re.search(r"\d{4}", c) for c in cells):
            stt = bool(cells) and bool(STT_HEADER.match(cells[0]))
            continue  # header row: "STT | Chỉ tiêu | 2021-2025 | 2026-2030"
        if not any(cells):
            continue
        first_text = next((c for c in cells if c), "")
        if number is not None and GROUP_ROW.match(number) and _is_group(cells):
            group, current, sub = number, number, 0
            out.append((number, cells))
        elif number is not None:
            current, sub, spanned = (f"{group}.{number}" if group else number), 0, 1
            out.append((current, cells))
        elif current is not None and SUB_ROW.match(first_text):
            sub += 1
            out.append((f"{current}.{sub}", cells))
        elif current is not None and stt and cells[0] and current != group:
            spanned += 1
            out.append((f"{current}-{spanned}", cells))
        else:
            out.append((f"r{k + 1}", cells))
    return out, group


def _is_group(cells: tuple[str, ...]) -> bool:
    """A roman or capital-letter row is a group row; a capital letter only when it names a group alone
    ("A | Nhiệm vụ chung" and nothing in the other columns)."""
    if re.fullmatch(r"[IVX]{1,5}[.)]?", cells[0]):
        return True
    return sum(1 for c in cells if c) <= 2
