"""Dates as people here write them: the one formatter for every message, page, report and table.

>>> day("2023-05-23"), day(None), day("khoảng 2023")
('23/05/2023', '—', 'khoảng 2023')
"""

from __future__ import annotations

from datetime import date, datetime


def as_date(value: str | None) -> date | None:
    """An ISO date (or timestamp) as a date; None when missing or not a date."""
    try:
        return datetime.fromisoformat(value).date() if value else None
    except ValueError:
        return None


def as_datetime(value: str | None) -> datetime | None:
    """An ISO timestamp as a naive datetime in the server's time zone (spreadsheets have no time zones)."""
    try:
        moment = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    if moment is not None and moment.tzinfo is not None:
        moment = moment.astimezone().replace(tzinfo=None)
    return moment


def day(value: str | None, missing: str = "—") -> str:
    """dd/mm/yyyy; ``missing`` when there is no value, the text itself when it is not a date."""
    parsed = as_date(value)
    return f"{parsed:%d/%m/%Y}" if parsed else (value or missing)


def moment(value: str | None, missing: str = "—") -> str:
    """dd/mm/yyyy hh:mm in the server's time zone."""
    parsed = as_datetime(value)
    return f"{parsed:%d/%m/%Y %H:%M}" if parsed else (value or missing)
