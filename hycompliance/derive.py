"""Where a parent plan states its requirements: found by structure and content, not by section number.

Each section (and appendix) is given a *class* by the words of its title (rules/catalogue/derive.yaml:
``section_classes``; an item inside may switch class by its own title, ``item_classes``):

- ``task``: every ``-`` bullet is a task (its ``+`` sub-bullets sub-tasks); a numbered or lettered item
  with sub-items is a group, one without is itself a task (with the paragraphs under it); Party-style
  headings ``II-`` are sections like ``II.``;
- ``target``: a bullet, item or paragraph group that states a quantity is a target (quantities.py);
  table rows with values are targets;
- ``duty``: each item names an agency; its sub-items are its duties (``IV.17.b``), an item without
  sub-items is one duty (``IV.3``);
- ``skip``: purposes, viewpoints, scope, funding, reporting.

Tables are read by their column names (``table_columns``): a table with a task column ("Nội dung",
"Nhiệm vụ") gives one task per numbered row, with its lead agency, partners, deadline and product;
a table with an indicator column or period columns gives one target per row with values.

Every requirement carries the rule that gave it (``Requirement.rule``) for ``requirements --explain``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from hycompliance.models import Clause, Plan, Requirement
from hycompliance.quantities import period_of, sentence_target
from hycompliance.structure_tables import row_number
from hycompliance.target_tables import target_rows
from hycompliance.text import normalize

# A date: "15/5/2023".
DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")

LABELLED = ("item", "letter", "bullet")
Keys = Callable[[Clause], tuple[str, ...]]


def _fold(text: str) -> str:
    return normalize(text).lower().strip(" .:*")


def _starts(text: str, words: Sequence[str]) -> str | None:
    t = _fold(text)
    return next((w for w in words if t.startswith(_fold(w))), None)


@dataclass(frozen=True)
class Derivation:
    """The plan and the rules one catalogue is derived with."""

    plan: Plan
    cfg: dict[str, Any]
    keys: Keys

    def children(self, parent: str, kinds: Sequence[str] | None = None) -> list[Clause]:
        return [c for c in self._kids().get(parent, []) if kinds is None or c.kind in kinds]

    def _kids(self) -> dict[str, list[Clause]]:
        cache = self.__dict__.get("_cache")
        if cache is None:
            cache = {}
            for c in self.plan.clauses:
                cache.setdefault(c.parent or "", []).append(c)
            object.__setattr__(self, "_cache", cache)
        return cache

    def header(self, table: Clause) -> tuple[str, ...]:
        """A table's column names; a table whose first row names no column ("2.1 | Triển khai ...", "Sở Tư
        pháp | ... | 2026 - 2030") continues the table before it in the same top-level section or appendix
        (split by a page or by group headings printed as text) and takes that table's header."""
        if self._names_columns(table.cells):
            return table.cells
        top = table.id.split(".")[0]
        before = [c for c in self.plan.clauses if c.kind == "table" and c.id.split(".")[0] == top and c.start < table.start]
        return next((t.cells for t in reversed(before) if self._names_columns(t.cells)), table.cells)

    def _names_columns(self, cells: tuple[str, ...]) -> bool:
        """Is this first row a header: no row number and at least one known column name?"""
        return row_number(cells) is None and bool(column_roles(cells, self.cfg))

    def full_text(self, clause: Clause) -> str:
        parts = [clause.text] + [c.text for c in self.children(clause.id, ("paragraph",))]
        return " ".join(p for p in parts if p)


def section_class(title: str, cfg: dict[str, Any]) -> tuple[str, str | None]:
    """(class, the words that decided it) of a section or appendix title.

    >>> cfg = {"section_classes": [{"class": "target", "words": ["mục tiêu"]}], "default_class": "task",
    ...        "title_prefixes": ["phụ lục", "danh mục"]}
    >>> section_class("MỤC TIÊU", cfg), section_class("PHÁT TRIỂN HẠ TẦNG SỐ", cfg)
    (('target', 'mục tiêu'), ('task', None))
    >>> section_class("PHỤ LỤC I DANH MỤC CÁC CHỈ TIÊU", {**cfg, "section_classes": [{"class": "target", "words": ["các chỉ tiêu"]}]})
    ('target', 'các chỉ tiêu')
    """
    title = _fold(title)
    for prefix in cfg.get("title_prefixes", ()):  # "PHỤ LỤC II", "DANH MỤC ..."
        title = re.sub(rf"^{re.escape(_fold(prefix))}\s*(?:(?:số\s*)?[ivxlc\d]+\b)?\s*", "", title)
    for rule in cfg["section_classes"]:
        if w := _starts(title, rule["words"]):
            return rule["class"], w
    return cfg["default_class"], None


