"""The reader's fast orderings give numpy's plain answers exactly (pdf_chars: issue 13, reading speed).

Each shortcut (stable sorts one key at a time, one partition for a median, a running maximum without a loop
over lines, values sorted within lines by one direct sort) is compared with the straightforward numpy call on
arrays shaped like a page's columns: nearly sorted, with ties, with values a sum would round, negative values
and NaN (where the shortcut must step aside).
"""

from __future__ import annotations

import numpy as np
import pytest

from hycompliance.ingest.pdf_chars import (
    BASELINE_TOLERANCE,
    _baseline_lines,
    _line_maximum,
    _median,
    _sorted_by,
    _sorted_within,
)

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


def _greedy_lines(bases: list[float], groups: list[int]) -> list[int]:
    """The rule as written: a line takes every character of its group less than the tolerance below its first."""
    out: list[int] = []
    number, top, group = -1, None, None
    for base, g in zip(bases, groups):
        if top is None or g != group or top - base >= BASELINE_TOLERANCE:
            number, top, group = number + 1, base, g
        out.append(number)
    return out


def _descending_within(groups: np.ndarray, bases: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((-bases, groups))
    return bases[order], groups[order]


@pytest.mark.parametrize(
    ("bases", "groups"),
    [
        (np.repeat(np.arange(800.0, 100.0, -17.5), 40) + RNG.uniform(-0.4, 0.4, 1600), np.zeros(1600, dtype=np.int64)),
        (np.arange(800.0, 700.0, -0.5), np.zeros(200, dtype=np.int64)),  # baselines drifting down in small steps
        (np.array([500.0, 498.0, 496.0, 495.9, 480.0]), np.zeros(5, dtype=np.int64)),  # exactly the tolerance apart
        (RNG.uniform(100, 700, 900), RNG.integers(0, 12, 900)),  # table cells
        (np.array([300.0]), np.zeros(1, dtype=np.int64)),
    ],
    ids=["lines", "drift", "tolerance", "cells", "one"],
)
def test_baseline_lines_follow_the_rule(bases: np.ndarray, groups: np.ndarray) -> None:
    bases, groups = _descending_within(groups, bases)
    want = _greedy_lines(bases.tolist(), groups.tolist())
    assert _baseline_lines(bases, groups).tolist() == want
    if not groups.any():
        assert _baseline_lines(bases, None).tolist() == want
