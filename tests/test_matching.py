"""Matching on real clause pairs of the dev plans, and the leave-one-plan-out score on all of them."""

from __future__ import annotations

import pytest

from hycompliance.evaluate import evaluate, text_reader
from hycompliance.matching import match_plan, strip_cross_references, load_boilerplate
from hycompliance.requirements import build_catalogue
from tests.conftest import DEV, PROVINCIAL


@pytest.fixture(scope="module")
def catalogue():
    return build_catalogue(text_reader(PROVINCIAL.with_suffix(".txt")))


def _matches(name, catalogue):
    plan = text_reader(DEV / f"{name}.txt")
    return plan, {m.requirement: m for m in match_plan(plan, catalogue)}


def _clause_starting(plan, prefix):
    return next(c for c in plan.clauses if c.text.startswith(prefix))


@pytest.fixture(scope="module")
def vanlam(catalogue):
    return _matches("vanlam-kh-2023", catalogue)


@pytest.fixture(scope="module")
def sokhcn(catalogue):
    return _matches("sokhcn-kh-2023", catalogue)


@pytest.mark.parametrize(
    "rid, start",
    [
        ("III.3.1", "Tiếp tục cơ cấu lại và phát triển công nghiệp trên địa bàn huyện theo Nghị quyết số 07-NQ/TU"),
        ("III.6.1", "Thực hiện nghiêm túc Nghị quyết số 10-NQ/TU ngày 28/6/2021"),
        ("III.7.1.3", "Tăng cường kỷ luật, kỷ cương hành chính; xây dựng lề lối"),
        ("II.2.10", "4 | Tỷ lệ lao động qua đào tạo có bằng cấp, chứng chỉ*"),
    ],
)
def test_restated_requirement_found_with_its_clause(vanlam, rid, start):
    plan, matches = vanlam
    m = matches[rid]
    assert m.status in ("covered", "partial")
    assert m.evidence[0].clause == _clause_starting(plan, start).id


def test_merged_bullet_addresses_both_tasks(vanlam):
    plan, matches = vanlam
    merged = _clause_starting(plan, "Đẩy mạnh tuyên truyền, đào tạo, chuyển giao kỹ thuật").id
    assert {e.clause for e in matches["III.4.3"].evidence} >= {merged}
    assert {e.clause for e in matches["III.4.4"].evidence} >= {merged}


def test_target_row_compares_values(vanlam, catalogue):
    from hycompliance.coverage import matcher_cell
    from hycompliance.text import load_lexicon

    plan, matches = vanlam
    req = next(r for r in catalogue if r.id == "II.2.1")
    cell = matcher_cell(req, matches["II.2.1"], plan, {}, load_lexicon(), True)
    assert [(t.period, t.plan, t.province, t.verdict) for t in cell.targets] == [
        ("2021-2025", "9,0 - 9,5", "Khoảng 8%", "higher"), ("2026-2030", "Khoảng 9,5", "Khoảng 9%", "higher")]


@pytest.mark.parametrize(
    "fixture, start",
    [
        ("vanlam", "5 | Thu ngân sách nhà nước trên địa bàn tăng bình quân"),  # a target the province never set
        ("vanlam", "Bảo đảm an ninh chính trị, trật tự an toàn xã hội tại các khu, cụm công nghiệp"),  # district's own task
        ("sokhcn", "Văn phòng Sở chủ trì thực hiện nhiệm vụ tại mục 1 phần III"),  # administrative pointer
        ("sokhcn", "Tăng cường quản lý nhà nước về an toàn bức xạ và hạt nhân"),  # agency's own task
        ("sokhcn", "Cụ thể hóa các nhiệm vụ, giải pháp được UBND tỉnh giao"),  # the plan's own purpose
    ],
)
def test_distractors_address_nothing(request, fixture, start):
    plan, matches = request.getfixturevalue(fixture)
    clause = _clause_starting(plan, start).id
    assert [m.requirement for m in matches.values() if any(e.clause == clause for e in m.evidence)] == []


