"""``requirements``, ``match`` and ``eval``: the parent's catalogue, a plan's coverage, and the scores on labelled plans."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hycompliance.cli.app import app
from hycompliance.report.labels import DOC_KIND, REQUIREMENT_KIND, STATUS

# Terminal colours of the status words.
STATUS_STYLE = {"covered": "green", "partial": "yellow", "missing": "red"}


def _parse(path: Path):
    from hycompliance.structure import parse_file

    return parse_file(path)


@app.command("requirements")
def requirements_cmd(
    plan: Path = typer.Argument(..., help="The parent plan (.txt, .docx, .pdf)."),
    as_json: bool = typer.Option(False, "--json", help="Print the catalogue as JSON."),
    write: Path | None = typer.Option(None, "--write", help="Write (or regenerate, keeping reviewers' edits) a YAML catalogue."),
) -> None:
    """List the requirements of a parent plan: tasks, sub-tasks, targets, assignments.

    Example: hycompliance requirements corpora/87-KH-UBND-2023.txt --write hycompliance/rules/catalogue/87-KH-UBND.yaml
    """
    from hycompliance.requirements import build_catalogue, catalogue_json, write_catalogue

    catalogue = build_catalogue(_parse(plan))
    if write is not None:
        write_catalogue(catalogue, write, source=plan.name)
        typer.echo(f"{write}: {len(catalogue)} requirements written")
        return
    if as_json:
        typer.echo(json.dumps(catalogue_json(catalogue), ensure_ascii=False, indent=2))
        return
    table = Table(title=f"Yêu cầu của {plan.name}")
    for head in ("ID", "Loại", "Nội dung", "Thời hạn", "Văn bản", "Áp dụng cho"):
        table.add_column(head)
    for r in catalogue:
        text = r.target.indicator + " " + " / ".join(v.text for v in r.target.values) if r.target else r.text
        table.add_row(r.id, REQUIREMENT_KIND.get(r.kind, r.kind), text, r.deadline or "", ", ".join(r.references),
                      ", ".join(DOC_KIND.get(a, a) for a in r.applies_to))
    Console().print(table)


@app.command("match")
def match_cmd(
    plan: Path = typer.Argument(..., help="The parent plan."),
    file: Path = typer.Argument(..., help="The implementation plan to check."),
    as_json: bool = typer.Option(False, "--json", help="Print matches as JSON."),
    catalogue: Path | None = typer.Option(None, "--catalogue", help="A reviewed YAML catalogue to use instead of deriving one."),
) -> None:
    """Show, for each task and target of PLAN, whether FILE addresses it, where, and why.

    Example: hycompliance match corpora/87-KH-UBND-2023.txt corpora/examples/vanlam-kh-2023.docx
    """
    from hycompliance.matching import match_plan
    from hycompliance.requirements import build_catalogue, load_catalogue

    reqs = load_catalogue(catalogue) if catalogue else build_catalogue(_parse(plan))
    matches = match_plan(_parse(file), reqs)
    if as_json:
        out = [
            {"requirement": m.requirement, "status": m.status, "score": m.score, "why": m.why,
             "evidence": [{"clause": e.clause, "page": e.page, "text": e.text, "score": e.score} for e in m.evidence]}
            for m in matches
        ]
        typer.echo(json.dumps(out, ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{file.name} so với {plan.name}")
    for head in ("Yêu cầu", "Trạng thái", "Điểm", "Trang", "Đoạn", "Lý do"):
        table.add_column(head, overflow="fold")
    for m in matches:
        ev = m.evidence[0] if m.evidence else None
        status = f"[{STATUS_STYLE[m.status]}]{STATUS[m.status]}[/]"
        table.add_row(m.requirement, status, f"{m.score:.2f}", str(ev.page) if ev else "", ev.clause if ev else "",
                      escape(m.why))
    console = Console()
    console.print(table)
    counts = {k: sum(m.status == k for m in matches) for k in ("covered", "partial", "missing")}
    console.print(" · ".join(f"{STATUS[k]}: {n}/{len(matches)}" for k, n in counts.items()))


@app.command("eval")
def eval_cmd(
    plan: Path = typer.Option(..., "--plan", help="The parent plan of gold directories without a manifest."),
    gold: list[Path] = typer.Option(..., "--gold", help="Directory of labelled plans (NAME.json + NAME.txt/.docx/.pdf; a manifest.yaml 'parent: PATH' names its parent, default --plan); repeat to pool several."),
    form: list[str] = typer.Option(["txt"], "--form", help="Which rendering(s) to parse; repeat the option."),
    cv: bool = typer.Option(False, "--cv", help="Leave one plan out: fit on the others, score the one left out."),
    fit: bool = typer.Option(False, "--fit", help="Fit on every labelled plan and write hycompliance/rules/matching.yaml."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Precision, recall, F1 and evidence accuracy of matching on labelled plans.

    Example: hycompliance eval --plan corpora/87-KH-UBND-2023.txt --gold ../shared/corpus/dev --form pdf --cv
    """
    from hycompliance import rules
    from hycompliance.evaluate import evaluate, fit_all, write_config

    if fit:
        config = fit_all(plan, gold, tuple(form))
        write_config(config, rules.rules_dir() / "matching.yaml")
        typer.echo(f"matching.yaml: t_part={config.t_part} margin={config.margin}")
    report = evaluate(plan, gold, tuple(form), cv=cv)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return
    console = Console()
    table = Table(title="Matching" + (" (leave-one-plan-out)" if cv else ""))
    for head in ("Parent", "Plan", "Form", "P", "R", "F1", "Evidence", "TP", "FP", "FN"):
        table.add_column(head)
    for r in report.rows:
        table.add_row(
            r["parent"], r["plan"], r["form"], f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}",
            f"{r['evidence']:.3f}", str(r["tp"]), str(r["fp"]), str(r["fn"]),
        )
    console.print(table)
    for m in report.worst_misses:
        console.print(f"miss  {m['parent']} {m['plan']} {m['form']} {m['requirement']}: {m['text'][:100]}", highlight=False)
    for h in report.worst_false_hits:
        console.print(f"false {h['parent']} {h['plan']} {h['form']} {h['requirement']} ({h['score']:.2f}): {h['text'][:100]}",
                      highlight=False)