def item_class(clause: Clause, cfg: dict[str, Any]) -> tuple[str, str] | None:
    """An item's own class when its short title names one ("3. Mục tiêu", "Mục tiêu tổng quát")."""
    if len(clause.text.split()) > cfg["item_title_words"]:
        return None
    for rule in cfg["item_classes"]:
        if w := _starts(clause.text, rule["words"]):
            return rule["class"], w
    return None


def derive(d: Derivation) -> list[Requirement]:
    """Every task, sub-task, target and duty of the plan, in document order."""
    out: list[Requirement] = []
    tops = d.children("")
    # a text without sections ("Kết luận": "1. Tăng cường ...", "7. Tổ chức thực hiện") reads its numbered
    # items as sections; the issuing articles (Điều 1, 2, ...) never are
    sectionless = not any(t.kind == "section" and not t.id.startswith("PL") for t in tops)
    for top in tops:
        if top.kind == "section":
            _walk(d, top, section_class(top.text, d.cfg)[0], top, out)
        elif sectionless and top.kind == "item" and not top.id.startswith("Điều"):
            cls = section_class(top.text, d.cfg)[0]
            if cls == "duty" or d.children(top.id, LABELLED + ("table",)):
                _walk(d, top, cls, top, out)
            elif cls != "skip":
                _leaf(d, top, cls, top, out)
    return out


def _walk(d: Derivation, node: Clause, cls: str, section: Clause, out: list[Requirement]) -> None:
    kids = d.children(node.id)
    labelled = [k for k in kids if k.kind in LABELLED]
    tables = [k for k in kids if k.kind == "table"]
    for table in tables:
        out.extend(table_requirements(d, table, cls))
    if cls == "skip":
        for k in labelled:  # "I. MỤC ĐÍCH, YÊU CẦU" may still hold "3. Mục tiêu" / "4. Các chỉ tiêu"
            if k.kind != "bullet" and (own := item_class(k, d.cfg)) and own[0] != "skip":
                _walk(d, k, own[0], section, out)
            elif k.kind != "bullet":
                _walk(d, k, "skip", section, out)
        for k in kids:
            if k.kind == "section":
                _walk(d, k, section_class(k.text, d.cfg)[0], k, out)
        return
    if cls == "duty":
        _duties(d, node, labelled, out)
        return
    for k in labelled:
        own = item_class(k, d.cfg) if k.kind != "bullet" else None
        kcls = own[0] if own else cls
        if kcls == "skip":
            continue
        if kcls == "task" and k.kind == "item" and _names_agency(d, k):
            _duties(d, node, [k], out)  # "IV. NHIỆM VỤ CỤ THỂ" / "1. Sở Nông nghiệp và Môi trường"
            continue
        if kcls == "task" and (fields := _fields(d, k)) is not None:
            _leaf(d, k, kcls, section, out, agency=_lead_agency(fields, d.cfg))  # "- Cơ quan thực hiện: ..."
            continue
        subs = d.children(k.id, ("subbullet",))
        if kcls == "target" and k.kind == "bullet" and subs:
            for sub in subs:  # "- Về môi trường:" leads in to "+" targets
                _leaf(d, sub, kcls, section, out)
        elif k.kind == "bullet" or not d.children(k.id, LABELLED + ("table",)):
            _leaf(d, k, kcls, section, out)
        else:
            _walk(d, k, kcls, section, out)
    for k in kids:
        if k.kind == "section":  # sections inside an appendix ("PHỤ LỤC" / "I. Kinh tế số")
            _walk(d, k, section_class(k.text, d.cfg)[0] if section_class(k.text, d.cfg)[1] else cls, k, out)