def test_missing_task_is_missing_with_a_vietnamese_reason(vanlam, catalogue):
    from dataclasses import asdict

    from hycompliance.coverage import matcher_cell
    from hycompliance.report.labels import why
    from hycompliance.text import load_lexicon

    plan, matches = vanlam
    m = matches["III.5.7"]  # deliberately omitted by the district
    assert (m.status, m.evidence) == ("missing", ())
    req = next(r for r in catalogue if r.id == "III.5.7")
    cell = matcher_cell(req, m, plan, {}, load_lexicon(), True)
    assert [r.code for r in cell.reasons] == ["nearest" if m.nearest else "nothing"]
    assert why([asdict(r) for r in cell.reasons]).startswith("Không có đoạn nào")


@pytest.mark.parametrize(
    "text, left",
    [
        ("Chủ trì tham mưu thực hiện các nhiệm vụ tại mục 9 phần III Kế hoạch; phối hợp",
         "Chủ trì tham mưu thực hiện ; phối hợp"),
        ("Văn phòng Sở chủ trì thực hiện nhiệm vụ tại mục 1 phần III.", "Văn phòng Sở chủ trì thực hiện ."),
    ],
)
def test_cross_references_removed(text, left):
    assert " ".join(strip_cross_references(text, load_boilerplate()).split()) == left


def test_leave_one_plan_out_meets_the_goal():
    report = evaluate(PROVINCIAL.with_suffix(".txt"), DEV, ("txt",), cv=True, reader=text_reader)
    overall = report.overall("txt")
    assert overall["f1"] >= 0.95  # measured 0.972 with specificity / specific_share (0.964 before)
    assert overall["evidence"] >= 0.92
    assert len(report.configs) == 5  # one fit per held-out plan


# --- generalising features: segments, short references, task tables, sub-tasks -------------------------


@pytest.mark.parametrize(
    "text, n",
    [
        # a dense bullet restating three tasks: three segments
        ("Quán triệt Nghị quyết số 29-NQ/TW tới toàn thể cán bộ, công chức; tham mưu kế hoạch cải thiện môi "
         "trường kinh doanh, nâng cao năng lực cạnh tranh cấp tỉnh hằng năm; tổ chức thực hiện Kết luận số "
         "223-KL/TU về Đề án đẩy mạnh thu hút đầu tư.", 3),
        # a short tail ("xử lý nghiêm vi phạm") joins the piece before it
        ("Kiểm tra chất lượng giống cây trồng, phân bón lưu thông trên thị trường; xử lý nghiêm vi phạm.", 1),
        ("Tạo mọi điều kiện thuận lợi để thu hút đầu tư vào địa bàn huyện.", 1),
    ],
)
def test_segments_of_merged_clauses(text, n):
    from hycompliance.features import segments
    from hycompliance.text import load_lexicon

    assert len(segments(text, load_lexicon())) == n


@pytest.mark.parametrize(
    "cells, group",
    [
        (("I", "Công tác tuyên truyền, quán triệt", "", "", ""), True),
        (("IV.", "Cải cách hành chính, môi trường đầu tư kinh doanh"), True),
        (("1", "Tổ chức tuyên truyền Nghị quyết số 29-NQ/TW", "Phòng Văn hóa - Xã hội", "", "Quý IV/2025"), False),
        (("2", "Cơ cấu kinh tế (% GRDP)"), False),
        # capital-letter groups of an appendix task table (Đồng Nai 179/KH-UBND)
        (("A", "PHÁT TRIỂN NỀN MÓNG CHO KINH TẾ SỐ VÀ XÃ HỘI SỐ", "", "", "", ""), True),
        (("B.", "PHÁT TRIỂN KINH TẾ SỐ VÀ XÃ HỘI SỐ NGÀNH, LĨNH VỰC"), True),
        (("A", "Xây dựng cơ sở dữ liệu biển", "Sở Nông nghiệp và Môi trường"), False),  # a row with its agency
    ],
)
def test_group_rows_of_task_tables(cells, group):
    from hycompliance.matching import is_group_row
    from hycompliance.models import Clause

    row = Clause("PL.I", "I", "row", " | ".join(c for c in cells if c), 1, 0, 0, "PL.T1", cells)
    assert is_group_row(row) is group


