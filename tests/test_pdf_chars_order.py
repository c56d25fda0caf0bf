"""The reader's fast orderings give numpy's plain answers exactly (pdf_chars: issue 13, reading speed).

Each shortcut (stable sorts one key at a time, one partition for a median, a running maximum without a loop
over lines, values sorted within lines by one direct sort) is compared with the straightforward numpy call on
arrays shaped like a page's columns: nearly sorted, with ties, with values a sum would round, negative values
and NaN (where the shortcut must step aside).
"""

from __future__ import annotations

import numpy as np
import pytest

from hycompliance.ingest.pdf_chars import _line_maximum, _median, _sorted_by, _sorted_within

RNG = np.random.default_rng(13)
LINES = np.sort(RNG.integers(0, 40, 1500))
# advances as pdfium gives them: differences of float32 sides
SIDES = RNG.uniform(50, 550, 1500).astype(np.float32).astype(np.float64)
ADVANCES = np.abs(SIDES - (SIDES + RNG.uniform(0, 9, 1500)).astype(np.float32).astype(np.float64))
TIES = np.round(RNG.uniform(0, 12, 1500), 1)  # many equal values


def _within_reference(values: np.ndarray, lines: np.ndarray) -> np.ndarray:
    return values[np.lexsort((values, lines))]


@pytest.mark.parametrize(
    "values",
    [ADVANCES, TIES, np.zeros(1500), RNG.uniform(0, 1e-12, 1500), RNG.uniform(0, 3e5, 1500),
     np.where(RNG.random(1500) < 0.01, -1.0, ADVANCES), np.where(RNG.random(1500) < 0.01, np.nan, ADVANCES)],
    ids=["advances", "ties", "zeros", "tiny", "huge", "negative", "nan"],
)
def test_sorted_within_lines_is_lexsort(values: np.ndarray) -> None:
    assert np.array_equal(_sorted_within(values, LINES), _within_reference(values, LINES), equal_nan=True)


@pytest.mark.parametrize(
    "keys",
    [(ADVANCES, LINES), (RNG.random(1500) < 0.2, TIES, LINES), (-np.sort(SIDES)[::-1],), (TIES, LINES + 70000),
     (np.zeros(0), np.zeros(0, dtype=np.int64))],
    ids=["value-line", "space-x-line", "sorted", "wide-ints", "empty"],
)
def test_sorted_by_is_lexsort(keys: tuple[np.ndarray, ...]) -> None:
    assert np.array_equal(_sorted_by(keys), np.lexsort(keys))


@pytest.mark.parametrize("values", [ADVANCES, TIES, ADVANCES[:1], ADVANCES[:2], TIES[:7], np.array([3.0, np.nan, 1.0])])
def test_median_is_numpy_median(values: np.ndarray) -> None:
    assert np.array_equal(_median(values), np.median(values), equal_nan=True)


@pytest.mark.parametrize("values", [SIDES, np.sort(SIDES), TIES, np.zeros(1500)], ids=["random", "sorted", "ties", "zeros"])
def test_line_maximum_is_running_maximum_per_line(values: np.ndarray) -> None:
    want = values.copy()
    for line in np.unique(LINES):
        at = np.flatnonzero(LINES == line)
        want[at] = np.maximum.accumulate(values[at])
    assert np.array_equal(_line_maximum(values, LINES), want)
