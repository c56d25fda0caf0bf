"""The semantic signal: the shipped word space, its features and when a reason says the semantic signal decided."""

from __future__ import annotations

import numpy as np
import pytest

from hycompliance.features import FEATURES, PairFeatures, Unit, semantic_similarity
from hycompliance.models import Clause, Requirement
from hycompliance.semantic import load_space, train
from hycompliance.text import load_lexicon, terms


def _unit(cid: str, text: str) -> Unit:
    lex = load_lexicon()
    return Unit(Clause(cid, "-", "bullet", text, 1, 0, len(text), "III.1"), text, terms(text, lex), "", frozenset())


@pytest.mark.parametrize("word,near", [
    ("ma túy", "cai nghiện"),
    ("nông nghiệp", "nông sản"),
    ("khoa học", "công nghệ"),
])
def test_word_space_puts_related_words_close(word, near):
    space = load_space()
    v = space.vectors
    sims = v @ v[space.vocab[word]]
    rank = int((sims > sims[space.vocab[near]]).sum())
    assert rank <= 20, (word, near, rank)  # among the 20 nearest of 7,000 words


def test_paraphrase_is_closer_than_another_task_and_margin_is_over_the_runner_up():
    reqs = [Requirement("III.1.1", "task", "Phát triển công nghiệp chế biến nông sản, thực phẩm"),
            Requirement("III.1.2", "task", "Tăng cường phòng, chống tội phạm và tệ nạn ma túy")]
    units = [_unit("III.2.1", "Thu hút đầu tư các nhà máy chế biến nông sản, sản xuất thực phẩm sạch"),
             _unit("III.2.2", "Đẩy mạnh tuyên truyền, cai nghiện và quản lý người nghiện")]
    sem, margin = semantic_similarity(reqs, units, load_lexicon(), load_space())
    assert sem[0, 0] > sem[1, 0] and sem[1, 1] > sem[0, 1]
    assert margin[0, 0] == pytest.approx(sem[0, 0] - sem[1, 0])
    assert margin[1, 0] == pytest.approx(sem[1, 0] - sem[0, 0]) and margin[1, 0] < 0


def test_train_learns_vectors_from_sentences():
    docs = [[("phòng", "chống", "ma túy"), ("cai nghiện", "ma túy")] * 3,
            [("phát triển", "công nghiệp"), ("khu", "công nghiệp", "phát triển")] * 3]
    space = train(docs, dim=2, window=2, min_count=1)
    assert set(space.vocab) == {"phòng", "chống", "ma túy", "cai nghiện", "phát triển", "công nghiệp", "khu"}
    assert np.allclose(np.linalg.norm(space.vectors, axis=1), 1.0, atol=1e-5)
    v = space.vectors
    assert v[space.vocab["ma túy"]] @ v[space.vocab["cai nghiện"]] > v[space.vocab["ma túy"]] @ v[space.vocab["công nghiệp"]]


def test_ablation_rows_per_set_and_paraphrase_recall():
    from hycompliance.ablation import ALL_SETS, paraphrase_recall, rows_of
    from hycompliance.evaluate import Case, Gold, PlanResult

    feats = PairFeatures((), (), np.zeros((0, 2), int), np.zeros((0, len(FEATURES))))

    def case(name: str, gold_set: str) -> Case:
        return Case(name, "txt", Gold(name, frozenset(), {}), feats, np.zeros(0), (), {}, gold_set=gold_set)

    cases = [case("vanlam-kh-2023", "dev"), case("myhao-kh-2023", "dev"), case("anthi-kh-2023", "styles")]
    results = [PlanResult("vanlam-kh-2023", "txt", 5, 0, 2, 5, (("III.2.1", ""), ("III.5.3", "")), ()),
               PlanResult("myhao-kh-2023", "txt", 4, 1, 0, 4, (), ()),
               PlanResult("anthi-kh-2023", "txt", 3, 1, 1, 2, (("III.1.3", ""),), ())]
    hard = {("", "vanlam-kh-2023", "txt"): frozenset({"III.2.1", "III.4.2", "III.6.1"}),
            ("", "myhao-kh-2023", "txt"): frozenset({"III.1.3"}),
            ("", "anthi-kh-2023", "txt"): frozenset({"III.1.3"})}
    assert paraphrase_recall(results[:2], hard) == (3 / 4, 4)  # III.2.1 missed; III.4.2, III.6.1, III.1.3 found
    rows = {r.gold_set: r for r in rows_of("lexical only", results, cases, ("txt",), hard)}
    assert list(rows) == ["dev", "styles", ALL_SETS]
    # dev: tp 9, fp 1, fn 2 -> P 0.9, R 9/11; styles: tp 3, fp 1, fn 1; all: tp 12, fp 2, fn 3
    assert (rows["dev"].scores["tp"], rows["dev"].scores["fp"], rows["dev"].scores["fn"]) == (9, 1, 2)
    assert rows["dev"].scores["precision"] == pytest.approx(0.9)
    assert rows["styles"].scores["f1"] == pytest.approx(0.75)
    assert (rows[ALL_SETS].scores["tp"], rows[ALL_SETS].paraphrase_pairs) == (12, 5)
    assert rows[ALL_SETS].paraphrase_recall == pytest.approx(3 / 5)


@pytest.fixture(scope="module")
def provincial_catalogue():
    from hycompliance.evaluate import text_reader
    from hycompliance.requirements import build_catalogue
    from tests.conftest import PROVINCIAL

    return build_catalogue(text_reader(PROVINCIAL.with_suffix(".txt")))


@pytest.mark.parametrize("name", ["vanlam-kh-2023", "soct-kh-2023"])
def test_skipping_the_disabled_features_changes_no_score_of_a_real_plan(provincial_catalogue, name):
    """The matcher skips the disabled semantic features; its scores and kept pairs must be those computed
    from the full features (the word space computed), through the same stages."""
    from hycompliance.evaluate import text_reader
    from hycompliance.features import SEMANTIC, pair_features
    from hycompliance.matching import (
        assign, basis_references, cite, imply_scores, implications, load_boilerplate, load_config, prepare_units,
        score_matrix, score_plan,
    )
    from tests.conftest import DEV

    config = load_config()
    assert set(SEMANTIC) <= set(config.disabled)  # shipped: the semantic features weigh nothing
    plan = text_reader(DEV / f"{name}.txt")
    lex = load_lexicon()
    units = prepare_units(plan, lex, load_boilerplate(), cite(plan))
    full = pair_features(provincial_catalogue, units, lex,
                         (config.candidates_per_requirement, config.candidates_per_clause), basis_references(plan))
    sem_cols = [FEATURES.index(f) for f in SEMANTIC]
    assert np.count_nonzero(full.x[:, sem_cols]) > len(full.pairs)  # computed in full: real values to skip
    m = score_matrix(full, config)
    eq = implications(full.requirements, provincial_catalogue)
    keep = assign(m, config, eq, full.segment_best)
    scored = score_plan(plan, provincial_catalogue, config=config, lexicon=lex)
    assert not scored.features.x[:, sem_cols].any()  # skipped
    assert np.array_equal(scored.features.pairs, full.pairs)
    others = [k for k in range(len(FEATURES)) if k not in sem_cols]
    assert np.array_equal(scored.features.x[:, others], full.x[:, others])
    assert np.array_equal(scored.keep, keep)
    assert np.array_equal(scored.matrix, imply_scores(m, keep, eq))
    assert scored.keep.sum() > 10  # a real plan: many kept pairs compared
