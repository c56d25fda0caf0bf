"""The closing of a document and what may follow it.

After the body come the recipients ("Nơi nhận: - ...") and the signer block ("TM. ỦY BAN NHÂN DÂN",
"KT. CHỦ TỊCH", the name). What follows the signature is one of:
- an appendix ("PHỤ LỤC II", "Phụ lục số 1"): read as body, under its own clause ``PL<n>``;
- a document issued "kèm theo" (a decision or resolution that issues a plan or programme): its title in
  capitals ("KẾ HOẠCH", "CHƯƠNG TRÌNH HÀNH ĐỘNG CỦA CHÍNH PHỦ"), a "(Kèm theo Quyết định số ...)" line or a
  section heading; the attached document is read as body, the issuing articles stay where they were;
- anything else is left out of the plan, and counted: a warning says how many characters (W203).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from hycompliance.models import Block

Mode = Literal["body", "recipients", "signer"]
Action = Literal["closing", "appendix", "attachment", "body"]

# "PHỤ LỤC", "PHỤ LỤC II", "Phụ lục số 02", "Phụ lục 3:", with what follows on the line.
APPENDIX = re.compile(r"^(?:PHỤ LỤC|Phụ lục)(?:\s+(?:số\s*)?(?P<num>[IVXLC]{1,6}|\d{1,2})\b)?\s*[:.\-–]?\s*(?P<rest>.*)$")
BULLET = re.compile(r"^[-–—•·]\s*(?=\S)")
SENTENCE_END = re.compile(r"[.;:!?…]\s*[\"”’)]*\s*$")
SECTION = re.compile(r"^(?:[IVX]{1,5})(?:[.)]|\s*[-–])\s*[A-ZĐÀ-Ỹ]")


def appendix_number(text: str, *, in_body: bool) -> tuple[bool, str | None]:
    """Does this line open an appendix, and with which printed number ("II", "2", or None)?

    In the body only a heading does: "PHỤ LỤC ..." in capitals, or "Phụ lục" with at most a number and a
    title in capitals ("Phụ lục kèm theo Kế hoạch này ..." in a sentence is not one).

    >>> appendix_number("PHỤ LỤC II", in_body=True), appendix_number("Phụ lục kèm theo Kế hoạch", in_body=True)
    ((True, 'II'), (False, None))
    """
    m = APPENDIX.match(text)
    if not m:
        return False, None
    rest = m.group("rest")
    heading = text.startswith("PHỤ LỤC") or not rest or rest.upper() == rest
    if in_body and not heading:
        return False, None
    return True, m.group("num")


def _upper_share(text: str) -> float:
    letters = [ch for ch in text if ch.isalpha()]
    return sum(ch.isupper() for ch in letters) / len(letters) if letters else 0.0


@dataclass
class ClosingReader:
    """Reads the recipients and the signer, and says when the body resumes."""

    cfg: dict[str, Any]
    mode: Mode = "body"
    recipients: list[str] = field(default_factory=list)
    signer: list[str] = field(default_factory=list)
    left_out: int = 0  # characters after the signature that could not be placed

    def is_signer(self, text: str) -> bool:
        return any(text.upper().startswith(s) for s in self.cfg["signer_starts"])

    def starts_closing(self, text: str) -> bool:
        return text.startswith(self.cfg["recipients_marker"])

    def closing_table(self, block: Block) -> bool:
        """A table that is the closing itself: "Nơi nhận: ..." beside "TM. ỦY BAN NHÂN DÂN"."""
        first = next((c.strip() for row in block.rows for c in row if c.strip()), "")
        return self.starts_closing(first.lstrip("*_ "))

    def take_table(self, block: Block) -> None:
        for row in block.rows:
            for cell in row:
                cell = cell.strip().lstrip("*_ ")
                if self.starts_closing(cell):
                    cell = cell[len(self.cfg["recipients_marker"]) :].lstrip("*_: ")
                target = self.recipients if cell.startswith("-") else self.signer
                target.extend(x.strip() for x in re.split(r"(?=- )", cell) if x.strip())
        self.mode = "signer"

    def starts_attachment(self, text: str) -> bool:
        """The title or the "kèm theo" line of a document issued with this one, or a section heading."""
        words = sorted(self.cfg["title_types"], key=len, reverse=True)
        head = " ".join(text.split()[:3])
        if any(text.startswith(w) for w in words) and _upper_share(head) > 0.9 and not self.is_signer(text):
            return True
        folded = text.lstrip("*_( ").lower()
        if any(folded.startswith(m.lower()) for m in self.cfg["attachment_markers"]):
            return True
        return bool(SECTION.match(text)) and _upper_share(text) > 0.9

    def take_line(self, text: str, kind: str) -> Action:
        """What to do with a text line while in the closing (``mode`` is not ``body``)."""
        if appendix_number(text, in_body=False)[0]:
            self.mode = "body"
            return "appendix"
        if self.starts_attachment(text):
            self.mode = "body"
            return "attachment"
        if self.mode == "recipients" and BULLET.match(text) and not self.is_signer(text):
            self.recipients.append(text)
        elif (self.mode == "recipients" and kind == "line" and self.recipients and not self.is_signer(text)
              and not SENTENCE_END.search(self.recipients[-1])):
            self.recipients[-1] += " " + text
        elif self.mode == "recipients" and not self.signer and not self.is_signer(text) and self.recipients and text[:1].islower():
            self.recipients[-1] += " " + text  # "các Vụ, Cục, đơn vị trực thuộc, Công báo;" under a recipient
        elif ((self.is_signer(text) or len(text.split()) <= self.cfg["signer_max_words"])
              and len(self.signer) < self.cfg["signer_max_lines"]):  # "TM. ỦY BAN NHÂN DÂN KT. CHỦ TỊCH ... Mai Sơn"
            self.mode = "signer"
            self.signer.append(text)
        else:
            self.mode = "signer"
            self.left_out += len(text)
        return "closing"