def _group(d: Derivation, clause: Clause, section: Clause) -> Clause:
    """The task group: the item right under the section (``III.2`` for ``III.2.a.1``), else the section."""
    chain = [clause]
    while chain[-1].parent and chain[-1].parent != section.id:
        parent = d.plan.clause(chain[-1].parent)
        if parent is None:
            break
        chain.append(parent)
    top = chain[-1]
    return top if top.parent == section.id and top is not clause else section


def _period_of_ancestors(d: Derivation, clause: Clause) -> str | None:
    """The period the nearest heading names: the item's own title, then "c) Tầm nhìn đến năm 2035", then
    "2. Mục tiêu đến năm 2030", then the section."""
    node: Clause | None = clause
    while node is not None:
        if period := period_of(node.text if node is not clause else node.text.split(".")[0]):
            return period
        node = d.plan.clause(node.parent) if node.parent else None
    return None


def _names_agency(d: Derivation, item: Clause) -> bool:
    """Does a numbered item of a task section stand for an agency (its heading names one: "1. Sở Tài chính",
    or its sentence starts with one: "3. Bộ Tài chính chủ trì, ...")?"""
    has_body = bool(d.children(item.id, LABELLED + ("paragraph",)))
    return agency_of(item.text, d.cfg, heading=has_body) is not None


def _fields(d: Derivation, item: Clause) -> dict[str, str] | None:
    """An item described by labelled fields ("- Nội dung thực hiện: ...", "- Cơ quan chủ trì: ...",
    "- Thời gian thực hiện: ..."): its fields by role (the words of ``table_columns``); None when fewer
    than half of its bullets are fields."""
    bullets = d.children(item.id, ("bullet",))
    fields: dict[str, str] = {}
    for b in bullets:
        head, colon, value = b.text.partition(":")
        if not colon or len(head.split()) > 6:
            continue
        for rule in d.cfg["table_columns"]:
            if _starts(head, rule["words"]):
                fields.setdefault(rule["role"], value.strip())
                break
    return fields if bullets and 2 * len(fields) >= len(bullets) else None


def _lead_agency(fields: dict[str, str], cfg: dict[str, Any]) -> str | None:
    value = fields.get("lead")
    if not value:
        return None
    return agency_of(value, cfg) or value.rstrip(" .;")


def _leaf(d: Derivation, clause: Clause, cls: str, section: Clause, out: list[Requirement], agency: str | None = None) -> None:
    cfg = d.cfg
    body = d.full_text(clause)
    group = _group(d, clause, section)
    if cls == "target":
        context = _period_of_ancestors(d, clause)
        target = sentence_target(body, context, cfg)
        if target is None:
            return
        out.append(Requirement(
            id=clause.id, kind="target", text=body, group=group.id, group_title=group.text, target=target,
            page=clause.page, applies_to=tuple(cfg["general_implementers"]), rule=f"target.{clause.kind}",
        ))
        return
    applies = tuple(dict.fromkeys(tuple(cfg["general_implementers"]) + named_agencies(body, cfg)))
    rule = "task.bullet" if clause.kind == "bullet" else f"task.{clause.kind}_without_sub_items"
    if agency is None and clause.kind == "item" and (paragraphs := d.children(clause.id, ("paragraph",))):
        agency = agency_of(paragraphs[0].text, cfg)  # "3. Xây dựng ..." / "Sở, ban, ngành ... có trách nhiệm ..."
    if d.children(clause.id, ("bullet",)):
        rule = "task.item_described_by_fields"
    out.append(Requirement(
        id=clause.id, kind="task", text=body, group=group.id, group_title=group.text, references=d.keys(clause),
        applies_to=applies, deadline=find_deadline(body, cfg["deadline_words"]), page=clause.page, rule=rule,
        agency=agency,
    ))
    for sub in d.children(clause.id, ("subbullet",)):
        out.append(Requirement(
            id=sub.id, kind="subtask", text=sub.text, group=group.id, group_title=group.text,
            references=d.keys(sub), applies_to=tuple(dict.fromkeys(tuple(cfg["general_implementers"]) + named_agencies(sub.text, cfg))),
            deadline=find_deadline(sub.text, cfg["deadline_words"]), page=sub.page, rule="task.subbullet",
        ))


