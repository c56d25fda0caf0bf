"""The scope check: which documents implement a parent plan at all, on real documents nobody here wrote.

Expected verdicts were established by reading the documents (their titles, their "Căn cứ" and what they
cite), not by running the checker: none of the real 2025 plans cites 87/KH-UBND or says it carries out
34-CTr/TU; the Đồng Nai decision 2902/QĐ-UBND carries out 29-NQ/TW for Đồng Nai, not Hưng Yên's plan;
the Politburo's KL 69 (2024) concerns Resolution 20-NQ/TW and precedes 57-NQ/TW.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hycompliance.report.labels import why

from hycompliance.models import Header, Plan
from hycompliance.pipeline import load_context, scope_of
from hycompliance.scope import decide, province_of, reviewed
from tests.conftest import DEV, REAL, ROOT

PARENT_87 = ROOT / "corpora" / "87-KH-UBND-2023.txt"
PLANS = REAL / "plans"
STYLES = ROOT / "tests" / "fixtures" / "styles"

# Every real plan against 87/KH-UBND: none implements it.
REAL_NOT_87 = [
    "bacninh_kh_141_2025", "bacninh_kh_144_2025", "bct_kl_69_2024", "bct_nq_57_2024", "cantho_kh_153_2025",
    "cantho_kh_165_2025", "cp_nq_03_2025", "daklak_kh_0124_2025", "ddqh_kh_3260_2025", "dongnai_kh_179_2025",
    "dongnai_kh_182_2025", "dongthap_kh_552_2025", "dongthap_kh_556_2025", "dongthap_kh_597_2025",
    "dongthap_kh_617_2025", "hanoi_kh_308_2025", "hanoi_kh_310_2025", "hatinh_kh_624_2025", "hcm_kh_172_2025",
    "hcm_qd_2820_2025", "nghean_kh_1026_2025", "nghean_kh_982_2025", "nghean_kh_987_2025", "ttg_qd_2597_2025",
    "partial/cp_nq_14_2023_excerpt", "partial/dongnai_qd_2902_2024_excerpt",
    "partial/hungyen_ctr_56_2023_excerpt", "partial/tuyenquang_kh_186_2022_excerpt",
]
# Against 57-NQ/TW: its children (the Government's programme, the National Assembly delegation's plan, two
# provincial plans that name it in their basis) and plans on other subjects that do not cite it.
NQ57 = [
    ("cp_nq_03_2025", True), ("ddqh_kh_3260_2025", True), ("bacninh_kh_144_2025", True),
    ("dongnai_kh_179_2025", True),
    ("bacninh_kh_141_2025", False), ("bct_kl_69_2024", False), ("cantho_kh_153_2025", False),
    ("cantho_kh_165_2025", False), ("daklak_kh_0124_2025", False), ("dongnai_kh_182_2025", False),
    ("dongthap_kh_556_2025", False), ("hanoi_kh_308_2025", False), ("hatinh_kh_624_2025", False),
    ("hcm_kh_172_2025", False), ("nghean_kh_1026_2025", False), ("nghean_kh_982_2025", False),
]


@pytest.fixture(scope="module")
def ctx87(shared: Path):
    return load_context(PARENT_87)


@pytest.fixture(scope="module")
def ctx57(shared: Path):
    return load_context(PLANS / "bct_nq_57_2024.txt")


@pytest.mark.parametrize("name", REAL_NOT_87)
def test_real_plans_do_not_implement_87(ctx87, name: str) -> None:
    s = scope_of(PLANS / f"{name}.txt", ctx87)
    assert not s.in_scope, (name, s)
    assert s.reason.startswith("không viện dẫn và không cùng nội dung với kế hoạch 87/KH-UBND")


def labelled_children() -> list[Path]:
    return sorted(DEV.glob("*.txt")) + sorted(STYLES.glob("*.txt"))


def test_every_labelled_child_is_in_scope(ctx87) -> None:
    children = labelled_children()
    assert len(children) >= 13
    verdicts = {p.name: scope_of(p, ctx87) for p in children}
    assert {n: s.basis for n, s in verdicts.items() if not s.in_scope} == {}
    assert all(s.reason == "viện dẫn kế hoạch 87/KH-UBND" for s in verdicts.values())


@pytest.mark.parametrize("name,expected", NQ57)
def test_real_children_of_57(ctx57, name: str, expected: bool) -> None:
    s = scope_of(PLANS / f"{name}.txt", ctx57)
    assert s.in_scope is expected, (name, s)


def _plan(title: str, body: str, issuer: str | None = None, parent_issuer: str | None = None) -> Plan:
    text = f"{title}\n{body}"
    return Plan("mem.txt", "txt", Header(issuer=issuer, parent_issuer=parent_issuer, title=title), (), text)


CASES = [
    # (title, body, issuer, expected basis)
    ("Kế hoạch thực hiện Chương trình hành động số 34-CTr/TU của Tỉnh ủy về công nghiệp hóa",
     "Phát triển công nghiệp chế biến.", "UBND huyện Tiên Lữ", "cites_ancestor"),
    ("Kế hoạch thực hiện Chương trình hành động số 34-CTr/TU của Tỉnh ủy về công nghiệp hóa",
     "Phát triển công nghiệp chế biến.", "UBND tỉnh Đồng Nai", "none"),
    ("Kế hoạch phòng, chống ma túy năm 2025", "Tăng cường tuyên truyền phòng, chống ma túy trong trường học.",
     "UBND xã Tân Dân", "none"),
]


@pytest.mark.parametrize("title,body,issuer,basis", CASES)
def test_title_ancestors_and_province(ctx87, title: str, body: str, issuer: str, basis: str) -> None:
    assert decide(_plan(title, body, issuer), (), ctx87.scope_profile).basis == basis


def test_same_number_other_date_is_another_document(ctx87) -> None:
    from hycompliance.models import Citation

    other = Citation("87/KH-UBND", "Kế hoạch", "87", "KH-UBND", "2024-03-01", None, "UBND", "state",
                     "Kế hoạch số 87/KH-UBND ngày 01/3/2024", 0, 10)
    same = Citation("87/KH-UBND", "Kế hoạch", "87", "KH-UBND", "2023-05-23", None, "UBND", "state",
                    "Kế hoạch số 87/KH-UBND ngày 23/5/2023", 0, 10)
    plan = _plan("Kế hoạch phòng, chống thiên tai", "Thực hiện Kế hoạch số 87/KH-UBND.", "UBND tỉnh Nam Định")
    assert decide(plan, (other,), ctx87.scope_profile).in_scope is False
    assert decide(plan, (same,), ctx87.scope_profile).basis == "cites_parent"


@pytest.mark.parametrize("issuer,province", [
    ("UBND tỉnh Hưng Yên", "hưng yên"), ("UBND thành phố Hà Nội", "hà nội"), ("Sở Công Thương", None),
    ("UBND huyện Văn Lâm", None), (None, None),
])
def test_province_of(issuer, province) -> None:
    assert province_of(issuer, ("tỉnh", "thành phố")) == province


def test_reviewer_decision_replaces_the_machines(ctx87) -> None:
    machine = scope_of(PLANS / "hanoi_kh_310_2025.txt", ctx87)
    s = reviewed(machine, True, ctx87.scope_profile.name)
    assert (s.in_scope, s.basis, s.reason) == (True, "reviewer_in", "người rà soát xác định văn bản thực hiện kế hoạch 87/KH-UBND")


def _hy(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hycompliance", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=300)


def test_scan_stores_out_of_scope_and_reviewer_can_override(shared: Path, tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for src in (DEV / "vanlam-kh-2023.txt", PLANS / "hanoi_kh_310_2025.txt"):
        (folder / src.name).write_bytes(src.read_bytes())
    db = tmp_path / "c.db"
    assert _hy("scan", "--plan", str(PARENT_87), "--db", str(db), str(folder), "-j", "1").returncode == 0
    con = sqlite3.connect(db)
    docs = dict(con.execute("SELECT name, in_scope FROM documents"))
    assert docs == {"vanlam-kh-2023": 1, "hanoi_kh_310_2025": 0}
    cells = dict(con.execute(
        "SELECT m.status, count(*) FROM matches m JOIN documents d ON d.id = m.document_id "
        "WHERE d.name = 'hanoi_kh_310_2025' GROUP BY m.status"))
    assert list(cells) == ["missing"]  # nothing addressed, references included
    reasons = con.execute("SELECT DISTINCT m.reasons FROM matches m JOIN documents d ON d.id = m.document_id "
                          "WHERE d.name = 'hanoi_kh_310_2025'").fetchall()
    assert len(reasons) == 1
    [reason] = json.loads(reasons[0][0])
    assert reason["code"] == "out_of_scope"
    assert reason["items"][0].startswith("không viện dẫn và không cùng nội dung")
    assert why([reason]).startswith("Không thuộc phạm vi: không viện dẫn và không cùng nội dung")
    listed = [json.loads(line) for line in _hy("scope", "--db", str(db), "--out-only", "--json").stdout.splitlines()]
    assert [r["name"] for r in listed] == ["hanoi_kh_310_2025"]
    con.close()
    assert _hy("review-scope", "hanoi_kh_310_2025", "--in-scope", "--note", "đã đọc", "--reviewer", "Lan",
               "--db", str(db)).returncode == 0
    assert _hy("scan", "--plan", str(PARENT_87), "--db", str(db), str(folder), "-j", "1").returncode == 0
    con = sqlite3.connect(db)
    row = con.execute("SELECT in_scope, scope_basis FROM documents WHERE name = 'hanoi_kh_310_2025'").fetchone()
    assert row == (1, "reviewer_in")
    n = con.execute("SELECT count(*) FROM matches m JOIN documents d ON d.id = m.document_id "
                    "WHERE d.name = 'hanoi_kh_310_2025' AND m.reasons LIKE '%out_of_scope%'").fetchone()[0]
    assert n == 0
    con.close()


# The other-parent sets (tests/fixtures/parents/<parent>/): each labelled child is in scope for its own parent
# and out of scope for the others (a kindergarten plan of Hà Tĩnh does not carry out 57-NQ/TW).
PARENT_SETS = {
    "57-NQ-TW": ("bct_nq_57_2024", ["bacninh-kh144-2025", "dongnai-kh179-2025"]),
    "dongthap-556-KH-UBND-2025": ("dongthap_kh_556_2025", ["sonnmt-dongthap-kh-2025", "xa-giathuan-kh-2025"]),
    "hatinh-624-KH-UBND-2025": ("hatinh_kh_624_2025", ["phuong-thanhsen-kh-2025", "sogddt-hatinh-kh-2025"]),
}


@pytest.fixture(scope="module")
def parent_contexts(shared: Path):
    return {d: load_context(PLANS / f"{parent}.txt") for d, (parent, _) in PARENT_SETS.items()}


@pytest.mark.parametrize("folder,child", [(d, c) for d, (_, cs) in PARENT_SETS.items() for c in cs])
def test_labelled_children_of_other_parents(parent_contexts, folder: str, child: str) -> None:
    path = ROOT / "tests" / "fixtures" / "parents" / folder / f"{child}.txt"
    for other, ctx in parent_contexts.items():
        s = scope_of(path, ctx)
        assert s.in_scope is (other == folder), (child, other, s)
