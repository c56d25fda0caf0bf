"""The pooled fit weighs each parent's labelled set the same (evaluate.parent_balanced_weights): a parent
with two long plans must not outweigh a parent with short ones. Expected weights computed by hand below."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from hycompliance.evaluate import fit_logistic, parent_balanced_weights


def _case(parent: str, labels: list[int]) -> SimpleNamespace:
    return SimpleNamespace(parent=parent, labels=np.array(labels, dtype=float))


# 16 pairs in all, two parents -> 8 each. "87/KH-UBND" has two plans -> 4 each; within a plan half to the
# positives, half to the negatives. "57-NQ/TW" has one plan of 8 pairs -> 8.
CASES = [
    (
        [_case("87/KH-UBND", [1, 0, 0, 0]), _case("87/KH-UBND", [1, 1, 0, 0]), _case("57-NQ/TW", [1, 0, 0, 0, 0, 0, 0, 0])],
        [2.0, 2 / 3, 2 / 3, 2 / 3, 1.0, 1.0, 1.0, 1.0, 4.0] + [4 / 7] * 7,
    ),
    # one parent, two plans of different length: each plan weighs 5 of the 10 pairs' total
    (
        [_case("556/KH-UBND", [1, 0]), _case("556/KH-UBND", [1, 1, 0, 0, 0, 0, 0, 0])],
        [2.5, 2.5, 1.25, 1.25, 2.5 / 6, 2.5 / 6, 2.5 / 6, 2.5 / 6, 2.5 / 6, 2.5 / 6],
    ),
]


@pytest.mark.parametrize("cases, expected", CASES)
def test_parent_balanced_weights(cases, expected):
    w = parent_balanced_weights(cases)
    assert w == pytest.approx(expected)
    assert w.sum() == pytest.approx(sum(len(c.labels) for c in cases))


def test_weights_change_the_fit():
    # one feature; the big set's positives sit at 1, the small set's at 0.5: balanced, the small set counts
    x = np.array([[1.0]] * 10 + [[0.0]] * 90 + [[0.5]] * 1 + [[0.0]] * 9)
    y = np.array([1.0] * 10 + [0.0] * 90 + [1.0] + [0.0] * 9)
    cases = [_case("A", list(y[:100])), _case("B", list(y[100:]))]
    w_plain, b_plain = fit_logistic(x, y)
    w_bal, b_bal = fit_logistic(x, y, sample_weight=parent_balanced_weights(cases))
    p = lambda w, b: 1 / (1 + np.exp(-(0.5 * w[0] + b)))  # noqa: E731
    assert p(w_bal, b_bal) > p(w_plain, b_plain)


@pytest.mark.parametrize(
    "grid, expected",
    [
        # a flat grid stays flat
        ([[0.9, 0.9], [0.9, 0.9]], [[0.9, 0.9], [0.9, 0.9]]),
        # a lone peak is spread over its neighbourhood: 9 cells of which one is 0.9
        ([[0.0, 0.0, 0.0], [0.0, 0.9, 0.0], [0.0, 0.0, 0.0]], [[0.1, 0.1, 0.1], [0.1, 0.1, 0.1], [0.1, 0.1, 0.1]]),
        # one row: the edge counts its own values again (left cell: (0.6 + 0.6 + 0.9) / 3 = 0.7)
        ([[0.6, 0.9, 0.3]], [[0.7, 0.6, 0.5]]),
    ],
)
def test_threshold_grid_smoothing(grid, expected):
    from hycompliance.evaluate import smoothed

    assert np.allclose(smoothed(np.array(grid)), np.array(expected))


def test_a_plateau_beats_a_lone_peak():
    """The threshold pick prefers a value whose neighbours score well over a slightly higher lone peak."""
    from hycompliance.evaluate import smoothed

    grid = np.array([[0.80, 0.80, 0.80, 0.88, 0.88],
                     [0.80, 0.91, 0.80, 0.88, 0.88],
                     [0.80, 0.80, 0.80, 0.88, 0.88]])
    s = smoothed(grid)
    assert np.unravel_index(np.argmax(grid), grid.shape) == (1, 1)
    assert s[1, 4] > s[1, 1]