def named_agencies(text: str, cfg: dict[str, Any]) -> tuple[str, ...]:
    """Agencies a sentence names, by the aliases of rules/catalogue/derive.yaml."""
    t = normalize(text).lower()
    out = []
    for agency in cfg["agencies"]:
        if any(normalize(a).lower() in t for a in agency["aliases"]):
            out.append(agency["name"])
    return tuple(out)


def find_deadline(text: str, words: Sequence[str]) -> str | None:
    """The ISO date that follows a deadline word.

    >>> find_deadline("Cụ thể hóa ... (hoàn thành trước ngày 15/5/2023).", ["trước ngày"])
    '2023-05-15'
    """
    folded = normalize(text)
    for w in sorted(words, key=len, reverse=True):
        for m in re.finditer(re.escape(w) + r"\s*(\d{1,2}/\d{1,2}/\d{4})", folded, re.IGNORECASE):
            d = DATE.match(m.group(1))
            if d:
                return f"{d.group(3)}-{int(d.group(2)):02d}-{int(d.group(1)):02d}"
    return None


# --- duties ----------------------------------------------------------------------------------------


def _starts_with_agency(text: str, cfg: dict[str, Any]) -> bool:
    """Does the text start with an agency word? Words of several syllables in any case ("các Sở", "Ủy ban"),
    a single word only as printed ("Báo Cần Thơ", not "báo cáo"; "Trường", not "trường hợp")."""
    words = sorted(cfg["agency_starts"], key=len, reverse=True)
    several = "|".join(re.escape(a) for a in words if " " in a)
    single = "|".join(re.escape(a) for a in words if " " not in a)
    return bool(re.match(rf"(?:{several})(?![^\W\d_])", text, re.IGNORECASE)
                or re.match(rf"(?:{single})(?![^\W\d_])", text))


def agency_of(text: str, cfg: dict[str, Any], *, heading: bool = False) -> str | None:
    """The agency an item or sentence names first: an agency heading as a whole ("1. Công an thành phố",
    ``heading``), the part before a colon ("Sở Tài chính: Phối hợp ..."), or the subject before the first
    word that ends it (a duty verb: "Bộ Tài chính chủ trì, ..."); None when it does not start with an
    agency word.

    >>> cfg = {"agency_starts": ["Sở", "Bộ", "Công an", "Ủy ban"], "agency_prefixes": ["Đề nghị", "Giao"],
    ...        "duty_verbs": ["chủ trì", "có trách nhiệm", "tổ chức"], "agency_nouns": ["các tổ chức"], "agency_words": 20,
    ...        "not_agency_starts": ["Trường hợp"], "agency_clause_openers": ["Trong quá trình"]}
    >>> agency_of("Bộ Tài chính chủ trì, phối hợp với các bộ", cfg), agency_of("Giao Công an thành phố có trách nhiệm theo dõi", cfg)
    ('Bộ Tài chính', 'Công an thành phố')
    >>> agency_of("Ủy ban Mặt trận và các tổ chức chính trị - xã hội tổ chức vận động", cfg)
    'Ủy ban Mặt trận và các tổ chức chính trị - xã hội'
    >>> agency_of("Trong quá trình tổ chức thực hiện, kịp thời đề xuất", cfg) is None
    True
    """
    t = normalize(text).strip()
    for p in sorted(cfg["agency_prefixes"], key=len, reverse=True):
        if re.match(rf"{re.escape(p)}\s*[:, ]", t, re.IGNORECASE):
            t = t[len(p) :].lstrip(":, ").strip()
    if any(t.lower().startswith(w.lower()) for w in cfg["not_agency_starts"]):
        return None
    if not _starts_with_agency(t, cfg):
        if heading or not any(t.lower().startswith(o.lower()) for o in cfg["agency_clause_openers"]):
            return None
        # "Trên cơ sở ..., các bộ, cơ quan ngang bộ ... xây dựng ...": the first part after a comma that
        # starts with an agency word
        rest = next((t[m.end():] for m in re.finditer(r",\s+", t) if _starts_with_agency(t[m.end():], cfg)), None)
        if rest is None:
            return None
        t = rest
    if heading:
        head = t.rstrip(":")
    elif m := re.match(r"^([^:]{3,160}?):", t):
        head = m.group(1)
    else:
        masked = t
        for noun in cfg["agency_nouns"]:  # "các tổ chức chính trị - xã hội" names bodies, not the verb "tổ chức"
            masked = re.sub(re.escape(noun), lambda m: "#" * len(m.group(0)), masked, flags=re.IGNORECASE)
        verbs = "|".join(re.escape(v) for v in sorted(cfg["duty_verbs"], key=len, reverse=True))
        m = re.search(rf"\s(?:{verbs})(?![^\W\d_])", masked)
        head = t[: m.start()] if m else t
    head = re.sub(r"\s*\([^)]*\)\s*$", "", head).strip(" ,.;")
    return head if 0 < len(head.split()) <= cfg["agency_words"] else None


