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


# A grid over T_PART_GRID (rows 0.15 ... 0.9) x MARGIN_GRID (0.25, 0.5, 1, 1.5, 2, 3, 4): F1 0.90 everywhere but
# where a case puts other values, as (t_part, margin, F1).
def _grid(cells):
    from hycompliance.evaluate import MARGIN_GRID, T_PART_GRID

    f1 = np.full((len(T_PART_GRID), len(MARGIN_GRID)), 0.90)
    for t, m, v in cells:
        f1[T_PART_GRID.index(t), MARGIN_GRID.index(m)] = v
    return f1


@pytest.mark.parametrize(
    "cells, picked",
    [
        # a clear best is taken
        ([(0.85, 0.25, 0.93)], (0.85, 0.25)),
        ([(0.9, 4.0, 0.93)], (0.9, 4.0)),
        # the two ridges of the labelled plans, 0.0004 apart: the tighter margin
        ([(0.85, 0.25, 0.9235), (0.9, 3.0, 0.9239), (0.9, 4.0, 0.9239), (0.9, 0.25, 0.9225)], (0.85, 0.25)),
        # within the tie, the same margin: the higher F1, and on equal F1 the t_part nearer 0.5
        ([(0.85, 0.5, 0.95), (0.9, 0.5, 0.951)], (0.9, 0.5)),
        ([(0.85, 0.5, 0.95), (0.9, 0.5, 0.95)], (0.85, 0.5)),
        # a flat grid: the smallest margin and t_part 0.5
        ([], (0.5, 0.25)),
    ],
)
def test_pick_thresholds(cells, picked):
    from hycompliance.evaluate import MARGIN_GRID, T_PART_GRID, pick_thresholds

    a, c = pick_thresholds(_grid(cells))
    assert (T_PART_GRID[a], MARGIN_GRID[c]) == picked


@pytest.mark.parametrize(
    "scores, kept",
    [
        # Sở GD&ĐT 2745/KH-SGDĐT row 7 ("Tham mưu bố trí đủ định mức giáo viên, đầu tư thiết bị, đồ chơi ... và
        # kinh phí hỗ trợ đào tạo chuẩn trình độ cho giáo viên ...") restates 624's III.3.b.1 and III.3.b.2
        ([0.9972, 0.9969, 0.383], [True, True, False]),
        # the same row, its third task-like neighbour far below: kept by no margin of the grid
        ([0.9972, 0.9969, 0.80], [True, True, False]),
    ],
)
def test_every_margin_the_fit_may_choose_keeps_two_tasks_scored_alike(scores, kept):
    from hycompliance.evaluate import MARGIN_GRID
    from hycompliance.matching import assign, load_config

    m = np.array(scores)[:, None]
    for margin in MARGIN_GRID:
        assert assign(m, load_config().with_(t_part=0.85, margin=margin)).ravel().tolist() == kept, margin
