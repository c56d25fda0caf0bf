"""Say what was found: which sections and tables gave which requirements (``requirements --explain``),
and whether the catalogue is plausible for the length of the parent (E309 when it is empty or too small).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from hycompliance.derive import Derivation, column_roles, item_class, section_class
from hycompliance.models import Clause, Plan, Requirement


# --- plausibility ----------------------------------------------------------------------------------


def body_words(plan: Plan) -> int:
    """Words of the plan's body: its sections and appendices (or numbered items when it has no sections),
    without the title, the preamble, the issuing articles and the closing."""
    def top_of(c: Clause) -> str:
        return c.id.split(".")[0]

    tops = {c.id: c for c in plan.clauses if c.parent is None}
    body = [c for c in plan.clauses
            if (t := tops.get(top_of(c))) is not None and t.kind in ("section", "item") and not t.id.startswith("Điều")]
    return sum(len(c.text.split()) for c in body)


def check_catalogue(plan: Plan, catalogue: Sequence[Requirement], cfg: dict[str, Any]) -> None:
    """Raise E309 when the catalogue is empty or implausibly small for the length of the plan's body
    (fewer than ``min_requirements_per_1000_words`` per 1,000 words, and never none)."""
    from hycompliance.errors import Code, HyError

    found = sum(r.kind in ("task", "subtask", "target", "duty") for r in catalogue)
    words = body_words(plan)
    needed = max(1, int(words * float(cfg["min_requirements_per_1000_words"]) / 1000))
    if found < needed:
        raise HyError(Code.E309_CATALOGUE_TOO_SMALL, plan.source, found=found, words=words, needed=needed)


# --- what was found where (``requirements --explain``) -----------------------------------------------


@dataclass(frozen=True)
class Source:
    """A section, item or table of the parent and what it gave: its class, why, and its requirements."""

    id: str
    kind: str  # "section" | "item" | "table"
    title: str
    cls: str
    why: str
    requirements: tuple[Requirement, ...]


def explain(d: Derivation, catalogue: Sequence[Requirement]) -> list[Source]:
    """The sections, classed items and tables of the plan in document order, each with the rule that classed
    it and the requirements it gave (every requirement under its innermost source)."""
    cfg = d.cfg
    sources: list[tuple[Clause, str, str]] = []
    for c in d.plan.clauses:
        if c.kind == "section" or c.kind == "item" and c.parent is None and not c.id.startswith("Điều"):
            cls, word = section_class(c.text, cfg)
            sources.append((c, cls, f"title starts with {word!r}" if word else f"no class word, so {cfg['default_class']}"))
        elif c.kind in ("item", "letter") and c.parent and (own := item_class(c, cfg)):
            sources.append((c, own[0], f"item title starts with {own[1]!r}"))
        elif c.kind == "table":
            roles = column_roles(d.header(c), cfg)
            named = ", ".join(f"{role}={d.header(c)[i]!r}" for role, i in roles.items())
            sources.append((c, "table", f"columns: {named}" if named else "no column names"))
    ids = [s[0].id for s in sources]
    owner: dict[str, list[Requirement]] = {i: [] for i in ids}
    for r in catalogue:
        clause = d.plan.clause(r.id)
        if clause is None:
            continue
        if clause.kind == "row" and clause.parent in owner:
            owner[clause.parent].append(r)
            continue
        path = clause.id
        best = max((i for i in ids if path == i or path.startswith(i + ".")), key=len, default=None)
        if best is not None:
            owner[best].append(r)
    return [Source(c.id, "table" if c.kind == "table" else c.kind, c.text[:80], cls, why, tuple(owner[c.id]))
            for c, cls, why in sources]
