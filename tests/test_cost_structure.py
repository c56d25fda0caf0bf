"""Bounded cost: building the clause tree takes time linear in the text (hard-wrapped text was quadratic)."""

from __future__ import annotations

import gc
import textwrap
import time

import pytest

from hycompliance.ingest.text import read_text
from hycompliance.structure import build_plan

HEAD = ["ỦY BAN NHÂN DÂN", "HUYỆN VĂN LÂM", "Số: 12/KH-UBND", "KẾ HOẠCH", "Thực hiện chuyển đổi số năm 2024",
        "Căn cứ Kế hoạch số 87/KH-UBND ngày 10/5/2023 của UBND tỉnh.", "I. MỤC ĐÍCH, YÊU CẦU"]
WORDS = ("phát triển kinh tế số và xã hội số trên địa bàn huyện gắn với chuyển đổi số toàn diện các cơ quan "
         "nhà nước đẩy mạnh cải cách hành chính").split()
SIZE = 20_000  # characters of the smaller text; the larger one is four times as long


def _running(lead: str, chars: int) -> str:
    """One endless sentence hard-wrapped at 78 columns after ``lead`` (the hostile shape)."""
    words, n = [], 0
    while n < chars:
        w = WORDS[len(words) % len(WORDS)]
        words.append(w)
        n += len(w) + 1
    return "\n".join(HEAD + textwrap.wrap(lead + " ".join(words), 78))


def _sentences(chars: int) -> str:
    """A bullet followed by many short wrapped sentences (each one a new paragraph)."""
    lines, n = HEAD + ["- Tăng cường chuyển đổi số trong các lĩnh vực sau:"], 0
    while n < chars:
        lines.append(f"Nhiệm vụ {len(lines)}: phát triển hạ tầng số ở xã {len(lines) % 17}.")
        n += len(lines[-1]) + 1
    return "\n".join(lines)


def _ratio(small: str, large: str, rounds: int = 15) -> float:
    """CPU time on ``large`` over CPU time on ``small``: each the best of ``rounds``, measured in turns so that
    a busy moment of this shared machine falls on both (CPU time of this process, not wall time)."""
    best = {0: float("inf"), 1: float("inf")}
    for _ in range(rounds):
        for which, text in enumerate((small, large)):
            gc.collect()
            gc.disable()  # the collector's passes grow with live objects: they would blur the algorithm's cost
            try:
                started = time.process_time()
                build_plan(read_text("wrapped.txt", text))
                best[which] = min(best[which], time.process_time() - started)
            finally:
                gc.enable()
    return best[1] / best[0]


@pytest.mark.parametrize("make", [
    lambda n: _running("Tăng cường ", n),        # an unlabelled paragraph
    lambda n: _running("- Tăng cường ", n),      # a bullet
    lambda n: _running("1. Tăng cường ", n),     # an item whose heading never ends
    lambda n: _running("2. Sở Tài chính: ", n),  # an item with its content after a colon
    _sentences,
], ids=["paragraph", "bullet", "item", "item-colon", "sentences"])
def test_four_times_the_text_takes_at_most_five_times_as_long(make):
    small, large = make(SIZE), make(4 * SIZE)
    assert 3.9 < len(large) / len(small) < 4.1
    # Up to three measurements: a linear build gives about 4 (a busy moment of the shared machine can push one
    # measurement past 5); a quadratic one gives about 16 in every measurement.
    ratios: list[float] = []
    while len(ratios) < 3 and (not ratios or ratios[-1] > 5.0):
        ratios.append(_ratio(small, large))
    assert min(ratios) <= 5.0, f"4x the text took {min(ratios):.1f}x the time (measured {ratios})"


def test_a_wrapped_bullet_stays_one_clause_with_its_hyphenated_symbols_joined():
    """Linear joining keeps the text: one bullet, every word, "29-" + "NQ/TW" and "2021-" + "2025" joined."""
    lines = ["- Hoàn thành các mục tiêu của Nghị quyết số 29-", "NQ/TW trong giai đoạn 2021-",
             "2025 và tiếp tục triển khai trên địa bàn huyện;", "- Đẩy mạnh cải cách hành chính, xây dựng",
             "chính quyền số, phát triển kinh tế số và xã hội", "số trên địa bàn huyện Văn Lâm."]
    text = "\n".join(HEAD + lines * 2)
    bullets = [(c.id, c.text) for c in build_plan(read_text("x.txt", text)).clauses if c.kind == "bullet"]
    first = "Hoàn thành các mục tiêu của Nghị quyết số 29-NQ/TW trong giai đoạn 2021-2025 và tiếp tục triển khai trên địa bàn huyện;"
    second = "Đẩy mạnh cải cách hành chính, xây dựng chính quyền số, phát triển kinh tế số và xã hội số trên địa bàn huyện Văn Lâm."
    assert bullets == [("I.1", first), ("I.2", second), ("I.3", first), ("I.4", second)]
