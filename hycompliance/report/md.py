"""Markdown report on one document, for pasting into a ticket or an e-mail (words from ``labels``)."""

from __future__ import annotations

import re
from typing import Any

from hycompliance.report import labels

SPECIAL = str.maketrans({c: f"\\{c}" for c in "\\`*_[]<>|#"})


def esc(text: Any) -> str:
    """Markdown-safe text: no emphasis, links, HTML or table breaks from document text."""
    return re.sub(r"\s+", " ", str(text if text is not None else "")).translate(SPECIAL)


def _evidence(item: dict[str, Any]) -> str:
    parts = []
    for e in item["evidence"]:
        text = "".join(f"**{esc(p)}**" if marked and p.strip() else esc(p) for p, marked in e["segments"]).strip()
        parts.append(f"{labels.COLUMN['page']} {e['page']}, {labels.COLUMN['clause']} {esc(e['clause'])}: {text}")
    return "<br>".join(parts)


def report_md(report: dict[str, Any]) -> str:
    C, S, H = labels.COLUMN, labels.STATUS, labels.HEADING
    doc = report["document"]
    name = " — ".join(x for x in (doc["number"], doc["issuer"]) if x) or doc["name"]
    out = [f"# {H['report']}: {esc(name)}", "",
           f"{C['date']}: {labels.day(doc['date'])} — {C['name']}: {esc(doc['name'])}", ""]
    if report["coverage"] is None:
        return "\n".join(out + [f"**{C['error']}:** {esc(doc['error_text'] or doc['error_line'])}", ""])
    cov = report["coverage"]
    refs = report["reference_coverage"]
    out += [f"## {H['summary']}", "", f"**{C['coverage']}: {labels.percent(cov['percent'])}** ({cov['applicable']})",
            "", f"{C['reference_coverage']}: {labels.percent(refs['percent'])}", "",
            "| " + " | ".join(S[k] for k in cov["counts"]) + " |", "|" + "---|" * len(cov["counts"]),
            "| " + " | ".join(str(v) for v in cov["counts"].values()) + " |", "", f"_{H['coverage_note']}_", "",
            f"## {H['requirements']}", "",
            f"| {C['requirement']} | {C['status']} | {C['score']} | {C['requirement_text']} | {C['evidence']} | {C['why']} | {C['review']} |",
            "|---|---|---|---|---|---|---|"]
    for i in report["items"]:
        score = "" if i["score"] is None else labels.number(i["score"])
        suspect = f" ({labels.SUSPECT})" if i["suspect"] else ""
        out.append(f"| {esc(i['id'])} | {S[i['final']]}{suspect} | {score} | {esc(i['text'])} | {_evidence(i)} | "
                   f"{esc(i['why'])} | {labels.review_line(i.get('review'), esc)} |")
    out += ["", f"## {H['targets']}", ""]
    if report["targets"]:
        out += [f"| {C['requirement']} | {C['indicator']} | {C['period']} | {C['province_value']} | {C['plan_value']} | {C['comparison']} |",
                "|---|---|---|---|---|---|"]
        out += [f"| {esc(t['requirement'])} | {esc(t['indicator'])} | {esc(t['period'])} | {esc(t['province'])} | "
                f"{esc(t['plan'])} | {labels.COMPARE[t['verdict']]} |" for t in report["targets"]]
    else:
        out.append(H["none"])
    out += ["", f"## {H['legal']}", "", f"### {H['references']}", "",
            f"| {C['requirement']} | {C['status']} | {C['evidence']} |", "|---|---|---|"]
    out += [f"| {esc(i['id'])} | {S[i['final']]} | {esc('; '.join(e['text'] for e in i['evidence']))} |"
            for i in report["references"]]
    out += ["", f"### {H['findings']}", ""]
    if report["findings"]:
        out += [f"| {C['severity']} | {C['code']} | {C['message']} | {C['as_written']} | {C['page']} |", "|---|---|---|---|---|"]
        out += [f"| {labels.SEVERITY.get(f['severity'], f['severity'])} | {esc(f['code'])} | {esc(f['message'])} | "
                f"{esc(f['as_written'])} | {f['page'] or ''} |" for f in report["findings"]]
    else:
        out.append(H["none"])
    return "\n".join(out) + "\n"