@pytest.mark.parametrize(
    "header, cells, cell",
    [
        (("STT", "Nhiệm vụ", "Cơ quan chủ trì", "Cơ quan phối hợp", "Thời gian hoàn thành"),
         ("3", "Tổ chức đối thoại với doanh nghiệp", "Phòng Kinh tế", "Hiệp hội doanh nghiệp", "Hằng năm"),
         "Tổ chức đối thoại với doanh nghiệp"),
        (("TT", "Nội dung công việc", "Đơn vị chủ trì"), ("1", "Rà soát quy hoạch", "Phòng Kinh tế"), "Rà soát quy hoạch"),
        (("TT", "Chỉ tiêu", "ĐVT", "Năm 2025"), ("1", "Tỷ lệ đô thị hóa", "%", "40"), None),  # a targets table
    ],
)
def test_task_cell_is_what_a_task_row_is_compared_on(header, cells, cell):
    from hycompliance.matching import load_boilerplate, task_cell
    from hycompliance.models import Clause

    row = Clause("PL.1", "1", "row", " | ".join(cells), 1, 0, 0, "PL.T1", cells)
    assert task_cell(row, header, load_boilerplate()) == cell


def test_a_sub_task_implies_its_lead_in_task(catalogue):
    from hycompliance.matching import implications

    reqs = [r for r in catalogue if r.kind in ("task", "subtask", "target")]
    ids = [r.id for r in reqs]
    implied = implications(reqs, catalogue)
    assert [ids[j] for j in implied[ids.index("III.7.1.1")]] == ["III.7.1"]
    assert ids.index("III.7.1") not in implied  # a task does not imply its sub-tasks


def test_segment_best_keeps_every_task_of_a_merged_bullet():
    import numpy as np

    from hycompliance.matching import assign, load_config

    cfg = load_config().with_(t_part=0.8, margin=1.0)
    m = np.array([[0.999], [0.90], [0.30]])  # logit gap 0.999 -> 0.90 is 4.7, beyond the margin
    seg = np.array([[True], [True], [False]])
    assert assign(m, cfg).ravel().tolist() == [True, False, False]
    assert assign(m, cfg, segment_best=seg).ravel().tolist() == [True, True, False]


@pytest.fixture(scope="module")
def styles(catalogue):
    from pathlib import Path

    def run(name):
        plan = text_reader(Path(__file__).parent / "fixtures" / "styles" / f"{name}.txt")
        return plan, {m.requirement: m for m in match_plan(plan, catalogue)}

    return run


@pytest.mark.parametrize(
    "name, start, rids",
    [
        # a dense bullet: three tasks of three groups
        ("sokhdt-kh-2023", "Triển khai các chủ trương phát triển kinh tế tư nhân", {"III.7.7", "III.7.10", "III.9.5"}),
        # an appendix row: compared on its Nhiệm vụ cell, cited whole
        ("xa-nhuquynh-kh-2025", "3 | Tổ chức gặp mặt, đối thoại với doanh nghiệp", {"III.7.4"}),
        # abbreviations: CCHC, TTHC, and the sub-tasks imply the lead-in task III.7.1
        ("yenmy-kh-2023", "Đẩy mạnh CCHC, trọng tâm là đơn giản hóa TTHC", {"III.7.1", "III.7.1.1", "III.7.1.3"}),
    ],
)
def test_style_clauses_address_their_tasks(styles, name, start, rids):
    plan, matches = styles(name)
    clause = _clause_starting(plan, start).id
    assert {r for r, m in matches.items() if any(e.clause == clause for e in m.evidence)} >= rids