def _duties(d: Derivation, node: Clause, labelled: list[Clause], out: list[Requirement], agency: str | None = None) -> None:
    """Duties: an agency heading's sub-items (a sub-item with bullets of its own is a heading too, its
    bullets the duties), or an item that starts with an agency. An item naming no acting agency ("Thành
    lập Ban Chỉ đạo ...", "Trong quá trình tổ chức thực hiện ...") is no duty; its sub-items may be."""
    cfg = d.cfg
    for item in labelled:
        subs = d.children(item.id, LABELLED)
        head = d.full_text(item) if item.kind == "bullet" else item.text
        own = agency_of(head, cfg, heading=bool(subs) and item.kind != "bullet")
        if subs and item.kind != "bullet":
            _duties(d, item, subs, out, own or agency)
            continue
        actor = agency or own  # under an agency heading the heading's agency acts
        if actor is None:
            continue
        named = named_agencies(actor, cfg)
        text = d.full_text(item)
        heading = d.plan.clause(item.parent) if item.parent and agency else item
        group = heading if heading is not None and heading.kind != "section" else item
        out.append(Requirement(
            id=item.id, kind="duty", text=text, group=group.id, group_title=group.text,
            applies_to=named or (actor,), agency=actor, references=d.keys(item),
            deadline=find_deadline(text, cfg["deadline_words"]), page=item.page,
            rule=f"duty.{item.kind}_under_agency_heading" if agency else "duty.item_naming_agency",
        ))


# --- tables ----------------------------------------------------------------------------------------


def column_roles(header: Sequence[str], cfg: dict[str, Any]) -> dict[str, int]:
    """Column index of each role (number, task, indicator, lead, partners, deadline, product, unit, value)
    by the words of the header cells; period columns ("2021-2025", "Năm 2030") are values too.

    >>> cfg = {"table_columns": [{"role": "number", "words": ["stt", "tt"]}, {"role": "task", "words": ["nội dung", "nhiệm vụ"]},
    ...        {"role": "lead", "words": ["cơ quan chủ trì"]}, {"role": "deadline", "words": ["thời gian", "thời hạn"]}]}
    >>> column_roles(["TT", "Nhiệm vụ", "Cơ quan chủ trì", "Thời hạn"], cfg)
    {'number': 0, 'task': 1, 'lead': 2, 'deadline': 3}
    """
    roles: dict[str, int] = {}
    for i, cell in enumerate(header):
        for rule in cfg["table_columns"]:
            if rule["role"] not in roles and _starts(cell, rule["words"]):
                roles[rule["role"]] = i
                break
    return roles


def _periods(header: Sequence[str]) -> dict[int, str]:
    return {i: p for i, cell in enumerate(header) if (p := period_of(cell))}


def table_requirements(d: Derivation, table: Clause, cls: str) -> list[Requirement]:
    """Requirements from one table: task rows or target rows by its columns, else by the class around it."""
    header = d.header(table)
    roles = column_roles(header, d.cfg)
    periods = {i: p for i, p in _periods(header).items() if i not in roles.values() or roles.get("value") == i}
    rows = d.children(table.id, ("row",))
    if "indicator" in roles or periods or (cls == "target" and "task" not in roles):
        return target_rows(d, table, rows, roles, periods) if cls != "skip" or "indicator" in roles else []
    if "task" in roles or "lead" in roles or cls == "task":
        return _task_rows(d, table, rows, roles) if cls != "skip" or "task" in roles else []
    return []


