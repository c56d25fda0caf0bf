"""The re-rank of uncertain pairs (hycompliance.rerank): which pairs it touches, how it re-scores them, when it
says it decided, and the similarities it uses on real restatements from the labelled sets."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hycompliance.features import FEATURES, PairFeatures, Unit
from hycompliance.models import Clause, Requirement
from hycompliance.rerank import (
    RerankConfig, WordSpaceSimilarity, apply, band_rows, fit_rerank, in_band, margins, pair_similarity, rescore,
)
from hycompliance.text import load_lexicon, terms


def _unit(cid: str, text: str) -> Unit:
    lex = load_lexicon()
    return Unit(Clause(cid, "-", "bullet", text, 1, 0, len(text), "III.1"), text, terms(text, lex), "", frozenset())


# t_part 0.5 (log-odds 0), band [-1, 1) in log-odds: p in [0.269, 0.731)
@pytest.mark.parametrize("p,inside", [
    (0.30, True),  # log-odds -0.85
    (0.20, False),  # -1.39: the lexical model is sure enough that it is no restatement
    (0.50, True),
    (0.72, True),  # 0.94
    (0.75, False),  # 1.10: sure enough that it is one
    (0.99, False),
])
def test_band_is_in_log_odds_around_t_part(p, inside):
    assert bool(in_band(np.array([p]), 0.5, (-1.0, 1.0))[0]) is inside


def test_band_follows_t_part():
    # t_part 0.85 (log-odds 1.73): a pair at 0.5 (log-odds 0) is 1.73 below it, outside a band of [-1, 1)
    assert not in_band(np.array([0.5]), 0.85, (-1.0, 1.0))[0]
    assert in_band(np.array([0.8]), 0.85, (-1.0, 1.0))[0]  # log-odds 1.39: 0.35 below


def test_margin_is_over_the_best_other_requirement_of_the_clause():
    sim = np.array([[0.90, 0.80],
                    [0.85, 0.84],
                    [0.70, 0.86]])
    expected = np.array([[0.05, -0.06],  # clause 0: 0.90 - 0.85; clause 1: 0.80 - 0.86
                         [-0.05, -0.02],
                         [-0.20, 0.02]])
    assert margins(sim) == pytest.approx(expected)


@pytest.mark.parametrize("p,sim,margin,weights,expected", [
    (0.5, 0.9, 0.05, (1.0, 0.0, 0.0, 0.0), 0.5),  # identity weights: the lexical score stands
    (0.5, 0.9, 0.05, (1.0, 0.0, 20.0, 0.0), 1 / (1 + math.exp(-1.0))),  # 20 x 0.05 = +1 log-odds
    (0.5, 0.9, -0.05, (1.0, 0.0, 20.0, 0.0), 1 / (1 + math.exp(1.0))),  # behind another task: -1
    (0.2689414, 0.5, 0.0, (2.0, 4.0, 0.0, -1.0), 1 / (1 + math.exp(1.0))),  # 2 x -1 + 4 x 0.5 - 1 = -1
])
def test_rescore_adds_similarity_and_margin_to_the_lexical_log_odds(p, sim, margin, weights, expected):
    assert rescore(np.array([p]), np.array([sim]), np.array([margin]), weights, 0.5)[0] == pytest.approx(expected, abs=1e-6)


def _feats(reqs, units, pairs) -> PairFeatures:
    return PairFeatures(tuple(reqs), tuple(units), np.array(pairs), np.zeros((len(pairs), len(FEATURES))))


def test_apply_rescores_band_pairs_only_and_names_the_pairs_it_lifted():
    reqs = [Requirement("III.1.1", "task", "a"), Requirement("III.1.2", "task", "b")]
    units = [_unit("1", "x"), _unit("2", "y")]
    feats = _feats(reqs, units, [[0, 0], [1, 0], [0, 1], [1, 1]])
    m = np.array([[0.45, 0.99],
                  [0.55, 0.01]])
    config = RerankConfig("ppmi", (-1.0, 1.0), (1.0, 0.0, 20.0, 0.0))
    rows = band_rows(m, feats, 0.5, config)
    assert rows.tolist() == [0, 1]  # 0.99 and 0.01 are outside the band
    out = apply(m, feats, 0.5, config, rows, np.array([0.9, 0.8]), np.array([0.1, -0.1]))
    # (0,0): log-odds -0.2 + 2 = 1.8 -> lifted over t_part; (1,0): 0.2 - 2 = -1.8 -> demoted
    assert out.matrix[0, 0] == pytest.approx(1 / (1 + math.exp(-(math.log(0.45 / 0.55) + 2.0))))
    assert out.matrix[1, 0] < 0.5 and out.matrix[0, 1] == 0.99 and out.matrix[1, 1] == 0.01
    assert set(out.hits) == {(0, 0)} and out.hits[(0, 0)].sim == 0.9 and out.rescored == 2


def test_fit_learns_that_margin_separates_band_pairs():
    rng = np.random.default_rng(0)
    n = 400
    y = (rng.random(n) < 0.5).astype(float)
    p = np.full(n, 0.5)  # the lexical model cannot tell them apart
    margin = np.where(y > 0, 0.05, -0.05) + rng.normal(0, 0.02, n)
    sim = 0.85 + rng.normal(0, 0.01, n)
    a, b, c, d = fit_rerank(p, sim, margin, y, np.ones(n), 0.5)
    assert c > 0  # a positive margin means a restatement
    assert np.mean((rescore(p, sim, margin, (a, b, c, d), 0.5) > 0.5) == (y > 0)) > 0.9


def test_fit_with_too_few_band_pairs_keeps_the_lexical_score():
    assert fit_rerank(np.full(4, 0.5), np.zeros(4), np.zeros(4), np.array([1.0, 0, 1, 0]), np.ones(4), 0.5) == (1.0, 0.0, 0.0, 0.0)


# Real restatements from the labelled sets: (task of the parent, the child's clause restating it, an
# unrelated clause of the same child). Expected: the restating clause is closer to the task than the
# unrelated one, in each similarity.
PARAPHRASES = [
    ("Phát triển công nghiệp chế biến nông sản, thực phẩm",
     "Thu hút đầu tư các nhà máy chế biến nông sản, sản xuất thực phẩm sạch",
     "Đẩy mạnh tuyên truyền, cai nghiện và quản lý người nghiện ma túy"),
]


@pytest.mark.parametrize("task,restated,unrelated", PARAPHRASES)
def test_word_space_similarity_prefers_the_restatement(task, restated, unrelated):
    reqs = [Requirement("III.1.1", "task", task)]
    units = [_unit("a", restated), _unit("b", unrelated)]
    sim = WordSpaceSimilarity(load_lexicon())(reqs, units, [0, 1])
    assert sim[0, 0] > sim[0, 1]


def test_pair_similarity_compares_each_clause_once_with_every_requirement():
    reqs = [Requirement("III.1.1", "task", "Phát triển công nghiệp chế biến nông sản, thực phẩm"),
            Requirement("III.1.2", "task", "Tăng cường phòng, chống tội phạm và tệ nạn ma túy")]
    units = [_unit("a", "Thu hút đầu tư các nhà máy chế biến nông sản, sản xuất thực phẩm sạch"),
             _unit("b", "Đẩy mạnh tuyên truyền, cai nghiện và quản lý người nghiện ma túy")]
    feats = _feats(reqs, units, [[0, 0], [1, 0], [1, 1]])
    calls = []

    def similarity(rs, us, cols):
        calls.append(list(cols))
        return WordSpaceSimilarity(load_lexicon())(rs, us, cols)

    sim, margin, n = pair_similarity(feats, np.array([0, 1, 2]), similarity)
    assert calls == [[0, 1]] and n == 2
    assert margin[0] == pytest.approx(sim[0] - sim[1])  # (0,0) over (1,0): the same clause's other task
    assert margin[0] > 0 and margin[1] < 0 and margin[2] > 0