@pytest.mark.parametrize(
    "name, start",
    [
        ("xa-nhuquynh-kh-2025", "IV | Cải cách hành chính, môi trường đầu tư kinh doanh"),  # a group row
        ("xa-nhuquynh-kh-2025", "1 | Hoàn thiện sắp xếp, kiện toàn tổ chức bộ máy chính quyền"),  # local task
        ("sonnptnt-kh-2023", "Phòng, chống dịch tả lợn châu Phi"),  # sector routine, same vocabulary
    ],
)
def test_style_distractors_address_nothing(styles, name, start):
    plan, matches = styles(name)
    clause = _clause_starting(plan, start).id
    assert [r for r, m in matches.items() if any(e.clause == clause for e in m.evidence)] == []


@pytest.mark.parametrize(
    "text, n",
    [
        # generic sentences: every word is used by many tasks
        ("Tạo mọi điều kiện thuận lợi để thu hút đầu tư vào địa bàn huyện.", 0),
        ("Huy động các nguồn lực để đầu tư xây dựng kết cấu hạ tầng kinh tế - xã hội trên địa bàn huyện.", 0),
        ("Tiếp tục thực hiện tốt các nhiệm vụ phát triển KT-XH, bảo đảm QP-AN trên địa bàn.", 2),  # quốc phòng, an ninh
        # restatements: bền vững, giảm, hộ, nghèo, nhà, tiếp cận / chuyển, chứng nhận, gia đình, giấy, ...
        ("Thực hiện mục tiêu giảm nghèo bền vững; rà soát, hỗ trợ hộ nghèo, hộ cận nghèo cải thiện nhà ở, tiếp cận "
         "các dịch vụ xã hội cơ bản.", 6),
        ("Kiểm soát chặt chẽ việc chuyển mục đích sử dụng đất; đẩy nhanh cấp giấy chứng nhận quyền sử dụng đất cho "
         "hộ gia đình, cá nhân.", 8),
    ],
)
def test_distinctive_words_of_a_clause(catalogue, text, n):
    from hycompliance.features import MATCHED_KINDS, distinctive_words, requirement_text
    from hycompliance.text import load_lexicon, words

    lex = load_lexicon()
    df: dict[str, int] = {}
    for r in catalogue:
        if r.kind in MATCHED_KINDS:
            for w in set(words(requirement_text(r), lex)):
                df[w] = df.get(w, 0) + 1
    assert distinctive_words(set(words(text, lex)), df, lex) == n


# --- reasons a reviewer believes: key terms are content words of the requirement ---------------------------

NOT_KEY_TERMS = {"iii", "ii", "iv", "cả", "tăng", "thêm", "giá trị", "văn lâm", "văn", "lâm", "hưng yên"}


def test_key_terms_are_content_words_not_labels_or_places(vanlam, catalogue):
    from hycompliance.coverage import plan_cells
    from hycompliance.text import load_lexicon

    plan, matches = vanlam
    cells = plan_cells(catalogue, plan, list(matches.values()), (), (), load_lexicon())
    shown = {w for c in cells for r in c.reasons if r.code == "shared_words" for w in r.items}
    assert shown  # the plan restates tasks: some key terms are shown
    assert shown & NOT_KEY_TERMS == set()


@pytest.mark.parametrize("word,places,ok", [
    ("iii", frozenset(), False),  # a section label
    ("đ", frozenset(), False),  # a lettered item's label
    ("2025", frozenset(), False),  # a number
    ("3.1", frozenset(), False),
    ("hóa", frozenset(), False),  # the "-ization" of "công nghiệp hóa", no content of its own (not_key_terms)
    ("toàn thể", frozenset(), False),
    ("ocop", frozenset(), True),  # an acronym is a content word
    ("cả", frozenset(), False),  # a quantifier (rules/boilerplate.yaml not_key_terms)
    ("thực hiện", frozenset(), False),  # an administrative verb (weight 0.15)
    ("văn lâm", frozenset({"văn", "lâm"}), False),  # the district's own name
    ("phố hiến", frozenset({"phố", "hiến"}), False),
    ("công nghiệp hỗ trợ", frozenset({"văn", "lâm"}), True),
    ("chuyển đổi số", frozenset(), True),
    ("khu công nghiệp", frozenset({"như", "quỳnh"}), True),
])
def test_key_term(word, places, ok):
    from hycompliance.reasons import key_term
    from hycompliance.text import load_lexicon

    assert key_term(word, load_lexicon(), places) is ok