def _cell(cells: Sequence[str], roles: dict[str, int], role: str) -> str:
    i = roles.get(role)
    return cells[i].strip() if i is not None and i < len(cells) else ""


def _task_rows(d: Derivation, table: Clause, rows: list[Clause], roles: dict[str, int]) -> list[Requirement]:
    """One task per numbered row; an unnumbered row under it (a merged STT cell) adds to it."""
    cfg = d.cfg
    out: list[Requirement] = []
    group_title: dict[str, str] = {}
    task_col = roles.get("task", 1)
    for row in rows:
        key = row.id.rsplit(".", 1)[-1]
        cells = row.cells
        if re.fullmatch(r"[IVX]{1,5}", key) or re.fullmatch(r"[A-Z]", key) and len([c for c in cells if c]) <= 2:
            group_title[row.id] = next((c for c in cells[1:] if c), "")
            continue
        if re.search(r"-\d+$", key):  # a row without its STT (the cell spans it): its cells start at the task
            cells = ("",) * task_col + tuple(cells)
        text = cells[task_col] if task_col < len(cells) and cells[task_col] else next((c for c in cells[1:] if c), "")
        lead, partners = _cell(cells, roles, "lead"), _cell(cells, roles, "partners")
        if key.startswith("r") and out:  # "Thực hiện sao lưu dữ liệu ... | Sở Khoa học và Công nghệ" under row 2
            prev = out[-1]
            extra = (lead,) if lead and lead not in prev.applies_to else ()
            out[-1] = replace(prev, text=f"{prev.text} {text}".strip(), applies_to=prev.applies_to + extra)
            continue
        group_id = row.id.rsplit(".", 1)[0] if "." in row.id else table.parent or ""
        agencies = tuple(a for a in (lead, *split_agencies(partners, cfg)) if a)
        out.append(Requirement(
            id=row.id, kind="task", text=text, group=group_id,
            group_title=group_title.get(group_id) or (d.plan.clause(table.parent).text if table.parent and d.plan.clause(table.parent) else None),
            references=d.keys(row), applies_to=agencies or tuple(cfg["general_implementers"]), agency=lead or None,
            deadline=table_deadline(_cell(cells, roles, "deadline")), page=row.page, rule="task.table_row",
        ))
    return out


def split_agencies(text: str, cfg: dict[str, Any]) -> tuple[str, ...]:
    """ "Bộ Tài chính; Bộ Nội vụ, các địa phương" -> its agencies: ";" separates, and "," before an agency
    word ("và" does not: "Sở Văn hóa, Thể thao và Du lịch" stays whole)."""
    parts: list[str] = []
    for chunk in re.split(r"\s*[;\n]\s*", text):
        start = 0
        for m in re.finditer(r",\s*", chunk):
            if _starts_with_agency(chunk[m.end():], cfg):
                parts.append(chunk[start : m.start()])
                start = m.end()
        parts.append(chunk[start:])
    return tuple(p.strip(" .") for p in parts if p.strip(" ."))


def table_deadline(cell: str) -> str | None:
    """A deadline cell as an ISO date, month or year: "15/5/2025", "Tháng 10/2025", "01/2025", "2025".

    >>> [table_deadline(c) for c in ["15/5/2025", "Tháng 10/2025", "01/2025", "Năm 2026", "Thường xuyên"]]
    ['2025-05-15', '2025-10', '2025-01', '2026', None]
    """
    if m := re.search(r"(\d{1,2})/(\d{1,2})/(\d{4})", cell):
        return f"{m.group(3)}-{int(m.group(2)):02d}-{int(m.group(1)):02d}"
    if m := re.search(r"(\d{1,2})/(\d{4})", cell):
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    years = re.findall(r"(?:19|20)\d{2}", cell)
    return years[-1] if years else None