def test_own_places_of_a_district_plan(vanlam):
    from hycompliance.reasons import own_places

    plan, _ = vanlam
    assert {"văn", "lâm"} <= own_places(plan)


# --- which clauses may be evidence: headings, viewpoints -----------------------------------------------

CHILD = """ỦY BAN NHÂN DÂN TỈNH ĐỒNG NAI
Số: 179/KH-UBND
Đồng Nai, ngày 25 tháng 11 năm 2025

KẾ HOẠCH
Phát triển kinh tế số và xã hội số tỉnh Đồng Nai giai đoạn 2026 - 2030

I. QUAN ĐIỂM
1. Bảo đảm an ninh mạng, an toàn dữ liệu và bảo vệ chủ quyền số trên không gian mạng là yêu cầu xuyên suốt, không thể tách rời trong quá trình phát triển kinh tế số.
II. MỤC TIÊU
1. Phát triển kinh tế số đến năm 2030
a) Mục tiêu chung (6 mục tiêu)
(1) Tỷ trọng kinh tế số đạt tối thiểu 30% GRDP;
Kinh tế số trở thành động lực tăng trưởng của tỉnh, góp phần nâng cao năng suất lao động.
III. NHIỆM VỤ, GIẢI PHÁP
1. Y tế
a) Tổ chức triển khai đào tạo chuyên ngành về y tế số tại các cơ sở đào tạo đại học, sau đại học trong ngành y tế.
Gắn việc đào tạo lý thuyết với sử dụng, vận hành các nền tảng y tế số tại các bệnh viện.
b) Về bệnh án điện tử
Triển khai và thúc đẩy sử dụng bệnh án điện tử, hồ sơ sức khỏe cá nhân.
c) Về nền tảng y tế số:
- Xây dựng, ứng dụng các nền tảng y tế số từ quản lý hành nghề đến tư vấn, khám chữa bệnh từ xa.
"""


@pytest.fixture(scope="module")
def child_units():
    from hycompliance.ingest.text import read_text
    from hycompliance.matching import prepare_units
    from hycompliance.structure import build_plan
    from hycompliance.text import load_lexicon

    plan = build_plan(read_text("dongnai.txt", CHILD))
    return {u.clause.text for u in prepare_units(plan, load_lexicon(), load_boilerplate())}


@pytest.mark.parametrize(
    "text, unit",
    [
        # a lettered task written as a sentence, explained by a paragraph: evidence, not a heading
        ("Tổ chức triển khai đào tạo chuyên ngành về y tế số tại các cơ sở đào tạo đại học, sau đại học trong "
         "ngành y tế.", True),
        ("Gắn việc đào tạo lý thuyết với sử dụng, vận hành các nền tảng y tế số tại các bệnh viện.", True),
        # a lettered title over a paragraph, and one over bullets: headings
        ("Về bệnh án điện tử", False),
        ("Triển khai và thúc đẩy sử dụng bệnh án điện tử, hồ sơ sức khỏe cá nhân.", True),
        ("Về nền tảng y tế số:", False),
        ("Xây dựng, ứng dụng các nền tảng y tế số từ quản lý hành nghề đến tư vấn, khám chữa bệnh từ xa.", True),
        ("Y tế", False),
        # under a general aim, a sentence that sets a value is a target; the prose around it is not evidence
        ("(1) Tỷ trọng kinh tế số đạt tối thiểu 30% GRDP;", True),
        ("Kinh tế số trở thành động lực tăng trưởng của tỉnh, góp phần nâng cao năng suất lao động.", False),
        # a viewpoint of the plan ("I. QUAN ĐIỂM") restates no task
        ("Bảo đảm an ninh mạng, an toàn dữ liệu và bảo vệ chủ quyền số trên không gian mạng là yêu cầu xuyên "
         "suốt, không thể tách rời trong quá trình phát triển kinh tế số.", False),
    ],
)
def test_which_clauses_may_be_evidence(child_units, text, unit):
    assert (text in child_units) is unit
